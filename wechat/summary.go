package wechat

import (
	"strings"
	"unicode"
)

// MaxSummaryRunes is the length of the digest (摘要) field of the WeChat
// editor; longer text is refused there.
const MaxSummaryRunes = 120

// Summary returns text fit for the digest field: whitespace collapsed, and at
// most MaxSummaryRunes characters. Longer text is cut after the last sentence
// that ends within the limit (。！？； and, for Latin text, . ! ? ; followed by a
// space), with any closing quotes or brackets that follow it, so that the
// digest reads as finished; when no sentence ends in time it is cut at one
// character less than the limit and "…" marks the cut.
//
// Runs of whitespace become one space, except between two Chinese characters
// or punctuation marks, where a line break in the source is not a space in the
// text and would show as a gap.
func Summary(text string) string {
	s := []rune(collapseWhitespace(text))
	if len(s) <= MaxSummaryRunes {
		return string(s)
	}
	cut := 0
	for i := 0; i < MaxSummaryRunes; i++ {
		if end := sentenceEnd(s, i); end > 0 && end <= MaxSummaryRunes {
			cut = end
		}
	}
	if cut > 0 {
		return strings.TrimSpace(string(s[:cut]))
	}
	return strings.TrimSpace(string(s[:MaxSummaryRunes-1])) + "…"
}

// sentenceEnd returns where the text is to be cut when s[i] ends a sentence,
// after the closing marks that belong to it, and 0 when it does not end one.
func sentenceEnd(s []rune, i int) int {
	cjk := strings.ContainsRune("。！？；", s[i])
	if !cjk && !strings.ContainsRune(".!?;", s[i]) {
		return 0
	}
	j := i + 1
	for j < len(s) && strings.ContainsRune("”’」』）》〉】)]\"'", s[j]) {
		j++
	}
	// A Latin full stop inside "3.14", "e.g" or "example.com" ends nothing.
	if !cjk && j < len(s) && s[j] != ' ' {
		return 0
	}
	return j
}

func collapseWhitespace(text string) string {
	var b strings.Builder
	var prev rune // last rune written, 0 at the start
	space := false
	for _, r := range text {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && prev != 0 && !(wide(prev) && wide(r)) {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// wide reports whether r is a Chinese (or Japanese) character or
// full-width punctuation, which are written without spaces between them.
func wide(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) ||
		(r >= 0x3000 && r <= 0x303f) || // CJK symbols and punctuation: 。、「」
		(r >= 0xff00 && r <= 0xffef) // full-width forms: ，！？；：（）
}
