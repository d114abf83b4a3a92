package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/heraldnews/herald"
)

// MaxQueryRunes bounds a query's length: longer ones are refused, not cut, so
// that nobody is shown results for a query they did not type.
const MaxQueryRunes = 200

// elem is one term of a clause at its position relative to the clause's first.
type elem struct {
	term string
	rel  int
}

// clause is one thing a document must (or, negated, must not) contain: a term
// or a phrase of terms at fixed distances.
type clause struct {
	text  string // as typed, for messages
	elems []elem
	ideo  bool // an unquoted ideographic run: split where the index has no pair
}

// parsed is a query taken apart: documents matching every clause of any group,
// and none of the excluded clauses.
type parsed struct {
	groups   [][]clause
	excluded []clause
}

func (p *parsed) empty() bool { return len(p.groups) == 0 }

// parse reads a query: words and Chinese runs must all match (a run as a
// phrase), "quoted text" matches as a phrase, -word excludes, and OR between
// words offers alternatives. Anything else (brackets, stars, stray quotes,
// control characters) separates words. It refuses invalid UTF-8 and queries
// longer than MaxQueryRunes.
func parse(q string) (*parsed, error) {
	if err := checkText(q); err != nil {
		return nil, err
	}
	p := &parsed{}
	var group []clause
	endGroup := func() {
		if len(group) > 0 {
			p.groups = append(p.groups, group)
		}
		group = nil
	}
	for q != "" {
		q = strings.TrimLeftFunc(q, separator)
		if q == "" {
			break
		}
		neg := false
		if q[0] == '-' {
			neg, q = true, q[1:]
		}
		var chunk string
		quoted := false
		if strings.HasPrefix(q, `"`) || strings.HasPrefix(q, "“") || strings.HasPrefix(q, "「") {
			_, size := utf8.DecodeRuneInString(q)
			q = q[size:]
			end := strings.IndexAny(q, "\"”」")
			if end < 0 {
				end = len(q) // an unclosed quote runs to the end
			}
			chunk, quoted = q[:end], true
			q = q[end:]
			if q != "" {
				_, size := utf8.DecodeRuneInString(q)
				q = q[size:]
			}
		} else {
			end := strings.IndexFunc(q, separator)
			if end < 0 {
				end = len(q)
			}
			chunk, q = q[:end], q[end:]
		}
		if chunk == "OR" && !quoted && !neg {
			endGroup()
			continue
		}
		cs := clauses(chunk, quoted)
		if neg {
			p.excluded = append(p.excluded, cs...)
		} else {
			group = append(group, cs...)
		}
	}
	endGroup()
	return p, nil
}

// checkText refuses what a search or a suggestion cannot read: invalid UTF-8,
// and text longer than MaxQueryRunes.
func checkText(q string) error {
	if !utf8.ValidString(q) {
		return herald.Invalid("q", "must be valid UTF-8 text")
	}
	if utf8.RuneCountInString(q) > MaxQueryRunes {
		return herald.Invalid("q", "must be at most %d characters", MaxQueryRunes)
	}
	return nil
}

// separator reports whether r separates chunks of a query.
func separator(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsControl(r) // IsSpace covers the ideographic space
}

// clauses turns a chunk into clauses: all of it as one phrase when quoted,
// otherwise one clause per word and per ideographic run.
func clauses(chunk string, quoted bool) []clause {
	var toks []token
	analyze(chunk, 0, func(t token) { toks = append(toks, t) })
	if len(toks) == 0 {
		return nil
	}
	if quoted {
		return []clause{{text: chunk, elems: phraseElems(toks)}}
	}
	var out []clause
	for i := 0; i < len(toks); {
		j := i + 1
		if toks[i].kind != word {
			for j < len(toks) && toks[j].kind != word {
				j++
			}
		}
		run := toks[i:j]
		c := clause{text: chunk[run[0].start:run[len(run)-1].end], elems: phraseElems(run), ideo: run[0].kind != word}
		for k := range c.elems {
			c.elems[k].rel -= run[0].pos
		}
		out = append(out, c)
		i = j
	}
	return out
}

// phraseElems keeps the terms a phrase needs: the words, the pairs of each
// ideographic run, and the lone characters of runs of one.
func phraseElems(toks []token) []elem {
	var es []elem
	for i, t := range toks {
		switch t.kind {
		case word, bigram:
			es = append(es, elem{t.term, t.pos})
		case unigram:
			paired := i+1 < len(toks) && toks[i+1].kind == bigram && toks[i+1].pos == t.pos ||
				i > 0 && toks[i-1].kind == bigram && toks[i-1].pos == t.pos-1
			if !paired {
				es = append(es, elem{t.term, t.pos})
			}
		}
	}
	return es
}

// splitIdeo splits an unquoted ideographic run where a pair of characters
// occurs nowhere in the index: a run typed without spaces, such as
// 司法行政宣传, then matches documents that have 司法行政 and 宣传 apart. A
// character that no known pair covers is left out (a lone 颁 would match any
// article with the character anywhere); a run with no known pair stays whole
// and finds nothing.
func splitIdeo(c clause, known func(term string) bool) []clause {
	if !c.ideo || len(c.elems) < 2 && utf8.RuneCountInString(c.elems[0].term) == 1 {
		return []clause{c}
	}
	chars := []rune{}
	for i, e := range c.elems {
		r := []rune(e.term)
		if i == 0 {
			chars = append(chars, r[0])
		}
		chars = append(chars, r[len(r)-1])
	}
	ok := make([]bool, len(c.elems))
	all := true
	for i, e := range c.elems {
		ok[i] = known(e.term)
		all = all && ok[i]
	}
	if all {
		return []clause{c}
	}
	var out []clause
	n := len(chars)
	for i := 0; i < n; {
		if i < n-1 && ok[i] {
			j := i
			for j+1 < n-1 && ok[j+1] {
				j++
			}
			es := make([]elem, 0, j-i+1)
			for k := i; k <= j; k++ {
				es = append(es, elem{c.elems[k].term, k - i})
			}
			out = append(out, clause{text: string(chars[i : j+2]), elems: es})
			i = j + 2 // the segment's last character is covered
			continue
		}
		i++ // a character in no known pair: alone it would match anywhere
	}
	if len(out) == 0 {
		return []clause{c} // no part of it occurs: it finds nothing, as it should
	}
	return out
}
