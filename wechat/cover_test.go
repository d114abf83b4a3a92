package wechat

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"testing"

	"github.com/heraldnews/herald"
)

var (
	red  = color.RGBA{220, 30, 30, 255}
	blue = color.RGBA{30, 30, 220, 255}
)

// card returns a w×h image, red where isRed says and blue elsewhere, so that
// a test can tell which part of the source a cover was cut from.
func card(w, h int, isRed func(x, y int) bool) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			if isRed(x, y) {
				m.SetRGBA(x, y, red)
			} else {
				m.SetRGBA(x, y, blue)
			}
		}
	}
	return m
}

func encode(t *testing.T, m image.Image, format string) []byte {
	t.Helper()
	var buf bytes.Buffer
	var err error
	switch format {
	case "jpeg":
		err = jpeg.Encode(&buf, m, &jpeg.Options{Quality: 95})
	case "png":
		err = png.Encode(&buf, m)
	case "gif":
		err = gif.Encode(&buf, m, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// colourAt names the colour of a cover pixel, allowing for JPEG's loss.
func colourAt(m image.Image, x, y int) string {
	r, g, b, _ := m.At(x, y).RGBA()
	r, g, b = r>>8, g>>8, b>>8
	switch {
	case r > 180 && g < 80 && b < 80:
		return "red"
	case b > 180 && r < 80 && g < 80:
		return "blue"
	case r > 235 && g > 235 && b > 235:
		return "white"
	}
	return "mixed"
}

func TestCover(t *testing.T) {
	tests := []struct {
		name          string
		data          []byte
		width, height int
		// samples are points of the cover (as fractions of its size) and the
		// colour each must have.
		samples []sample
	}{
		{
			// 1600×900 is taller than 2.35:1: rows 110 to 790 are kept, so
			// red bands at the very top and bottom must be gone.
			name:  "landscape cropped around the centre",
			data:  encode(t, card(1600, 900, func(_, y int) bool { return y < 100 || y >= 800 }), "jpeg"),
			width: CoverWidth, height: CoverHeight,
			samples: []sample{{0.5, 0.02, "blue"}, {0.5, 0.5, "blue"}, {0.5, 0.98, "blue"}},
		},
		{
			// 2000×500 is wider than 2.35:1: columns 412 to 1587 are kept.
			name:  "panorama cropped at the sides",
			data:  encode(t, card(2000, 500, func(x, _ int) bool { return x < 400 || x >= 1600 }), "png"),
			width: CoverWidth, height: CoverHeight,
			samples: []sample{{0.01, 0.5, "blue"}, {0.99, 0.5, "blue"}},
		},
		{
			// A 1000×2000 portrait keeps 426 rows around row 666, a third of
			// the way down (rows 453 to 879); a centred crop would be all blue.
			name:  "portrait cropped around the upper third",
			data:  encode(t, card(1000, 2000, func(_, y int) bool { return y >= 400 && y < 940 }), "jpeg"),
			width: CoverWidth, height: CoverHeight,
			samples: []sample{{0.5, 0.02, "red"}, {0.5, 0.5, "red"}, {0.5, 0.98, "red"}},
		},
		{
			name:  "tiny image cropped but not enlarged",
			data:  encode(t, card(100, 50, func(int, int) bool { return false }), "png"),
			width: 100, height: 43,
			samples: []sample{{0.5, 0.5, "blue"}},
		},
		{
			name:  "GIF",
			data:  encode(t, card(470, 200, func(x, _ int) bool { return x < 235 }), "gif"),
			width: 470, height: 200,
			samples: []sample{{0.25, 0.5, "red"}, {0.75, 0.5, "blue"}},
		},
		{
			name:  "transparency becomes white",
			data:  encode(t, image.NewNRGBA(image.Rect(0, 0, 235, 100)), "png"),
			width: 235, height: 100,
			samples: []sample{{0.5, 0.5, "white"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := Cover(tc.data)
			if err != nil {
				t.Fatal(err)
			}
			m, format, err := image.Decode(bytes.NewReader(out))
			if err != nil || format != "jpeg" {
				t.Fatalf("cover is not a JPEG: format %q, %v", format, err)
			}
			w, h := m.Bounds().Dx(), m.Bounds().Dy()
			if w != tc.width || h != tc.height {
				t.Errorf("cover is %d×%d, want %d×%d", w, h, tc.width, tc.height)
			}
			// Within a pixel of 2.35:1 after rounding the short side.
			if ratio := float64(w) / float64(h); math.Abs(ratio-2.35) > 2.35/float64(h) {
				t.Errorf("cover ratio %.3f, want 2.35", ratio)
			}
			for _, s := range tc.samples {
				x, y := int(s.x*float64(w)), int(s.y*float64(h))
				if got := colourAt(m, x, y); got != s.colour {
					t.Errorf("pixel (%d,%d) is %s, want %s", x, y, got, s.colour)
				}
			}
		})
	}
}

type sample struct {
	x, y   float64
	colour string
}

func TestCoverRefusesBadInput(t *testing.T) {
	good := encode(t, card(300, 200, func(int, int) bool { return false }), "jpeg")
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"not an image", []byte("<html><body>not a picture</body></html>")},
		{"truncated JPEG", good[:len(good)/3]},
		{"PNG header only", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := Cover(tc.data)
			if herald.ErrorCode(err) != herald.EINVALID {
				t.Fatalf("error %v, want %s", err, herald.EINVALID)
			}
			if fs := herald.ErrorFields(err); len(fs) != 1 || fs[0].Field != "cover_image" {
				t.Errorf("fields %v, want one naming cover_image", fs)
			}
			if out != nil {
				t.Errorf("returned %d bytes along with the error", len(out))
			}
		})
	}
}

func TestCoverCrop(t *testing.T) {
	// The crop placement without encoding noise, including offset bounds
	// and one-pixel extremes.
	tests := []struct {
		in, want image.Rectangle
	}{
		{image.Rect(0, 0, 1600, 900), image.Rect(0, 110, 1600, 791)},
		{image.Rect(0, 0, 2000, 500), image.Rect(412, 0, 1587, 500)},
		{image.Rect(0, 0, 1000, 2000), image.Rect(0, 453, 1000, 879)},
		{image.Rect(0, 0, 1000, 1000), image.Rect(0, 287, 1000, 713)},
		{image.Rect(10, 20, 245, 120), image.Rect(10, 20, 245, 120)}, // already 2.35:1
		{image.Rect(0, 0, 1, 1), image.Rect(0, 0, 1, 1)},
		{image.Rect(0, 0, 1, 5000), image.Rect(0, 1666, 1, 1667)},
	}
	for _, tc := range tests {
		if got := coverCrop(tc.in); got != tc.want {
			t.Errorf("coverCrop(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
