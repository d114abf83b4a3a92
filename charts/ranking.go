package charts

import (
	"cmp"
	"fmt"
	"html/template"
	"math"
	"slices"
	"strings"
)

// Ranking draws horizontal bars sorted by value, largest first (equal values
// keep the caller's order), each with its label at the left and its value at
// the bar's end: a ranking of units by score, say. Labels too long for the
// label column (at most two fifths of the width) are cut by their measured
// width and end with an ellipsis; the row's tooltip has the whole label.
// Negative values (deductions) grow left from a zero line. Highlighted rows
// stand out by a tinted band, bold text and another colour. Nothing to draw
// gives the NoData box. The chart is as tall as its rows need.
func Ranking(o Options, rows []Row) template.HTML {
	rows = slices.DeleteFunc(slices.Clone(rows), func(r Row) bool { return !finite(r.Value) })
	if len(rows) == 0 {
		return empty(o, "ranking")
	}
	slices.SortStableFunc(rows, func(a, b Row) int { return cmp.Compare(b.Value, a.Value) })

	const rowH, barH, pad, gap = 28.0, 18.0, 4.0, 10.0
	h := float64(len(rows))*rowH + 2*pad
	lo, hi := 0.0, 0.0
	labelCol, valueW := 0.0, 0.0
	values := make([]string, len(rows))
	for i, r := range rows {
		lo, hi = min(lo, r.Value), max(hi, r.Value)
		labelCol = max(labelCol, textWidth(r.Label, fontSize, r.Highlight))
		values[i] = formatNumber(r.Value, o.Decimals)
		valueW = max(valueW, textWidth(values[i], smallFont, r.Highlight)+6)
	}
	labelCol = min(labelCol, width*0.4)
	if lo == hi { // all zero
		hi = 1
	}
	// Room for the value labels beside the longest bars on each side.
	leftRoom, rightRoom := 0.0, valueW
	if lo < 0 {
		leftRoom = valueW
	}
	if hi <= 0 {
		rightRoom = 0
	}
	x0 := pad + labelCol + gap
	avail := width - pad - x0 - leftRoom - rightRoom
	xOf := func(v float64) float64 { return x0 + leftRoom + (v-lo)/(hi-lo)*avail }
	zero := xOf(0)

	var b strings.Builder
	for i, r := range rows {
		y := pad + float64(i)*rowH
		class, colour, weight := "row", barColour, ""
		if r.Highlight {
			class, colour, weight = "row highlight", highlightColour, ` font-weight="bold"`
		}
		fmt.Fprintf(&b, `<g class="%s"><title>%s</title>`, class, esc(r.Label+": "+values[i]))
		if r.Highlight {
			fmt.Fprintf(&b, `<rect x="0" y="%s" width="%s" height="%s" fill="%s"/>`, num(y), num(width), num(rowH), highlightBand)
		}
		baseline := y + rowH/2 + fontSize*0.35
		fmt.Fprintf(&b, `<text class="label" x="%s" y="%s"%s>%s</text>`,
			num(pad), num(baseline), weight, esc(truncate(r.Label, labelCol, fontSize, r.Highlight)))
		x := xOf(r.Value)
		fmt.Fprintf(&b, `<rect class="bar" x="%s" y="%s" width="%s" height="%s" fill="%s"/>`,
			num(min(x, zero)), num(y+(rowH-barH)/2), num(math.Abs(x-zero)), num(barH), colour)
		if r.Value < 0 || r.Value == 0 && hi <= 0 { // left of the bar's end, where the room is
			fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="end" font-size="%s"%s>%s</text>`, num(x-4), num(baseline), num(smallFont), weight, values[i])
		} else {
			fmt.Fprintf(&b, `<text x="%s" y="%s" font-size="%s"%s>%s</text>`, num(x+4), num(baseline), num(smallFont), weight, values[i])
		}
		b.WriteString(`</g>`)
	}
	if lo < 0 {
		fmt.Fprintf(&b, `<line x1="%s" y1="0" x2="%s" y2="%s" stroke="%s"/>`, num(zero), num(zero), num(h), axisColour)
	}
	return frame(o, "ranking", h, b.String())
}
