// Package search is Herald's full-text search: Chinese first, English second.
//
// Text is folded (full-width to half-width, case, accents) and cut into terms:
// every Han (or kana, hangul) character is a term and so is every overlapping
// pair of them, so that a query of any length finds its characters without a
// dictionary; runs of letters and digits are words, English ones stemmed
// (Porter2). Every term keeps its position, so a query's Chinese run or quoted
// phrase must match as a phrase. The index lives in memory, is built from the
// store at start-up and follows the audit log; ranking is BM25 over weighted
// fields with a mild recency boost (docs/search.md explains it).
package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"golang.org/x/text/unicode/norm"
)

// token is one term of a text: its position in the field's run of positions
// and the bytes of the original text it came from.
type token struct {
	term       string
	key        uint64 // cjkKey(term), for unigrams and bigrams
	kind       tokenKind
	pos        int
	start, end int
}

// tokenKind says what a term is made of.
type tokenKind uint8

const (
	unigram tokenKind = iota // one ideographic character
	bigram                   // two adjacent ones
	word                     // letters and digits
)

// fold maps a rune to its search form: full-width forms to ASCII, letters to
// lower case, compatibility forms decomposed and accents dropped. It returns -1
// for a rune that vanishes (a combining mark) and writes a second rune of a
// decomposition (ﬁ → f i) to extra.
func fold(r rune) (rune, rune) {
	switch {
	case r < utf8.RuneSelf:
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r, -1
	case 0x4E00 <= r && r <= 0x9FFF: // the common Han characters, first
		return r, -1
	case 0xFF01 <= r && r <= 0xFF5E: // full-width ASCII
		return fold(r - 0xFEE0)
	case 0x3000 <= r && r <= 0x303F && r != 0x3007, 0x2000 <= r && r <= 0x206F:
		return ' ', -1 // CJK and general punctuation (。，“”…) separate words; 〇 is a numeral
	case unicode.Is(unicode.Han, r):
		return r, -1
	case unicode.Is(unicode.Mn, r):
		return -1, -1
	}
	if d := norm.NFKD.PropertiesString(string(r)).Decomposition(); d != nil {
		var out [2]rune
		n := 0
		for _, c := range string(d) {
			if unicode.Is(unicode.Mn, c) || n == 2 {
				continue
			}
			out[n] = unicode.ToLower(c)
			n++
		}
		switch n {
		case 0:
			return -1, -1
		case 1:
			return out[0], -1
		}
		return out[0], out[1]
	}
	return unicode.ToLower(r), -1
}

// ideographic reports whether r is written without spaces between words.
func ideographic(r rune) bool {
	return 0x4E00 <= r && r <= 0x9FFF || unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
		unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r)
}

func wordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || 'A' <= r && r <= 'Z'
	}
	return (unicode.IsLetter(r) || unicode.IsDigit(r)) && !ideographic(r)
}

// folded is one rune of folded text with the bytes it came from.
type folded struct {
	r          rune
	start, end int
}

// analyze cuts text into tokens whose positions start at pos, calls emit for
// each, and returns the position after the last. Ideographic runs give a
// unigram per character and a bigram per adjacent pair, both at the first
// character's position; words give one stemmed term each.
func analyze(text string, pos int, emit func(token)) int {
	var run []folded // the current ideographic run or word
	runIdeo := false
	flush := func() {
		if len(run) == 0 {
			return
		}
		if runIdeo {
			// one string for the run; its characters and pairs are slices of it
			var b strings.Builder
			offsets := make([]int, 0, len(run)+1)
			for _, c := range run {
				offsets = append(offsets, b.Len())
				b.WriteRune(c.r)
			}
			offsets = append(offsets, b.Len())
			folded := b.String()
			for i, c := range run {
				emit(token{term: folded[offsets[i]:offsets[i+1]], key: uint64(c.r), kind: unigram, pos: pos, start: c.start, end: c.end})
				if i+1 < len(run) {
					emit(token{term: folded[offsets[i]:offsets[i+2]], key: pairKey(c.r, run[i+1].r), kind: bigram, pos: pos, start: c.start, end: run[i+1].end})
				}
				pos++
			}
		} else {
			letters := make([]rune, 0, len(run))
			for _, c := range run {
				letters = append(letters, c.r)
			}
			emit(token{term: stem(string(letters)), kind: word, pos: pos, start: run[0].start, end: run[len(run)-1].end})
			pos++
		}
		run = run[:0]
	}
	for i, r := range text {
		end := i + utf8.RuneLen(r)
		if r == utf8.RuneError {
			end = i + 1
		}
		f, extra := fold(r)
		for _, c := range [2]rune{f, extra} {
			switch {
			case c < 0:
			case ideographic(c):
				if !runIdeo {
					flush()
					runIdeo = true
				}
				run = append(run, folded{c, i, end})
			case wordRune(c) || c == '\'' && len(run) > 0 && !runIdeo:
				if runIdeo {
					flush()
					runIdeo = false
				}
				run = append(run, folded{c, i, end})
			default:
				flush()
			}
		}
	}
	flush()
	return pos
}

// maxWordBytes bounds a word's length: longer runs (hashes, garbage) are kept
// whole but not stemmed.
const maxWordBytes = 64

// stem reduces an English word to its Porter2 stem; other words stay as they are.
func stem(word string) string {
	for len(word) > 0 && word[len(word)-1] == '\'' {
		word = word[:len(word)-1]
	}
	if len(word) > maxWordBytes {
		return word
	}
	for i := 0; i < len(word); i++ {
		if c := word[i]; c < 'a' || c > 'z' {
			if c != '\'' {
				return word
			}
		}
	}
	return english.Stem(word, false)
}
