package print

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// The print fonts travel with the binary (licences in fonts/NOTICE-*), so a
// print server needs no system fonts. fpdf reads .ttf only, which rules out the
// .ttc/.otf Noto CJK faces.
//
// Droid Sans Fallback covers Han characters and CJK punctuation but, being a
// fallback face, has no Latin letters, digits or curly quotes at all (its cmap
// starts at U+2E80 but for the space); DejaVu Sans supplies those.
var (
	//go:embed fonts/DroidSansFallbackFull.ttf
	cjkTTF []byte
	//go:embed fonts/DejaVuSans.ttf
	latinTTF []byte
)

// fontSpec is one embedded font as fpdf registers it.
type fontSpec struct {
	family string
	ttf    []byte
}

const (
	fontLatin = iota
	fontCJK
)

var fontSpecs = [...]fontSpec{fontLatin: {"dejavu", latinTTF}, fontCJK: {"droid", cjkTTF}}

// glyph is where a rune is drawn from and how wide it is.
type glyph struct {
	font int
	em   float64 // advance as a fraction of the font size
	ok   bool
}

// face answers the questions layout asks of the fonts: which font draws a
// rune, and how wide it is. The advances come from the same hmtx tables fpdf
// writes into the PDF's /W arrays, so measured and printed widths agree.
type face struct {
	mu     sync.Mutex
	fonts  [len(fontSpecs)]*sfnt.Font
	buf    sfnt.Buffer
	glyphs map[rune]glyph
}

var (
	theFace     *face
	theFaceErr  error
	theFaceOnce sync.Once
)

func loadFace() (*face, error) {
	theFaceOnce.Do(func() {
		fc := &face{glyphs: map[rune]glyph{}}
		for i, spec := range fontSpecs {
			f, err := sfnt.Parse(spec.ttf)
			if err != nil {
				theFaceErr = fmt.Errorf("print: parse embedded font %s: %w", spec.family, err)
				return
			}
			fc.fonts[i] = f
		}
		theFace = fc
	})
	return theFace, theFaceErr
}

// glyph looks r up: runes below the CJK blocks come from the Latin font when
// it has them, everything else from the CJK font, then the other as a fallback.
// fpdf encodes text as UTF-16 code units used directly as CIDs, so runes
// outside the BMP cannot be printed even when a font has them.
func (fc *face) glyph(r rune) glyph {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if g, ok := fc.glyphs[r]; ok {
		return g
	}
	order := []int{fontCJK, fontLatin}
	if r < 0x2E80 {
		order = []int{fontLatin, fontCJK}
	}
	g := glyph{font: order[0], em: 0.5}
	if r <= 0xFFFF {
		for _, i := range order {
			f := fc.fonts[i]
			gi, err := f.GlyphIndex(&fc.buf, r)
			if err != nil || gi == 0 {
				continue
			}
			upem := float64(f.UnitsPerEm())
			adv, err := f.GlyphAdvance(&fc.buf, gi, fixed.Int26_6(upem*64), font.HintingNone)
			if err != nil {
				continue
			}
			g = glyph{font: i, em: float64(adv) / 64 / upem, ok: true}
			break
		}
	}
	fc.glyphs[r] = g
	return g
}

func (fc *face) has(r rune) bool   { return fc.glyph(r).ok }
func (fc *face) em(r rune) float64 { return fc.glyph(r).em }

// missing returns the printable runes of s that the font cannot draw, sorted
// and without repeats. Whitespace and controls are not printed as glyphs.
func (fc *face) missing(s string) []rune {
	seen := map[rune]bool{}
	var out []rune
	for _, r := range s {
		if seen[r] || r < 0x20 || isSpace(r) || isInvisible(r) {
			continue
		}
		seen[r] = true
		if !fc.has(r) {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func describeRunes(rs []rune) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("%q (U+%04X)", string(r), r)
	}
	return strings.Join(parts, ", ")
}

// run is a stretch of text drawn from one font.
type run struct {
	font int
	text string
	em   float64 // total advance
	n    int     // runes
}

// runs splits s where the font drawing it changes.
func (fc *face) runs(s string) []run {
	var out []run
	start := 0
	for i, r := range s {
		g := fc.glyph(r)
		if n := len(out); n > 0 && out[n-1].font == g.font {
			out[n-1].em += g.em
			out[n-1].n++
			continue
		}
		if n := len(out); n > 0 {
			out[n-1].text = s[start:i]
		}
		start = i
		out = append(out, run{font: g.font, em: g.em, n: 1})
	}
	if n := len(out); n > 0 {
		out[n-1].text = s[start:]
	}
	return out
}

// mmPerPt converts font sizes (points) to layout units (millimetres).
const mmPerPt = 25.4 / 72

// width returns the printed width in mm of s at size pt.
func (fc *face) width(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		w += fc.em(r)
	}
	return w * size * mmPerPt
}
