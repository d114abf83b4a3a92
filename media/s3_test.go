package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/internal/s3test"
)

func TestNewS3Validates(t *testing.T) {
	good := S3Config{Endpoint: "http://127.0.0.1:8333", Bucket: "herald", AccessKey: "ak", SecretKey: "sk"}
	if _, err := NewS3(good); err != nil {
		t.Fatalf("a good config: %v", err)
	}
	for _, c := range []struct {
		name   string
		change func(*S3Config)
		want   string
	}{
		{"no endpoint", func(c *S3Config) { c.Endpoint = "" }, "S3 endpoint"},
		{"endpoint without scheme", func(c *S3Config) { c.Endpoint = "s3.example.com" }, "S3 endpoint"},
		{"endpoint with query", func(c *S3Config) { c.Endpoint = "https://s3.example.com/?x=1" }, "S3 endpoint"},
		{"endpoint with user", func(c *S3Config) { c.Endpoint = "https://ak:sk@s3.example.com" }, "S3 endpoint"},
		{"no bucket", func(c *S3Config) { c.Bucket = "" }, "S3 bucket"},
		{"bucket with capitals", func(c *S3Config) { c.Bucket = "Herald" }, "S3 bucket"},
		{"bucket with a slash", func(c *S3Config) { c.Bucket = "herald/videos" }, "S3 bucket"},
		{"region with a slash", func(c *S3Config) { c.Region = "eu/west" }, "S3 region"},
		{"no access key", func(c *S3Config) { c.AccessKey = "" }, "S3 access key"},
		{"access key with a slash", func(c *S3Config) { c.AccessKey = "a/b" }, "S3 access key"},
		{"no secret key", func(c *S3Config) { c.SecretKey = "" }, "S3 secret key"},
		{"prefix leaving the bucket", func(c *S3Config) { c.Prefix = "../x/" }, "S3 prefix"},
		{"part too small", func(c *S3Config) { c.PartSize = 1 << 20 }, "S3 part size"},
	} {
		cfg := good
		c.change(&cfg)
		if _, err := NewS3(cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one about the %s", c.name, err, c.want)
		}
	}
}

// recorder is the S3 client's transport in tests: it records each
// request's method and query parameter names, the Range of each request,
// and counts the body bytes the code actually read.
type recorder struct {
	mu     sync.Mutex
	calls  []string // such as "PUT partNumber&uploadId"
	ranges []string
	read   int64
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var names []string
	for name := range req.URL.Query() {
		names = append(names, name)
	}
	slices.Sort(names)
	r.mu.Lock()
	r.calls = append(r.calls, strings.TrimSpace(req.Method+" "+strings.Join(names, "&")))
	if rg := req.Header.Get("Range"); rg != "" {
		r.ranges = append(r.ranges, rg)
	}
	r.mu.Unlock()
	resp, err := http.DefaultTransport.RoundTrip(req)
	if resp != nil {
		resp.Body = &countedBody{resp.Body, r}
	}
	return resp, err
}

func (r *recorder) reset() (calls, ranges []string, read int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	calls, ranges, read = r.calls, r.ranges, r.read
	r.calls, r.ranges, r.read = nil, nil, 0
	return calls, ranges, read
}

type countedBody struct {
	io.ReadCloser
	r *recorder
}

func (b *countedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.r.mu.Lock()
	b.r.read += int64(n)
	b.r.mu.Unlock()
	return n, err
}

func newS3(t *testing.T, srv *s3test.Server, prefix string, change ...func(*S3Config)) (*S3, *recorder) {
	t.Helper()
	rec := &recorder{}
	cfg := S3Config{Endpoint: srv.Endpoint, Region: srv.Region, Bucket: srv.Bucket, AccessKey: srv.AccessKey,
		SecretKey: srv.SecretKey, Prefix: prefix, PartSize: MinPartSize, Client: &http.Client{Transport: rec}}
	for _, c := range change {
		c(&cfg)
	}
	s, err := NewS3(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s, rec
}

// film returns n deterministic bytes that do not compress.
func film(n int) []byte {
	b := make([]byte, n)
	rng := rand.New(rand.NewPCG(7, 11))
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// failAfter yields the first n bytes of b and then fails.
func failAfter(b []byte, n int) io.Reader {
	return io.MultiReader(bytes.NewReader(b[:n]), failing{})
}

func readAll(t *testing.T, files Files, key string) []byte {
	t.Helper()
	f, err := files.Open(context.Background(), key)
	if err != nil {
		t.Fatalf("open %s: %v", key, err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return b
}

// TestS3 runs the S3 storage against a real server, SeaweedFS. The
// subtests share one server, each under its own prefix, and run in order:
// the outage drill stops the server, so it comes last.
func TestS3(t *testing.T) {
	srv := s3test.Start(t)
	ctx := context.Background()

	t.Run("Files", func(t *testing.T) {
		s, _ := newS3(t, srv, "files/")
		testFiles(t, s)
		if got, want := srv.Objects(t), []string{"files/videos/kept.mp4"}; !slices.Equal(got, want) {
			t.Errorf("bucket holds %q, want %q", got, want)
		}
	})

	t.Run("Check", func(t *testing.T) {
		s, _ := newS3(t, srv, "check/")
		if err := s.Check(ctx); err != nil {
			t.Fatal(err)
		}
		for _, key := range srv.Objects(t) {
			if strings.HasPrefix(key, "check/") {
				t.Errorf("Check left %s behind", key)
			}
		}
	})

	t.Run("KeysThatNeedEscaping", func(t *testing.T) {
		s, _ := newS3(t, srv, "escape/")
		key := "videos/公证人 第一集+$&=@,;:(1).mp4"
		if err := s.Put(ctx, key, strings.NewReader("film")); err != nil {
			t.Fatal(err)
		}
		if got := readAll(t, s, key); string(got) != "film" {
			t.Errorf("read %q", got)
		}
		if !slices.Contains(srv.Objects(t), "escape/"+key) {
			t.Errorf("bucket lacks %q: %q", "escape/"+key, srv.Objects(t))
		}
		if err := s.Delete(ctx, key); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("Multipart", func(t *testing.T) {
		s, rec := newS3(t, srv, "multi/")
		const key = "videos/big.mp4"
		// Two full parts of 5 MiB and a short last one.
		content := film(2*int(MinPartSize) + 123457)
		rec.reset()
		if err := s.Put(ctx, key, bytes.NewReader(content)); err != nil {
			t.Fatal(err)
		}
		calls, _, _ := rec.reset()
		if want := []string{"POST uploads", "PUT partNumber&uploadId", "PUT partNumber&uploadId", "PUT partNumber&uploadId", "POST uploadId"}; !slices.Equal(calls, want) {
			t.Errorf("a Put of three parts sent %q, want %q", calls, want)
		}
		if u := srv.Uploads(t); len(u) != 0 {
			t.Errorf("unfinished uploads after a Put: %q", u)
		}
		if got := readAll(t, s, key); sha256.Sum256(got) != sha256.Sum256(content) {
			t.Fatalf("read %d bytes that differ from the %d put", len(got), len(content))
		}

		// A range across the first part's end costs one request for its
		// bytes only, not the film.
		f, err := s.Open(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		rec.reset()
		start := MinPartSize - 10
		w := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/v.mp4", nil)
		req.Header.Set("Range", "bytes="+strconv.FormatInt(start, 10)+"-"+strconv.FormatInt(start+19, 10))
		w.Header().Set("Content-Type", "video/mp4")
		http.ServeContent(w, req, "", f.ModTime(), f)
		f.Close()
		if w.Code != http.StatusPartialContent || !bytes.Equal(w.Body.Bytes(), content[start:start+20]) {
			t.Errorf("ServeContent: %d, %d bytes", w.Code, w.Body.Len())
		}
		_, ranges, read := rec.reset()
		if !slices.Equal(ranges, []string{"bytes=" + strconv.FormatInt(start, 10) + "-"}) || read > 1<<20 {
			t.Errorf("a 20-byte range asked for %q and read %d bytes", ranges, read)
		}

		// A reader failing in the second part: the upload is aborted and
		// the key keeps its film.
		rec.reset()
		err = s.Put(ctx, key, failAfter(film(3*int(MinPartSize)), int(MinPartSize)+1000))
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("put from a failing reader: %v", err)
		}
		calls, _, _ = rec.reset()
		if want := []string{"POST uploads", "PUT partNumber&uploadId", "DELETE uploadId"}; !slices.Equal(calls, want) {
			t.Errorf("a Put failing in its second part sent %q, want %q", calls, want)
		}
		if u := srv.Uploads(t); len(u) != 0 {
			t.Errorf("unfinished uploads after a failed Put: %q", u)
		}
		if got := readAll(t, s, key); sha256.Sum256(got) != sha256.Sum256(content) {
			t.Errorf("after a failed put the key holds %d other bytes", len(got))
		}

		// A reader failing in the first part sends nothing.
		if err := s.Put(ctx, "videos/never.mp4", failAfter(content, 1000)); err == nil {
			t.Error("a failing reader was stored")
		}
		// The request is cancelled half-way: likewise.
		cctx, cancel := context.WithCancel(ctx)
		cancelling := io.MultiReader(bytes.NewReader(content[:MinPartSize+1]), readerFunc(func([]byte) (int, error) {
			cancel()
			return 0, nil
		}), bytes.NewReader(content[MinPartSize+1:]))
		if err := s.Put(cctx, "videos/never.mp4", cancelling); !errors.Is(err, context.Canceled) {
			t.Errorf("put with a cancelled context: %v", err)
		}
		if u := srv.Uploads(t); len(u) != 0 {
			t.Errorf("unfinished uploads after a cancelled Put: %q", u)
		}
		if _, err := s.Open(ctx, "videos/never.mp4"); herald.ErrorCode(err) != herald.ENOTFOUND {
			t.Errorf("open a file whose puts failed: %v", err)
		}

		// Exactly one part: a single PUT, no multipart.
		exact := content[:MinPartSize]
		rec.reset()
		if err := s.Put(ctx, "videos/exact.mp4", bytes.NewReader(exact)); err != nil {
			t.Fatal(err)
		}
		if calls, _, _ := rec.reset(); !slices.Equal(calls, []string{"PUT"}) {
			t.Errorf("a Put of exactly one part sent %q, want one PUT", calls)
		}
		if got := readAll(t, s, "videos/exact.mp4"); !bytes.Equal(got, exact) {
			t.Errorf("exact part: read %d bytes", len(got))
		}
	})

	t.Run("ReplacedWhileOpen", func(t *testing.T) {
		// Keys name contents, so this should not happen; if it does, a
		// reader must not get the new file's bytes under the old size.
		s, _ := newS3(t, srv, "replaced/")
		if err := s.Put(ctx, "videos/r.mp4", strings.NewReader("first version")); err != nil {
			t.Fatal(err)
		}
		f, err := s.Open(ctx, "videos/r.mp4")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := s.Put(ctx, "videos/r.mp4", strings.NewReader("second, longer version")); err != nil {
			t.Fatal(err)
		}
		var se *S3Error
		if b, err := io.ReadAll(f); !errors.As(err, &se) || se.StatusCode != http.StatusPreconditionFailed {
			t.Errorf("read after the key was replaced: %q, %v; want a 412", b, err)
		}
	})

	t.Run("WrongSecret", func(t *testing.T) {
		s, _ := newS3(t, srv, "wrong/", func(c *S3Config) { c.SecretKey = "not-the-secret" })
		err := s.Put(ctx, "videos/x.mp4", strings.NewReader("x"))
		var se *S3Error
		if !errors.As(err, &se) || se.StatusCode != http.StatusForbidden || se.Code != "SignatureDoesNotMatch" {
			t.Fatalf("err = %v, want a 403 SignatureDoesNotMatch", err)
		}
		if !strings.HasPrefix(err.Error(), "media: put videos/x.mp4: 403 SignatureDoesNotMatch") {
			t.Errorf("message %q", err)
		}
		t.Logf("%v", err)
		if herald.ErrorCode(err) != herald.EUNAVAILABLE || herald.ErrorMessage(err) != "Media storage refused the file; try again later." {
			t.Errorf("code %s, message %q", herald.ErrorCode(err), herald.ErrorMessage(err))
		}
		if err := s.Check(ctx); herald.ErrorCode(err) != herald.EUNAVAILABLE {
			t.Errorf("Check: %v", err)
		}
		if _, err := s.Open(ctx, "videos/x.mp4"); herald.ErrorCode(err) != herald.EUNAVAILABLE {
			t.Errorf("Open (HEAD has no error body): %v", err)
		}
	})

	t.Run("ReadOnlyBucket", func(t *testing.T) {
		s, _ := newS3(t, srv, "quota/")
		if err := s.Put(ctx, "videos/before.mp4", strings.NewReader("before")); err != nil {
			t.Fatal(err)
		}
		srv.SetReadOnly(t, true)
		err := s.Put(ctx, "videos/after.mp4", strings.NewReader("after"))
		var se *S3Error
		if !errors.As(err, &se) || se.StatusCode != http.StatusForbidden || herald.ErrorCode(err) != herald.EUNAVAILABLE {
			t.Errorf("put into a read-only bucket: %v (code %s)", err, herald.ErrorCode(err))
		}
		t.Logf("%v", err)
		if err := s.Check(ctx); herald.ErrorCode(err) != herald.EUNAVAILABLE {
			t.Errorf("Check of a read-only bucket: %v", err)
		}
		if got := readAll(t, s, "videos/before.mp4"); string(got) != "before" {
			t.Errorf("reading from a read-only bucket: %q", got)
		}
		srv.SetReadOnly(t, false)
		if err := s.Put(ctx, "videos/after.mp4", strings.NewReader("after")); err != nil {
			t.Errorf("put after the bucket is writable again: %v", err)
		}
	})

	t.Run("Outage", func(t *testing.T) {
		s, _ := newS3(t, srv, "outage/")
		if err := s.Put(ctx, "videos/kept.mp4", strings.NewReader("kept")); err != nil {
			t.Fatal(err)
		}
		f, err := s.Open(ctx, "videos/kept.mp4")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		srv.Stop(t)
		// The deadline only guards against a hang; the errors must come
		// from the refused connection long before it.
		dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		_, openErr := s.Open(dctx, "videos/kept.mp4")
		_, readErr := f.Read(make([]byte, 4))
		for _, c := range []struct {
			name string
			err  error
		}{
			{"put", s.Put(dctx, "videos/new.mp4", strings.NewReader("new"))},
			{"check", s.Check(dctx)},
			{"open", openErr},
			{"read", readErr},
			{"delete", s.Delete(dctx, "videos/kept.mp4")},
		} {
			name, err := c.name, c.err
			if herald.ErrorCode(err) != herald.EUNAVAILABLE || errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("%s with the server stopped: %v (code %s)", name, err, herald.ErrorCode(err))
			}
			if !strings.HasPrefix(err.Error(), "media: "+name+" ") {
				t.Errorf("%s: message %q", name, err)
			}
			t.Logf("%s: %v → %s %q", name, err, herald.ErrorCode(err), herald.ErrorMessage(err))
		}
		srv.Restart(t)
		if got := readAll(t, s, "videos/kept.mp4"); string(got) != "kept" {
			t.Errorf("after the restart: %q", got)
		}
		if err := s.Put(ctx, "videos/new.mp4", strings.NewReader("new")); err != nil {
			t.Errorf("put after the restart: %v", err)
		}
	})
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

// TestParts cuts streams of every length around the part size, from
// readers that end with (n, io.EOF) or (0, io.EOF) and byte by byte.
func TestParts(t *testing.T) {
	const size = 4
	readers := map[string]func([]byte) io.Reader{
		"plain":        func(b []byte) io.Reader { return bytes.NewReader(b) },
		"data+EOF":     func(b []byte) io.Reader { return iotest.DataErrReader(bytes.NewReader(b)) },
		"byte-by-byte": func(b []byte) io.Reader { return iotest.OneByteReader(bytes.NewReader(b)) },
	}
	for name, reader := range readers {
		for n := 0; n <= 3*size+1; n++ {
			content := film(n)
			p := &parts{r: reader(content), buf: make([]byte, size)}
			var got []byte
			var lens []int
			for {
				part, last, err := p.next()
				if err != nil {
					t.Fatalf("%s %d: %v", name, n, err)
				}
				got = append(got, part...)
				lens = append(lens, len(part))
				if last {
					break
				}
			}
			// Full parts, then a last one that is short, or full when the
			// length is a multiple of the size; empty only for no content.
			want := []int{}
			for rest := n; ; rest -= size {
				if rest <= size {
					want = append(want, rest)
					break
				}
				want = append(want, size)
			}
			if !bytes.Equal(got, content) || !slices.Equal(lens, want) {
				t.Errorf("%s %d bytes: parts of %v, want %v (content equal: %v)", name, n, lens, want, bytes.Equal(got, content))
			}
		}
	}
	// A reader failing is an error, even with io.ErrUnexpectedEOF, which
	// io.ReadFull would have taken for the end.
	p := &parts{r: failAfter(film(10), 6), buf: make([]byte, size)}
	if _, last, err := p.next(); err != nil || last {
		t.Fatalf("first part: last %v, %v", last, err)
	}
	if _, _, err := p.next(); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("second part: %v, want the reader's error", err)
	}
}
