package search

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Marks says what a search matched, so that its words can be marked where they
// occur in a hit's text.
type Marks struct {
	clauses []clause
}

// Span is a piece of text, marked when it matched the search.
type Span struct {
	Text string `json:"text"`
	Mark bool   `json:"mark,omitempty"`
}

// ranges returns the byte ranges of text where a clause occurs, in order and
// merged where they overlap.
func (m *Marks) ranges(text string) [][2]int {
	if m == nil || len(m.clauses) == 0 {
		return nil
	}
	type at struct {
		term string
		pos  int
	}
	wanted := map[string]bool{}
	for _, c := range m.clauses {
		for _, e := range c.elems {
			wanted[e.term] = true
		}
	}
	byPos := map[at]token{}
	var toks []token
	analyze(text, 0, func(t token) {
		if wanted[t.term] {
			byPos[at{t.term, t.pos}] = t
			toks = append(toks, t)
		}
	})
	var rs [][2]int
	for _, c := range m.clauses {
		first := c.elems[0]
		for _, t := range toks {
			if t.term != first.term {
				continue
			}
			end, ok := t.end, true
			for _, e := range c.elems[1:] {
				u, found := byPos[at{e.term, t.pos + e.rel - first.rel}]
				if !found {
					ok = false
					break
				}
				end = max(end, u.end)
			}
			if ok {
				rs = append(rs, [2]int{t.start, end})
			}
		}
	}
	slices.SortFunc(rs, func(a, b [2]int) int { return a[0] - b[0] })
	merged := rs[:0]
	for _, r := range rs {
		if n := len(merged); n > 0 && r[0] <= merged[n-1][1] {
			merged[n-1][1] = max(merged[n-1][1], r[1])
			continue
		}
		merged = append(merged, r)
	}
	return merged
}

// Highlight cuts text into spans, marking every match.
func (m *Marks) Highlight(text string) []Span {
	return spans(text, m.ranges(text), 0, len(text))
}

// Snippet returns about maxRunes characters of text around its densest
// matches, marked, with an ellipsis where it was cut; without matches, the
// beginning of text. Line breaks become spaces.
func (m *Marks) Snippet(text string, maxRunes int) []Span {
	spans, _ := m.snippet(text, maxRunes)
	return spans
}

// snippet is Snippet, also saying whether the text matched.
func (m *Marks) snippet(text string, maxRunes int) ([]Span, bool) {
	text = strings.Join(strings.Fields(text), " ")
	rs := m.ranges(text)
	start := 0
	if len(rs) > 0 {
		// the window that holds the most matches, opened a little before the first
		bestCount := 0
		for i, r := range rs {
			windowEnd := advance(text, r[0], maxRunes)
			n := 0
			for _, s := range rs[i:] {
				if s[1] <= windowEnd {
					n++
				}
			}
			if n > bestCount {
				bestCount, start = n, r[0]
			}
		}
		start = contextStart(text, start, maxRunes/5)
	}
	end := advance(text, start, maxRunes)
	out := spans(text, rs, start, end)
	if start > 0 {
		out = append([]Span{{Text: "…"}}, out...)
	}
	if end < len(text) {
		out = append(out, Span{Text: "…"})
	}
	return out, len(rs) > 0
}

// advance returns the byte offset n runes after from (or the end of text).
func advance(text string, from, n int) int {
	i := from
	for ; n > 0 && i < len(text); n-- {
		_, size := utf8.DecodeRuneInString(text[i:])
		i += size
	}
	return i
}

// contextStart steps back up to n runes from at, stopping after the end of a
// sentence so that a snippet starts cleanly where it can.
func contextStart(text string, at, n int) int {
	i := at
	for ; n > 0 && i > 0; n-- {
		r, size := utf8.DecodeLastRuneInString(text[:i])
		if strings.ContainsRune("。！？；.!?;", r) {
			break
		}
		i -= size
	}
	for i < at && text[i] == ' ' {
		i++
	}
	return i
}

// spans cuts text[start:end] into spans at the ranges.
func spans(text string, rs [][2]int, start, end int) []Span {
	var out []Span
	at := start
	for _, r := range rs {
		a, b := max(r[0], start), min(r[1], end)
		if a >= b {
			continue
		}
		if a > at {
			out = append(out, Span{Text: text[at:a]})
		}
		out = append(out, Span{Text: text[a:b], Mark: true})
		at = b
	}
	if at < end {
		out = append(out, Span{Text: text[at:end]})
	}
	return out
}
