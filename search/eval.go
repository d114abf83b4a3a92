package search

import (
	"cmp"
	"container/heap"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/heraldnews/herald"
)

// Sort says how results are ordered.
type Sort string

// Sorts.
const (
	ByRelevance Sort = "relevance" // best match first (the default)
	ByDate      Sort = "date"      // newest first
)

// Limits on paging.
const (
	MaxLimit  = 50
	MaxOffset = 1000
)

// Query is a search and its filters. Zero fields do not filter.
type Query struct {
	Text     string
	ColumnID int64
	ThemeID  int64
	UnitIDs  []int64 // articles of any of these units; nil: any unit
	Language string  // a language tag or its prefix: "zh" matches zh-CN
	From     time.Time
	Until    time.Time // exclusive
	// Statuses limits the workflow states searched; nil means published only.
	Statuses []herald.Status
	// Private lists the units whose unpublished articles the searcher may see;
	// nil means none, so only published articles are found.
	Private []int64
	Sort    Sort
	Offset  int
	Limit   int       // 10 when zero
	Now     time.Time // for the recency boost
}

// Validate checks the paging and sort fields.
func (q *Query) Validate() error {
	var p herald.Problems
	if q.Sort != "" && q.Sort != ByRelevance && q.Sort != ByDate {
		p.Add("sort", "must be relevance or date")
	}
	if q.Limit < 0 || q.Limit > MaxLimit {
		p.Add("limit", "must be between 1 and %d", MaxLimit)
	}
	if q.Offset < 0 || q.Offset > MaxOffset {
		p.Add("offset", "must be between 0 and %d", MaxOffset)
	}
	if !q.From.IsZero() && !q.Until.IsZero() && !q.From.Before(q.Until) {
		p.Add("until", "must be after from")
	}
	return p.Err()
}

// Hit is one found document.
type Hit struct {
	ID    int64
	Score float64
}

// Result is a page of hits.
type Result struct {
	Total int
	Hits  []Hit
	// Marks says what to highlight in the hits' text.
	Marks *Marks
	// When nothing was found: how many documents each word alone would find
	// (under the same filters), and how many the whole query finds without
	// the filters.
	Partial    []Partial
	Unfiltered int
}

// Partial is one word of a query that found nothing together, and what it
// finds alone.
type Partial struct {
	Text  string
	Total int
}

// Ranking constants; docs/search.md explains them.
const (
	bm25K1         = 1.2
	bm25B          = 0.75
	recencyBoost   = 0.2             // a piece published now scores up to 20% more …
	recencyHalfAge = 180 * 24 * 3600 // … and half that boost after 180 days
)

// match is a document that satisfies a clause and how strongly: its
// occurrences weighted by the field each is in. For a phrase, wtf is only an
// upper bound (exact false): the weight of its element with the least, since
// the phrase occurs no more often than any of its elements.
type match struct {
	doc   int32
	wtf   float64
	exact bool
}

// Search runs a query. An empty query finds nothing; a query it cannot read
// returns EINVALID naming the field.
func (ix *Index) Search(q Query) (*Result, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	p, err := parse(q.Text)
	if err != nil {
		return nil, err
	}
	if q.Limit == 0 {
		q.Limit = 10
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	res := &Result{Hits: []Hit{}}
	if p.empty() {
		res.Marks = &Marks{}
		return res, nil
	}
	groups := ix.resolve(p)
	res.Marks = &Marks{clauses: slices.Concat(groups...)}
	keep := ix.filter(&q)
	memo := matchMemo{}
	defer memo.release()
	count := func(groups [][]clause, keep func(int32) bool) int {
		found, _ := ix.evaluate(memo, groups, p.excluded, keep)
		defer scoredPool.put(found)
		return len(found)
	}
	scored, sc := ix.evaluate(memo, groups, p.excluded, keep)
	res.Total = len(scored)
	res.Hits = ix.top(scored, sc, &q)
	scoredPool.put(scored)
	if res.Total == 0 {
		if q.filtering() {
			all := q
			all.ColumnID, all.ThemeID, all.UnitIDs, all.Language, all.From, all.Until = 0, 0, nil, "", time.Time{}, time.Time{}
			res.Unfiltered = count(groups, ix.filter(&all))
		}
		if len(groups) == 1 && len(groups[0]) > 1 {
			for _, c := range groups[0] {
				res.Partial = append(res.Partial, Partial{Text: c.text, Total: count([][]clause{{c}}, keep)})
			}
		}
	}
	return res, nil
}

// slicePool keeps the long slices of matches and scores for the next search:
// allocating and clearing them anew cost more than filling them.
type slicePool[T any] struct{ p sync.Pool }

// get returns an empty slice, with room if one was put back.
func (sp *slicePool[T]) get() []T {
	if s, ok := sp.p.Get().(*[]T); ok {
		return (*s)[:0]
	}
	return nil
}

// put gives a slice back; nothing may use it afterwards.
func (sp *slicePool[T]) put(s []T) {
	if cap(s) > 0 {
		sp.p.Put(&s)
	}
}

var (
	matchPool  slicePool[match]
	scoredPool slicePool[scoredDoc]
)

func (q *Query) filtering() bool {
	return q.ColumnID != 0 || q.ThemeID != 0 || q.UnitIDs != nil || q.Language != "" || !q.From.IsZero() || !q.Until.IsZero()
}

// resolve splits the unquoted ideographic runs of every group where the
// index lacks a pair of characters.
func (ix *Index) resolve(p *parsed) [][]clause {
	known := func(term string) bool { return ix.list(term) != nil }
	out := make([][]clause, 0, len(p.groups))
	for _, g := range p.groups {
		var cs []clause
		for _, c := range g {
			cs = append(cs, splitIdeo(c, known)...)
		}
		out = append(out, cs)
	}
	return out
}

// published is the status bit of published articles.
var published = statusBits(herald.StatusPublished)

// filter returns the predicate a document must pass to be found by q.
func (ix *Index) filter(q *Query) func(int32) bool {
	statuses := published
	if q.Statuses != nil {
		statuses = statusBits(q.Statuses...)
	}
	var from, until int64 = math.MinInt64, math.MaxInt64
	if !q.From.IsZero() {
		from = q.From.Unix()
	}
	if !q.Until.IsZero() {
		until = q.Until.Unix()
	}
	langs := ix.languages(q.Language)
	private, units := set(q.Private), set(q.UnitIDs)
	return func(num int32) bool {
		d := &ix.docs[num]
		switch {
		case !d.live,
			d.status&statuses == 0,
			d.status != published && !private[d.unit],
			q.ColumnID != 0 && d.column != q.ColumnID,
			q.ThemeID != 0 && !slices.Contains(ix.meta[num].themes, q.ThemeID),
			units != nil && !units[d.unit],
			d.date < from || d.date >= until,
			langs != nil && !langs[d.lang]:
			return false
		}
		return true
	}
}

// languages says, by language number, which documents a language filter
// keeps: its tag or tags it is the prefix of ("zh" keeps zh-CN). Without a
// filter it returns nil.
func (ix *Index) languages(tag string) []bool {
	tag = strings.ToLower(tag)
	if tag == "" {
		return nil
	}
	keep := make([]bool, len(ix.langs))
	for i, l := range ix.langs {
		keep[i] = l == tag || strings.HasPrefix(l, tag+"-")
	}
	return keep
}

// set returns ids as a set; nil stays nil.
func set(ids []int64) map[int64]bool {
	if ids == nil {
		return nil
	}
	m := make(map[int64]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

// scoredDoc is a document found and its score, which is only an upper bound
// of it when a phrase's weight was not counted (exact false).
type scoredDoc struct {
	doc   int32
	score float64
	exact bool
}

// scorer scores documents for the clauses of a query.
type scorer struct {
	groups [][]clause
	idf    [][]float64 // of each clause
	avgLen float64
}

// bm25 scores a clause of the given idf that a document of length terms holds
// with weight wtf.
func (sc *scorer) bm25(idf, wtf float64, length int32) float64 {
	norm := bm25K1 * (1 - bm25B + bm25B*float64(length)/sc.avgLen)
	return idf * wtf * (bm25K1 + 1) / (wtf + norm)
}

// exact returns a found document's exact score: the best of the groups it
// satisfies, each scored with its phrases' weights counted.
func (ix *Index) exact(sc *scorer, doc int32) float64 {
	best := 0.0
	for gi, g := range sc.groups {
		sum := 0.0
		for ci, c := range g {
			wtf, ok := ix.weightIn(c, doc)
			if !ok {
				sum = -1
				break
			}
			sum += sc.bm25(sc.idf[gi][ci], wtf, ix.docs[doc].length)
		}
		best = max(best, sum)
	}
	return best
}

// weightIn returns the weighted occurrences of a clause in a document, and
// false if the document does not hold it.
func (ix *Index) weightIn(c clause, doc int32) (float64, bool) {
	cursors := make([]cursor, len(c.elems))
	for i, e := range c.elems {
		pl := ix.list(e.term)
		if pl == nil {
			return 0, false
		}
		cursors[i] = cursor{data: pl.data, skips: pl.skips, doc: -1}
		if !cursors[i].seek(doc) || cursors[i].doc != doc {
			return 0, false
		}
	}
	if len(cursors) == 1 {
		return float64(cursors[0].weight2) / 2, true
	}
	starts := phraseStarts(c.elems, cursors, nil)
	return float64(ix.docs[doc].weight2(starts)) / 2, len(starts) > 0
}

// evaluate finds the documents that match every clause of some group and no
// excluded clause and pass keep, and scores them with BM25 over the weighted
// occurrences. Clause frequencies count every live document, so scores do not
// depend on who searches.
func (ix *Index) evaluate(memo matchMemo, groups [][]clause, excluded []clause, keep func(int32) bool) ([]scoredDoc, *scorer) {
	n := float64(ix.live)
	sc := &scorer{groups: groups, avgLen: 1}
	if ix.live > 0 {
		sc.avgLen = math.Max(1, float64(ix.liveLen)/n)
	}
	var found []scoredDoc // in document order
	for gi, g := range groups {
		var acc []scoredDoc
		sc.idf = append(sc.idf, make([]float64, len(g)))
		for i, c := range g {
			ms := memo.matches(ix, c)
			idf := math.Log(1 + (n-float64(len(ms))+0.5)/(float64(len(ms))+0.5))
			sc.idf[gi][i] = idf
			score := func(m match) float64 { return sc.bm25(idf, m.wtf, ix.docs[m.doc].length) }
			if i == 0 {
				acc = slices.Grow(scoredPool.get(), len(ms))
				for _, m := range ms {
					if keep(m.doc) {
						acc = append(acc, scoredDoc{m.doc, score(m), m.exact})
					}
				}
				continue
			}
			acc = intersect(acc, ms, score)
			if len(acc) == 0 {
				break
			}
		}
		if gi == 0 {
			found = acc
		} else {
			merged := union(found, acc)
			scoredPool.put(found)
			scoredPool.put(acc)
			found = merged
		}
	}
	for _, c := range excluded {
		found = subtract(found, memo.matches(ix, c))
	}
	return found, sc
}

// union merges two lists in document order, keeping the better score of a
// document in both.
func union(a, b []scoredDoc) []scoredDoc {
	out := slices.Grow(scoredPool.get(), len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || i < len(a) && a[i].doc < b[j].doc:
			out = append(out, a[i])
			i++
		case i == len(a) || b[j].doc < a[i].doc:
			out = append(out, b[j])
			j++
		default:
			// the better of two bounds bounds the better score
			out = append(out, scoredDoc{a[i].doc, max(a[i].score, b[j].score), a[i].exact && b[j].exact})
			i++
			j++
		}
	}
	return out
}

// subtract drops the documents of ms from docs (both in document order).
func subtract(docs []scoredDoc, ms []match) []scoredDoc {
	out := docs[:0]
	j := 0
	for _, d := range docs {
		for j < len(ms) && ms[j].doc < d.doc {
			j++
		}
		if j < len(ms) && ms[j].doc == d.doc {
			continue
		}
		out = append(out, d)
	}
	return out
}

// intersect keeps the documents of acc that are also in ms (both in document
// order), adding their scores.
func intersect(acc []scoredDoc, ms []match, score func(match) float64) []scoredDoc {
	out := acc[:0]
	j := 0
	for _, a := range acc {
		for j < len(ms) && ms[j].doc < a.doc {
			j++
		}
		if j < len(ms) && ms[j].doc == a.doc {
			out = append(out, scoredDoc{a.doc, a.score + score(ms[j]), a.exact && ms[j].exact})
		}
	}
	return out
}

// matchMemo keeps the matches of each clause for the length of one search,
// which may evaluate a clause again (alone, or without the filters) when the
// whole finds nothing.
type matchMemo map[string][]match

// release gives the matches back to the pool at the end of the search.
func (m matchMemo) release() {
	for _, ms := range m {
		matchPool.put(ms)
	}
}

func (m matchMemo) matches(ix *Index, c clause) []match {
	var key strings.Builder
	for _, e := range c.elems {
		fmt.Fprintf(&key, "%s@%d ", e.term, e.rel)
	}
	ms, ok := m[key.String()]
	if !ok {
		ms = ix.matches(c)
		m[key.String()] = ms
	}
	return ms
}

// matches returns the live documents that contain a clause, in document order.
// A clause whose rarest term is common is matched on every core at once, each
// core taking a range of document numbers.
func (ix *Index) matches(c clause) []match {
	lists := make([]*postingList, len(c.elems))
	rarest := int32(math.MaxInt32)
	for i, e := range c.elems {
		if lists[i] = ix.list(e.term); lists[i] == nil {
			return nil
		}
		rarest = min(rarest, lists[i].n)
	}
	parts := runtime.GOMAXPROCS(0)
	if rarest < parallelPostings || parts < 2 {
		return ix.matchRange(c, lists, 0, int32(len(ix.docs)), matchPool.get())
	}
	found := make([][]match, parts)
	var wg sync.WaitGroup
	size := (int32(len(ix.docs)) + int32(parts) - 1) / int32(parts)
	for p := range parts {
		wg.Go(func() {
			found[p] = ix.matchRange(c, lists, int32(p)*size, min(int32(p+1)*size, int32(len(ix.docs))), matchPool.get())
		})
	}
	wg.Wait()
	all := matchPool.get()
	for _, f := range found {
		all = append(all, f...)
		matchPool.put(f)
	}
	return all
}

// parallelPostings is how common a clause's rarest term must be for the
// clause to be matched on several cores: below it, starting goroutines costs
// more than it saves.
const parallelPostings = 8192

// matchRange appends to out the matches of a clause in the documents numbered
// from lo up to hi.
func (ix *Index) matchRange(c clause, lists []*postingList, lo, hi int32, out []match) []match {
	cursors := make([]cursor, len(lists))
	for i, pl := range lists {
		cursors[i] = cursor{data: pl.data, skips: pl.skips, doc: -1}
	}
	streams := make([]positionStream, len(cursors))
	for next := lo; ; {
		// line all cursors up on the next document they share
		target := next
		for aligned := false; !aligned; {
			aligned = true
			for i := range cursors {
				if !cursors[i].seek(target) {
					return out
				}
				if cursors[i].doc > target {
					target, aligned = cursors[i].doc, false
				}
			}
		}
		if target >= hi {
			return out
		}
		next = target + 1
		d := &ix.docs[target]
		if !d.live {
			continue
		}
		if len(cursors) == 1 {
			out = append(out, match{target, float64(cursors[0].weight2) / 2, true})
			continue
		}
		if phraseIn(c.elems, cursors, streams) {
			least := cursors[0].weight2
			for i := range cursors {
				least = min(least, cursors[i].weight2)
			}
			out = append(out, match{target, float64(least) / 2, false})
		}
	}
}

// phraseIn reports whether the phrase occurs in the current document,
// decoding no more positions than it must: the element with the fewest
// positions proposes starts in order, and each other element's positions are
// read only up to the one the start needs.
func phraseIn(elems []elem, cursors []cursor, streams []positionStream) bool {
	base := 0
	for i := range cursors {
		if cursors[i].posEnd-cursors[i].posStart < cursors[base].posEnd-cursors[base].posStart {
			base = i
		}
	}
	for i := range cursors {
		streams[i] = positionStream{off: cursors[i].posStart, end: cursors[i].posEnd, pos: -1}
	}
	b := &cursors[base]
	for off, p := b.posStart, int32(0); off < b.posEnd; {
		var gap uint64
		gap, off = uvarint(b.data, off)
		p += int32(gap)
		start := p - int32(elems[base].rel)
		found := true
		for i := range cursors {
			if i == base {
				continue
			}
			want, st := start+int32(elems[i].rel), &streams[i]
			for st.pos < want {
				if st.off >= st.end {
					return false // no later start can be continued either
				}
				gap, st.off = uvarint(cursors[i].data, st.off)
				st.pos = max(st.pos, 0) + int32(gap)
			}
			if st.pos != want {
				found = false
				break
			}
		}
		if found {
			return true
		}
	}
	return false
}

// positionStream reads one element's positions as far as phraseIn needs.
type positionStream struct {
	off, end int
	pos      int32 // the last read, -1 before the first
}

// phraseStarts returns where in the current document the phrase starts: the
// element with the fewest positions proposes starts, and each other element
// keeps those it continues, decoding its positions only as far as the last
// start left needs; it stops as soon as none is left.
func phraseStarts(elems []elem, cursors []cursor, starts []int32) []int32 {
	base := 0
	for i := range cursors {
		if cursors[i].posEnd-cursors[i].posStart < cursors[base].posEnd-cursors[base].posStart {
			base = i
		}
	}
	starts = cursors[base].positions(starts)
	for k := range starts {
		starts[k] -= int32(elems[base].rel)
	}
	for i := range cursors {
		if i == base || len(starts) == 0 {
			continue
		}
		c, rel := &cursors[i], int32(elems[i].rel)
		kept, j, p := starts[:0], 0, int32(0)
		for off := c.posStart; off < c.posEnd && j < len(starts); {
			var gap uint64
			gap, off = uvarint(c.data, off)
			p += int32(gap)
			for j < len(starts) && starts[j]+rel < p {
				j++
			}
			if j < len(starts) && starts[j]+rel == p {
				kept = append(kept, starts[j])
				j++
			}
		}
		starts = kept
	}
	return starts
}

// top returns the page of hits q asks for, best (or newest) first. Only the
// documents whose bound could still make the page have their phrases'
// weights counted.
func (ix *Index) top(docs []scoredDoc, sc *scorer, q *Query) []Hit {
	k := q.Offset + q.Limit
	if q.Sort == ByDate {
		h := &hitHeap{less: func(a, b scoredDoc) bool { return ix.newer(b, a) }}
		for _, d := range docs {
			h.keep(d, k)
		}
		for i, d := range h.items {
			if !d.exact {
				h.items[i].score = ix.exact(sc, d.doc)
			}
		}
		return ix.hits(h, q.Offset)
	}
	now := q.Now.Unix()
	h := &hitHeap{less: func(a, b scoredDoc) bool { return ix.better(b, a) }}
	for _, d := range docs {
		// the boost is at most 1+recencyBoost: a document that cannot beat the
		// worst kept one even so is passed over without computing it
		if h.Len() == k && d.score*(1+recencyBoost) < h.items[0].score {
			continue
		}
		age := float64(max(0, now-ix.docs[d.doc].date))
		boost := 1 + recencyBoost*math.Exp2(-age/recencyHalfAge)
		if !d.exact {
			if h.Len() == k && d.score*boost < h.items[0].score {
				continue
			}
			d.score, d.exact = ix.exact(sc, d.doc), true
		}
		d.score *= boost
		h.keep(d, k)
	}
	return ix.hits(h, q.Offset)
}

// better orders by score, then newer, then higher ID: a total order, so pages
// never overlap.
func (ix *Index) better(a, b scoredDoc) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return ix.newer(a, b)
}

func (ix *Index) newer(a, b scoredDoc) bool {
	da, db := &ix.docs[a.doc], &ix.docs[b.doc]
	if da.date != db.date {
		return da.date > db.date
	}
	return da.id > db.id
}

// keep adds d if it is among the k best seen, the root being the worst kept.
func (h *hitHeap) keep(d scoredDoc, k int) {
	if h.Len() < k {
		heap.Push(h, d)
	} else if h.less(h.items[0], d) {
		h.items[0] = d
		heap.Fix(h, 0)
	}
}

func (ix *Index) hits(h *hitHeap, offset int) []Hit {
	kept := h.items
	slices.SortFunc(kept, func(a, b scoredDoc) int {
		switch {
		case h.less(b, a):
			return -1
		case h.less(a, b):
			return 1
		}
		return cmp.Compare(a.doc, b.doc)
	})
	out := []Hit{}
	for i := offset; i < len(kept); i++ {
		out = append(out, Hit{ID: ix.docs[kept[i].doc].id, Score: kept[i].score})
	}
	return out
}

// hitHeap is a heap whose root is the least by less.
type hitHeap struct {
	items []scoredDoc
	less  func(a, b scoredDoc) bool
}

func (h *hitHeap) Len() int           { return len(h.items) }
func (h *hitHeap) Less(i, j int) bool { return h.less(h.items[i], h.items[j]) }
func (h *hitHeap) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *hitHeap) Push(x any)         { h.items = append(h.items, x.(scoredDoc)) }
func (h *hitHeap) Pop() any {
	x := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return x
}
