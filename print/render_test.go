package print

import (
	"errors"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/internal/testenv"
)

// needTool returns the path of a poppler tool, skipping the test when it is
// missing, except under CI=true, where a missing tool fails it.
func needTool(t *testing.T, name string) string {
	t.Helper()
	return testenv.Tool(t, name, "apt-get install poppler-utils")
}

func tool(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(needTool(t, name), args...).Output()
	if err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return string(out)
}

func squash(s string) string {
	return strings.Join(strings.Fields(s), "")
}

// sampleSentences returns some sentences of an article body: the first, the last
// and one from the middle.
func sampleSentences(t *testing.T, body string) []string {
	blocks, err := parseBody(body)
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, b := range blocks {
		if b.kind != blockPara {
			continue
		}
		for _, s := range regexp.MustCompile(`[^。！？]+[。！？]|[^.]+\. `).FindAllString(b.text+" ", -1) {
			if s = squash(s); len([]rune(s)) >= 8 {
				all = append(all, s)
			}
		}
	}
	if len(all) == 0 {
		t.Fatal("no sentences in body")
	}
	return []string{all[0], all[len(all)/2], all[len(all)-1]}
}

// checkPDF writes a rendered PDF to a file and checks it as a printer
// would take it: the page count pdfinfo and pdftotext see is the renderer's,
// the pages are A4, and both fonts are embedded with ToUnicode maps. It
// returns the file and the text of each page as pdftotext -layout reads it.
func checkPDF(t *testing.T, res Result) (string, []string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "out.pdf")
	if err := os.WriteFile(file, res.PDF, 0o644); err != nil {
		t.Fatal(err)
	}
	info := tool(t, "pdfinfo", file)
	if !regexp.MustCompile(fmt.Sprintf(`(?m)^Pages:\s+%d$`, res.Pages)).MatchString(info) {
		t.Errorf("pdfinfo disagrees with the renderer's %d pages:\n%s", res.Pages, info)
	}
	if !strings.Contains(info, "595.") || !strings.Contains(info, "841.") {
		t.Errorf("not A4:\n%s", info)
	}
	fonts := tool(t, "pdffonts", file)
	for _, f := range []string{"droid", "dejavu"} {
		if !regexp.MustCompile(`(?m)^\S*` + f + `\s.*\syes\s+\S+\s+yes\s`).MatchString(fonts) {
			t.Errorf("font %s not embedded with a ToUnicode map:\n%s", f, fonts)
		}
	}
	pages := strings.Split(tool(t, "pdftotext", "-layout", file, "-"), "\f")
	pages = pages[:len(pages)-1] // text after the last form feed
	if len(pages) != res.Pages {
		t.Fatalf("pdftotext found %d pages, the renderer reports %d", len(pages), res.Pages)
	}
	return file, pages
}

func TestRenderDemoIssue(t *testing.T) {
	needTool(t, "pdftotext")
	is := demoIssue(t)
	res, err := RenderWith(is, Options{})
	if err != nil {
		t.Fatal(err)
	}
	file, pages := checkPDF(t, res)
	label := squash(is.Title + issueLabel(is))
	for i, text := range pages {
		n := i + 1
		folio := regexp.MustCompile(fmt.Sprintf(`(?m)^\s*—\s*%d\s*—\s*$`, n))
		firstLine := squash(strings.SplitN(strings.TrimLeft(text, " \n"), "\n", 2)[0])
		switch {
		case n == 1:
			if folio.MatchString(text) || firstLine != is.Title {
				t.Errorf("cover: want the title alone on top and no folio, got first line %q", firstLine)
			}
		case !folio.MatchString(text):
			t.Errorf("page %d: no folio — %d —", n, n)
		case n%2 == 0 && firstLine != label:
			t.Errorf("even page %d: running head %q, want %q", n, firstLine, label)
		case n%2 == 1 && n > 3 && !isArticleTitle(is, firstLine):
			t.Errorf("odd page %d: running head %q is no article title", n, firstLine)
		}
	}

	toc := squash(pages[1])
	if !strings.Contains(toc, "目录") || strings.Contains(squash(pages[2]), "目录") {
		t.Fatal("the contents should fill page 2 exactly")
	}
	for i, a := range is.Articles {
		title := squash(a.Title)
		m := regexp.MustCompile(regexp.QuoteMeta(title) + `(\d+)`).FindStringSubmatch(toc)
		if m == nil {
			t.Errorf("contents lack %q with a page number", a.Title)
			continue
		}
		found := 0
		for p := 2; p < len(pages) && found == 0; p++ {
			if strings.Contains(squash(pages[p]), title) {
				found = p + 1
			}
		}
		if m[1] != fmt.Sprint(found) || found != res.ArticlePages[i] {
			t.Errorf("%q: contents say page %s, pdftotext finds it on %d, Render reports %d", a.Title, m[1], found, res.ArticlePages[i])
		}
	}

	// Body text in reading order, compared without whitespace since lines
	// break anywhere.
	flowText := readingOrder(t, tool(t, "pdftotext", "-bbox-layout", file, "-"))
	for _, a := range is.Articles {
		for _, s := range sampleSentences(t, a.Body) {
			if !strings.Contains(flowText, s) {
				t.Errorf("%q: sentence not found in the PDF: %s", a.Title, s)
			}
		}
	}
	for _, s := range []string{"单位名额", "石家庄、唐山、保定、邯郸市司法局各5人", "调解员在现场丈量院墙位置", "普法志愿者在社区广场宣讲民法典", squash(is.EditorsNote)} {
		if !strings.Contains(flowText, s) {
			t.Errorf("table cell, caption or note not found: %s", s)
		}
	}
}

var (
	bboxPage = regexp.MustCompile(`<page width="([\d.]+)" height="([\d.]+)">`)
	bboxLine = regexp.MustCompile(`(?s)<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</line>`)
	bboxWord = regexp.MustCompile(`<word[^>]*>([^<]*)</word>`)
)

// readingOrder rebuilds the text of a two-column document from pdftotext's
// line boxes: a line across the middle of the page (a title) ends a band,
// running heads and folios are dropped, and each band is read left column first.
func readingOrder(t *testing.T, bbox string) string {
	type ln struct {
		x0, y, x1 float64
		text      string
	}
	var sb strings.Builder
	for _, pg := range strings.Split(bbox, "</page>") {
		m := bboxPage.FindStringSubmatch(pg)
		if m == nil {
			continue
		}
		var w, h float64
		fmt.Sscan(m[1], &w)
		fmt.Sscan(m[2], &h)
		var lines []ln
		for _, lm := range bboxLine.FindAllStringSubmatch(pg, -1) {
			var l ln
			fmt.Sscan(lm[1], &l.x0)
			fmt.Sscan(lm[2], &l.y)
			fmt.Sscan(lm[3], &l.x1)
			for _, wm := range bboxWord.FindAllStringSubmatch(lm[4], -1) {
				l.text += wm[1]
			}
			lines = append(lines, l)
		}
		sort.SliceStable(lines, func(i, j int) bool { return lines[i].y < lines[j].y })
		var left, right []string
		flush := func() {
			sb.WriteString(strings.Join(left, ""))
			sb.WriteString(strings.Join(right, ""))
			left, right = nil, nil
		}
		mid, headZone := w/2, h*0.075
		for _, l := range lines {
			switch {
			case l.y < headZone || l.y > h-headZone:
				// running heads and folios: not part of the text
			case l.x0 < mid-3 && l.x1 > mid+3:
				flush()
				sb.WriteString(l.text)
			case l.x0 < mid:
				left = append(left, l.text)
			default:
				right = append(right, l.text)
			}
		}
		flush()
	}
	return squash(html.UnescapeString(sb.String()))
}

func isArticleTitle(is Issue, s string) bool {
	for _, a := range is.Articles {
		if squash(a.Title) == s {
			return true
		}
	}
	return false
}

func TestRenderPageSize(t *testing.T) {
	is := demoIssue(t)
	a4, err := RenderWith(is, Options{})
	if err != nil {
		t.Fatal(err)
	}
	a5, err := RenderWith(is, Options{PageSize: "a5"})
	if err != nil {
		t.Fatal(err)
	}
	if a5.Pages <= a4.Pages {
		t.Errorf("A5 has %d pages, A4 %d: the smaller page should need more", a5.Pages, a4.Pages)
	}
	if _, err := Render(is); err != nil {
		t.Fatal(err)
	}
}

func TestRenderRejects(t *testing.T) {
	good := func() Issue {
		return Issue{Title: "河北司法行政宣传", Number: 1, Date: demoIssue(t).Date,
			Articles: []Article{{Title: "标题", Body: "<p>正文。</p>"}, {Title: "第二篇", Body: "<p>正文。</p>"}}}
	}
	tests := []struct {
		name   string
		change func(*Issue, *Options)
		field  string
		says   string
	}{
		{"no articles", func(is *Issue, _ *Options) { is.Articles = nil }, "articles", "at least one"},
		{"empty title", func(is *Issue, _ *Options) { is.Articles[1].Title = "  " }, "articles[1].title", "title"},
		{"no periodical title", func(is *Issue, _ *Options) { is.Title = "" }, "title", "title"},
		{"no number", func(is *Issue, _ *Options) { is.Number = 0 }, "number", "positive"},
		{"image not decodable", func(is *Issue, _ *Options) {
			is.Articles[0].Images = []Image{{Data: []byte("GIF89a not really")}}
		}, "articles[0].images[0]", "cannot be decoded"},
		{"truncated png", func(is *Issue, _ *Options) {
			is.Articles[1].Images = []Image{{Data: testPNG(t, 20, 20)[:60]}}
		}, "articles[1].images[0]", "cannot be decoded"},
		{"glyph missing", func(is *Issue, _ *Options) {
			is.Articles[1].Body = "<p>藏文ཀ与表情😀</p>"
		}, "articles[1].body", "U+0F40"},
		{"unknown page size", func(_ *Issue, o *Options) { o.PageSize = "A0" }, "page_size", "A0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is, opts := good(), Options{}
			tt.change(&is, &opts)
			_, err := RenderWith(is, opts)
			var he *herald.Error
			if !errors.As(err, &he) || he.Code != herald.EINVALID {
				t.Fatalf("want an EINVALID error, got %v", err)
			}
			for _, f := range he.Fields {
				if f.Field == tt.field && strings.Contains(f.Message, tt.says) {
					return
				}
			}
			t.Errorf("no field %s saying %q in %+v", tt.field, tt.says, he.Fields)
		})
	}
}

// The fonts cover every character of every demo article and every fixed
// string the layout prints.
func TestFontsCoverDemoArticles(t *testing.T) {
	fc, err := loadFace()
	if err != nil {
		t.Fatal(err)
	}
	names, _ := filepath.Glob(filepath.Join("..", "demo", "data", "articles", "*.txt"))
	if len(names) == 0 {
		t.Fatal("no demo articles")
	}
	fixed := "目　录编者按本期要目来源：第卷期总（）年月日—0123456789…"
	if miss := fc.missing(fixed); len(miss) > 0 {
		t.Errorf("fixed strings: missing %s", describeRunes(miss))
	}
	for _, n := range names {
		a := demoArticle(t, filepath.Base(n))
		blocks, err := parseBody(a.Body)
		if err != nil {
			t.Fatal(err)
		}
		text := a.Title + a.Subtitle + a.Source + a.Byline
		for _, b := range blocks {
			text += b.text + b.caption
			for _, r := range b.rows {
				text += strings.Join(r, "")
			}
		}
		if miss := fc.missing(text); len(miss) > 0 {
			t.Errorf("%s: missing %s", n, describeRunes(miss))
		}
	}
}
