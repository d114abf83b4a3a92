package print

import (
	"math"
	"regexp"
	"strings"
)

// grid is a table ready to be set row by row: its column widths, the styles
// of header and body cells, and how a cell is aligned.
type grid struct {
	widths     []float64
	width      float64 // the whole table
	pad        float64 // inside each cell, on every side
	body, head style
	align      func(col int, cell string, header bool) align
}

// rowLines breaks each cell of row into lines of its column; a row shorter
// than the table has empty cells at its end.
func (c *composer) rowLines(t *grid, row []string, header bool) [][]line {
	st := t.body
	if header {
		st = t.head
	}
	cells := make([][]line, len(t.widths))
	for i := range cells {
		if i < len(row) {
			cells[i] = c.lines(row[i], st, t.widths[i]-2*t.pad, 0)
		}
	}
	return cells
}

// rowBox draws the lines of a row's cells (all of them, or the part of a row
// too tall for a page) as one box with its borders; a header row is shaded.
func (c *composer) rowBox(t *grid, row []string, cells [][]line, header bool) box {
	st := t.body
	if header {
		st = t.head
	}
	n := 1
	for _, ls := range cells {
		n = max(n, len(ls))
	}
	h := float64(n)*st.lead + 2*t.pad
	aligns := make([]align, len(cells))
	for i := range cells {
		cell := ""
		if i < len(row) {
			cell = row[i]
		}
		aligns[i] = t.align(i, cell, header)
	}
	return box{h: h, draw: func(p *page, x, y float64) {
		if header {
			p.add(op{kind: opFill, x: x, y: y, w: t.width, h: h, color: pale})
		}
		cx := x
		for i, ls := range cells {
			p.add(op{kind: opRule, x: cx, y: y, x2: cx, y2: y + h, color: grey, lineW: 0.2})
			ly := y + t.pad
			for _, l := range ls {
				p.add(c.textOp(l, st, cx+t.pad, ly, t.widths[i]-2*t.pad, aligns[i]))
				ly += st.lead
			}
			cx += t.widths[i]
		}
		p.add(op{kind: opRule, x: x + t.width, y: y, x2: x + t.width, y2: y + h, color: grey, lineW: 0.2})
		p.add(op{kind: opRule, x: x, y: y, x2: x + t.width, y2: y, color: grey, lineW: 0.2})
		p.add(op{kind: opRule, x: x, y: y + h, x2: x + t.width, y2: y + h, color: grey, lineW: 0.2})
	}}
}

// numeric matches a cell that is a number: an integer or decimal, signed or
// not, with thousands separators or not, or a percentage (12, -3.5, +0.25,
// 1,234.5, 98.6%, 12‰).
var numeric = regexp.MustCompile(`^[+\-−±]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?\s?[%％‰]?$|^[+\-−±]?\.\d+\s?[%％‰]?$`)

// isNumeric reports whether a cell is a number, set right-aligned so that
// the digits of a column line up.
func isNumeric(cell string) bool { return numeric.MatchString(cell) }

// isPlaceholder reports a cell that stands for no value (a dash or a
// slash); in a column of numbers it is aligned with them.
func isPlaceholder(cell string) bool {
	switch strings.TrimSpace(cell) {
	case "—", "——", "–", "-", "－", "/", "／":
		return true
	}
	return false
}

// autoWidths divides width among the columns of rows from their content.
// Each column has a least width (its longest unbreakable run of text, at
// least two characters, at most a fair share of the table) and a most (its
// longest cell on one line). When every column can have its most, the spare
// width is shared in proportion, so the table fills the measure. Otherwise a
// column whose most is within a fair share of what is left gets it,
// repeatedly, so short columns (ranks, names, scores) do not wrap; the other
// columns share the rest between their least and most in proportion to the
// difference, as browsers do. When even the least widths do not fit, they
// shrink in proportion; runs too long for their cell break where they
// overflow.
func (c *composer) autoWidths(rows [][]string, st, head style, headRows int, pad, width float64) []float64 {
	ncol := 0
	for _, r := range rows {
		ncol = max(ncol, len(r))
	}
	least := make([]float64, ncol) // longest unbreakable run
	most := make([]float64, ncol)  // longest line unbroken
	for ri, r := range rows {
		s := st
		if ri < headRows {
			s = head
		}
		adv := c.adv(s)
		for i, cell := range r {
			for _, l := range breakLines(cell, func(int) float64 { return math.Inf(1) }, adv) {
				most[i] = math.Max(most[i], l.width)
			}
			for _, sg := range segments(cell, adv) {
				if !sg.space {
					least[i] = math.Max(least[i], sg.width)
				}
			}
		}
	}
	// A run longer than a fair share of the table (a URL) may break rather
	// than squeeze every other column.
	two := 2 * c.fc.width("中", st.size)
	limit := math.Max(width/float64(ncol), two+2*pad)
	for i := range ncol {
		least[i] = math.Min(math.Min(math.Max(least[i], two), most[i])+2*pad, limit)
		most[i] += 2 * pad
	}
	widths := make([]float64, ncol)
	sumMost := sum(most)
	if sumMost <= width {
		for i := range ncol {
			widths[i] = most[i] / sumMost * width
		}
		return widths
	}
	// Give the columns that fit in a fair share of what is left all they
	// want, as long as the others keep their least.
	left, open, lo := width, ncol, sum(least)
	done := make([]bool, ncol)
	for changed := true; changed && open > 1; {
		changed = false
		fair := left / float64(open)
		for i := range ncol {
			if !done[i] && most[i] <= fair && left-most[i] >= lo-least[i] {
				widths[i], done[i] = most[i], true
				left, lo, open = left-most[i], lo-least[i], open-1
				changed = true
			}
		}
	}
	hi := 0.0
	for i := range ncol {
		if !done[i] {
			hi += most[i]
		}
	}
	for i := range ncol {
		switch {
		case done[i]:
		case lo >= left:
			widths[i] = least[i] / lo * left
		default:
			widths[i] = least[i] + (most[i]-least[i])/(hi-lo)*(left-lo)
		}
	}
	return widths
}

func sum(xs []float64) float64 {
	t := 0.0
	for _, x := range xs {
		t += x
	}
	return t
}

// longTable sets a table one box per row for one column of a page: the
// header rows are kept with the first row and set again at the top of every
// page the table continues on, and a row never breaks across pages unless it
// is taller than a page, when it is cut between lines. kept is the height of
// the boxes before the table that are kept with it (a heading), which the
// first row must leave room for.
func (c *composer) longTable(b block, t *grid, pageH, kept float64) []box {
	var head []box
	headH := 0.0
	for ri := range min(b.headRows, len(b.rows)) {
		r := b.rows[ri]
		bx := c.rowBox(t, r, c.rowLines(t, r, true), true)
		bx.keep = true
		head = append(head, bx)
		headH += bx.h
	}
	// Room for a row below the header; a sliver is left for rounding so
	// that a cut row always fits.
	room := pageH - headH - 0.5
	var out []box
	out = append(out, head...)
	for ri, r := range b.rows[len(head):] {
		cells := c.rowLines(t, r, false)
		fit := room
		if ri == 0 {
			fit -= kept
		}
		for {
			perPage := max(1, int((fit-2*t.pad)/t.body.lead))
			fit = room
			part := make([][]line, len(cells))
			rest := make([][]line, len(cells))
			more := false
			for i, ls := range cells {
				k := min(len(ls), perPage)
				part[i], rest[i] = ls[:k], ls[k:]
				more = more || len(rest[i]) > 0
			}
			bx := c.rowBox(t, r, part, false)
			bx.repeat = head
			out = append(out, bx)
			if !more {
				break
			}
			cells = rest
		}
	}
	return out
}
