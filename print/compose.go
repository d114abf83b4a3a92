package print

import (
	"math"
	"strings"
)

// Layout works in millimetres from the top-left corner of the page and first
// builds every page as a list of drawing operations; only then are they
// written to the PDF. That is what lets the table of contents, laid out
// before the articles, print the pages the articles really start on.
//
// This file holds what an issue (layout.go) and a one-column document
// (document.go) share: the drawing operations, the boxes text is cut into,
// and the composer that flows boxes down pages.

type rgb [3]int

var (
	black = rgb{0, 0, 0}
	ink   = rgb{34, 34, 34}
	grey  = rgb{110, 110, 110}
	red   = rgb{178, 24, 28}
	white = rgb{255, 255, 255}
	pale  = rgb{238, 238, 238}
)

// style is a text style: the font is always the embedded one.
type style struct {
	size  float64 // pt
	lead  float64 // line height, mm
	color rgb
	bold  bool
}

type opKind int

const (
	opText opKind = iota
	opRule
	opFill
	opImage
)

// op is one drawing operation. Text: (x, y) is the baseline start. Rule: from
// (x, y) to (x2, y2). Fill and image: (x, y) top-left, w×h.
type op struct {
	kind        opKind
	x, y        float64
	x2, y2      float64
	w, h        float64
	text        string
	st          style
	spacing     float64 // extra space after each glyph, mm (justification)
	wordSpacing float64 // extra space after each space, mm (justification)
	color       rgb
	img         string
	lineW       float64
}

type page struct {
	ops  []op
	head string // running head for an odd page; the cover has none
}

func (p *page) add(o op) int { p.ops = append(p.ops, o); return len(p.ops) - 1 }

// box is one unbreakable item of a column: a line of text, a table row, a
// picture with its caption. before is dropped at the top of a column.
type box struct {
	before float64
	h      float64
	keep   bool // keep with the next box (headings)
	draw   func(p *page, x, y float64)
	// repeat is set again above this box when it starts a page: the header
	// rows of the table the box is a row of.
	repeat []box
}

type geom struct {
	pw, ph        float64
	left, textW   float64
	top, bottom   float64 // y of the first line top and of the last line bottom
	colGap, colW  float64
	headY, folioY float64
}

// composer builds pages of boxes: the part of a layout that knows nothing of
// what is being printed.
type composer struct {
	fc    *face
	g     geom
	pages []*page
	y     float64 // cursor: top of the next box on the last page
}

func (c *composer) newPage(head string) *page {
	p := &page{head: head}
	c.pages = append(c.pages, p)
	c.y = c.g.top
	return p
}

func (c *composer) page() *page { return c.pages[len(c.pages)-1] }

func (c *composer) adv(st style) func(rune) float64 {
	return func(r rune) float64 { return c.fc.em(r) * st.size * mmPerPt }
}

func (c *composer) lines(text string, st style, width, indent float64) []line {
	return breakLines(text, func(i int) float64 {
		if i == 0 {
			return width - indent
		}
		return width
	}, c.adv(st))
}

// baseline is where text of style st sits in a line box whose top is y.
func baseline(st style, y float64) float64 {
	size := st.size * mmPerPt
	return y + (st.lead-size)/2 + size*0.86
}

type align int

const (
	alignLeft align = iota
	alignCenter
	alignRight
	alignJustify
)

// textOp sets one line in a box of the given width.
func (c *composer) textOp(l line, st style, x, y, width float64, a align) op {
	o := op{kind: opText, text: l.text, st: st, y: baseline(st, y), x: x}
	switch a {
	case alignCenter:
		o.x = x + (width-l.width)/2
	case alignRight:
		o.x = x + width - l.width
	case alignJustify:
		if l.last || l.width >= width {
			break
		}
		slack, em := width-l.width, st.size*mmPerPt
		// A line with spaces (Latin words) is justified in its spaces, a
		// Chinese line between every glyph; a line that would stretch too far
		// (a long word pushed down) stays ragged.
		if spaces := strings.Count(l.text, " "); spaces > 0 {
			if slack/float64(spaces) < em {
				o.wordSpacing = slack / float64(spaces)
			}
		} else if n := len([]rune(l.text)); n > 1 && slack/float64(n-1) < em/3 {
			o.spacing = slack / float64(n-1)
		}
	}
	return o
}

// paraBoxes turns a paragraph into line boxes: indent shortens the first
// line, hang indents every line (list items, quotes).
func (c *composer) paraBoxes(text string, st style, width, indent, hang float64, a align, before float64, keep bool) []box {
	ls := c.lines(text, st, width-hang, indent)
	out := make([]box, len(ls))
	for i, l := range ls {
		l, ind := l, hang
		if i == 0 {
			ind += indent
		}
		out[i] = box{h: st.lead, keep: keep, draw: func(p *page, x, y float64) {
			p.add(c.textOp(l, st, x+ind, y, width-ind, a))
		}}
	}
	if len(out) > 0 {
		out[0].before = before
		// No single line of a paragraph alone at the foot of a column.
		if len(out) > 2 {
			out[0].keep = true
		}
	}
	return out
}

// flow sets boxes in ncols columns from the cursor down, balancing the
// columns on the page where the boxes end, and leaves the cursor below them.
func (c *composer) flow(boxes []box, ncols int, head string) {
	g := c.g
	colW := g.textW
	if ncols == 2 {
		colW = g.colW
	}
	repeated := 0 // header rows set again at the top of this page
	for len(boxes) > 0 {
		avail := g.bottom - c.y
		if split, ok := balance(boxes, ncols, avail); ok {
			bottom := c.place(boxes[:split], g.left, c.y)
			if split < len(boxes) {
				bottom = math.Max(bottom, c.place(boxes[split:], g.left+colW+g.colGap, c.y))
			}
			c.y = bottom
			return
		}
		for col := 0; col < ncols && len(boxes) > 0; col++ {
			least := 0
			if c.y == g.top && col == 0 {
				// A fresh page takes at least one box (and one past the
				// repeated header rows), or an oversized one would stall.
				least = 1 + repeated
			}
			n := fitCount(boxes, avail, least)
			c.place(boxes[:n], g.left+float64(col)*(colW+g.colGap), c.y)
			boxes = boxes[n:]
		}
		if len(boxes) > 0 {
			c.newPage(head)
			repeated = len(boxes[0].repeat)
			if repeated > 0 {
				boxes = append(append([]box(nil), boxes[0].repeat...), boxes...)
			}
		}
	}
}

func (c *composer) place(boxes []box, x, y float64) float64 {
	for i, b := range boxes {
		if i > 0 {
			y += b.before
		}
		b.draw(c.page(), x, y)
		y += b.h
	}
	return y
}

func colHeight(boxes []box) float64 {
	h := 0.0
	for i, b := range boxes {
		if i > 0 {
			h += b.before
		}
		h += b.h
	}
	return h
}

// fitCount is how many boxes fit in a column of height avail without leaving
// a kept box at its foot, but at least least of them (on an empty page at
// least one goes, so that an oversized box cannot stall the layout).
func fitCount(boxes []box, avail float64, least int) int {
	n, h := 0, 0.0
	for n < len(boxes) {
		add := boxes[n].h
		if n > 0 {
			add += boxes[n].before
		}
		if h+add > avail+epsilon {
			break
		}
		h += add
		n++
	}
	if n < len(boxes) {
		for k := n; k > 0; k-- {
			if !boxes[k-1].keep {
				n = k
				break
			}
			if k == 1 {
				n = 0
			}
		}
	}
	return max(n, min(least, len(boxes)))
}

// balance finds where to split boxes between columns so that both fit in
// avail and the left is no shorter than the right; ok is false when the boxes
// do not all fit on this page.
func balance(boxes []box, ncols int, avail float64) (split int, ok bool) {
	if ncols == 1 || len(boxes) == 1 {
		return len(boxes), colHeight(boxes) <= avail+epsilon
	}
	best, bestH := -1, math.Inf(1)
	for k := 1; k <= len(boxes); k++ {
		if k < len(boxes) && boxes[k-1].keep {
			continue
		}
		l, r := colHeight(boxes[:k]), colHeight(boxes[k:])
		if l > avail+epsilon {
			break
		}
		if r > avail+epsilon || r > l+epsilon {
			continue
		}
		if l < bestH {
			best, bestH = k, l
		}
	}
	return best, best > 0
}

// textStyles are how the text blocks of a body are set: the measure, the
// styles, and the space above each kind of block.
type textStyles struct {
	width               float64
	body, quote, h2, h3 style
	paraGap             float64 // above a paragraph or a quote
	headGap             float64 // above a heading
	itemGap             float64 // above a list item
}

// textBlockBoxes sets a paragraph (first line indented by two characters, the
// Chinese way, unless it is set flush), a quote, a heading or a list item;
// other blocks give no boxes.
func (c *composer) textBlockBoxes(b block, ts textStyles) []box {
	w, em := ts.width, ts.body.size*mmPerPt
	switch b.kind {
	case blockPara:
		return c.paraBoxes(b.text, ts.body, w, 2*em, 0, alignJustify, ts.paraGap, false)
	case blockFlush:
		return c.paraBoxes(b.text, ts.body, w, 0, 0, alignJustify, ts.paraGap, false)
	case blockQuote:
		qem := ts.quote.size * mmPerPt
		return c.paraBoxes(b.text, ts.quote, w-qem, 2*qem, qem, alignJustify, ts.paraGap, false)
	case blockHeading:
		st := ts.h2
		if b.level > 2 {
			st = ts.h3
		}
		return c.paraBoxes(b.text, st, w, 0, 0, alignLeft, ts.headGap, true)
	case blockItem:
		hang := c.fc.width(b.marker, ts.body.size) + em*0.6
		bs := c.paraBoxes(b.text, ts.body, w, 0, hang, alignJustify, ts.itemGap, false)
		if len(bs) > 0 {
			inner, marker, st := bs[0].draw, b.marker, ts.body
			bs[0].draw = func(p *page, x, y float64) {
				p.add(c.textOp(line{text: marker}, st, x, y, 0, alignLeft))
				inner(p, x, y)
			}
		}
		return bs
	}
	return nil
}

// fitLine shortens text with an ellipsis until it fits width on one line.
func (c *composer) fitLine(text string, st style, width float64) line {
	rs := []rune(text)
	for len(rs) > 0 {
		s := string(rs)
		if len(rs) < len([]rune(text)) {
			s += "…"
		}
		if w := c.fc.width(s, st.size); w <= width {
			return line{text: s, width: w}
		}
		rs = rs[:len(rs)-1]
	}
	return line{}
}
