package wechat

import (
	"flag"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/htmlsafe"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// demoArticle is demo article 013 with what real bodies also carry: a
// captioned photo, links (one repeated, relative and absolute), a table, a
// quote, an alignment, and the id and class attributes of pasted markup.
func demoArticle(t *testing.T) Article {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", "article.html"))
	if err != nil {
		t.Fatal(err)
	}
	return Article{
		Title:    "全省行政执法“三项制度”落实情况专项监督启动",
		Subtitle: "为期三个月，重点检查六个领域省市县三级执法单位",
		Source:   "河北省司法厅",
		Authors:  []string{"陈静", " ", "通讯员 李明"},
		Editor:   "王亚兰",
		Body:     htmlsafe.Sanitize(string(body)),
		URL:      "https://news.example.gov.cn/news/2026/08/31/three-systems.html",
		BaseURL:  "https://news.example.gov.cn/",
	}
}

func TestRenderGolden(t *testing.T) {
	out, err := Render(demoArticle(t))
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "article.golden.html")
	if *update {
		if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if out != string(want) {
		t.Errorf("rendition differs from %s (run go test -update after checking the change):\n%s", golden, out)
	}
	checkRendition(t, out)
}

func TestRenderStyles(t *testing.T) {
	out, err := Render(demoArticle(t))
	if err != nil {
		t.Fatal(err)
	}
	root := parseOutput(t, out)
	// Every paragraph of body text, not only the first, is set for reading
	// on a phone.
	var bodyParas int
	for _, p := range findAll(root, atom.P) {
		st := styleOf(p)
		if inside(p, atom.Blockquote) || strings.Contains(st["color"], "#888") || st["font-weight"] == "bold" {
			continue // quotes, the header, the footer
		}
		bodyParas++
		for k, v := range map[string]string{"font-size": "16px", "line-height": "1.75", "color": "#333"} {
			if st[k] != v {
				t.Errorf("paragraph %q: %s is %q, want %q", clip(textOf(p)), k, st[k], v)
			}
		}
		if st["margin"] == "" {
			t.Errorf("paragraph %q has no margin", clip(textOf(p)))
		}
		if want := "justify"; !strings.Contains(textOf(p), "供稿") && st["text-align"] != want {
			t.Errorf("paragraph %q: text-align %q, want %q", clip(textOf(p)), st["text-align"], want)
		}
	}
	if bodyParas != 4 {
		t.Errorf("found %d body paragraphs, want 4", bodyParas)
	}
	checks := []struct {
		name  string
		el    *html.Node
		props map[string]string
	}{
		{"image", first(t, root, atom.Img), map[string]string{"max-width": "100%", "height": "auto"}},
		{"caption", first(t, root, atom.Figcaption), map[string]string{"text-align": "center", "color": "#888", "font-size": "14px"}},
		{"figure", first(t, root, atom.Figure), map[string]string{"text-align": "center"}},
		{"heading", first(t, root, atom.H2), map[string]string{"font-weight": "bold", "font-size": "18px"}},
		{"table", first(t, root, atom.Table), map[string]string{"border-collapse": "collapse", "border": "1px solid #ddd"}},
		{"header cell", first(t, root, atom.Th), map[string]string{"border": "1px solid #ddd"}},
		{"cell", first(t, root, atom.Td), map[string]string{"border": "1px solid #ddd", "font-size": "14px"}},
		{"quote", first(t, root, atom.Blockquote), map[string]string{"border-left": "4px solid #d9d9d9"}},
		{"list", first(t, root, atom.Ul), map[string]string{"list-style-type": "disc"}},
		{"list item", first(t, root, atom.Li), map[string]string{"font-size": "16px", "line-height": "1.75"}},
		{"bold", first(t, root, atom.Strong), map[string]string{"font-weight": "bold"}},
	}
	for _, c := range checks {
		st := styleOf(c.el)
		for k, v := range c.props {
			if st[k] != v {
				t.Errorf("%s: %s is %q, want %q (style %q)", c.name, k, st[k], v, attrOf(c.el, "style"))
			}
		}
	}
	// The alignment the author chose survives the house style.
	for _, p := range findAll(root, atom.P) {
		if strings.Contains(textOf(p), "供稿") && styleOf(p)["text-align"] != "right" {
			t.Errorf("right-aligned credit line lost its alignment: %q", attrOf(p, "style"))
		}
	}
	// Spacing does not double up: the last paragraph of the quote has no
	// bottom margin of its own.
	ps := findAll(first(t, root, atom.Blockquote), atom.P)
	if m := styleOf(ps[len(ps)-1])["margin"]; m != "0" {
		t.Errorf("last paragraph in the quote has margin %q, want 0", m)
	}
}

func TestRenderHeaderAndFooter(t *testing.T) {
	a := demoArticle(t)
	out, err := Render(a)
	if err != nil {
		t.Fatal(err)
	}
	root := parseOutput(t, out)
	all := textOf(root)
	head := textOf(root.FirstChild.NextSibling) // after the leading newline
	if !strings.HasPrefix(head, a.Subtitle) {
		t.Errorf("rendition starts with %q, want the subtitle", clip(head))
	}
	if want := "来源：河北省司法厅　作者：陈静、通讯员 李明　编辑：王亚兰"; !strings.Contains(head, want) {
		t.Errorf("header %q lacks the line %q", head, want)
	}
	if strings.Contains(head, a.Title) {
		t.Errorf("header repeats the title, which WeChat shows on its own: %q", head)
	}
	if !strings.HasSuffix(all, "原文链接："+a.URL) {
		t.Errorf("rendition does not end with the original's URL:\n…%s", tail(all))
	}
	if !strings.Contains(all, "原文：《"+a.Title+"》") {
		t.Errorf("footer does not name the original")
	}

	bare, err := Render(Article{Body: "<p>正文。</p>", URL: "https://news.example.gov.cn/a/1.html"})
	if err != nil {
		t.Fatal(err)
	}
	for _, absent := range []string{"来源", "作者", "编辑", "参考链接", "原文："} {
		if strings.Contains(bare, absent) {
			t.Errorf("rendition without header fields or links contains %q:\n%s", absent, bare)
		}
	}
	checkRendition(t, bare)
}

func TestRenderLinks(t *testing.T) {
	out, err := Render(demoArticle(t))
	if err != nil {
		t.Fatal(err)
	}
	all := textOf(parseOutput(t, out))
	for _, want := range []string{
		"印发《关于开展行政执法“三项制度”落实情况专项监督的通知》[1]，",
		"通过省行政执法监督平台[2]核查",
		"（详见通知全文[1]）", // the same document keeps its number
		"参考链接",
		"[1] 《关于开展行政执法“三项制度”落实情况专项监督的通知》：https://news.example.gov.cn/zcfg/2026/0831-three-systems.html",
		"[2] 省行政执法监督平台：https://zfjd.hebei.gov.cn/",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("rendition lacks %q:\n%s", want, all)
		}
	}
	if strings.Contains(all, "[3]") {
		t.Errorf("a repeated link got a second number")
	}
	if strings.Contains(out, "<a") || strings.Contains(out, "href") {
		t.Errorf("a link survived; WeChat would drop it and its reference would be lost")
	}
}

func TestRenderUntrustedMarkup(t *testing.T) {
	// Render is given sanitized bodies, but what it writes goes straight into
	// an editor: it must hold its promises even for markup htmlsafe never saw.
	body := `<style>p{color:red}</style><script>alert(1)</script>
<div id="x" class="lead" onclick="alert(2)"><p class="c" style="color:red;font-size:40px">导语<span class="s">内容</span></p></div>
<iframe src="https://v.qq.com/x"></iframe><form action="/f"><input name="q"><button>提交表单</button></form>
<p><a href="javascript:alert(3)">危险链接</a>、<a href="#top">本页</a>、<a href="mailto:xcz@example.gov.cn">来信</a>、<a href="docs/guide.html"><img src="img/logo.png"></a></p>
<p><img src="data:image/png;base64,AAAA" alt="内嵌"><img src="//cdn.example.cn/a.jpg"><svg><a href="https://evil.example/">svg链接</a></svg></p>
<video src="/v.mp4">视频不支持</video><table><tr><td colspan="2" rowspan="x" onmouseover="x">单元格</td></tr></table>
<pre><code>line 1
  line 2</code></pre><p>引用<q>原话</q><b>加粗</b><u>下划线</u><del>删除</del><ruby>法<rp>(</rp><rt>fǎ</rt><rp>)</rp></ruby></p>`
	out, err := Render(Article{Body: body, URL: "https://news.example.gov.cn/a/1.html", BaseURL: "https://cdn.example.cn/site/"})
	if err != nil {
		t.Fatal(err)
	}
	checkRendition(t, out)
	all := textOf(parseOutput(t, out))
	for _, gone := range []string{"alert", "color:red", "40px", "提交表单", "视频不支持", "svg链接", "evil.example", "data:image", "内嵌", "lead"} {
		if strings.Contains(out, gone) {
			t.Errorf("rendition contains %q:\n%s", gone, out)
		}
	}
	for _, want := range []string{
		"导语内容", "危险链接、本页、来信[1]、[2]",
		"[1] 来信：mailto:xcz@example.gov.cn", "[2] https://cdn.example.cn/site/docs/guide.html",
		"“原话”", "加粗", "下划线", "删除", "法(fǎ)", "line 1\n  line 2",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("rendition lacks %q:\n%s", want, all)
		}
	}
	for _, want := range []string{
		`src="https://cdn.example.cn/site/img/logo.png"`, // relative to BaseURL, not to the article's URL
		`src="https://cdn.example.cn/a.jpg"`,
		`colspan="2"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("rendition lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "rowspan") {
		t.Errorf("a malformed rowspan was kept")
	}
}

func TestRenderInvalidURLs(t *testing.T) {
	tests := []struct {
		name, url, base, field string
	}{
		{"no url", "", "", "url"},
		{"relative url", "/news/1.html", "", "url"},
		{"other scheme", "ftp://news.example.gov.cn/1.html", "", "url"},
		{"relative base", "https://news.example.gov.cn/1.html", "/site/", "base_url"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Render(Article{Body: "<p>x</p>", URL: tc.url, BaseURL: tc.base})
			if herald.ErrorCode(err) != herald.EINVALID {
				t.Fatalf("error %v, want %s", err, herald.EINVALID)
			}
			if fs := herald.ErrorFields(err); len(fs) != 1 || fs[0].Field != tc.field {
				t.Errorf("fields %v, want one naming %s", fs, tc.field)
			}
		})
	}
}

// Elements that WeChat's editor strips or that must never reach it.
var forbidden = map[atom.Atom]bool{
	atom.Style: true, atom.Script: true, atom.Iframe: true, atom.Form: true, atom.Input: true,
	atom.Button: true, atom.Object: true, atom.Embed: true, atom.A: true, atom.Video: true,
	atom.Audio: true, atom.Svg: true, atom.Link: true, atom.Meta: true, atom.Textarea: true,
}

// unstyled are the only elements that may go without a style attribute.
var unstyled = map[atom.Atom]bool{atom.Br: true, atom.Thead: true, atom.Tbody: true, atom.Tfoot: true, atom.Tr: true}

var allowedAttrs = map[string]bool{"style": true, "src": true, "alt": true, "colspan": true, "rowspan": true, "start": true}

// checkRendition asserts what the WeChat editor needs of any rendition.
func checkRendition(t *testing.T, out string) {
	t.Helper()
	checkWellFormed(t, out)
	root := parseOutput(t, out)
	if root.DataAtom != atom.Section || root.NextSibling != nil {
		t.Errorf("rendition is not a single <section>")
	}
	walk(root, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		if forbidden[n.DataAtom] || n.Namespace != "" {
			t.Errorf("rendition contains <%s>", n.Data)
		}
		for _, a := range n.Attr {
			if !allowedAttrs[a.Key] {
				t.Errorf("<%s> has attribute %s=%q", n.Data, a.Key, a.Val)
			}
		}
		if !unstyled[n.DataAtom] && strings.TrimSpace(attrOf(n, "style")) == "" {
			t.Errorf("<%s> has no style", n.Data)
		}
		if n.DataAtom == atom.Img {
			if u, err := url.Parse(attrOf(n, "src")); err != nil || !u.IsAbs() || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
				t.Errorf("image src %q is not an absolute http(s) URL", attrOf(n, "src"))
			}
		}
	})
	// Every reference is an absolute URL WeChat readers can copy.
	all := textOf(root)
	if _, refs, ok := strings.Cut(all, "参考链接"); ok {
		refs, _, _ = strings.Cut(refs, "原文")
		for line := range strings.SplitSeq(refs, "[") {
			if line = strings.TrimSpace(line); line == "" {
				continue
			}
			fields := strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == '：' })
			u, err := url.Parse(fields[len(fields)-1])
			if err != nil || !u.IsAbs() {
				t.Errorf("reference %q does not end with an absolute URL", line)
			}
		}
	}
}

// checkWellFormed fails unless every tag the rendition opens is closed in
// order and the HTML parser reads it back without repairing anything: a
// repaired tree means WeChat's editor could see a different structure.
func checkWellFormed(t *testing.T, out string) {
	t.Helper()
	var open []string
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if z.Err() != io.EOF {
				t.Fatalf("tokenizing: %v", z.Err())
			}
			break
		}
		name, _ := z.TagName()
		switch tt {
		case html.StartTagToken:
			if a := atom.Lookup(name); a != atom.Br && a != atom.Img && a != atom.Hr {
				open = append(open, string(name))
			}
		case html.EndTagToken:
			if len(open) == 0 || open[len(open)-1] != string(name) {
				t.Fatalf("</%s> closes %v", name, open)
			}
			open = open[:len(open)-1]
		case html.SelfClosingTagToken:
			if a := atom.Lookup(name); a != atom.Br && a != atom.Img && a != atom.Hr {
				t.Errorf("<%s/> is not a void element", name)
			}
		case html.CommentToken, html.DoctypeToken:
			t.Errorf("unexpected %v in rendition", tt)
		}
	}
	if len(open) != 0 {
		t.Fatalf("unclosed elements %v", open)
	}
	var again strings.Builder
	if err := html.Render(&again, parseOutput(t, out)); err != nil {
		t.Fatal(err)
	}
	if again.String() != out {
		t.Errorf("the parser changed the rendition:\n got %s\nwant %s", again.String(), out)
	}
}

// parseOutput parses a rendition as the contents of a page's body and returns
// its first node, the rendition's root.
func parseOutput(t *testing.T, out string) *html.Node {
	t.Helper()
	nodes, err := html.ParseFragment(strings.NewReader(out), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) == 0 {
		t.Fatal("empty rendition")
	}
	return nodes[0]
}

func walk(n *html.Node, f func(*html.Node)) {
	f(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, f)
	}
}

func findAll(root *html.Node, a atom.Atom) []*html.Node {
	var found []*html.Node
	walk(root, func(n *html.Node) {
		if n.Type == html.ElementNode && n.DataAtom == a {
			found = append(found, n)
		}
	})
	return found
}

func first(t *testing.T, root *html.Node, a atom.Atom) *html.Node {
	t.Helper()
	found := findAll(root, a)
	if len(found) == 0 {
		t.Fatalf("rendition has no <%s>", a)
	}
	return found[0]
}

func inside(n *html.Node, a atom.Atom) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.DataAtom == a {
			return true
		}
	}
	return false
}

func attrOf(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func styleOf(n *html.Node) map[string]string {
	st := map[string]string{}
	for decl := range strings.SplitSeq(attrOf(n, "style"), ";") {
		if k, v, ok := strings.Cut(decl, ":"); ok {
			st[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return st
}

// textOf returns the text of n with its leading and trailing blank lines
// trimmed, newlines between blocks kept.
func textOf(n *html.Node) string {
	return strings.TrimSpace(htmlsafe.Text(n))
}

func clip(s string) string {
	if r := []rune(s); len(r) > 20 {
		return string(r[:20]) + "…"
	}
	return s
}

func tail(s string) string {
	if r := []rune(s); len(r) > 80 {
		return string(r[len(r)-80:])
	}
	return s
}
