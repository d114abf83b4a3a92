package print

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The layout of an issue: its styles, the cover, the contents, the editor's
// note and the articles in two columns. What it shares with documents is in
// compose.go and table.go.
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

type fixup struct {
	p       *page
	op      int
	article int
	right   float64
}

// doc is an issue being laid out.
type doc struct {
	composer
	issue        Issue
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
	return &doc{composer: composer{fc: fc, g: g}, issue: is}
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

// issueText is how article bodies are set, in one column of two.
var issueText = textStyles{body: stBody, quote: stQuote, h2: stH2, h3: stH3, paraGap: 1.2, headGap: 3, itemGap: 0.6}

func (d *doc) bodyBoxes(blocks []block, pics []pic) []box {
	g := d.g
	w := g.colW
	ts := issueText
	ts.width = w
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
		case blockImage:
			for k := range pics {
				if !pics[k].used && b.src != "" && b.src == pics[k].src {
					picture(&pics[k], b.caption)
					break
				}
			}
		case blockTable:
			out = append(out, d.tableBoxes(b, w)...)
		default:
			out = append(out, d.textBlockBoxes(b, ts)...)
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
	t := &grid{widths: widths, width: width, pad: pad, body: stTable, head: stTable, align: func(_ int, _ string, header bool) align {
		if header {
			return alignCenter
		}
		return alignLeft
	}}
	var out []box
	for ri, r := range b.rows {
		header := ri == 0 && b.header
		bx := d.rowBox(t, r, d.rowLines(t, r, header), header)
		bx.keep = header
		if ri == 0 {
			bx.before = 3
		}
		out = append(out, bx)
	}
	return out
}
