// Package media turns an uploaded image into the renditions the newsroom serves.
// Uploads come from browsers and cannot be trusted, so the type is taken from
// the content, sizes are bounded before any pixels are allocated, and every
// rendition is re-encoded from decoded pixels so that no metadata (GPS position,
// camera serial, comments) leaves the building. It does no I/O beyond reading the
// upload and keeps no state between calls, so it is safe for concurrent use.
package media

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"mime"
	"slices"
	"strings"

	"github.com/heraldnews/herald"
	"golang.org/x/image/webp"
)

// Limits bound what Process accepts, so that one upload cannot exhaust the
// server's memory or CPU.
type Limits struct {
	MaxBytes  int64 // larger uploads are refused with ETOOLARGE after reading at most one byte more
	MaxPixels int64 // width*height above it is refused from the header, before pixels are decoded
	MaxSide   int   // either side above it is refused, which also stops absurdly thin strips
}

// DefaultLimits fits photos from current cameras and phones (up to about 40
// megapixels) while keeping the decoded pixels of one upload under about 160 MB.
func DefaultLimits() Limits {
	return Limits{MaxBytes: 20 << 20, MaxPixels: 40_000_000, MaxSide: 12000}
}

// Rendition is one encoded size of an image ("original", "large", "medium"
// or "thumb"; "image/jpeg", "image/png" or "image/gif"), as the store keeps it.
type Rendition = herald.MediaRendition

// Image is a processed upload: what was detected about it and the renditions to
// store in its place.
type Image struct {
	Format        string // "jpeg", "png", "webp" or "gif", detected from the content
	Width, Height int    // upright, after the EXIF orientation is applied
	SHA256        string // hex digest of the uploaded bytes, to spot repeated uploads
	Renditions    []Rendition
}

// Rendition returns the named rendition, or nil when the image was too small to
// need it; callers then fall back to a larger one.
func (im *Image) Rendition(name string) *Rendition {
	for i := range im.Renditions {
		if im.Renditions[i].Name == name {
			return &im.Renditions[i]
		}
	}
	return nil
}

// allowed is the user-facing list of accepted formats, for error messages.
const allowed = "upload a JPEG, PNG, WebP or GIF image"

// Process reads an upload and returns its renditions. claimedType is the
// Content-Type the browser sent ("" when unknown); a specific type that
// contradicts the content is refused, since it usually means a mislabelled or
// disguised file. Unsupported, damaged or oversized files yield a herald error
// about field whose message can be shown to the user; read errors are returned
// as they are.
func Process(r io.Reader, claimedType, field string, lim Limits) (*Image, error) {
	data, err := io.ReadAll(io.LimitReader(r, lim.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("media: reading upload: %w", err)
	}
	format, err := Check(data, claimedType, field, lim)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	im := &Image{Format: format, SHA256: hex.EncodeToString(sum[:])}
	if im.Width, im.Height, im.Renditions, err = render(data, format, field); err != nil {
		return nil, err
	}
	return im, nil
}

// Check does what Process does before decoding any pixels, cheaply: it
// refuses files that are too large, not a supported image, not what they
// claim to be, or too many pixels, and returns the format. Its errors name
// field.
func Check(data []byte, claimedType, field string, lim Limits) (format string, err error) {
	if int64(len(data)) > lim.MaxBytes {
		return "", herald.Errorf(herald.ETOOLARGE, "The file is larger than the %s MiB limit.", mib(lim.MaxBytes))
	}
	if len(data) == 0 {
		return "", herald.Invalid(field, "is empty; %s", allowed)
	}
	if format = sniff(data); format == "" {
		return "", herald.Invalid(field, "is not a supported image; %s", allowed)
	}
	if err := checkClaim(field, names[format].label+" image", claimedType, names[format].types); err != nil {
		return "", err
	}
	return format, checkSize(data, format, field, lim)
}

// sniff names the format from the magic bytes; the file name and the claimed
// type are under the uploader's control and prove nothing.
func sniff(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte{0xff, 0xd8, 0xff}):
		return "jpeg"
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return "gif"
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return "webp"
	}
	return ""
}

// names maps each format to its name in messages and the MIME types browsers
// use for it.
var names = map[string]struct {
	label string
	types []string
}{
	"jpeg": {"JPEG", []string{"image/jpeg", "image/jpg", "image/pjpeg"}},
	"png":  {"PNG", []string{"image/png", "image/x-png", "image/apng"}},
	"gif":  {"GIF", []string{"image/gif"}},
	"webp": {"WebP", []string{"image/webp"}},
}

// checkClaim refuses a file whose claimed type contradicts its content, an
// image or a film (label names it in the message). Only an absent or generic
// claim or one of the types that fit the content is let through, because
// browsers send the type from the file name and a mismatch means the file is
// not what the user thinks.
func checkClaim(field, label, claimed string, fits []string) error {
	t, _, err := mime.ParseMediaType(claimed)
	if err != nil {
		t = strings.ToLower(strings.TrimSpace(claimed))
	}
	if t == "" || t == "application/octet-stream" || slices.Contains(fits, t) {
		return nil
	}
	return herald.Invalid(field, "is a %s but was sent as %s", label, t)
}

func decodeConfig(data []byte, format string) (image.Config, error) {
	r := bytes.NewReader(data)
	switch format {
	case "jpeg":
		return jpeg.DecodeConfig(r)
	case "png":
		return png.DecodeConfig(r)
	case "gif":
		return gif.DecodeConfig(r)
	default:
		return webp.DecodeConfig(r)
	}
}

// checkSize refuses decompression bombs from the header alone: a few hundred
// bytes can declare billions of pixels, and decoding would allocate them all.
func checkSize(data []byte, format, field string, lim Limits) error {
	cfg, err := decodeConfig(data, format)
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return damaged(format, field)
	}
	w, h := int64(cfg.Width), int64(cfg.Height)
	if cfg.Width > lim.MaxSide || cfg.Height > lim.MaxSide || w*h > lim.MaxPixels {
		return herald.Invalid(field, "is %dx%d pixels; images may be at most %d pixels on a side and %.0f megapixels in all",
			w, h, lim.MaxSide, float64(lim.MaxPixels)/1e6)
	}
	if format == "gif" {
		// Each frame is decoded in full, so an animation is bounded by the
		// pixels of all its frames together.
		if n, total := gifFrames(data); total > 4*lim.MaxPixels {
			return herald.Invalid(field, "is an animation of %d frames of %dx%d pixels, too many to process; shorten or shrink it", n, w, h)
		}
	}
	return nil
}

func damaged(format, field string) error {
	return herald.Invalid(field, "is not a valid %s image (it may be damaged or incomplete); %s", names[format].label, allowed)
}

// gifFrames walks the GIF block structure without decompressing anything and
// returns the number of frames and the sum of their areas. It stops quietly at
// anything malformed: the decoder then refuses the file on its own.
func gifFrames(b []byte) (n int, pixels int64) {
	u16 := func(i int) int { return int(b[i]) | int(b[i+1])<<8 }
	const header = 13 // signature, logical screen descriptor
	if len(b) < header {
		return 0, 0
	}
	i := header
	if b[10]&0x80 != 0 {
		i += 3 << (b[10]&7 + 1) // global color table
	}
	skipSubBlocks := func() {
		for i < len(b) && b[i] != 0 {
			i += int(b[i]) + 1
		}
		i++
	}
	for i < len(b) {
		switch b[i] {
		case 0x21: // extension: label, then data sub-blocks
			i += 2
			skipSubBlocks()
		case 0x2c: // image descriptor
			if i+10 > len(b) {
				return n, pixels
			}
			n++
			pixels += int64(u16(i+5)) * int64(u16(i+7))
			if b[i+9]&0x80 != 0 {
				i += 3 << (b[i+9]&7 + 1) // local color table
			}
			i += 11 // descriptor and LZW minimum code size
			skipSubBlocks()
		default: // trailer or garbage
			return n, pixels
		}
	}
	return n, pixels
}

// mib formats a byte count in MiB for messages.
func mib(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprint(n >> 20)
	}
	return fmt.Sprintf("%.1f", float64(n)/(1<<20))
}
