package charts

import (
	"encoding/xml"
	"math"
	"strconv"
	"strings"
	"unicode"

	eaw "golang.org/x/text/width"
)

// esc escapes text for SVG content and attribute values. Besides markup it
// replaces characters XML forbids (control characters a user may paste) with
// U+FFFD, so that the chart stays well-formed.
func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s)) // never fails writing to a Builder
	return b.String()
}

// num writes a coordinate to a tenth of a unit: finer is invisible and makes
// the SVG larger.
func num(f float64) string {
	f = math.Round(f*10) / 10
	if f == 0 {
		f = 0 // not -0
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// formatNumber writes v with decimals digits after the point and commas
// between thousands: 1234567.5 → "1,234,567.5".
func formatNumber(v float64, decimals int) string {
	s := strconv.FormatFloat(v, 'f', max(decimals, 0), 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if neg && strings.Trim(s, "0.") != "" { // no "-0" for a value that rounds to zero
		b.WriteByte('-')
	}
	for i, d := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	if frac != "" {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// Estimated advance widths in em. Chart text is laid out without a font to
// measure, so widths are estimated, generously: wide (CJK) glyphs are 1 em in
// every CJK font; Latin glyphs are about half an em in most system fonts but
// wider in some (DejaVu Sans, Linux's system-ui: digits 0.64, capitals 0.67),
// so digits and capitals count as that and the rest as a little more than
// the usual 0.55; thin punctuation as about a third.
const (
	wideEm    = 1.0
	digitEm   = 0.64
	capitalEm = 0.68
	latinEm   = 0.58
	narrowEm  = 0.36
	boldEm    = 1.1 // bold Latin is about a tenth wider; CJK stays 1 em
)

// textWidth estimates the width of s set at size, in the same units.
func textWidth(s string, size float64, bold bool) float64 {
	w := 0.0
	for _, r := range s {
		w += runeEm(r, bold)
	}
	return w * size
}

func runeEm(r rune, bold bool) float64 {
	em := latinEm
	switch {
	case isWide(r):
		return wideEm
	case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || unicode.Is(unicode.Cf, r):
		return 0
	case strings.ContainsRune(" .,:;!|'il-", r):
		em = narrowEm
	case '0' <= r && r <= '9':
		em = digitEm
	case unicode.IsUpper(r):
		em = capitalEm
	}
	if bold {
		em *= boldEm
	}
	return em
}

// isWide reports whether r takes a full em: East Asian wide and fullwidth
// characters, and the ellipsis, which CJK fonts set full width.
func isWide(r rune) bool {
	if r == '…' {
		return true
	}
	switch eaw.LookupRune(r).Kind() {
	case eaw.EastAsianWide, eaw.EastAsianFullwidth:
		return true
	}
	return false
}

// truncate shortens s to at most maxWidth at size, ending it with an
// ellipsis if anything was cut. It measures glyphs, not bytes, so a long unit
// name such as "河北省石家庄市长安区司法局" loses whole characters.
func truncate(s string, maxWidth, size float64, bold bool) string {
	if textWidth(s, size, bold) <= maxWidth {
		return s
	}
	room := maxWidth - wideEm*size // the ellipsis
	w := 0.0
	for i, r := range s {
		w += runeEm(r, bold) * size
		if w > room {
			return strings.TrimRightFunc(s[:i], unicode.IsSpace) + "…"
		}
	}
	return s // not reached: s fits
}
