package charts

import (
	"encoding/xml"
	"errors"
	"flag"
	"html/template"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// node is an element of a parsed chart.
type node struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Nodes   []node     `xml:",any"`
	Text    string     `xml:",chardata"`
}

func (n node) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (n node) float(t *testing.T, name string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(n.attr(name), 64)
	if err != nil {
		t.Fatalf("<%s %s=%q>: %v", n.XMLName.Local, name, n.attr(name), err)
	}
	return f
}

// all returns the elements under n (n included) for which keep is true, in
// document order.
func (n node) all(keep func(node) bool) []node {
	var found []node
	if keep(n) {
		found = append(found, n)
	}
	for _, c := range n.Nodes {
		found = append(found, c.all(keep)...)
	}
	return found
}

func hasClass(class string) func(node) bool {
	return func(n node) bool { return strings.Contains(" "+n.attr("class")+" ", " "+class+" ") }
}

func element(name string) func(node) bool {
	return func(n node) bool { return n.XMLName.Local == name }
}

// parse checks that svg is well-formed XML, token by token to the end, and
// returns its tree.
func parse(t *testing.T, svg template.HTML) node {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(string(svg)))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%.300s", err, svg)
		}
	}
	var root node
	if err := xml.Unmarshal([]byte(svg), &root); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if root.XMLName.Local != "svg" || root.XMLName.Space != "http://www.w3.org/2000/svg" {
		t.Fatalf("root element %v", root.XMLName)
	}
	return root
}

// TestGolden draws every fixture, checks that it is well-formed and
// compares it with testdata/<name>.svg (go test -update rewrites them; open
// them in a browser to review a change).
func TestGolden(t *testing.T) {
	for _, f := range fixtures {
		t.Run(f.name, func(t *testing.T) {
			got := f.draw()
			parse(t, got)
			path := filepath.Join("testdata", f.name+".svg")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if string(got) != string(want) {
				t.Errorf("%s differs from the golden file %s (go test -update rewrites it)", f.name, path)
			}
		})
	}
}

// TestDeterministic draws every fixture twice.
func TestDeterministic(t *testing.T) {
	for _, f := range fixtures {
		if a, b := f.draw(), f.draw(); a != b {
			t.Errorf("%s: two drawings differ", f.name)
		}
	}
}

// TestAccessible checks what every chart owes screen readers and the
// newsroom's Content-Security-Policy.
func TestAccessible(t *testing.T) {
	for _, f := range fixtures {
		t.Run(f.name, func(t *testing.T) {
			svg := f.draw()
			root := parse(t, svg)
			if root.attr("role") != "img" || root.attr("width") != "100%" || !strings.HasPrefix(root.attr("viewBox"), "0 0 400 ") {
				t.Errorf("svg attributes %v", root.Attrs)
			}
			if !strings.Contains(root.attr("font-family"), "'Noto Sans CJK SC'") {
				t.Errorf("font-family %q", root.attr("font-family"))
			}
			ids := map[string]string{}
			for _, n := range root.all(func(n node) bool { return n.attr("id") != "" }) {
				ids[n.attr("id")] = n.XMLName.Local
			}
			if title := root.attr("aria-labelledby"); ids[title] != "title" {
				t.Errorf("aria-labelledby=%q names no <title> (ids %v)", title, ids)
			}
			if desc := root.attr("aria-describedby"); desc != "" && ids[desc] != "desc" {
				t.Errorf("aria-describedby=%q names no <desc>", desc)
			}
			if root.Nodes[0].XMLName.Local != "title" || root.Nodes[0].Text == "" {
				t.Errorf("the first child is %v, not a title", root.Nodes[0].XMLName)
			}
			// style-src 'self' blocks style attributes and elements.
			if s := root.all(func(n node) bool {
				return n.attr("style") != "" || n.XMLName.Local == "style" || n.XMLName.Local == "script"
			}); len(s) > 0 {
				t.Errorf("%d elements a strict CSP blocks, first <%s>", len(s), s[0].XMLName.Local)
			}
			if strings.HasPrefix(f.name, "empty-") {
				return
			}
			// Every bar and point tells its exact value.
			marks := root.all(func(n node) bool { return n.XMLName.Local == "circle" || hasClass("bar")(n) })
			if len(marks) == 0 {
				t.Fatal("no bars or points")
			}
			for _, m := range marks {
				tip := m.all(element("title"))
				if m.XMLName.Local == "rect" && hasClass("bar")(m) && strings.HasPrefix(f.name, "ranking") {
					continue // a ranking's tooltip is its row's
				}
				if len(tip) != 1 || !strings.Contains(tip[0].Text, ": ") {
					t.Fatalf("<%s> without a tooltip with its value: %+v", m.XMLName.Local, m)
				}
			}
		})
	}
}

func TestDistinctIDs(t *testing.T) {
	seen := map[string]string{}
	for _, f := range fixtures {
		id := parse(t, f.draw()).attr("aria-labelledby")
		if other, ok := seen[id]; ok {
			t.Errorf("%s and %s both use %s", f.name, other, id)
		}
		seen[id] = f.name
	}
	if got := parse(t, Bars(Options{Title: "x", ID: "reads"}, []string{"a"}, BarSeries{"", []float64{1}})).attr("aria-labelledby"); got != "reads-title" {
		t.Errorf("with Options.ID: aria-labelledby=%q", got)
	}
}

// TestEscaping feeds labels written by users that try to break out of the
// SVG into every place a label goes.
func TestEscaping(t *testing.T) {
	const evil = `</text><script>alert("x")</script><text>&amp; '` + "\x01\x1b"
	cases := map[string]template.HTML{
		"line": Line(Options{Title: evil, Desc: evil},
			Series{evil, []Point{{day(2026, 1, 1), 1}, {day(2026, 1, 2), 2}}},
			Series{"b", []Point{{day(2026, 1, 1), 3}}}),
		"bars":    Bars(Options{Title: evil}, []string{evil, "b"}, BarSeries{evil, []float64{1, 2}}, BarSeries{"c", []float64{3, 4}}),
		"ranking": Ranking(Options{Title: evil}, []Row{{Label: evil, Value: 1, Highlight: true}, {Label: "b", Value: 2}}),
		"empty":   Ranking(Options{Title: "t", NoData: evil}, nil),
		"id":      Ranking(Options{Title: "t", ID: `a" onload="alert(1)`}, []Row{{Label: "b", Value: 2}}),
	}
	for name, svg := range cases {
		root := parse(t, svg)
		if s := root.all(element("script")); len(s) > 0 || strings.Contains(string(svg), "<script") {
			t.Errorf("%s: a label became markup", name)
		}
		if strings.ContainsAny(string(svg), "\x01\x1b") {
			t.Errorf("%s: control characters are not XML", name)
		}
		if root.attr("onload") != "" || name == "id" && root.attr("aria-labelledby") != "a--onload--alert-1--title" {
			t.Errorf("%s: the id escaped: %v", name, root.Attrs)
		}
		texts := root.all(func(n node) bool { return strings.Contains(n.Text, `<script>alert("x")`) })
		if name != "id" && len(texts) == 0 {
			t.Errorf("%s: the label is not shown as text", name)
		}
	}
}

func TestEmpty(t *testing.T) {
	for _, c := range []struct {
		name string
		svg  template.HTML
		want string
	}{
		{"line without series", Line(Options{Title: "读", NoData: "暂无数据"}), "暂无数据"},
		{"line without points", Line(Options{Title: "读", NoData: "暂无数据"}, Series{"a", nil}), "暂无数据"},
		{"bars without categories", Bars(Options{Title: "读", NoData: "暂无数据"}, nil, BarSeries{"a", []float64{1}}), "暂无数据"},
		{"bars without values", Bars(Options{Title: "读", NoData: "暂无数据"}, channels, BarSeries{"a", nil}), "暂无数据"},
		{"ranking without rows", Ranking(Options{Title: "读", NoData: "暂无数据"}, nil), "暂无数据"},
		{"no NoData label", Ranking(Options{Title: "得分排名"}, nil), "得分排名"},
	} {
		root := parse(t, c.svg)
		texts := root.all(element("text"))
		if len(texts) != 1 || texts[0].Text != c.want || root.attr("viewBox") != "0 0 400 80" {
			t.Errorf("%s: %s", c.name, c.svg)
		}
	}
}

// TestNegativeBars checks that bars grow from the zero line: up for gains,
// down for deductions, with the label on the bar's far side.
func TestNegativeBars(t *testing.T) {
	root := parse(t, Bars(Options{Title: "得分"}, []string{"加分", "扣分", "零"}, BarSeries{"", []float64{30, -20, 0}}))
	bars := root.all(hasClass("bar"))
	if len(bars) != 3 {
		t.Fatalf("%d bars", len(bars))
	}
	up, down, flat := bars[0], bars[1], bars[2]
	zero := up.float(t, "y") + up.float(t, "height")
	if got := down.float(t, "y"); got != zero {
		t.Errorf("the negative bar starts at %v, the positive one ends at %v", got, zero)
	}
	if flat.float(t, "y") != zero || flat.float(t, "height") != 0 {
		t.Errorf("the zero bar: y=%v height=%v, zero line at %v", flat.attr("y"), flat.attr("height"), zero)
	}
	// Equal units for gains and losses: 30 up is 1.5 times 20 down.
	if r := up.float(t, "height") / down.float(t, "height"); r < 1.49 || r > 1.51 {
		t.Errorf("heights %v and %v", up.attr("height"), down.attr("height"))
	}
	labels := map[string]float64{}
	for _, n := range root.all(element("text")) {
		labels[n.Text] = n.float(t, "y")
	}
	if labels["30"] >= up.float(t, "y") || labels["-20"] <= zero+down.float(t, "height") {
		t.Errorf("value labels at %v", labels)
	}
	for _, tick := range []string{"-20", "0", "30"} {
		if _, ok := labels[tick]; !ok {
			t.Errorf("no axis tick %s: %v", tick, labels)
		}
	}
}

// TestRanking checks the order, the highlighted row, long labels and
// negative values.
func TestRanking(t *testing.T) {
	long := "河北省石家庄市长安区司法局人民调解委员会办公室"
	root := parse(t, Ranking(Options{Title: "排名"}, []Row{
		{Label: "乙", Value: 5},
		{Label: long, Value: 12},
		{Label: "甲", Value: 5, Highlight: true},
		{Label: "丙", Value: -7},
	}))
	rows := root.all(hasClass("row"))
	var order []string
	for _, r := range rows {
		order = append(order, r.all(element("title"))[0].Text)
	}
	want := []string{long + ": 12", "乙: 5", "甲: 5", "丙: -7"}
	if strings.Join(order, "|") != strings.Join(want, "|") {
		t.Errorf("order %q, want %q", order, want)
	}
	if hl := root.all(hasClass("highlight")); len(hl) != 1 || !strings.HasPrefix(hl[0].all(element("title"))[0].Text, "甲") {
		t.Errorf("highlighted rows: %+v", hl)
	} else if hl[0].all(hasClass("bar"))[0].attr("fill") == rows[1].all(hasClass("bar"))[0].attr("fill") ||
		hl[0].all(hasClass("label"))[0].attr("font-weight") != "bold" {
		t.Error("the highlighted row looks like the others")
	}
	label := rows[0].all(hasClass("label"))[0].Text
	if !strings.HasSuffix(label, "…") || !strings.HasPrefix(long, strings.TrimSuffix(label, "…")) || textWidth(label, fontSize, false) > width*0.4 {
		t.Errorf("the long label is shown as %q", label)
	}
	// The negative bar ends at the zero line where the positive ones start.
	pos, neg := rows[1].all(hasClass("bar"))[0], rows[3].all(hasClass("bar"))[0]
	if got := neg.float(t, "x") + neg.float(t, "width"); got != pos.float(t, "x") {
		t.Errorf("the negative bar ends at %v, a positive one starts at %v", got, pos.float(t, "x"))
	}
	if neg.float(t, "x") <= rows[3].all(hasClass("label"))[0].float(t, "x")+textWidth("丙", fontSize, false) {
		t.Error("the negative bar runs into the label column")
	}
}

// TestLineAxis checks the value axis and the legend of a line chart.
func TestLineAxis(t *testing.T) {
	texts := func(svg template.HTML) []string {
		var s []string
		for _, n := range parse(t, svg).all(element("text")) {
			s = append(s, n.Text)
		}
		return s
	}
	start := day(2026, 1, 1)
	// Followers from 48,000 up: the axis is fitted to them, not to zero.
	got := texts(Line(Options{Title: "关注"}, Series{"", daily(start, 10, func(i int) float64 { return float64(48000 + 100*i) })}))
	if got[0] == "0" || !strings.Contains(strings.Join(got, " "), "48,") {
		t.Errorf("fitted axis: %q", got)
	}
	// Reads that vary a lot start at zero.
	got = texts(Line(Options{Title: "阅读"}, Series{"", daily(start, 10, func(i int) float64 { return float64(100 + 300*i) })}))
	if got[0] != "0" {
		t.Errorf("axis from zero: %q", got)
	}
	// One series: no legend; two: one.
	one := parse(t, Line(Options{Title: "a"}, Series{"网站", daily(start, 3, func(int) float64 { return 1 })}))
	two := parse(t, Line(Options{Title: "a"}, Series{"网站", daily(start, 3, func(int) float64 { return 1 })}, Series{"手机", daily(start, 3, func(int) float64 { return 2 })}))
	if len(one.all(hasClass("legend"))) != 0 || len(two.all(hasClass("legend"))) != 1 {
		t.Error("a legend for one series or none for two")
	}
	paths := two.all(element("path"))
	if len(paths) != 2 || paths[0].attr("stroke") == paths[1].attr("stroke") || paths[0].attr("stroke-dasharray") == paths[1].attr("stroke-dasharray") {
		t.Errorf("two lines alike: %+v", paths)
	}
	// A single point is still drawn, with its date.
	single := parse(t, Line(Options{Title: "a"}, Series{"", []Point{{start, 7}}}))
	if c := single.all(element("circle")); len(c) != 1 || c[0].all(element("title"))[0].Text != "2026-01-01: 7" {
		t.Errorf("a single point: %+v", c)
	}
}

func TestContrast(t *testing.T) {
	for _, c := range []struct {
		fg, bg string
		min    float64
	}{
		{textColour, "#ffffff", 4.5}, {axisTextColour, "#ffffff", 4.5},
		{textColour, highlightBand, 4.5}, {axisTextColour, highlightBand, 4.5},
		{axisColour, "#ffffff", 3}, {barColour, "#ffffff", 3}, {highlightColour, "#ffffff", 3},
		{highlightColour, highlightBand, 3},
		{palette[0], "#ffffff", 3}, {palette[1], "#ffffff", 3}, {palette[2], "#ffffff", 3},
		{palette[3], "#ffffff", 3}, {palette[4], "#ffffff", 3},
	} {
		if got := contrast(t, c.fg, c.bg); got < c.min {
			t.Errorf("%s on %s: contrast %.2f, want ≥ %.1f", c.fg, c.bg, got, c.min)
		}
	}
}

// contrast is WCAG 2's contrast ratio of two #rrggbb colours.
func contrast(t *testing.T, a, b string) float64 {
	lum := func(hex string) float64 {
		v, err := strconv.ParseUint(strings.TrimPrefix(hex, "#"), 16, 32)
		if err != nil || len(hex) != 7 {
			t.Fatalf("colour %q", hex)
		}
		l := 0.0
		for i, w := range []float64{0.2126, 0.7152, 0.0722} {
			c := float64(v>>(16-8*i)&0xff) / 255
			if c <= 0.03928 {
				c /= 12.92
			} else {
				c = math.Pow((c+0.055)/1.055, 2.4)
			}
			l += w * c
		}
		return l
	}
	la, lb := lum(a), lum(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}
