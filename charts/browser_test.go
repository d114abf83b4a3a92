package charts

import (
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/heraldnews/herald/internal/browsertest"
)

// pagePolicy is as strict as the newsroom's Content-Security-Policy: the
// charts must render without inline styles or scripts.
const pagePolicy = "default-src 'self'; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'"

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>图表</title></head>
<body><main><h1>图表</h1>
{{range .}}<section data-name="{{.Name}}"><h2>{{.Name}}</h2>{{.SVG}}</section>
{{end}}</main></body></html>`))

// inspect measures every chart of the page as laid out and returns what is
// wrong: a chart wider than the viewport or off its aspect ratio, text out of
// the chart, overlapping other text or smaller than minPx, a ranking's label
// running into its bars. Text is measured as the browser sets it with real
// fonts, which checks the width estimates the layout relies on.
const inspect = `(minPx => {
	const problems = [];
	const vw = document.documentElement.clientWidth;
	for (const svg of document.querySelectorAll('svg.chart')) {
		const name = svg.closest('section').dataset.name;
		const r = svg.getBoundingClientRect(), vb = svg.viewBox.baseVal;
		if (r.left < 0 || r.right > vw + 0.5 || r.width === 0) problems.push(name + ': spans ' + r.left + '..' + r.right + ' of ' + vw);
		if (Math.abs(r.height - r.width * vb.height / vb.width) > 1) problems.push(name + ': ' + r.width + '×' + r.height + ' is not the viewBox aspect');
		const scale = r.width / vb.width;
		const texts = [...svg.querySelectorAll('text')].map(t => ({t: t.textContent, r: t.getBoundingClientRect(), px: parseFloat(getComputedStyle(t).fontSize) * scale}));
		texts.forEach((a, i) => {
			if (a.r.left < r.left - 1 || a.r.right > r.right + 1 || a.r.top < r.top - 1 || a.r.bottom > r.bottom + 1) problems.push(name + ': "' + a.t + '" sticks out of the chart');
			if (a.px < minPx) problems.push(name + ': "' + a.t + '" is set at ' + a.px.toFixed(1) + ' px');
			texts.slice(i + 1).forEach(b => {
				const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
				const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
				if (w > 1 && h > 1) problems.push(name + ': "' + a.t + '" overlaps "' + b.t + '"');
			});
		});
		if (svg.classList.contains('chart-ranking')) {
			const barsFrom = Math.min(...[...svg.querySelectorAll('.bar')].map(b => b.getBoundingClientRect().left));
			for (const l of svg.querySelectorAll('.label')) {
				if (l.getBoundingClientRect().right > barsFrom) problems.push(name + ': label "' + l.textContent + '" runs into the bars');
			}
		}
	}
	return problems;
})`

// TestBrowser renders every chart in headless Chromium on a phone (375 px)
// and a desktop (1280 px): no page scrolls sideways, every chart fits,
// keeps its aspect and its text legible and apart, and axe-core finds no
// serious accessibility problem.
func TestBrowser(t *testing.T) {
	chromium, axe := browsertest.Needs(t)
	type chart struct {
		Name string
		SVG  template.HTML
	}
	var charts []chart
	for _, f := range fixtures {
		charts = append(charts, chart{f.name, f.draw()})
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", pagePolicy)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := page.Execute(w, charts); err != nil {
			t.Error(err)
		}
	}))
	t.Cleanup(srv.Close)

	ctx := browsertest.Tab(t, browsertest.Start(t, chromium))
	for _, c := range []struct {
		width int64
		minPx float64
	}{
		{375, 11}, // 13 units of 400 in 359 px
		{1280, 11},
	} {
		where := fmt.Sprintf("charts at %dpx", c.width)
		browsertest.Open(t, ctx, c.width, 800, srv.URL)
		if n := browsertest.Eval[int](t, ctx, `document.querySelectorAll('svg.chart').length`); n != len(charts) {
			t.Fatalf("%s: %d charts on the page, want %d", where, n, len(charts))
		}
		if over := browsertest.Eval[int](t, ctx, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); over > 0 {
			t.Errorf("%s: the page scrolls sideways by %d px", where, over)
		}
		problems := browsertest.Eval[[]string](t, ctx, fmt.Sprintf("%s(%g)", inspect, c.minPx))
		if len(problems) > 0 {
			t.Errorf("%s:\n%s", where, strings.Join(problems, "\n"))
		}
		browsertest.Audit(t, ctx, axe, where)
	}
}
