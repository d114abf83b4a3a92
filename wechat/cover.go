package wechat

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	_ "image/png" // the renditions media writes for images with transparency

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/media"
	"golang.org/x/image/draw"
)

// Cover size: WeChat shows the header image of a post at 2.35:1 and
// recommends 900×383 pixels for it.
const (
	CoverWidth  = 900
	CoverHeight = 383
)

// coverRatio is 2.35 as a fraction, so that crops are computed in integers
// and the same input always gives the same pixels.
const coverRatioNum, coverRatioDen = 235, 100

// coverQuality matches media's renditions: visually lossless for photos.
const coverQuality = 85

// Cover makes the header image of a WeChat post from an article's cover image
// (JPEG, PNG, WebP or GIF; the first frame of an animation). It crops the
// image to 2.35:1 and scales it down to CoverWidth×CoverHeight, and returns a
// JPEG; transparent areas become white, since JPEG has no transparency.
//
// Landscape and square images are cropped around their centre. Portrait
// images are cropped around the point a third of the way down, not the
// middle: in portraits and group photos the faces are usually there, and a
// centred strip would show chests and hands.
//
// Images narrower than CoverWidth after cropping are not enlarged, which
// would only blur them; the crop is returned at its own size and WeChat
// scales it for display. Input that is not a supported, intact image, or that
// exceeds media's limits, yields an EINVALID error naming "cover_image".
func Cover(data []byte) ([]byte, error) {
	src, err := decodeCover(data)
	if err != nil {
		return nil, err
	}
	crop := coverCrop(src.Bounds())
	size := crop.Size()
	if size.X > CoverWidth {
		size = image.Pt(CoverWidth, CoverHeight)
	}
	dst := image.NewRGBA(image.Rectangle{Max: size})
	draw.Draw(dst, dst.Rect, image.NewUniform(color.White), image.Point{}, draw.Src)
	if size == crop.Size() {
		draw.Draw(dst, dst.Rect, src, crop.Min, draw.Over)
	} else {
		draw.CatmullRom.Scale(dst, dst.Rect, src, crop, draw.Over, nil)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: coverQuality}); err != nil {
		return nil, fmt.Errorf("wechat: encoding cover: %w", err)
	}
	return buf.Bytes(), nil
}

// decodeCover runs the upload through media.Process rather than decoding it
// here: that applies the same limits against decompression bombs, detects
// the format from the content and turns the pixels upright by the EXIF
// orientation, which a phone portrait needs before it can be cropped. The
// price is a few renditions encoded and thrown away, paid once per post.
func decodeCover(data []byte) (image.Image, error) {
	im, err := media.Process(bytes.NewReader(data), "", "file", media.DefaultLimits())
	if err != nil {
		var he *herald.Error
		if errors.As(err, &he) && (he.Code == herald.EINVALID || he.Code == herald.ETOOLARGE) {
			msg := he.Message
			if len(he.Fields) > 0 {
				msg = he.Fields[0].Message
			}
			return nil, herald.Invalid("cover_image", "%s", msg)
		}
		return nil, err
	}
	// The original rendition keeps the most pixels (up to 2560 on the long
	// side), far more than the cover needs.
	orig := im.Rendition("original")
	if orig == nil {
		return nil, herald.Errorf(herald.EINTERNAL, "no original rendition of the cover image")
	}
	if orig.ContentType == "image/gif" {
		// A small animation is kept as it is; its first frame may cover
		// only part of the canvas.
		g, err := gif.DecodeAll(bytes.NewReader(orig.Data))
		if err != nil || len(g.Image) == 0 {
			return nil, herald.Invalid("cover_image", "is not a valid GIF image")
		}
		canvas := image.NewRGBA(image.Rect(0, 0, g.Config.Width, g.Config.Height))
		draw.Draw(canvas, g.Image[0].Rect, g.Image[0], g.Image[0].Rect.Min, draw.Over)
		return canvas, nil
	}
	m, _, err := image.Decode(bytes.NewReader(orig.Data))
	if err != nil {
		return nil, fmt.Errorf("wechat: decoding the cover rendition: %w", err)
	}
	return m, nil
}

// coverCrop returns the largest 2.35:1 rectangle inside b: centred across a
// wide image, and placed vertically around the centre of a landscape image
// or a third of the way down a portrait one.
func coverCrop(b image.Rectangle) image.Rectangle {
	w, h := b.Dx(), b.Dy()
	if w*coverRatioDen > h*coverRatioNum { // wider than 2.35:1: trim the sides
		cw := max(1, min(w, (h*coverRatioNum+coverRatioDen/2)/coverRatioDen))
		x := b.Min.X + (w-cw)/2
		return image.Rect(x, b.Min.Y, x+cw, b.Max.Y)
	}
	ch := max(1, min(h, (w*coverRatioDen+coverRatioNum/2)/coverRatioNum))
	centre := h / 2
	if h > w {
		centre = h / 3
	}
	y := min(max(0, centre-ch/2), h-ch)
	return image.Rect(b.Min.X, b.Min.Y+y, b.Max.X, b.Min.Y+y+ch)
}
