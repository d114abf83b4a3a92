package search

import (
	"encoding/binary"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/heraldnews/herald"
)

// Document is what the index keeps of an article: its text as plain text and
// what searches filter on.
type Document struct {
	ID       int64
	Title    string
	Subtitle string
	Tags     []string
	Authors  []string // names, Chinese and English
	Source   string
	Summary  string
	Body     string // plain text, paragraphs separated by new lines
	Status   herald.Status
	UnitID   int64
	ColumnID int64
	ThemeIDs []int64
	Language string
	Date     time.Time // publication time, or the last change for unpublished pieces
}

// numFields is how many fields a document has: title, subtitle, tags,
// authors, source, summary and body, in position order (Document.texts).
const numFields = 7

// fieldBoost2 is how much a match in each field counts, twice over: the
// weights are 3, 2, 2, 2, 1, 1.5 and 1.
var fieldBoost2 = [numFields]uint64{6, 4, 4, 4, 2, 3, 2}

// fieldGap separates fields and the items of list fields in the run of
// positions, so that no phrase matches across them.
const fieldGap = 16

// texts returns a document's fields in field order, each as its items.
func (d *Document) texts() [numFields][]string {
	return [numFields][]string{{d.Title}, {d.Subtitle}, d.Tags, d.Authors, {d.Source}, {d.Summary}, {d.Body}}
}

// docInfo is what the index holds per document number and reads for every
// match; docMeta the rest, kept apart so that the scan stays in cache.
type docInfo struct {
	id     int64
	unit   int64
	column int64
	date   int64            // Unix seconds
	fields [numFields]int32 // the first position of each field
	length int32            // how many positions hold a term
	terms  int32            // distinct terms, for counting dead postings
	lang   uint16           // index into Index.langs
	live   bool
	status uint8 // bit i set: herald.Statuses[i]
}

type docMeta struct {
	themes    []int64
	title     string
	titleFold string
}

// weight2 sums twice the field weights of occurrences at positions (in
// order): the weights are halves, so the sum is a whole number to store.
func (d *docInfo) weight2(positions []int32) uint64 {
	var w uint64
	f := 0
	for _, p := range positions {
		for f+1 < numFields && d.fields[f+1] <= p {
			f++
		}
		w += fieldBoost2[f]
	}
	return w
}

// statusBits returns the bits of statuses, as docInfo.status holds them.
func statusBits(statuses ...herald.Status) uint8 {
	var b uint8
	for _, st := range statuses {
		if i := slices.Index(herald.Statuses, st); i >= 0 {
			b |= 1 << i
		}
	}
	return b
}

// postingList is a term's postings in document-number order: for each
// document the gap from the previous document number, twice the weighted
// number of occurrences (docInfo.weight2), the byte length of the positions
// and the positions as gaps, all as unsigned varints. Single words are scored
// without reading their positions; phrases read them.
type postingList struct {
	data  []byte
	last  int32
	n     int32       // postings held
	skips []skipEntry // every skipEvery-th posting, for cursors to jump to
}

// skipEvery is how many postings lie between two skip entries.
const skipEvery = 128

// skipEntry marks where a posting starts: its document, the document before
// it (the base of its gap) and its byte offset.
type skipEntry struct {
	doc, prev, off int32
}

// begin starts the posting of document num with its gap; the caller appends
// the rest (weight, length and positions).
func (pl *postingList) begin(num int32) {
	if pl.n%skipEvery == 0 {
		pl.skips = append(pl.skips, skipEntry{doc: num, prev: pl.last, off: int32(len(pl.data))})
	}
	pl.n++
	pl.data = binary.AppendUvarint(pl.data, uint64(num-pl.last))
	pl.last = num
}

// reserve makes room for n more bytes, doubling the list when it must grow:
// append grows large slices by a quarter, which would copy a list built
// posting by posting four times over.
func (pl *postingList) reserve(n int) {
	if cap(pl.data)-len(pl.data) < n {
		grown := make([]byte, len(pl.data), max(2*cap(pl.data), len(pl.data)+n))
		copy(grown, pl.data)
		pl.data = grown
	}
}

// Index is an in-memory inverted index. It is safe for concurrent use: many
// searches run at once, and a write waits for them while it analyses and
// appends one document.
type Index struct {
	mu       sync.RWMutex
	cjk      map[uint64]int32 // term numbers of characters and pairs, by cjkKey
	common   []int32          // 1 + the term numbers of the common Han characters (U+4E00–9FFF), 0 for none yet: the map is slower
	words    map[string]int32 // term numbers of words
	lists    []postingList    // by term number; a term whose documents are all gone keeps an empty list
	docs     []docInfo
	meta     []docMeta
	langs    []string // the languages of documents, lower case, each once
	byID     map[int64]int32
	live     int
	liveLen  int64
	postings int // postings held, live or dead
	dead     int // postings of replaced or deleted documents
	scratch  analysis
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{cjk: map[uint64]int32{}, common: make([]int32, 0x9FFF-commonHan+1), words: map[string]int32{}, byID: map[int64]int32{}}
}

// Len returns how many documents the index holds.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.live
}

// analysis is the room Put cuts a document into terms in, kept from one
// document to the next so that indexing allocates almost nothing.
type analysis struct {
	gen       int32   // counts the documents analysed
	seen      []int32 // by term number: the gen of the last document that had it
	slot      []int32 // by term number: its place in terms, for the document of seen
	terms     []int32 // the document's term numbers, in order of first occurrence
	counts    []int32 // occurrences of each of terms, then where its positions start
	tokens    []slotPos
	positions []int32 // the positions of each of terms in turn
	buf       []byte
}

type slotPos struct{ slot, pos int32 }

// Put adds a document, replacing the one with the same ID.
func (ix *Index) Put(d *Document) {
	info := docInfo{id: d.ID, live: true, status: statusBits(d.Status), unit: d.UnitID, column: d.ColumnID, date: d.Date.Unix()}
	meta := docMeta{themes: slices.Clone(d.ThemeIDs), title: d.Title, titleFold: foldString(d.Title)}
	lang := strings.ToLower(d.Language)
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.remove(d.ID)
	num := int32(len(ix.docs))
	a := &ix.scratch
	a.gen++
	a.terms, a.counts, a.tokens = a.terms[:0], a.counts[:0], a.tokens[:0]
	emit := func(t token) {
		id := ix.term(t)
		if a.seen[id] != a.gen {
			a.seen[id], a.slot[id] = a.gen, int32(len(a.terms))
			a.terms, a.counts = append(a.terms, id), append(a.counts, 0)
		}
		s := a.slot[id]
		a.counts[s]++
		a.tokens = append(a.tokens, slotPos{s, int32(t.pos)})
	}
	pos := 0
	for f, items := range d.texts() {
		info.fields[f] = int32(pos)
		for _, item := range items {
			end := analyze(item, pos, emit)
			info.length += int32(end - pos)
			pos = end + fieldGap
		}
	}
	info.terms = int32(len(a.terms))
	info.lang = ix.langIndex(lang)
	// the positions of each term together, in order (a counting sort)
	at := int32(0)
	for s, c := range a.counts {
		a.counts[s] = at
		at += c
	}
	a.positions = slices.Grow(a.positions[:0], len(a.tokens))[:len(a.tokens)]
	for _, t := range a.tokens {
		a.positions[a.counts[t.slot]] = t.pos
		a.counts[t.slot]++
	}
	from := int32(0)
	for s, id := range a.terms {
		ps := a.positions[from:a.counts[s]]
		from = a.counts[s]
		a.buf = a.buf[:0]
		prev := int32(0)
		for _, p := range ps {
			a.buf = binary.AppendUvarint(a.buf, uint64(p-prev))
			prev = p
		}
		pl := &ix.lists[id]
		pl.reserve(3*binary.MaxVarintLen32 + len(a.buf))
		pl.begin(num)
		pl.data = binary.AppendUvarint(pl.data, info.weight2(ps))
		pl.data = binary.AppendUvarint(pl.data, uint64(len(a.buf)))
		pl.data = append(pl.data, a.buf...)
	}
	ix.docs = append(ix.docs, info)
	ix.meta = append(ix.meta, meta)
	ix.byID[d.ID] = num
	ix.live++
	ix.liveLen += int64(info.length)
	ix.postings += len(a.terms)
	ix.compactIfWasteful()
}

// commonHan is the first of the common Han characters (up to U+9FFF).
const commonHan = 0x4E00

// term returns the number of a token's term, adding the term if new.
func (ix *Index) term(t token) int32 {
	if t.key-commonHan < uint64(len(ix.common)) {
		if ix.common[t.key-commonHan] == 0 {
			id := ix.newTerm()
			ix.cjk[t.key], ix.common[t.key-commonHan] = id, id+1
		}
		return ix.common[t.key-commonHan] - 1
	}
	if t.kind != word {
		id, ok := ix.cjk[t.key]
		if !ok {
			id = ix.newTerm()
			ix.cjk[t.key] = id
		}
		return id
	}
	id, ok := ix.words[t.term]
	if !ok {
		id = ix.newTerm()
		ix.words[strings.Clone(t.term)] = id // the word may share memory with a longer text
	}
	return id
}

func (ix *Index) newTerm() int32 {
	ix.lists = append(ix.lists, postingList{last: -1})
	ix.scratch.seen = append(ix.scratch.seen, 0)
	ix.scratch.slot = append(ix.scratch.slot, 0)
	return int32(len(ix.lists) - 1)
}

// Delete removes a document; deleting one the index does not hold does nothing.
func (ix *Index) Delete(id int64) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.remove(id)
	ix.compactIfWasteful()
}

func (ix *Index) remove(id int64) {
	num, ok := ix.byID[id]
	if !ok {
		return
	}
	d := &ix.docs[num]
	d.live = false
	ix.meta[num] = docMeta{}
	delete(ix.byID, id)
	ix.live--
	ix.liveLen -= int64(d.length)
	ix.dead += int(d.terms)
}

// compactIfWasteful rewrites the posting lists without dead documents once
// they make up a quarter of them, renumbering the live ones.
func (ix *Index) compactIfWasteful() {
	if ix.dead < 4096 || ix.dead*4 < ix.postings {
		return
	}
	renum := make([]int32, len(ix.docs))
	docs, meta := make([]docInfo, 0, ix.live), make([]docMeta, 0, ix.live)
	for i := range ix.docs {
		renum[i] = -1
		if ix.docs[i].live {
			renum[i] = int32(len(docs))
			ix.byID[ix.docs[i].id] = renum[i]
			docs, meta = append(docs, ix.docs[i]), append(meta, ix.meta[i])
		}
	}
	postings := 0
	for i, pl := range ix.lists {
		fresh := postingList{last: -1}
		c := cursor{data: pl.data, doc: -1}
		for c.next() {
			if n := renum[c.doc]; n >= 0 {
				fresh.begin(n)
				fresh.data = append(fresh.data, c.data[c.headStart:c.posEnd]...)
				postings++
			}
		}
		ix.lists[i] = fresh
	}
	ix.docs, ix.meta, ix.postings, ix.dead = docs, meta, postings, 0
}

// langIndex returns the number of a language, adding it if new.
func (ix *Index) langIndex(lang string) uint16 {
	if i := slices.Index(ix.langs, lang); i >= 0 {
		return uint16(i)
	}
	ix.langs = append(ix.langs, lang)
	return uint16(len(ix.langs) - 1)
}

// join appends the documents of the other parts to the first, numbering them
// after its own; the parts hold different documents and none is deleted.
func join(parts []*Index) *Index {
	ix := parts[0]
	for _, part := range parts[1:] {
		offset := int32(len(ix.docs))
		first := len(ix.docs)
		ix.docs = append(ix.docs, part.docs...)
		for i := first; i < len(ix.docs); i++ {
			ix.docs[i].lang = ix.langIndex(part.langs[ix.docs[i].lang])
		}
		ix.meta = append(ix.meta, part.meta...)
		for id, num := range part.byID {
			ix.byID[id] = num + offset
		}
		ix.live += part.live
		ix.liveLen += part.liveLen
		ix.postings += part.postings
		ix.dead += part.dead
		appendList := func(dst, src *postingList) {
			if src.n == 0 {
				return
			}
			// the first gap counts from -1 in the part; it now counts from dst.last
			base, prev := int32(len(dst.data)), dst.last
			gap, n := binary.Uvarint(src.data)
			dst.data = binary.AppendUvarint(dst.data, uint64(int32(gap)-1+offset-dst.last))
			shift := int32(len(dst.data)) - base - int32(n) // the first gap's new length
			dst.data = append(dst.data, src.data[n:]...)
			for _, sk := range src.skips {
				e := skipEntry{doc: sk.doc + offset, prev: sk.prev + offset, off: base + sk.off + shift}
				if sk.off == 0 {
					e.prev, e.off = prev, base
				}
				dst.skips = append(dst.skips, e)
			}
			dst.n += src.n
			dst.last = src.last + offset
		}
		for k, src := range part.cjk {
			appendList(&ix.lists[ix.term(token{key: k, kind: unigram})], &part.lists[src])
		}
		for w, src := range part.words {
			appendList(&ix.lists[ix.term(token{term: w, kind: word})], &part.lists[src])
		}
	}
	return ix
}

// trim gives each posting list back the room it grew into but did not use:
// built by appending, lists hold up to a quarter more than they need.
func (ix *Index) trim() {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for i := range ix.lists {
		if pl := &ix.lists[i]; cap(pl.data)-len(pl.data) > 64 {
			pl.data = append([]byte(nil), pl.data...)
		}
	}
}

// list returns a term's postings, nil if no document has it.
func (ix *Index) list(term string) *postingList {
	var id int32
	var ok bool
	if k := cjkKey(term); k != 0 {
		id, ok = ix.cjk[k]
	} else {
		id, ok = ix.words[term]
	}
	if !ok || ix.lists[id].n == 0 {
		return nil
	}
	return &ix.lists[id]
}

// terms returns how many terms the index holds.
func (ix *Index) terms() int {
	n := 0
	for i := range ix.lists {
		if ix.lists[i].n > 0 {
			n++
		}
	}
	return n
}

// cjkKey packs an ideographic character or pair into a number, a cheaper map
// key than its text; it returns 0 for a word.
func cjkKey(term string) uint64 {
	r1, n := utf8.DecodeRuneInString(term)
	if !ideographic(r1) {
		return 0
	}
	if n == len(term) {
		return uint64(r1)
	}
	r2, _ := utf8.DecodeRuneInString(term[n:])
	return pairKey(r1, r2)
}

// pairKey is the cjkKey of two characters.
func pairKey(r1, r2 rune) uint64 { return 1<<63 | uint64(r1)<<21 | uint64(r2) }

// cursor walks a posting list.
type cursor struct {
	data                        []byte
	skips                       []skipEntry
	off                         int
	doc                         int32
	weight2                     uint64
	headStart, posStart, posEnd int
}

// next moves to the next posting; it returns false, with doc at MaxInt32, at
// the end.
func (c *cursor) next() bool {
	if c.off >= len(c.data) {
		c.doc = math.MaxInt32
		return false
	}
	var gap, size uint64
	gap, c.off = uvarint(c.data, c.off)
	c.headStart = c.off
	c.weight2, c.off = uvarint(c.data, c.off)
	size, c.off = uvarint(c.data, c.off)
	c.doc += int32(gap)
	c.posStart, c.posEnd = c.off, c.off+int(size)
	c.off = c.posEnd
	return true
}

// uvarint decodes the varint at data[off] and returns it with the offset after
// it; most are one byte, which it reads without a call.
func uvarint(data []byte, off int) (uint64, int) {
	if b := data[off]; b < 0x80 {
		return uint64(b), off + 1
	}
	return uvarintLong(data, off)
}

func uvarintLong(data []byte, off int) (uint64, int) {
	v, n := binary.Uvarint(data[off:])
	return v, off + n
}

// seek moves to the first posting at or after doc.
func (c *cursor) seek(doc int32) bool {
	if doc-c.doc > 2*skipEvery && len(c.skips) > 0 {
		// jump to the last skip entry at or before doc, if it lies ahead
		i := sort.Search(len(c.skips), func(i int) bool { return c.skips[i].doc > doc }) - 1
		if i >= 0 && c.skips[i].doc > c.doc && int(c.skips[i].off) >= c.off {
			c.off, c.doc = int(c.skips[i].off), c.skips[i].prev
		}
	}
	for c.doc < doc {
		if !c.next() {
			return false
		}
	}
	return true
}

// positions decodes the current posting's positions into buf.
func (c *cursor) positions(buf []int32) []int32 {
	buf = buf[:0]
	p := int32(0)
	for off := c.posStart; off < c.posEnd; {
		var gap uint64
		gap, off = uvarint(c.data, off)
		p += int32(gap)
		buf = append(buf, p)
	}
	return buf
}

// foldString folds a whole string the way analyze folds runes.
func foldString(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		f, extra := fold(r)
		if f >= 0 {
			b.WriteRune(f)
		}
		if extra >= 0 {
			b.WriteRune(extra)
		}
	}
	return b.String()
}
