package checklist

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/heraldnews/herald"
)

// Word is one entry of the list the text is screened against: the
// administrator's list as the store keeps it.
type Word = herald.SensitiveWord

// FromSensitiveWords copies the list as the store returns it, pointers to
// words, into the values Check and Highlight take.
func FromSensitiveWords(ws []*herald.SensitiveWord) []Word {
	out := make([]Word, 0, len(ws))
	for _, w := range ws {
		out = append(out, *w)
	}
	return out
}

// Hit is one occurrence of a listed word in the text.
type Hit struct {
	Word    Word
	Field   string // "title", "subtitle", "summary" or "body"
	Context string // the hit with up to 12 characters on each side, "…" marking a cut, for the list view
}

// fold prepares text for matching: Latin letters (and other cased letters) are
// lower-cased and runs of white space become one space, trimmed at both ends.
// Every kept rune stays one rune, so positions in the folded text map back.
func fold(s string) []rune {
	var b block
	b.add(s, 0)
	b.trim()
	return b.fold
}

// pattern is one word of a matcher.
type pattern struct {
	word Word
	n    int    // length of the folded word in runes
	sugg []rune // the folded suggestion when it contains the word, else nil
	offs []int  // where the word occurs in sugg
}

// matcher finds many words at once: an Aho-Corasick automaton over folded runes.
// State 0 is the root.
type matcher struct {
	pats []pattern
	next map[uint64]int32 // goto function: state<<32 | rune → state
	fail []int32          // longest proper suffix that is a state
	out  []int32          // pattern ending at the state, -1 for none
	dict []int32          // nearest state on the fail chain with a pattern, 0 for none
	used []uint64         // bit set of the runes below usedRunes that occur in some pattern
}

// usedRunes bounds the runes the matcher's bit set covers: the Basic
// Multilingual Plane.
const usedRunes = 1 << 16

// unused reports whether r occurs in no pattern, so that reading it leads back
// to the root.
func (m *matcher) unused(r rune) bool {
	return r >= 0 && r < usedRunes && m.used[r>>6]&(1<<(r&63)) == 0
}

func edge(s int32, r rune) uint64 { return uint64(uint32(s))<<32 | uint64(uint32(r)) }

// newMatcher builds the automaton. Words that fold to nothing are skipped; of
// words that fold alike the first counts.
func newMatcher(words []Word) *matcher {
	m := &matcher{next: map[uint64]int32{}, fail: []int32{0}, out: []int32{-1}, dict: []int32{0}, used: make([]uint64, usedRunes/64)}
	type child struct {
		r rune
		s int32
	}
	kids := [][]child{nil}
	for _, w := range words {
		p := fold(w.Word)
		if len(p) == 0 {
			continue
		}
		s := int32(0)
		for _, r := range p {
			if r >= 0 && r < usedRunes {
				m.used[r>>6] |= 1 << (r & 63)
			}
			t, ok := m.next[edge(s, r)]
			if !ok {
				t = int32(len(m.out))
				m.next[edge(s, r)] = t
				m.fail, m.out, m.dict = append(m.fail, 0), append(m.out, -1), append(m.dict, 0)
				kids[s] = append(kids[s], child{r, t})
				kids = append(kids, nil)
			}
			s = t
		}
		if m.out[s] >= 0 {
			continue
		}
		m.out[s] = int32(len(m.pats))
		pat := pattern{word: w, n: len(p)}
		if sg := fold(w.Suggestion); len(sg) > len(p) {
			for k := 0; k+len(p) <= len(sg); k++ {
				if slices.Equal(sg[k:k+len(p)], p) {
					pat.offs = append(pat.offs, k)
				}
			}
			if len(pat.offs) > 0 {
				pat.sugg = sg
			}
		}
		m.pats = append(m.pats, pat)
	}
	queue := make([]int32, 0, len(m.out))
	for _, c := range kids[0] {
		queue = append(queue, c.s)
	}
	for head := 0; head < len(queue); head++ {
		u := queue[head]
		for _, c := range kids[u] {
			f := m.fail[u]
			for {
				if t, ok := m.next[edge(f, c.r)]; ok {
					m.fail[c.s] = t
					break
				}
				if f == 0 {
					break
				}
				f = m.fail[f]
			}
			if fs := m.fail[c.s]; m.out[fs] >= 0 {
				m.dict[c.s] = fs
			} else {
				m.dict[c.s] = m.dict[fs]
			}
			queue = append(queue, c.s)
		}
	}
	return m
}

// match is one occurrence of pattern pat at runes [start, end).
type match struct {
	start, end int
	pat        int32
}

// matches returns the occurrences in folded text, without overlaps: of
// overlapping occurrences the leftmost wins, and of those starting at the same
// place the longest. An occurrence that is part of the word's own suggestion as
// written in the text (the correct form) does not count.
func (m *matcher) matches(text []rune) []match {
	if len(m.pats) == 0 {
		return nil
	}
	var all []match
	s := int32(0)
	for i, r := range text {
		if m.unused(r) {
			s = 0
			continue
		}
		for {
			if t, ok := m.next[edge(s, r)]; ok {
				s = t
				break
			}
			if s == 0 {
				break
			}
			s = m.fail[s]
		}
		t := s
		if m.out[t] < 0 {
			t = m.dict[t]
		}
		for ; t != 0; t = m.dict[t] {
			p := m.out[t]
			if start := i + 1 - m.pats[p].n; !m.pats[p].correct(text, start) {
				all = append(all, match{start, i + 1, p})
			}
		}
	}
	if len(all) == 0 {
		return nil
	}
	slices.SortFunc(all, func(a, b match) int {
		if a.start != b.start {
			return a.start - b.start
		}
		return b.end - a.end
	})
	out, last := all[:0], 0
	for _, x := range all {
		if x.start >= last {
			out = append(out, x)
			last = x.end
		}
	}
	return out
}

// correct reports whether the occurrence of p at start is part of p's
// suggestion written out in full.
func (p *pattern) correct(text []rune, start int) bool {
	for _, k := range p.offs {
		if from := start - k; from >= 0 && from+len(p.sugg) <= len(text) && slices.Equal(text[from:from+len(p.sugg)], p.sugg) {
			return true
		}
	}
	return false
}

// compiled caches the automaton of the last word list, which is nearly always
// the same list.
var compiled struct {
	sync.Mutex
	words []Word
	m     *matcher
}

// noWords matches nothing.
var noWords = newMatcher(nil)

func compile(words []Word) *matcher {
	if len(words) == 0 {
		return noWords
	}
	compiled.Lock()
	defer compiled.Unlock()
	if compiled.m == nil || !slices.Equal(compiled.words, words) {
		compiled.words, compiled.m = slices.Clone(words), newMatcher(words)
	}
	return compiled.m
}

// block is a run of text in which words are sought: a plain-text line, or one
// paragraph (heading, list item, table cell...) of the body. Rune i is orig[i],
// folded fold[i], and comes from bytes [off[i], end[i]) of the text of token
// tok[i].
type block struct {
	orig, fold    []rune
	tok, off, end []int32 // only when pos
	pos           bool    // keep where each rune comes from
	space         bool    // the last rune added is a space
}

// add appends s, the text of token tok, collapsing white space.
func (b *block) add(s string, tok int) {
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			if len(b.orig) == 0 || b.space {
				i += w
				continue
			}
			r, b.space = ' ', true
		} else {
			b.space = false
		}
		b.orig = append(b.orig, r)
		b.fold = append(b.fold, unicode.ToLower(r))
		if b.pos {
			b.tok = append(b.tok, int32(tok))
			b.off = append(b.off, int32(i))
			b.end = append(b.end, int32(i+w))
		}
		i += w
	}
}

// trim drops a trailing space.
func (b *block) trim() {
	if n := len(b.orig); n > 0 && b.orig[n-1] == ' ' {
		b.orig, b.fold = b.orig[:n-1], b.fold[:n-1]
		if b.pos {
			b.tok, b.off, b.end = b.tok[:n-1], b.off[:n-1], b.end[:n-1]
		}
	}
	b.space = false
}

// plainBlocks splits a plain-text field into lines.
func plainBlocks(s string) []block {
	var out []block
	for line := range strings.SplitSeq(s, "\n") {
		var b block
		b.add(line, 0)
		b.trim()
		if len(b.orig) > 0 {
			out = append(out, b)
		}
	}
	return out
}
