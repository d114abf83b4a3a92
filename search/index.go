package search

import (
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

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

// Fields of a document in position order, and how much a match in each counts.
const (
	fieldTitle = iota
	fieldSubtitle
	fieldTags
	fieldAuthors
	fieldSource
	fieldSummary
	fieldBody
	numFields
)

var fieldBoost = [numFields]float64{3, 2, 2, 2, 1, 1.5, 1}

// fieldGap separates fields and the items of list fields in the run of
// positions, so that no phrase matches across them.
const fieldGap = 16

// texts returns a document's fields in field order, each as its items.
func (d *Document) texts() [numFields][]string {
	return [numFields][]string{{d.Title}, {d.Subtitle}, d.Tags, d.Authors, {d.Source}, {d.Summary}, {d.Body}}
}

// docInfo is what the index holds per document number.
type docInfo struct {
	id        int64
	fields    [numFields]int32 // the first position of each field
	length    int32            // how many positions hold a term
	terms     int32            // distinct terms, for counting dead postings
	live      bool
	status    uint8 // bit i set: herald.Statuses[i]
	unit      int64
	column    int64
	themes    []int64
	lang      string // lower case
	date      int64  // Unix seconds
	title     string
	titleFold string
}

// weight sums the field weights of occurrences at positions (in order).
func (d *docInfo) weight(positions []int32) float64 {
	var w float64
	f := 0
	for _, p := range positions {
		for f+1 < numFields && d.fields[f+1] <= p {
			f++
		}
		w += fieldBoost[f]
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
// document the gap from the previous document number, the number of
// positions, the byte length of the positions and the positions as gaps, all
// as unsigned varints.
type postingList struct {
	data []byte
	last int32
}

// Index is an in-memory inverted index. It is safe for concurrent use: many
// searches run at once, and a write waits for them only while it appends.
type Index struct {
	mu       sync.RWMutex
	terms    map[string]*postingList
	docs     []docInfo
	byID     map[int64]int32
	live     int
	liveLen  int64
	postings int // postings held, live or dead
	dead     int // postings of replaced or deleted documents
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{terms: map[string]*postingList{}, byID: map[int64]int32{}}
}

// Len returns how many documents the index holds.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.live
}

// analyzed is a document cut into terms, ready to append.
type analyzed struct {
	info  docInfo
	terms map[string][]int32
}

func analyzeDoc(d *Document) *analyzed {
	a := &analyzed{terms: make(map[string][]int32, 256), info: docInfo{
		id: d.ID, live: true, status: statusBits(d.Status), unit: d.UnitID, column: d.ColumnID,
		themes: slices.Clone(d.ThemeIDs), lang: strings.ToLower(d.Language), date: d.Date.Unix(),
		title: d.Title, titleFold: foldString(d.Title),
	}}
	pos := 0
	for f, items := range d.texts() {
		a.info.fields[f] = int32(pos)
		for _, item := range items {
			end := analyze(item, pos, func(t token) {
				a.terms[t.term] = append(a.terms[t.term], int32(t.pos))
			})
			a.info.length += int32(end - pos)
			pos = end + fieldGap
		}
	}
	a.info.terms = int32(len(a.terms))
	return a
}

// Put adds a document, replacing the one with the same ID.
func (ix *Index) Put(d *Document) {
	a := analyzeDoc(d)
	blocks := make(map[string][]byte, len(a.terms))
	var buf []byte
	for term, ps := range a.terms {
		start := len(buf)
		prev := int32(0)
		for _, p := range ps {
			buf = binary.AppendUvarint(buf, uint64(p-prev))
			prev = p
		}
		blocks[term] = buf[start:len(buf):len(buf)]
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.remove(d.ID)
	num := int32(len(ix.docs))
	ix.docs = append(ix.docs, a.info)
	ix.byID[d.ID] = num
	ix.live++
	ix.liveLen += int64(a.info.length)
	for term, block := range blocks {
		pl := ix.terms[term]
		if pl == nil {
			pl = &postingList{last: -1}
			ix.terms[term] = pl
		}
		pl.data = binary.AppendUvarint(pl.data, uint64(num-pl.last))
		pl.data = binary.AppendUvarint(pl.data, uint64(len(a.terms[term])))
		pl.data = binary.AppendUvarint(pl.data, uint64(len(block)))
		pl.data = append(pl.data, block...)
		pl.last = num
	}
	ix.postings += len(blocks)
	ix.compactIfWasteful()
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
	d.themes, d.title, d.titleFold = nil, "", ""
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
	docs := make([]docInfo, 0, ix.live)
	for i := range ix.docs {
		renum[i] = -1
		if ix.docs[i].live {
			renum[i] = int32(len(docs))
			ix.byID[ix.docs[i].id] = renum[i]
			docs = append(docs, ix.docs[i])
		}
	}
	postings := 0
	for term, pl := range ix.terms {
		var out []byte
		last := int32(-1)
		c := cursor{data: pl.data, doc: -1}
		for c.next() {
			n := renum[c.doc]
			if n < 0 {
				continue
			}
			out = binary.AppendUvarint(out, uint64(n-last))
			out = binary.AppendUvarint(out, uint64(c.count))
			out = binary.AppendUvarint(out, uint64(c.posEnd-c.posStart))
			out = append(out, c.data[c.posStart:c.posEnd]...)
			last = n
			postings++
		}
		if out == nil {
			delete(ix.terms, term)
			continue
		}
		pl.data, pl.last = out, last
	}
	ix.docs, ix.postings, ix.dead = docs, postings, 0
}

// trim gives each posting list back the room it grew into but did not use:
// built by appending, lists hold up to a quarter more than they need.
func (ix *Index) trim() {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for _, pl := range ix.terms {
		if cap(pl.data)-len(pl.data) > 64 {
			pl.data = append([]byte(nil), pl.data...)
		}
	}
}

// cursor walks a posting list.
type cursor struct {
	data             []byte
	off              int
	doc              int32
	count            int
	posStart, posEnd int
}

// next moves to the next posting; it returns false, with doc at MaxInt32, at
// the end.
func (c *cursor) next() bool {
	if c.off >= len(c.data) {
		c.doc = math.MaxInt32
		return false
	}
	gap, n := binary.Uvarint(c.data[c.off:])
	c.off += n
	count, n := binary.Uvarint(c.data[c.off:])
	c.off += n
	size, n := binary.Uvarint(c.data[c.off:])
	c.off += n
	c.doc += int32(gap)
	c.count = int(count)
	c.posStart, c.posEnd = c.off, c.off+int(size)
	c.off = c.posEnd
	return true
}

// seek moves to the first posting at or after doc.
func (c *cursor) seek(doc int32) bool {
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
		gap, n := binary.Uvarint(c.data[off:])
		off += n
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
