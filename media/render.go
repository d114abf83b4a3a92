package media

import (
	"bytes"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"

	"github.com/heraldnews/herald"
	"golang.org/x/image/draw"
	"golang.org/x/image/webp"
)

// sizes caps the long side of each rendition, largest first so that each can
// be scaled down from the one before, which is much cheaper than going back to
// the full-size upload every time.
var sizes = [...]struct {
	name string
	side int
}{{"original", 2560}, {"large", 1600}, {"medium", 800}, {"thumb", 320}}

// jpegQuality is visually lossless for photos at a fraction of the size.
const jpegQuality = 85

// render decodes an upload whose size was already checked and encodes its
// renditions. It returns the upright size of the whole upload; its errors
// name field.
func render(data []byte, format, field string) (w, h int, rs []Rendition, err error) {
	var src image.Image
	var anim *gif.GIF
	orientation := 1
	r := bytes.NewReader(data)
	switch format {
	case "jpeg":
		src, err = jpeg.Decode(r)
		orientation = jpegOrientation(data)
	case "png":
		src, err = png.Decode(r)
	case "webp":
		src, err = webp.Decode(r)
	case "gif":
		if anim, err = gif.DecodeAll(r); err == nil {
			src = firstFrame(anim)
			if len(anim.Image) < 2 {
				anim = nil
			}
		}
	}
	if err != nil {
		if format == "webp" && len(data) > 20 && string(data[12:16]) == "VP8X" && data[20]&2 != 0 {
			return 0, 0, nil, herald.Invalid(field, "is an animated WebP image, which is not supported; upload a GIF for animations")
		}
		return 0, 0, nil, damaged(format, field)
	}
	w, h = src.Bounds().Dx(), src.Bounds().Dy()
	// Scale before orienting: turning the capped image is cheaper, and fitting
	// a long side gives the same size either way round.
	prev := orient(scale(src, fit(w, h, sizes[0].side)), orientation)
	if orientation >= 5 {
		w, h = h, w
	}
	opaque := prev.Opaque()
	for _, s := range sizes {
		if s.name != "original" && s.name != "thumb" && max(w, h) <= s.side {
			continue // would be no smaller than the original
		}
		m := prev
		if b := prev.Bounds(); max(b.Dx(), b.Dy()) > s.side {
			m = scale(prev, fit(b.Dx(), b.Dy(), s.side))
		}
		rd := Rendition{Name: s.name, Width: m.Rect.Dx(), Height: m.Rect.Dy()}
		if s.name == "original" && anim != nil && max(w, h) <= s.side {
			// Small enough to keep moving; larger animations become stills,
			// as scaling every frame would be slow and rarely worth it.
			var buf bytes.Buffer
			err = gif.EncodeAll(&buf, anim) // the decoder kept no comments or application blocks
			rd.ContentType, rd.Data = "image/gif", buf.Bytes()
		} else {
			rd.ContentType, rd.Data, err = encode(m, opaque)
		}
		if err != nil {
			return 0, 0, nil, err
		}
		rs = append(rs, rd)
		prev = m
	}
	return w, h, rs, nil
}

// fit returns the size of a w×h image scaled so that its long side is at most
// side, keeping the aspect ratio and never enlarging.
func fit(w, h, side int) image.Point {
	if w <= side && h <= side {
		return image.Pt(w, h)
	}
	if w >= h {
		return image.Pt(side, max(1, (h*side+w/2)/w))
	}
	return image.Pt(max(1, (w*side+h/2)/h), side)
}

// scale returns src as RGBA of the given size at the origin. Reductions to
// less than half use Catmull-Rom, since cheaper filters alias there; milder
// ones interpolate bilinearly without a kernel, which looks the same at those
// ratios and spares the kernel's scratch buffer (32 bytes per destination
// column and source row: 160 MB for one step of a phone photo).
func scale(src image.Image, size image.Point) *image.RGBA {
	dst := image.NewRGBA(image.Rectangle{Max: size})
	b := src.Bounds()
	switch {
	case b.Size() == size:
		draw.Draw(dst, dst.Rect, src, b.Min, draw.Src)
	case 2*size.X >= b.Dx() && 2*size.Y >= b.Dy():
		draw.ApproxBiLinear.Scale(dst, dst.Rect, src, b, draw.Src, nil)
	default:
		draw.CatmullRom.Scale(dst, dst.Rect, src, b, draw.Src, nil)
	}
	return dst
}

// firstFrame paints the first frame of a GIF onto a canvas of the full logical
// screen, since a frame may cover only part of it.
func firstFrame(g *gif.GIF) *image.RGBA {
	canvas := image.NewRGBA(image.Rect(0, 0, g.Config.Width, g.Config.Height))
	f := g.Image[0]
	draw.Draw(canvas, f.Rect, f, f.Rect.Min, draw.Over)
	return canvas
}

// encode writes a still: JPEG for opaque images because photos dominate, PNG
// when there is transparency that JPEG would lose.
func encode(m *image.RGBA, opaque bool) (string, []byte, error) {
	var buf bytes.Buffer
	if opaque {
		err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: jpegQuality})
		return "image/jpeg", buf.Bytes(), err
	}
	err := png.Encode(&buf, m)
	return "image/png", buf.Bytes(), err
}
