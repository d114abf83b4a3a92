package charts

import (
	"fmt"
	"html/template"
	"math"
	"slices"
	"strings"
	"time"
)

// markerLimit is the most points a series may have for its points to be
// drawn as dots; denser series get invisible dots that still show their
// tooltip, as a year of daily dots would hide the line.
const markerLimit = 40

// Line draws one or more series over time, such as reads per day over a
// year: each series in its own colour and dash pattern, with a legend when
// there are several. The value axis starts at zero unless the values stay
// far from it (all above half the largest), so that small changes in a large
// number, such as followers, remain visible. Nothing to draw gives the
// NoData box.
func Line(o Options, series ...Series) template.HTML {
	lines := make([]Series, len(series)) // finite points, by time
	var xlo, xhi time.Time
	ylo, yhi := math.Inf(1), math.Inf(-1)
	seen, midnights := false, true
	for i, s := range series {
		lines[i].Name = s.Name
		for _, p := range s.Points {
			if !finite(p.Value) {
				continue
			}
			lines[i].Points = append(lines[i].Points, p)
			if !seen || p.At.Before(xlo) {
				xlo = p.At
			}
			if !seen || p.At.After(xhi) {
				xhi = p.At
			}
			seen = true
			ylo, yhi = min(ylo, p.Value), max(yhi, p.Value)
			if h, m, sec := p.At.Clock(); h != 0 || m != 0 || sec != 0 {
				midnights = false
			}
		}
		slices.SortStableFunc(lines[i].Points, func(a, b Point) int { return a.At.Compare(b.At) })
	}
	if !seen {
		return empty(o, "line")
	}
	if !xhi.After(xlo) { // one instant: centre it in a day on each side
		xlo, xhi = xlo.AddDate(0, 0, -1), xhi.AddDate(0, 0, 1)
	}
	switch {
	case ylo >= 0 && ylo <= yhi/2:
		ylo = 0
	case yhi <= 0 && yhi >= ylo/2:
		yhi = 0
	}

	var b strings.Builder
	names := make([]string, len(lines))
	for i, l := range lines {
		names[i] = l.Name
	}
	// A legend makes the chart taller rather than the plot smaller, so that
	// charts side by side have plots of one size.
	top := legend(&b, names, false) + 10
	const bottomMargin, rightMargin = 28.0, 8.0
	plotH := height - 10 - bottomMargin
	h := top + plotH + bottomMargin
	yticks, ydec := niceTicks(ylo, yhi, int(plotH/36)+1)
	labels := make([]string, len(yticks))
	left := 0.0
	for i, v := range yticks {
		labels[i] = formatNumber(v, ydec)
		left = max(left, textWidth(labels[i], smallFont, false))
	}
	left += 8
	plotW := width - left - rightMargin
	bottom := top + plotH
	tlo, thi := yticks[0], yticks[len(yticks)-1]
	yOf := func(v float64) float64 { return bottom - (v-tlo)/(thi-tlo)*plotH }
	span := xhi.Sub(xlo).Seconds()
	xOf := func(t time.Time) float64 { return left + t.Sub(xlo).Seconds()/span*plotW }

	// Grid and value axis.
	fmt.Fprintf(&b, `<g class="axis" font-size="%s" fill="%s">`, num(smallFont), axisTextColour)
	for i, v := range yticks {
		y := yOf(v)
		stroke := gridColour
		if v == 0 && i > 0 {
			stroke = axisColour // zero inside the range: a baseline to read gains and losses against
		}
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>`, num(left), num(y), num(width-rightMargin), num(y), stroke)
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="end">%s</text>`, num(left-6), num(y+smallFont*0.35), labels[i])
	}
	// Time axis.
	fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>`, num(left), num(bottom), num(width-rightMargin), num(bottom), axisColour)
	for _, t := range timeTicks(xlo, xhi, plotW, smallFont) {
		x := xOf(t.at)
		half := textWidth(t.label, smallFont, false) / 2
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>`, num(x), num(bottom), num(x), num(bottom+4), axisColour)
		// Labels near the ends move inwards rather than overflow the chart.
		fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle">%s</text>`,
			num(min(max(x, half), width-half)), num(bottom+smallFont+8), esc(t.label))
	}
	b.WriteString(`</g>`)

	dateLayout := "2006-01-02 15:04"
	if midnights {
		dateLayout = "2006-01-02"
	}
	for i, l := range lines {
		if len(l.Points) == 0 {
			continue
		}
		colour, dash := style(i)
		fmt.Fprintf(&b, `<g class="series" fill="%s">`, colour)
		var d strings.Builder
		for j, p := range l.Points {
			cmd := 'L'
			if j == 0 {
				cmd = 'M'
			}
			fmt.Fprintf(&d, "%c%s %s", cmd, num(xOf(p.At)), num(yOf(p.Value)))
		}
		fmt.Fprintf(&b, `<path d="%s" fill="none" stroke="%s" stroke-width="2" stroke-linejoin="round"%s/>`, d.String(), colour, dashAttr(dash))
		marker := `r="3"`
		if len(l.Points) > markerLimit {
			marker = `r="4" fill-opacity="0"`
		}
		for _, p := range l.Points {
			tip := p.At.Format(dateLayout) + ": " + formatNumber(p.Value, o.Decimals)
			if l.Name != "" {
				tip = l.Name + " " + tip
			}
			fmt.Fprintf(&b, `<circle cx="%s" cy="%s" %s><title>%s</title></circle>`, num(xOf(p.At)), num(yOf(p.Value)), marker, esc(tip))
		}
		b.WriteString(`</g>`)
	}
	return frame(o, "line", h, b.String())
}
