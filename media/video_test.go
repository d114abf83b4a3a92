package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldnews/herald"
)

func readClip(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestStageVideo(t *testing.T) {
	mp4, webm := readClip(t, "clip.mp4"), readClip(t, "clip.webm")
	heic := append([]byte{0, 0, 0, 24}, []byte("ftypheic\x00\x00\x00\x00mif1heic")...)
	for _, tc := range []struct {
		name, claimed string
		data          []byte
		max           int64
		wantType      string
		wantCode      string
		wantMsg       string
	}{
		{"mp4", "video/mp4", mp4, 1 << 20, "video/mp4", "", ""},
		{"webm", "video/webm", webm, 1 << 20, "video/webm", "", ""},
		{"mp4 without a claim", "", mp4, 1 << 20, "video/mp4", "", ""},
		{"mp4 as quicktime", "video/quicktime", mp4, 1 << 20, "video/mp4", "", ""},
		{"text renamed to .mp4", "video/mp4", []byte("这不是视频，只是一段改了扩展名的文字。\n"), 1 << 20, "", herald.EINVALID, "video: is not a video"},
		{"empty", "", nil, 1 << 20, "", herald.EINVALID, "video: is empty"},
		{"still image in the same container", "", heic, 1 << 20, "", herald.EINVALID, "video: is not a video"},
		{"mp4 claimed as webm", "video/webm", mp4, 1 << 20, "", herald.EINVALID, "sent as video/webm"},
		{"too large", "video/mp4", mp4, int64(len(mp4) - 1), "", herald.ETOOLARGE, "limit"},
		{"exactly the limit", "video/mp4", mp4, int64(len(mp4)), "video/mp4", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			up, err := StageVideo(bytes.NewReader(tc.data), tc.claimed, "video", dir, tc.max)
			if tc.wantCode != "" {
				if herald.ErrorCode(err) != tc.wantCode || !strings.Contains(herald.ErrorMessage(err), tc.wantMsg) {
					t.Fatalf("err = %v (%s), want %s containing %q", err, herald.ErrorCode(err), tc.wantCode, tc.wantMsg)
				}
				if left, _ := os.ReadDir(dir); len(left) != 0 {
					t.Errorf("a refused upload left %d temporary files", len(left))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer up.Close()
			sum := sha256.Sum256(tc.data)
			if up.ContentType != tc.wantType || up.Size != int64(len(tc.data)) || up.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("staged %+v", up)
			}
			r, _ := up.Reader()
			if got, _ := io.ReadAll(r); !bytes.Equal(got, tc.data) {
				t.Error("the staged bytes differ from the upload")
			}
			if err := up.Close(); err != nil {
				t.Fatal(err)
			}
			if left, _ := os.ReadDir(dir); len(left) != 0 {
				t.Errorf("Close left %d temporary files", len(left))
			}
		})
	}
}

// TestStageVideoStreams proves a refused oversized upload is not read to its
// end: the limit stops the copy one byte past it.
func TestStageVideoStreams(t *testing.T) {
	mp4 := readClip(t, "clip.mp4")
	counted := &countingReader{}
	_, err := StageVideo(io.MultiReader(bytes.NewReader(mp4), counted), "video/mp4", "video", t.TempDir(), 1<<20)
	if herald.ErrorCode(err) != herald.ETOOLARGE {
		t.Fatalf("err = %v", err)
	}
	if counted.n > 1<<20+64<<10 {
		t.Errorf("read %d bytes of an endless upload with a 1 MiB limit", counted.n)
	}
}

func TestMP4Duration(t *testing.T) {
	up, err := StageVideo(bytes.NewReader(readClip(t, "clip.mp4")), "", "video", t.TempDir(), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	if up.DurationMS < 2900 || up.DurationMS > 3300 { // the clip is three seconds long
		t.Errorf("duration = %d ms, want about 3000", up.DurationMS)
	}
	// A damaged header gives no duration rather than an error.
	if d := mp4Duration(bytes.NewReader([]byte("\x00\x00\x00\x10ftypisom\x00\x00\xff\xffmoov")), 20); d != 0 {
		t.Errorf("damaged: %d", d)
	}
}

func TestDirFiles(t *testing.T) {
	d := Dir(t.TempDir())
	testFiles(t, d)
	// A failed put leaves no temporary file beside the one stored.
	entries, _ := os.ReadDir(filepath.Join(string(d), "videos"))
	if len(entries) != 1 {
		t.Errorf("folder holds %d entries, want the one file", len(entries))
	}
}

// testFiles is what every Files must do; each implementation's test runs it
// on a fresh store. It leaves videos/kept.mp4 behind for the caller to
// check, and nothing else.
func testFiles(t *testing.T, files Files) {
	t.Helper()
	ctx := context.Background()
	if err := files.Put(ctx, "videos/a.mp4", strings.NewReader("hello")); err != nil {
		t.Fatal(err)
	}
	f, err := files.Open(ctx, "videos/a.mp4")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(f)
	if string(b) != "hello" || f.Size() != 5 || time.Since(f.ModTime()) > time.Hour {
		t.Errorf("read %q size %d modified %v", b, f.Size(), f.ModTime())
	}
	f.Close()
	// A failing reader leaves the earlier file as it was.
	if err := files.Put(ctx, "videos/a.mp4", io.MultiReader(strings.NewReader("partial"), failing{})); err == nil {
		t.Fatal("a failing reader was stored")
	}
	if f, _ = files.Open(ctx, "videos/a.mp4"); f != nil {
		b, _ = io.ReadAll(f)
		f.Close()
	}
	if string(b) != "hello" {
		t.Errorf("after a failed put: %q", b)
	}
	for _, bad := range []string{"", "../x", "/etc/passwd", "a/../../x", ".hidden", "videos/.tmp-1", `a\b`} {
		if err := files.Put(ctx, bad, strings.NewReader("x")); herald.ErrorCode(err) != herald.EINVALID {
			t.Errorf("Put(%q) = %v", bad, err)
		}
		if _, err := files.Open(ctx, bad); herald.ErrorCode(err) != herald.EINVALID {
			t.Errorf("Open(%q) = %v", bad, err)
		}
	}
	if err := files.Delete(ctx, "videos/a.mp4"); err != nil {
		t.Fatal(err)
	}
	if err := files.Delete(ctx, "videos/a.mp4"); err != nil {
		t.Errorf("deleting a missing file: %v", err)
	}
	if _, err := files.Open(ctx, "videos/a.mp4"); herald.ErrorCode(err) != herald.ENOTFOUND {
		t.Errorf("open after delete: %v", err)
	}

	// Ranges, as players ask for them: by Seek and Read, and through
	// http.ServeContent.
	content := []byte("0123456789abcdefghijklmnopqrstuvwxyz")
	if err := files.Put(ctx, "videos/kept.mp4", bytes.NewReader(content)); err != nil {
		t.Fatal(err)
	}
	f, err = files.Open(ctx, "videos/kept.mp4")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, c := range []struct {
		offset int64
		whence int
		at     int64
		n      int
	}{
		{10, io.SeekStart, 10, 5},
		{2, io.SeekCurrent, 17, 3}, // a gap: a new request at 17
		{0, io.SeekCurrent, 20, 4}, // sequential: the same answer continues
		{-6, io.SeekEnd, 30, 6},
		{0, io.SeekStart, 0, 3},
	} {
		pos, err := f.Seek(c.offset, c.whence)
		if err != nil || pos != c.at {
			t.Fatalf("Seek(%d, %d) = %d, %v; want %d", c.offset, c.whence, pos, err, c.at)
		}
		buf := make([]byte, c.n)
		if _, err := io.ReadFull(f, buf); err != nil || string(buf) != string(content[c.at:c.at+int64(c.n)]) {
			t.Errorf("at %d read %q, %v; want %q", c.at, buf, err, content[c.at:c.at+int64(c.n)])
		}
	}
	if _, err := f.Seek(0, io.SeekEnd); err != nil {
		t.Fatal(err)
	}
	if n, err := f.Read(make([]byte, 4)); n != 0 || err != io.EOF {
		t.Errorf("read at the end: %d, %v", n, err)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/v/kept.mp4", nil)
	req.Header.Set("Range", "bytes=5-9")
	rec.Header().Set("Content-Type", "video/mp4") // as the portal does; no sniffing read
	http.ServeContent(rec, req, "", f.ModTime(), f)
	if rec.Code != http.StatusPartialContent || rec.Body.String() != "56789" || rec.Header().Get("Content-Range") != "bytes 5-9/36" {
		t.Errorf("ServeContent: %d %q %q", rec.Code, rec.Body, rec.Header().Get("Content-Range"))
	}
}

type failing struct{}

func (failing) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

// memVideos is a VideoFileStore in memory for SaveVideo's test.
type memVideos struct {
	mu    sync.Mutex
	files []*herald.VideoFile
}

func (m *memVideos) CreateVideoFile(_ context.Context, v *herald.VideoFile, ev herald.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	v.ID, v.CreatedAt = int64(len(m.files)+1), ev.At
	m.files = append(m.files, v)
	return nil
}

func (m *memVideos) FindVideoFileByID(context.Context, int64) (*herald.VideoFile, error) {
	panic("not used")
}

func (m *memVideos) FindVideoFilesByIDs(context.Context, []int64) (map[int64]*herald.VideoFile, error) {
	panic("not used")
}

func (m *memVideos) FindVideoFileBySHA256(_ context.Context, sum string) (*herald.VideoFile, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, v := range m.files {
		if v.SHA256 == sum {
			return v, nil
		}
	}
	return nil, herald.Errorf(herald.ENOTFOUND, "none")
}

func TestSaveVideoDeduplicates(t *testing.T) {
	ctx := context.Background()
	store, files := &memVideos{}, Dir(t.TempDir())
	clip := readClip(t, "clip.mp4")
	ev := herald.Event{At: time.Date(2026, 5, 1, 2, 0, 0, 0, time.UTC), ActorID: 3}
	first, err := SaveVideo(ctx, store, files, bytes.NewReader(clip), `C:\片子\公证人 第一集.mp4`, "video/mp4", "video", 1<<20, ev)
	if err != nil {
		t.Fatal(err)
	}
	again, err := SaveVideo(ctx, store, files, bytes.NewReader(clip), "copy.mp4", "video/mp4", "video", 1<<20, ev)
	if err != nil {
		t.Fatal(err)
	}
	if first.ID != again.ID || len(store.files) != 1 || first.UploadedBy != 3 || first.DurationMS == 0 {
		t.Errorf("first %+v, again %+v, %d records", first, again, len(store.files))
	}
	f, err := files.Open(ctx, first.Key())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Size() != int64(len(clip)) {
		t.Errorf("stored %d bytes of %d", f.Size(), len(clip))
	}
}

// BenchmarkStageVideo measures staging a 64 MiB film: the bytes stream to a
// temporary file through the hash, and memory stays flat whatever the size.
func BenchmarkStageVideo(b *testing.B) {
	head, err := os.ReadFile(filepath.Join("testdata", "clip.mp4"))
	if err != nil {
		b.Fatal(err)
	}
	const size = 64 << 20
	dir := b.TempDir()
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		up, err := StageVideo(io.MultiReader(bytes.NewReader(head), io.LimitReader(&countingReader{}, size-int64(len(head)))), "video/mp4", "video", dir, DefaultVideoMaxBytes)
		if err != nil {
			b.Fatal(err)
		}
		up.Close()
	}
}
