// Package charts draws line, bar and ranking charts as inline SVG for the
// newsroom's dashboards and ranking notices: no JavaScript, no requests for
// fonts or images, nothing a Content-Security-Policy without 'unsafe-inline'
// would block (presentation attributes only, no style attributes).
//
// Charts are as wide as their container and keep their aspect ratio (the page
// may cap the width with CSS, e.g. .chart { max-width: 48rem }). The same input
// gives the same bytes. Each chart is an image for screen readers, named by
// its title and described by its description; every point and bar carries a
// tooltip with its exact value. Callers show the numbers as a table too.
package charts

import (
	"fmt"
	"hash/fnv"
	"html/template"
	"strings"
	"time"
)

// Options are what every chart needs from its caller, in the page's language.
type Options struct {
	// Title is the chart's accessible name (<title>); screen readers
	// announce it and browsers show it as the chart's tooltip.
	Title string
	// Desc is a longer description (<desc>), e.g. what the chart shows and
	// its period. Optional.
	Desc string
	// NoData is shown instead of a chart when there is nothing to draw, e.g.
	// "暂无数据". Empty: the title is shown.
	NoData string
	// Decimals is the number of digits after the point in value labels and
	// tooltips: 0 for counts, 1 for scores like 92.5. Axis ticks show the
	// digits their step needs.
	Decimals int
	// ID prefixes the ids of the title and description, which must be unique
	// in the page; characters other than ASCII letters, digits, - and _ become
	// -. Empty: derived from the chart's content, so only two identical
	// charts on one page need one.
	ID string
}

// Point is one value of a line at one time.
type Point struct {
	At    time.Time
	Value float64
}

// Series is one line of a line chart. Its points need not be sorted.
// Non-finite values (NaN, ±Inf) are left out. The time axis is labelled in
// the earliest point's time zone, so give all points in the newsroom's.
type Series struct {
	Name   string
	Points []Point
}

// BarSeries is one series of a bar chart: Values[i] belongs to the chart's
// i-th category. A missing or non-finite value draws no bar.
type BarSeries struct {
	Name   string
	Values []float64
}

// Row is one bar of a ranking.
type Row struct {
	Label string
	Value float64
	// Highlight marks the row the reader looks for, such as their own unit:
	// drawn on a tinted band, in bold and in another colour.
	Highlight bool
}

// Drawing sizes in viewBox units. 400 wide sets 13-unit text at 11 px on a
// 375 px phone, about the least at which CJK glyphs stay legible, and at
// 18 px in a 560 px desktop card. height is a line or bar chart's without a
// legend; rankings are as tall as their rows.
const (
	width      = 400.0
	height     = 250.0
	fontSize   = 14.0
	smallFont  = 13.0
	fontFamily = "system-ui, 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif"
)

// Colours. Text colours reach at least 4.5:1 on white and on the highlight
// band; series colours (Okabe–Ito, distinguishable with the common colour
// vision deficiencies) at least 3:1, the minimum for graphics.
const (
	textColour      = "#1f2937"
	axisTextColour  = "#4b5563"
	axisColour      = "#6b7280"
	gridColour      = "#e5e7eb"
	highlightBand   = "#fef3c7"
	barColour       = "#0072B2"
	highlightColour = "#D55E00"
)

var (
	palette = []string{"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000"}
	// Dash patterns tell lines apart where colours do not (print, colour
	// vision): solid, dashed, dotted, dash-dot, long dash.
	dashes = []string{"", "6 3", "2 3", "8 3 2 3", "12 4"}
)

// style returns the colour and dash pattern of the i-th series. Past five
// series the pairing shifts, so the first 25 series all differ.
func style(i int) (colour, dash string) {
	return palette[i%len(palette)], dashes[(i+i/len(palette))%len(dashes)]
}

// frame wraps a chart's body in the svg element with its accessible name.
func frame(o Options, kind string, h float64, body string) template.HTML {
	// aria-labelledby holds a list of ids separated by spaces.
	id := strings.Map(func(r rune) rune {
		if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, o.ID)
	if id == "" {
		f := fnv.New64a()
		fmt.Fprintf(f, "%s\x00%s\x00%s\x00%s", kind, o.Title, o.Desc, body)
		id = fmt.Sprintf("chart-%016x", f.Sum64())
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-%s" viewBox="0 0 %s %s" width="100%%" role="img" aria-labelledby="%s-title"`,
		kind, num(width), num(h), id)
	if o.Desc != "" {
		fmt.Fprintf(&b, ` aria-describedby="%s-desc"`, id)
	}
	fmt.Fprintf(&b, ` font-family="%s" font-size="%s" fill="%s">`, fontFamily, num(fontSize), textColour)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title>`, id, esc(o.Title))
	if o.Desc != "" {
		fmt.Fprintf(&b, `<desc id="%s-desc">%s</desc>`, id, esc(o.Desc))
	}
	b.WriteString(body)
	b.WriteString("</svg>")
	return template.HTML(b.String())
}

// empty draws the small box shown when there is nothing to draw.
func empty(o Options, kind string) template.HTML {
	const h = 80.0
	label := o.NoData
	if label == "" {
		label = o.Title
	}
	label = truncate(label, width-32, fontSize, false)
	body := fmt.Sprintf(`<rect x="0.5" y="0.5" width="%s" height="%s" rx="4" fill="#fff" stroke="%s"/><text x="%s" y="%s" text-anchor="middle" dominant-baseline="middle" fill="%s">%s</text>`,
		num(width-1), num(h-1), gridColour, num(width/2), num(h/2), axisTextColour, esc(label))
	return frame(o, kind, h, body)
}

// legend draws the series names in rows across the top, each after a sample
// of its line or bar, and returns the height it takes.
func legend(b *strings.Builder, names []string, bars bool) float64 {
	if len(names) < 2 {
		return 0
	}
	const rowH, swatch, gap = 20.0, 24.0, 16.0
	x, y := 0.0, 0.0
	b.WriteString(`<g class="legend">`)
	for i, name := range names {
		colour, dash := style(i)
		name = truncate(name, width-swatch-6, fontSize, false)
		w := swatch + 6 + textWidth(name, fontSize, false)
		if x > 0 && x+w > width {
			x, y = 0, y+rowH
		}
		if bars {
			fmt.Fprintf(b, `<rect x="%s" y="%s" width="%s" height="12" fill="%s"/>`, num(x), num(y+4), num(swatch), colour)
		} else {
			fmt.Fprintf(b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2.5"%s/>`,
				num(x), num(y+10), num(x+swatch), num(y+10), colour, dashAttr(dash))
		}
		fmt.Fprintf(b, `<text x="%s" y="%s">%s</text>`, num(x+swatch+6), num(y+15), esc(name))
		x += w + gap
	}
	b.WriteString(`</g>`)
	return y + rowH + 8
}

func dashAttr(dash string) string {
	if dash == "" {
		return ""
	}
	return ` stroke-dasharray="` + dash + `"`
}
