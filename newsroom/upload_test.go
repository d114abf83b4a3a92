package newsroom_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"

	"github.com/heraldnews/herald"
)

func (b *browser) upload(csrf, filename, contentType string, data []byte) (int, map[string]any) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", csrf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="`+filename+`"`)
	h.Set("Content-Type", contentType)
	part, _ := mw.CreatePart(h)
	part.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", b.f.url+"/newsroom/media", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "application/json")
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	var v map[string]any
	json.NewDecoder(res.Body).Decode(&v)
	return res.StatusCode, v
}

func testPNG(w, h int) []byte {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			m.Set(x, y, color.RGBA{uint8(x), uint8(y), 90, 255})
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, m)
	return buf.Bytes()
}

// pngHeader is the start of a PNG that claims to be w×h pixels: enough for a
// decoder to allocate for it, which a decompression bomb relies on.
func pngHeader(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // 8-bit RGBA
	chunk := append([]byte("IHDR"), ihdr...)
	out := append([]byte("\x89PNG\r\n\x1a\n"), binary.BigEndian.AppendUint32(nil, uint32(len(ihdr)))...)
	out = append(out, chunk...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(chunk))
}

func TestImageUpload(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	writer := f.browser(t)
	writer.login("baiyonggang")
	_, page := writer.get("/newsroom/articles/new")
	csrf := writer.csrf(page)
	pic := testPNG(1000, 500)
	code, v := writer.upload(csrf, "现场.png", "image/png", pic)
	if code != http.StatusCreated || !strings.HasPrefix(v["url"].(string), "/media/") || v["width"] != float64(1000) {
		t.Fatalf("upload: %d %v", code, v)
	}
	id := int64(v["id"].(float64))
	m, err := f.store.FindMediaByID(ctx, id)
	if err != nil || m.Filename != "现场.png" || m.URL("thumb") != v["thumb"] {
		t.Fatalf("stored media %+v, %v", m, err)
	}
	if code, again := writer.upload(csrf, "again.png", "image/png", pic); code != http.StatusCreated || again["id"] != v["id"] {
		t.Fatalf("the same image uploaded twice is stored twice: %v vs %v", again["id"], v["id"])
	}
	for _, c := range []struct {
		name, ctype string
		data        []byte
		status      int
	}{
		{"fake.png", "image/png", []byte("<html><script>alert(1)</script></html>"), http.StatusBadRequest},
		{"claims.jpg", "image/jpeg", pic, http.StatusBadRequest},
		{"huge.png", "image/png", bytes.Repeat([]byte{0}, 22<<20), http.StatusRequestEntityTooLarge},
		{"bomb.png", "image/png", pngHeader(50000, 50000), http.StatusBadRequest},
	} {
		code, v := writer.upload(csrf, c.name, c.ctype, c.data)
		if code != c.status {
			t.Errorf("%s: %d %v, want %d", c.name, code, v, c.status)
		}
	}
	if _, v := writer.upload(csrf, "bomb.png", "image/png", pngHeader(50000, 50000)); !strings.Contains(fmt.Sprint(v["detail"]), "50000x50000") {
		t.Errorf("a decompression bomb is not refused for its size: %v", v)
	}
	if code, _ := writer.upload("", "x.png", "image/png", pic); code != http.StatusForbidden {
		t.Errorf("upload without CSRF: %d", code)
	}
	viewer := f.browser(t)
	viewer.login("hanzhigang")
	_, page = viewer.get("/newsroom/")
	if code, _ := viewer.upload(viewer.csrf(page), "x.png", "image/png", pic); code != http.StatusForbidden {
		t.Errorf("a viewer uploads: %d", code)
	}
	uploader, _, _ := f.store.FindStaff(ctx, herald.StaffFilter{Username: "baiyonggang"})
	events, _ := f.store.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityMedia, ActorID: uploader[0].ID})
	if len(events) != 1 {
		t.Fatalf("%d media events, want 1", len(events))
	}
}
