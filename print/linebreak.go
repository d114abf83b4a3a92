package print

import (
	"strings"
	"unicode"
)

// Chinese line breaking (GB/T 15834 practice, the same lists as JIS X 4051's
// kinsoku): a line may break between any two Han characters, but closing
// punctuation never starts a line and opening punctuation never ends one; the
// breaker pulls the neighbouring character along instead. Latin words and
// numbers (12348, COVID-19, URLs) break only at spaces, unless one word alone
// is wider than the line.

// closing punctuation must not start a line.
const closing = "，。、；：？！）》」』”’…—〉】〕］｝〗〙〛％‰·・～．，：；！？" + ",.;:!?)]}%"

// opening punctuation must not end a line.
const opening = "（《「『“‘〈【〔［｛〖〘〚" + "([{"

func isClosing(r rune) bool { return strings.ContainsRune(closing, r) }
func isOpening(r rune) bool { return strings.ContainsRune(opening, r) }

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == 0xA0 }

// isInvisible reports format characters that carry no glyph (zero-width
// spaces and joiners, BOM, soft hyphen); the renderer drops them.
func isInvisible(r rune) bool {
	return r == 0xAD || unicode.Is(unicode.Cf, r)
}

// isWide reports characters set on the ideographic grid: Han, kana, Hangul,
// CJK symbols and punctuation, full-width forms. A break is possible next to
// any of them.
func isWide(r rune) bool {
	switch {
	case r >= 0x2E80 && r <= 0x9FFF, // radicals, CJK symbols & punctuation, kana, Han
		r >= 0xAC00 && r <= 0xD7AF, // Hangul
		r >= 0xF900 && r <= 0xFAFF, // compatibility ideographs
		r >= 0xFE30 && r <= 0xFE4F, // CJK compatibility forms
		r >= 0xFF00 && r <= 0xFFEF, // full-width forms
		r >= 0x20000 && r <= 0x3FFFF,
		r == '…', r == '—', r == '“', r == '”', r == '‘', r == '’', r == '·':
		return true
	}
	return false
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

func isASCIIAlnum(r rune) bool {
	return r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// canBreak reports whether a line may break between a and b (neither a space;
// spaces are always break opportunities and are handled by the caller).
func canBreak(a, b rune) bool {
	switch {
	case isClosing(b), isOpening(a):
		return false
	case isASCIIAlnum(a) && isHan(b):
		// A number keeps its unit or counter: 2019年, 3天, 12348热线.
		return false
	case isWide(a) || isWide(b):
		return true
	}
	return false // inside a Latin word or number
}

// line is one typeset line.
type line struct {
	text  string
	width float64
	last  bool // last line of a paragraph or before a forced break: never justified
}

// segment is a run of text no break may fall inside, or one space.
type segment struct {
	runes []rune
	width float64
	space bool
}

// breakLines breaks text into lines. widthOf(i) is the measure of line i (the
// first line is usually shorter by the paragraph indent); adv gives a rune's
// advance in the same unit. '\n' forces a break. Spaces at line ends vanish.
func breakLines(text string, widthOf func(i int) float64, adv func(rune) float64) []line {
	var lines []line
	for _, part := range strings.Split(text, "\n") {
		lines = breakPart(lines, part, widthOf, adv)
		if len(lines) > 0 {
			lines[len(lines)-1].last = true
		}
	}
	return lines
}

func segments(text string, adv func(rune) float64) []segment {
	var segs []segment
	var prev rune
	for _, r := range text {
		if isSpace(r) {
			if len(segs) > 0 && !segs[len(segs)-1].space {
				segs = append(segs, segment{runes: []rune{' '}, width: adv(' '), space: true})
			}
			prev = ' '
			continue
		}
		w := adv(r)
		n := len(segs)
		if n > 0 && !segs[n-1].space && !canBreak(prev, r) {
			segs[n-1].runes = append(segs[n-1].runes, r)
			segs[n-1].width += w
		} else if n > 0 && segs[n-1].space && isClosing(r) && n > 1 {
			// "word ）": the space cannot be a break either; keep it inside.
			segs[n-2].runes = append(segs[n-2].runes, ' ', r)
			segs[n-2].width += segs[n-1].width + w
			segs = segs[:n-1]
		} else {
			segs = append(segs, segment{runes: []rune{r}, width: w})
		}
		prev = r
	}
	return segs
}

const epsilon = 1e-6

func breakPart(lines []line, text string, widthOf func(int) float64, adv func(rune) float64) []line {
	segs := segments(text, adv)
	var cur []rune
	curW, pendingSpace := 0.0, 0.0
	emit := func() {
		lines = append(lines, line{text: string(cur), width: curW})
		cur, curW, pendingSpace = nil, 0, 0
	}
	for _, s := range segs {
		if s.space {
			if len(cur) > 0 {
				pendingSpace = s.width
			}
			continue
		}
		max := widthOf(len(lines))
		if len(cur) > 0 && curW+pendingSpace+s.width <= max+epsilon {
			if pendingSpace > 0 {
				cur = append(cur, ' ')
				curW += pendingSpace
			}
			cur = append(cur, s.runes...)
			curW += s.width
			pendingSpace = 0
			continue
		}
		if len(cur) > 0 {
			emit()
			max = widthOf(len(lines))
		}
		rs, w := s.runes, s.width
		for w > max+epsilon && len(rs) > 1 {
			// One unbreakable run wider than the line: split it where it
			// overflows, still keeping punctuation rules at the cut.
			k, kw := 0, 0.0
			for k < len(rs) && kw+adv(rs[k]) <= max+epsilon {
				kw += adv(rs[k])
				k++
			}
			if k == 0 {
				k = 1
			}
			for k > 1 && k < len(rs) && (isClosing(rs[k]) || isOpening(rs[k-1]) || rs[k] == ' ') {
				k--
			}
			head := rs[:k]
			cur, curW = head, widthRunes(head, adv)
			emit()
			rs = rs[k:]
			for len(rs) > 0 && rs[0] == ' ' {
				rs = rs[1:]
			}
			w = widthRunes(rs, adv)
			max = widthOf(len(lines))
		}
		cur, curW, pendingSpace = append([]rune(nil), rs...), w, 0
	}
	if len(cur) > 0 {
		emit()
	}
	return lines
}

func widthRunes(rs []rune, adv func(rune) float64) float64 {
	w := 0.0
	for _, r := range rs {
		w += adv(r)
	}
	return w
}
