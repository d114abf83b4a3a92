package charts

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// Bars draws vertical bars by category, such as reads by channel (网站, 手机,
// 订阅源, 微博, 公众号): one bar per category for one series, side by side
// for several, with a legend then. Bars grow from zero, up for positive
// values and down for negative ones (deductions). Each bar is labelled with
// its value, across the bar or, for narrow bars, up along it; bars too narrow
// even for that show it in their tooltip only, as every bar does.
// Nothing to draw gives the NoData box.
func Bars(o Options, categories []string, series ...BarSeries) template.HTML {
	lo, hi := 0.0, 0.0
	n := 0
	for _, s := range series {
		for i, v := range s.Values {
			if i < len(categories) && finite(v) {
				lo, hi = min(lo, v), max(hi, v)
				n++
			}
		}
	}
	if n == 0 {
		return empty(o, "bars")
	}

	var b strings.Builder
	names := make([]string, len(series))
	for i, s := range series {
		names[i] = s.Name
	}
	// A legend makes the chart taller rather than the plot smaller, so that
	// charts side by side have plots of one size.
	top := legend(&b, names, true) + 10
	const bottomMargin, rightMargin = 28.0, 4.0
	plotH := height - 10 - bottomMargin
	h := top + plotH + bottomMargin

	// Ticks are spaced for the room that value labels across the bars
	// need; labels along narrow bars take more and squeeze them a little.
	const acrossRoom = smallFont + 5
	ticks, dec := niceTicks(lo, hi, int((plotH-acrossRoom)/36)+1)
	labels := make([]string, len(ticks))
	left := 0.0
	for i, v := range ticks {
		labels[i] = formatNumber(v, dec)
		left = max(left, textWidth(labels[i], smallFont, false))
	}
	left += 8
	groupW := (width - left - rightMargin) / float64(len(categories))
	inner := groupW * 0.8
	barW := inner / float64(max(len(series), 1))

	// Value labels go across their bar when the widest fits, else up along
	// it (grouped bars are narrow), else only in the tooltips. They get room
	// beyond the longest bars, so that they are neither cut off nor written
	// over the category names.
	widest := 0.0
	for _, s := range series {
		for i, v := range s.Values {
			if i < len(categories) && finite(v) {
				widest = max(widest, textWidth(formatNumber(v, o.Decimals), smallFont, false))
			}
		}
	}
	slot := barW
	if len(series) == 1 {
		slot = groupW
	}
	across := widest <= slot
	along := !across && smallFont+2 <= barW
	room := 0.0
	switch {
	case across:
		room = acrossRoom
	case along:
		room = widest + 6
	}
	padTop, padBot := 0.0, 0.0
	if hi > 0 {
		padTop = room
	}
	if lo < 0 {
		padBot = room
	}
	bottom := top + plotH
	tlo, thi := ticks[0], ticks[len(ticks)-1]
	yOf := func(v float64) float64 {
		return bottom - padBot - (v-tlo)/(thi-tlo)*(plotH-padTop-padBot)
	}

	fmt.Fprintf(&b, `<g class="axis" font-size="%s" fill="%s">`, num(smallFont), axisTextColour)
	for i, v := range ticks {
		y := yOf(v)
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>`, num(left), num(y), num(width-rightMargin), num(y), gridColour)
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="end">%s</text>`, num(left-6), num(y+smallFont*0.35), labels[i])
	}
	b.WriteString(`</g>`)

	zero := yOf(0)
	for c, category := range categories {
		gx := left + float64(c)*groupW
		fmt.Fprintf(&b, `<g class="category"><text x="%s" y="%s" text-anchor="middle">%s</text>`,
			num(gx+groupW/2), num(bottom+fontSize+6), esc(truncate(category, groupW-4, fontSize, false)))
		for s, ser := range series {
			if c >= len(ser.Values) || !finite(ser.Values[c]) {
				continue
			}
			v := ser.Values[c]
			colour := barColour
			if len(series) > 1 {
				colour, _ = style(s)
			}
			x := gx + (groupW-inner)/2 + float64(s)*barW
			y := yOf(v)
			tip := category
			if ser.Name != "" && len(series) > 1 {
				tip += " " + ser.Name
			}
			value := formatNumber(v, o.Decimals)
			tip += ": " + value
			// A hairline of white between neighbouring bars of a group.
			fmt.Fprintf(&b, `<rect class="bar" x="%s" y="%s" width="%s" height="%s" fill="%s" stroke="#fff" stroke-width="1"><title>%s</title></rect>`,
				num(x), num(min(y, zero)), num(barW), num(math.Abs(y-zero)), colour, esc(tip))
			cx := x + barW/2
			switch {
			case !across && !along:
			case along && v < 0: // reading upwards, ending below the bar
				fmt.Fprintf(&b, `<text x="%s" y="%s" transform="rotate(-90 %[1]s %[2]s)" text-anchor="end" dominant-baseline="central" font-size="%s">%s</text>`,
					num(cx), num(y+4), num(smallFont), value)
			case along:
				fmt.Fprintf(&b, `<text x="%s" y="%s" transform="rotate(-90 %[1]s %[2]s)" dominant-baseline="central" font-size="%s">%s</text>`,
					num(cx), num(y-4), num(smallFont), value)
			case v < 0: // below a bar going down
				fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle" font-size="%s">%s</text>`, num(cx), num(y+smallFont+2), num(smallFont), value)
			default: // above a bar going up
				fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle" font-size="%s">%s</text>`, num(cx), num(y-5), num(smallFont), value)
			}
		}
		b.WriteString(`</g>`)
	}
	// The zero line last, over the bars' ends.
	fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>`, num(left), num(zero), num(width-rightMargin), num(zero), axisColour)
	return frame(o, "bars", h, b.String())
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
