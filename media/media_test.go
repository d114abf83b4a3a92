package media

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/heraldnews/herald"
	"golang.org/x/image/webp"
)

// photo returns a deterministic gradient with noise: it compresses like a
// photo rather than like a flat test card.
func photo(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(1, 2))
	for y := range h {
		for x := range w {
			n := rng.IntN(32)
			i := m.PixOffset(x, y)
			m.Pix[i+0] = uint8(x*200/w + n)
			m.Pix[i+1] = uint8(y*200/h + n)
			m.Pix[i+2] = uint8((x+y)*100/(w+h) + n)
			m.Pix[i+3] = 0xff
		}
	}
	return m
}

func encJPEG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encPNG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// gradient is a cheap opaque image for tests where the content does not matter.
func gradient(w, h int) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.SetNRGBA(x, y, color.NRGBA{uint8(x), uint8(y), 0x80, 0xff})
		}
	}
	return m
}

// animation returns a GIF of n frames of solid, different colours.
func animation(t testing.TB, w, h, n int) []byte {
	t.Helper()
	g := &gif.GIF{LoopCount: 0}
	for i := range n {
		f := image.NewPaletted(image.Rect(0, 0, w, h), palette.Plan9)
		for j := range f.Pix {
			f.Pix[j] = uint8(10 + 40*i)
		}
		g.Image = append(g.Image, f)
		g.Delay = append(g.Delay, 10*(i+1))
	}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, g); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// webpSolid builds a lossless WebP of one colour by hand: with every prefix
// code holding a single symbol, the pixels take no bits at all.
func webpSolid(w, h int, c color.NRGBA) []byte {
	var out []byte
	var acc uint64
	var n uint
	put := func(v uint64, bits uint) { // VP8L packs bits least significant first
		acc |= v << n
		for n += bits; n >= 8; n -= 8 {
			out = append(out, byte(acc))
			acc >>= 8
		}
	}
	out = append(out, 0x2f) // VP8L signature
	put(uint64(w-1), 14)
	put(uint64(h-1), 14)
	put(1, 1) // alpha is used
	put(0, 3) // version
	put(0, 1) // no transform
	put(0, 1) // no colour cache
	put(0, 1) // no meta prefix codes
	for _, sym := range []uint8{c.G, c.R, c.B, c.A, 0} {
		put(1, 1) // simple code
		put(0, 1) // of one symbol
		put(1, 1) // written in 8 bits
		put(uint64(sym), 8)
	}
	put(0, 7) // flush
	if len(out)%2 == 1 {
		out = append(out, 0)
	}
	le := binary.LittleEndian
	b := le.AppendUint32([]byte("RIFF"), uint32(4+8+len(out)))
	b = le.AppendUint32(append(b, "WEBPVP8L"...), uint32(len(out)))
	return append(b, out...)
}

// withExif inserts an APP1 EXIF segment right after the SOI marker, with the
// orientation tag and a GPS-like string that must not survive.
func withExif(jpg []byte, order binary.AppendByteOrder, orientation uint16) []byte {
	tiff := []byte("II*\x00")
	if order == binary.BigEndian {
		tiff = []byte("MM\x00*")
	}
	tiff = order.AppendUint32(tiff, 8)
	tiff = order.AppendUint16(tiff, 2) // two entries
	// ImageDescription (ASCII), pointing past the IFD.
	tiff = order.AppendUint16(tiff, 0x010e)
	tiff = order.AppendUint16(tiff, 2)
	tiff = order.AppendUint32(tiff, 23)
	tiff = order.AppendUint32(tiff, 8+2+2*12+4)
	// Orientation (SHORT, value in the first two bytes of the field).
	tiff = order.AppendUint16(tiff, 0x0112)
	tiff = order.AppendUint16(tiff, 3)
	tiff = order.AppendUint32(tiff, 1)
	tiff = order.AppendUint16(tiff, orientation)
	tiff = append(tiff, 0, 0)
	tiff = order.AppendUint32(tiff, 0) // no next IFD
	tiff = append(tiff, "GPS 39.9042N 116.4074E\x00"...)

	seg := append([]byte("Exif\x00\x00"), tiff...)
	app1 := binary.BigEndian.AppendUint16([]byte{0xff, 0xe1}, uint16(2+len(seg)))
	app1 = append(app1, seg...)
	return append(append([]byte{0xff, 0xd8}, app1...), jpg[2:]...)
}

// pngHeader returns a PNG that declares w×h pixels but carries almost no data.
func pngHeader(w, h uint32) []byte {
	chunk := func(b []byte, typ string, data []byte) []byte {
		b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
		body := append([]byte(typ), data...)
		b = append(b, body...)
		return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(body))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // 8-bit RGBA, no interlace
	b := chunk([]byte("\x89PNG\r\n\x1a\n"), "IHDR", ihdr)
	b = chunk(b, "IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	return chunk(b, "IEND", nil)
}

type size struct {
	name, contentType string
	w, h              int
}

func check(t *testing.T, data []byte, im *Image, format string, w, h int, want []size) {
	t.Helper()
	sum := sha256.Sum256(data)
	if im.Format != format || im.Width != w || im.Height != h || im.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("got %s %dx%d %s, want %s %dx%d %x", im.Format, im.Width, im.Height, im.SHA256, format, w, h, sum)
	}
	var got []size
	for _, r := range im.Renditions {
		got = append(got, size{r.Name, r.ContentType, r.Width, r.Height})
		cfg, kind, err := image.DecodeConfig(bytes.NewReader(r.Data))
		if err != nil || "image/"+kind != r.ContentType || cfg.Width != r.Width || cfg.Height != r.Height {
			t.Errorf("%s: data is %s %dx%d (%v), rendition says %s %dx%d",
				r.Name, kind, cfg.Width, cfg.Height, err, r.ContentType, r.Width, r.Height)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("renditions %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("rendition %d is %v, want %v", i, got[i], want[i])
		}
	}
}

func TestProcessFormats(t *testing.T) {
	const jpg, pn, gf = "image/jpeg", "image/png", "image/gif"
	transparent := image.NewNRGBA(image.Rect(0, 0, 600, 400))
	for i := range transparent.Pix {
		transparent.Pix[i] = uint8(i)
	}
	tests := []struct {
		name, claimed, format string
		data                  []byte
		w, h                  int
		want                  []size
	}{
		{"jpeg photo", "image/jpeg", "jpeg", encJPEG(t, photo(2000, 1500)), 2000, 1500, []size{
			{"original", jpg, 2000, 1500}, {"large", jpg, 1600, 1200}, {"medium", jpg, 800, 600}, {"thumb", jpg, 320, 240}}},
		{"tall png capped", "image/png", "png", encPNG(t, gradient(1500, 3000)), 1500, 3000, []size{
			{"original", jpg, 1280, 2560}, {"large", jpg, 800, 1600}, {"medium", jpg, 400, 800}, {"thumb", jpg, 160, 320}}},
		{"small png not upscaled", "", "png", encPNG(t, gradient(200, 100)), 200, 100, []size{
			{"original", jpg, 200, 100}, {"thumb", jpg, 200, 100}}},
		{"transparent png stays png", "image/png; charset=binary", "png", encPNG(t, transparent), 600, 400, []size{
			{"original", pn, 600, 400}, {"thumb", pn, 320, 213}}},
		{"webp", "image/webp", "webp", webpSolid(1000, 600, color.NRGBA{200, 30, 30, 255}), 1000, 600, []size{
			{"original", jpg, 1000, 600}, {"medium", jpg, 800, 480}, {"thumb", jpg, 320, 192}}},
		{"transparent webp", "application/octet-stream", "webp", webpSolid(100, 100, color.NRGBA{1, 2, 3, 128}), 100, 100, []size{
			{"original", pn, 100, 100}, {"thumb", pn, 100, 100}}},
		{"gif still", "image/gif", "gif", animation(t, 500, 500, 1), 500, 500, []size{
			{"original", jpg, 500, 500}, {"thumb", jpg, 320, 320}}},
		{"animated gif", "image/gif", "gif", animation(t, 400, 300, 3), 400, 300, []size{
			{"original", gf, 400, 300}, {"thumb", jpg, 320, 240}}},
		{"huge animated gif becomes still", "image/gif", "gif", animation(t, 3000, 60, 2), 3000, 60, []size{
			{"original", jpg, 2560, 51}, {"large", jpg, 1600, 32}, {"medium", jpg, 800, 16}, {"thumb", jpg, 320, 6}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			im, err := Process(bytes.NewReader(tt.data), tt.claimed, "file", DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			check(t, tt.data, im, tt.format, tt.w, tt.h, tt.want)
		})
	}
}

func TestRenditionLookup(t *testing.T) {
	im, err := Process(bytes.NewReader(encPNG(t, gradient(200, 100))), "", "file", DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if r := im.Rendition("thumb"); r == nil || r.Name != "thumb" {
		t.Errorf("thumb = %v", r)
	}
	if r := im.Rendition("large"); r != nil {
		t.Errorf("a 200px image has a large rendition %dx%d", r.Width, r.Height)
	}
}

func TestExifOrientation(t *testing.T) {
	// A 400x300 image whose stored top-left quarter is red, the rest blue.
	src := image.NewRGBA(image.Rect(0, 0, 400, 300))
	for y := range 300 {
		for x := range 400 {
			c := color.RGBA{0, 0, 255, 255}
			if x < 200 && y < 150 {
				c = color.RGBA{255, 0, 0, 255}
			}
			src.SetRGBA(x, y, c)
		}
	}
	plain := encJPEG(t, src)
	tests := []struct {
		name        string
		order       binary.AppendByteOrder
		orientation uint16
		w, h        int
		red         image.Point // where the stored top-left corner ends up
	}{
		{"upright", binary.BigEndian, 1, 400, 300, image.Pt(0, 0)},
		{"mirrored", binary.LittleEndian, 2, 400, 300, image.Pt(399, 0)},
		{"upside down", binary.BigEndian, 3, 400, 300, image.Pt(399, 299)},
		{"flipped", binary.LittleEndian, 4, 400, 300, image.Pt(0, 299)},
		{"transposed", binary.BigEndian, 5, 300, 400, image.Pt(0, 0)},
		{"turn clockwise, Motorola", binary.BigEndian, 6, 300, 400, image.Pt(299, 0)},
		{"turn clockwise, Intel", binary.LittleEndian, 6, 300, 400, image.Pt(299, 0)},
		{"transversed", binary.LittleEndian, 7, 300, 400, image.Pt(299, 399)},
		{"turn counter-clockwise", binary.BigEndian, 8, 300, 400, image.Pt(0, 399)},
		{"out of range ignored", binary.BigEndian, 9, 400, 300, image.Pt(0, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := withExif(plain, tt.order, tt.orientation)
			if !bytes.Contains(data, []byte("Exif")) || !bytes.Contains(data, []byte("GPS")) {
				t.Fatal("fixture has no EXIF")
			}
			im, err := Process(bytes.NewReader(data), "image/jpeg", "file", DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			if im.Width != tt.w || im.Height != tt.h {
				t.Errorf("image is %dx%d, want %dx%d", im.Width, im.Height, tt.w, tt.h)
			}
			for _, r := range im.Renditions {
				if bytes.Contains(r.Data, []byte("Exif")) || bytes.Contains(r.Data, []byte("GPS")) {
					t.Errorf("%s keeps metadata", r.Name)
				}
			}
			o := im.Rendition("original")
			m, err := jpeg.Decode(bytes.NewReader(o.Data))
			if err != nil {
				t.Fatal(err)
			}
			if b := m.Bounds(); b.Dx() != tt.w || b.Dy() != tt.h {
				t.Fatalf("original is %v, want %dx%d", b, tt.w, tt.h)
			}
			if r, _, b, _ := m.At(tt.red.X, tt.red.Y).RGBA(); r < 0xc000 || b > 0x4000 {
				t.Errorf("pixel at %v is not red: the stored top-left corner went elsewhere", tt.red)
			}
		})
	}
}

func TestRefused(t *testing.T) {
	jpg := encJPEG(t, photo(300, 200))
	pn := encPNG(t, gradient(100, 100))
	tests := []struct {
		name, claimed string
		data          []byte
		want          string // in the message
	}{
		{"png sent as jpeg", "image/jpeg", pn, "file: is a PNG image but was sent as image/jpeg"},
		{"jpeg sent as gif", "IMAGE/GIF", jpg, "is a JPEG image but was sent as image/gif"},
		{"jpeg sent as svg", "image/svg+xml", jpg, "is a JPEG image but was sent as image/svg+xml"},
		{"svg named .png", "image/png", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "JPEG, PNG, WebP or GIF"},
		{"html named .png", "image/png", []byte("<!DOCTYPE html><html><body>hi</body></html>"), "JPEG, PNG, WebP or GIF"},
		{"pdf", "", []byte("%PDF-1.7\n1 0 obj\n"), "is not a supported image"},
		{"empty", "", nil, "is empty"},
		{"truncated jpeg", "image/jpeg", jpg[:len(jpg)/2], "is not a valid JPEG image"},
		{"jpeg magic only", "", []byte{0xff, 0xd8, 0xff, 0xe0}, "is not a valid JPEG image"},
		{"truncated png", "image/png", pn[:len(pn)-40], "is not a valid PNG image"},
		{"riff but not webp", "", []byte("RIFF\x04\x00\x00\x00WAVE"), "is not a supported image"},
		{"corrupt webp", "", []byte("RIFF\x0c\x00\x00\x00WEBPVP8L\x00\x00\x00\x00"), "is not a valid WebP image"},
		{"gif header only", "", []byte("GIF89a"), "is not a valid GIF image"},
		{"animated webp", "image/webp", []byte("RIFF\x16\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x02\x00\x00\x00\x09\x00\x00\x09\x00\x00"), "animated WebP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			im, err := Process(bytes.NewReader(tt.data), tt.claimed, "file", DefaultLimits())
			if herald.ErrorCode(err) != herald.EINVALID {
				t.Fatalf("got %v, %v; want an %s error", im, err, herald.EINVALID)
			}
			if msg := herald.ErrorMessage(err); !strings.Contains(msg, tt.want) {
				t.Errorf("message %q does not contain %q", msg, tt.want)
			}
			if f := herald.ErrorFields(err); len(f) != 1 || f[0].Field != "file" {
				t.Errorf("fields %v, want one about file", f)
			}
		})
	}
}

func TestDecompressionBomb(t *testing.T) {
	small := Limits{MaxBytes: 1 << 20, MaxPixels: 10_000, MaxSide: 1000}
	tests := []struct {
		name string
		data []byte
		lim  Limits
		want string
	}{
		{"png 50000x50000", pngHeader(50000, 50000), DefaultLimits(), "50000x50000"},
		{"png too wide", pngHeader(13000, 10), DefaultLimits(), "13000x10"},
		{"gif of many frames", animation(t, 100, 100, 5), small, "5 frames of 100x100"},
		{"jpeg over pixel limit", encJPEG(t, gradient(101, 100)), small, "101x100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := Process(bytes.NewReader(tt.data), "", "file", tt.lim)
			runtime.ReadMemStats(&after)
			if herald.ErrorCode(err) != herald.EINVALID || !strings.Contains(herald.ErrorMessage(err), tt.want) {
				t.Fatalf("got %v, want a refusal mentioning %q", err, tt.want)
			}
			if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
				t.Errorf("allocated %d bytes before refusing", n)
			}
		})
	}
}

// countingReader is an endless upload that records how much was read.
type countingReader struct{ n int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	clear(p)
	c.n += int64(len(p))
	return len(p), nil
}

func TestTooLarge(t *testing.T) {
	lim := DefaultLimits()
	lim.MaxBytes = 1 << 20
	r := &countingReader{}
	_, err := Process(io.MultiReader(bytes.NewReader([]byte{0xff, 0xd8, 0xff}), r), "image/jpeg", "file", lim)
	if herald.ErrorCode(err) != herald.ETOOLARGE {
		t.Fatalf("got %v, want %s", err, herald.ETOOLARGE)
	}
	if msg := herald.ErrorMessage(err); !strings.Contains(msg, "1 MiB") {
		t.Errorf("message %q does not name the limit", msg)
	}
	if r.n+3 > lim.MaxBytes+1 {
		t.Errorf("read %d bytes, limit is %d", r.n+3, lim.MaxBytes)
	}

	// Exactly at the limit is fine.
	data := encPNG(t, gradient(50, 50))
	lim.MaxBytes = int64(len(data))
	if _, err := Process(bytes.NewReader(data), "", "file", lim); err != nil {
		t.Errorf("file of exactly MaxBytes: %v", err)
	}
}

func TestAnimatedGIF(t *testing.T) {
	data := animation(t, 400, 300, 3)
	// Add a comment block before the trailer: it must not survive.
	data = append(data[:len(data)-1], "\x21\xfe\x0esecret comment\x00\x3b"...)
	im, err := Process(bytes.NewReader(data), "image/gif", "file", DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	o := im.Rendition("original")
	if bytes.Contains(o.Data, []byte("secret")) {
		t.Error("comment survived")
	}
	g, err := gif.DecodeAll(bytes.NewReader(o.Data))
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Image) != 3 || g.Delay[2] != 30 {
		t.Errorf("original has %d frames, delays %v; want 3 frames, last 30", len(g.Image), g.Delay)
	}
	th := im.Rendition("thumb")
	if g, err := gif.DecodeAll(bytes.NewReader(th.Data)); err == nil {
		t.Errorf("thumb is a GIF of %d frames, want a still", len(g.Image))
	}
}

func TestWebPFixture(t *testing.T) {
	// The hand-built fixture must be a WebP that the decoder reads back.
	m, err := webp.Decode(bytes.NewReader(webpSolid(3, 2, color.NRGBA{10, 20, 30, 255})))
	if err != nil {
		t.Fatal(err)
	}
	if b := m.Bounds(); b.Dx() != 3 || b.Dy() != 2 {
		t.Fatalf("bounds %v", b)
	}
	if c := color.NRGBAModel.Convert(m.At(2, 1)); c != (color.NRGBA{10, 20, 30, 255}) {
		t.Errorf("pixel %v", c)
	}
}

func BenchmarkProcessJPEG(b *testing.B) {
	data := encJPEG(b, photo(3000, 2000))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Process(bytes.NewReader(data), "image/jpeg", "file", DefaultLimits()); err != nil {
			b.Fatal(err)
		}
	}
}
