package search

import (
	"strings"
)

// Suggestion is a published title that contains what a reader has typed so far.
type Suggestion struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
}

// MaxSuggestions bounds how many titles Suggest returns.
const MaxSuggestions = 10

// Suggest returns up to n titles of published articles (in language, if set)
// that contain typed, folded like the index folds text: titles starting with
// it first, then the newest. Typing is often half a word, so this matches
// characters, not terms.
func (ix *Index) Suggest(typed, language string, n int) ([]Suggestion, error) {
	if err := checkText(typed); err != nil {
		return nil, err
	}
	if n <= 0 || n > MaxSuggestions {
		n = MaxSuggestions
	}
	want := strings.Join(strings.Fields(foldString(typed)), " ")
	if want == "" {
		return []Suggestion{}, nil
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	langs := ix.languages(language)
	type candidate struct {
		num    int32
		prefix bool
	}
	better := func(a, b candidate) bool {
		if a.prefix != b.prefix {
			return a.prefix
		}
		return ix.newer(scoredDoc{doc: a.num}, scoredDoc{doc: b.num})
	}
	var best []candidate // kept in order, at most n
	for i := range ix.docs {
		d := &ix.docs[i]
		if !d.live || d.status != published {
			continue
		}
		if langs != nil && !langs[d.lang] {
			continue
		}
		at := strings.Index(ix.meta[i].titleFold, want)
		if at < 0 {
			continue
		}
		c := candidate{int32(i), at == 0}
		if len(best) == n && !better(c, best[n-1]) {
			continue
		}
		j := len(best)
		for j > 0 && better(c, best[j-1]) {
			j--
		}
		if len(best) < n {
			best = append(best, candidate{})
		}
		copy(best[j+1:], best[j:])
		best[j] = c
	}
	out := make([]Suggestion, len(best))
	for i, c := range best {
		out[i] = Suggestion{ID: ix.docs[c.num].id, Title: ix.meta[c.num].title}
	}
	return out, nil
}
