package print

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Layout works in millimetres from the top-left corner of the page and first
// builds every page as a list of drawing operations; only then are they
// written to the PDF. That is what lets the table of contents, laid out
// before the articles, print the pages the articles really start on.

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

var (
	stBody     = style{size: 10, lead: 6.0, color: ink}
	stQuote    = style{size: 9.5, lead: 5.6, color: grey}
	stH2       = style{size: 11.5, lead: 7, color: black, bold: true}
	stH3       = style{size: 10.5, lead: 6.4, color: black, bold: true}
	stCaption  = style{size: 8.5, lead: 4.6, color: grey}
	stTable    = style{size: 8.5, lead: 4.6, color: ink}
	stTitle    = style{size: 18, lead: 9.5, color: black, bold: true}
	stSubtitle = style{size: 12, lead: 7, color: ink}
	stMeta     = style{size: 9, lead: 5.5, color: grey}
	stHead     = style{size: 8.5, lead: 4, color: grey}
	stTOC      = style{size: 11, lead: 7, color: ink}
)

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
}

type geom struct {
	pw, ph        float64
	left, textW   float64
	top, bottom   float64 // y of the first line top and of the last line bottom
	colGap, colW  float64
	headY, folioY float64
}

type fixup struct {
	p       *page
	op      int
	article int
	right   float64
}

type doc struct {
	fc           *face
	g            geom
	issue        Issue
	pages        []*page
	y            float64
	fixups       []fixup
	articlePages []int
}

func newDoc(fc *face, size [2]float64, is Issue) *doc {
	pw, ph := size[0], size[1]
	g := geom{pw: pw, ph: ph}
	margin := math.Round(pw*0.085*10) / 10
	g.left, g.textW = margin, pw-2*margin
	g.top, g.bottom = ph*0.075, ph-ph*0.07
	g.colGap = 7
	g.colW = (g.textW - g.colGap) / 2
	g.headY = g.top - 6
	g.folioY = ph - ph*0.035
	return &doc{fc: fc, g: g, issue: is}
}

func (d *doc) newPage(head string) *page {
	p := &page{head: head}
	d.pages = append(d.pages, p)
	d.y = d.g.top
	return p
}

func (d *doc) page() *page { return d.pages[len(d.pages)-1] }

func (d *doc) adv(st style) func(rune) float64 {
	return func(r rune) float64 { return d.fc.em(r) * st.size * mmPerPt }
}

func (d *doc) lines(text string, st style, width, indent float64) []line {
	return breakLines(text, func(i int) float64 {
		if i == 0 {
			return width - indent
		}
		return width
	}, d.adv(st))
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
func (d *doc) textOp(l line, st style, x, y, width float64, a align) op {
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
func (d *doc) paraBoxes(text string, st style, width, indent, hang float64, a align, before float64, keep bool) []box {
	ls := d.lines(text, st, width-hang, indent)
	out := make([]box, len(ls))
	for i, l := range ls {
		l, ind := l, hang
		if i == 0 {
			ind += indent
		}
		out[i] = box{h: st.lead, keep: keep, draw: func(p *page, x, y float64) {
			p.add(d.textOp(l, st, x+ind, y, width-ind, a))
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
func (d *doc) flow(boxes []box, ncols int, head string) {
	g := d.g
	colW := g.textW
	if ncols == 2 {
		colW = g.colW
	}
	for len(boxes) > 0 {
		avail := g.bottom - d.y
		if split, ok := balance(boxes, ncols, avail); ok {
			bottom := d.place(boxes[:split], g.left, d.y)
			if split < len(boxes) {
				bottom = math.Max(bottom, d.place(boxes[split:], g.left+colW+g.colGap, d.y))
			}
			d.y = bottom
			return
		}
		for c := 0; c < ncols && len(boxes) > 0; c++ {
			n := fitCount(boxes, avail, d.y == g.top && c == 0)
			d.place(boxes[:n], g.left+float64(c)*(colW+g.colGap), d.y)
			boxes = boxes[n:]
		}
		if len(boxes) > 0 {
			d.newPage(head)
		}
	}
}

func (d *doc) place(boxes []box, x, y float64) float64 {
	for i, b := range boxes {
		if i > 0 {
			y += b.before
		}
		b.draw(d.page(), x, y)
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
// a kept box at its foot; on an empty page at least one goes, so that an
// oversized box cannot stall the layout.
func fitCount(boxes []box, avail float64, force bool) int {
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
	if n == 0 && force {
		n = 1
	}
	return n
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

// layout builds every page of the issue.
func (d *doc) layout(in *prepared) {
	d.cover()
	d.contents()
	d.editorsNote()
	for i := range d.issue.Articles {
		d.article(i, in)
	}
	for _, f := range d.fixups {
		num := strconv.Itoa(d.articlePages[f.article])
		o := &f.p.ops[f.op]
		o.text = num
		o.x = f.right - d.fc.width(num, o.st.size)
	}
}

func (d *doc) cover() {
	g, is := d.g, d.issue
	p := d.newPage("")
	bandH := g.ph * 0.28
	p.add(op{kind: opFill, x: 0, y: 0, w: g.pw, h: bandH, color: red})
	title := style{size: 34, lead: 16, color: white, bold: true}
	ls := d.lines(is.Title, title, g.textW, 0)
	y := (bandH-float64(len(ls))*title.lead)/2 + 4
	for _, l := range ls {
		p.add(d.textOp(l, title, g.left, y, g.textW, alignCenter))
		y += title.lead
	}
	meta := style{size: 13, lead: 8, color: ink}
	y = bandH + 10
	label := issueLabel(is)
	if is.Total > 0 {
		label += fmt.Sprintf("（总第%d期）", is.Total)
	}
	for _, s := range []string{label, fmt.Sprintf("%d年%d月", is.Date.Year(), int(is.Date.Month()))} {
		p.add(d.textOp(line{text: s, width: d.fc.width(s, meta.size)}, meta, g.left, y, g.textW, alignCenter))
		y += meta.lead
	}
	y += 8
	p.add(op{kind: opRule, x: g.left, y: y, x2: g.left + g.textW, y2: y, color: red, lineW: 0.6})
	y += 6
	hd := style{size: 14, lead: 9, color: red, bold: true}
	p.add(d.textOp(line{text: "本期要目", width: d.fc.width("本期要目", hd.size)}, hd, g.left, y, g.textW, alignLeft))
	y += hd.lead + 3
	item := style{size: 12, lead: 7.5, color: ink}
	limit := g.bottom - 20
	for _, a := range is.Articles {
		ls := d.lines(strings.TrimSpace(a.Title), item, g.textW-8, 0)
		if y+float64(len(ls))*item.lead > limit {
			break
		}
		p.add(op{kind: opFill, x: g.left + 1, y: y + item.lead/2 - 0.9, w: 1.8, h: 1.8, color: red})
		for _, l := range ls {
			p.add(d.textOp(l, item, g.left+6, y, g.textW-6, alignLeft))
			y += item.lead
		}
		y += 2
	}
	if pub := strings.TrimSpace(is.Publisher); pub != "" {
		p.add(d.textOp(line{text: pub, width: d.fc.width(pub, meta.size)}, meta, g.left, g.bottom-meta.lead, g.textW, alignCenter))
	}
}

func (d *doc) contents() {
	g := d.g
	d.newPage("目录")
	hd := style{size: 20, lead: 12, color: black, bold: true}
	p := d.page()
	p.add(d.textOp(line{text: "目　录", width: d.fc.width("目　录", hd.size)}, hd, g.left, d.y, g.textW, alignCenter))
	d.y += hd.lead + 6
	numW := 14.0
	var boxes []box
	for i, a := range d.issue.Articles {
		ls := d.lines(strings.TrimSpace(a.Title), stTOC, g.textW-numW, 0)
		for j, l := range ls {
			l, last, i := l, j == len(ls)-1, i
			b := box{h: stTOC.lead, keep: !last, draw: func(p *page, x, y float64) {
				p.add(d.textOp(l, stTOC, x, y, g.textW-numW, alignLeft))
				if last {
					o := d.textOp(line{text: "0"}, stTOC, x, y, 0, alignLeft)
					d.fixups = append(d.fixups, fixup{p: p, op: p.add(o), article: i, right: x + g.textW})
				}
			}}
			if j == 0 && i > 0 {
				b.before = 3
			}
			boxes = append(boxes, b)
		}
		if src := strings.TrimSpace(a.Source); src != "" {
			meta := style{size: 8.5, lead: 4.6, color: grey}
			boxes[len(boxes)-1].keep = true
			boxes = append(boxes, box{h: meta.lead, draw: func(p *page, x, y float64) {
				p.add(d.textOp(line{text: src}, meta, x+4, y, 0, alignLeft))
			}})
		}
	}
	d.flow(boxes, 1, "目录")
}

func (d *doc) editorsNote() {
	var paras []string
	for _, s := range strings.Split(d.issue.EditorsNote, "\n") {
		if s = collapse(s); s != "" {
			paras = append(paras, s)
		}
	}
	if len(paras) == 0 {
		return
	}
	g := d.g
	if d.y+40 > g.bottom {
		d.newPage("编者按")
	} else {
		d.y += 12
	}
	hd := style{size: 14, lead: 9, color: red, bold: true}
	boxes := []box{{h: hd.lead + 2, keep: true, draw: func(p *page, x, y float64) {
		p.add(d.textOp(line{text: "编者按"}, hd, x, y, 0, alignLeft))
		p.add(op{kind: opRule, x: x, y: y + hd.lead + 0.5, x2: x + g.textW, y2: y + hd.lead + 0.5, color: red, lineW: 0.4})
	}}}
	st := style{size: 10.5, lead: 6.6, color: ink}
	for _, s := range paras {
		boxes = append(boxes, d.paraBoxes(s, st, g.textW, 2*st.size*mmPerPt, 0, alignJustify, 1, false)...)
	}
	d.flow(boxes, 1, "编者按")
}

func (d *doc) article(i int, in *prepared) {
	g, a := d.g, d.issue.Articles[i]
	title := strings.TrimSpace(a.Title)
	var header []box
	add := func(text string, st style, before float64) {
		bs := d.paraBoxes(text, st, g.textW, 0, 0, alignCenter, before, true)
		for j := range bs {
			bs[j].keep = true
		}
		header = append(header, bs...)
	}
	add(title, stTitle, 0)
	if s := strings.TrimSpace(a.Subtitle); s != "" {
		add(s, stSubtitle, 1.5)
	}
	var meta []string
	if s := strings.TrimSpace(a.Byline); s != "" {
		meta = append(meta, s)
	}
	if s := strings.TrimSpace(a.Source); s != "" {
		meta = append(meta, "来源："+s)
	}
	if !a.Date.IsZero() {
		meta = append(meta, chineseDate(a.Date))
	}
	if len(meta) > 0 {
		add(strings.Join(meta, "　"), stMeta, 2)
	}
	body := d.bodyBoxes(in.bodies[i], in.images[i])
	headerH := colHeight(header) + 8
	need := headerH + colHeight(body[:min(len(body), 4)])
	if i == 0 || d.y+need > g.bottom {
		d.newPage(title)
	} else {
		d.y += 6
		d.page().add(op{kind: opRule, x: g.left, y: d.y, x2: g.left + g.textW, y2: d.y, color: grey, lineW: 0.3})
		d.y += 8
	}
	p := d.page()
	if p.head == "" {
		p.head = title
	}
	d.articlePages = append(d.articlePages, len(d.pages))
	d.y = d.place(header, g.left, d.y)
	d.y += 3
	p.add(op{kind: opRule, x: g.left, y: d.y, x2: g.left + g.textW, y2: d.y, color: red, lineW: 0.5})
	d.y += 5
	d.flow(body, 2, title)
}

func (d *doc) bodyBoxes(blocks []block, pics []pic) []box {
	g := d.g
	w := g.colW
	em := stBody.size * mmPerPt
	var out []box
	picture := func(pc *pic, caption string) {
		pc.used = true
		if pc.caption != "" {
			caption = pc.caption
		}
		out = append(out, d.pictureBox(*pc, caption))
	}
	for _, b := range blocks {
		switch b.kind {
		case blockPara:
			out = append(out, d.paraBoxes(b.text, stBody, w, 2*em, 0, alignJustify, 1.2, false)...)
		case blockQuote:
			qem := stQuote.size * mmPerPt
			bs := d.paraBoxes(b.text, stQuote, w-qem, 2*qem, qem, alignJustify, 1.2, false)
			out = append(out, bs...)
		case blockHeading:
			st := stH2
			if b.level > 2 {
				st = stH3
			}
			out = append(out, d.paraBoxes(b.text, st, w, 0, 0, alignLeft, 3, true)...)
		case blockItem:
			hang := d.fc.width(b.marker, stBody.size) + em*0.6
			bs := d.paraBoxes(b.text, stBody, w, 0, hang, alignJustify, 0.6, false)
			if len(bs) > 0 {
				inner, marker := bs[0].draw, b.marker
				bs[0].draw = func(p *page, x, y float64) {
					p.add(d.textOp(line{text: marker}, stBody, x, y, 0, alignLeft))
					inner(p, x, y)
				}
			}
			out = append(out, bs...)
		case blockImage:
			for k := range pics {
				if !pics[k].used && b.src != "" && b.src == pics[k].src {
					picture(&pics[k], b.caption)
					break
				}
			}
		case blockTable:
			out = append(out, d.tableBoxes(b, w)...)
		}
	}
	for k := range pics {
		if !pics[k].used {
			picture(&pics[k], "")
		}
	}
	return out
}

func (d *doc) pictureBox(pc pic, caption string) box {
	g := d.g
	iw := g.colW * pc.scale
	ih := iw * float64(pc.h) / float64(pc.w)
	if maxH := (g.bottom - g.top) * 0.55; ih > maxH {
		ih, iw = maxH, maxH*float64(pc.w)/float64(pc.h)
	}
	var caps []line
	if caption != "" {
		caps = d.lines(caption, stCaption, g.colW, 0)
	}
	h := ih + 1.5 + float64(len(caps))*stCaption.lead
	return box{before: 3, h: h + 1.5, draw: func(p *page, x, y float64) {
		p.add(op{kind: opImage, x: x + (g.colW-iw)/2, y: y, w: iw, h: ih, img: pc.name})
		cy := y + ih + 1.5
		for _, l := range caps {
			p.add(d.textOp(l, stCaption, x, cy, g.colW, alignCenter))
			cy += stCaption.lead
		}
	}}
}

// tableBoxes sets a table one row per box, columns as wide as their longest
// cell would like, shrunk in proportion to fit the column.
func (d *doc) tableBoxes(b block, width float64) []box {
	ncol := 0
	for _, r := range b.rows {
		ncol = max(ncol, len(r))
	}
	pad := 1.2
	minW := 2*d.fc.width("中", stTable.size) + 2*pad
	want := make([]float64, ncol)
	for _, r := range b.rows {
		for c, cell := range r {
			want[c] = math.Max(want[c], d.fc.width(cell, stTable.size)+2*pad)
		}
	}
	total := 0.0
	for c := range want {
		want[c] = math.Max(want[c], minW)
		total += want[c]
	}
	widths := make([]float64, ncol)
	for c := range want {
		widths[c] = want[c] / total * width
	}
	var out []box
	for ri, r := range b.rows {
		cells := make([][]line, ncol)
		n := 1
		for c := 0; c < ncol; c++ {
			if c < len(r) {
				cells[c] = d.lines(r[c], stTable, widths[c]-2*pad, 0)
			}
			n = max(n, len(cells[c]))
		}
		h := float64(n)*stTable.lead + 2*pad
		header := ri == 0 && b.header
		bx := box{h: h, keep: header, draw: func(p *page, x, y float64) {
			if header {
				p.add(op{kind: opFill, x: x, y: y, w: width, h: h, color: pale})
			}
			cx := x
			for c := 0; c < ncol; c++ {
				p.add(op{kind: opRule, x: cx, y: y, x2: cx, y2: y + h, color: grey, lineW: 0.2})
				ly := y + pad
				for _, l := range cells[c] {
					a := alignLeft
					if header {
						a = alignCenter
					}
					p.add(d.textOp(l, stTable, cx+pad, ly, widths[c]-2*pad, a))
					ly += stTable.lead
				}
				cx += widths[c]
			}
			p.add(op{kind: opRule, x: x + width, y: y, x2: x + width, y2: y + h, color: grey, lineW: 0.2})
			p.add(op{kind: opRule, x: x, y: y, x2: x + width, y2: y, color: grey, lineW: 0.2})
			p.add(op{kind: opRule, x: x, y: y + h, x2: x + width, y2: y + h, color: grey, lineW: 0.2})
		}}
		if ri == 0 {
			bx.before = 3
		}
		out = append(out, bx)
	}
	return out
}
