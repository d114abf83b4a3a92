package newsletter

import (
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/heraldnews/herald/htmlsafe"
)

// blocks are the elements that end a paragraph in plain text.
var blocks = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Section: true, atom.Article: true, atom.H1: true, atom.H2: true, atom.H3: true,
	atom.H4: true, atom.H5: true, atom.H6: true, atom.Ul: true, atom.Ol: true, atom.Li: true, atom.Blockquote: true,
	atom.Table: true, atom.Tr: true, atom.Figure: true, atom.Figcaption: true, atom.Pre: true, atom.Hr: true,
}

// skipped are the elements whose content is no text for a reader.
var skipped = map[atom.Atom]bool{atom.Script: true, atom.Style: true, atom.Template: true, atom.Noscript: true, atom.Svg: true}

var (
	manyBreaks = regexp.MustCompile(`\n{3,}`)
	spaces     = regexp.MustCompile(`\s+`)
	twoSpaces  = regexp.MustCompile(` {2,}`)
	cjkGap     = regexp.MustCompile(`([\p{Han}，。、；：！？”）》」])\s+([\p{Han}“（《「])`)
)

// htmlText turns a sanitized article body into plain text for the text part
// of a mail: a blank line between paragraphs, list items marked, and each
// link's address after its text, made absolute against base.
func htmlText(body, base string) string {
	nodes, err := html.ParseFragment(strings.NewReader(body), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		return ""
	}
	baseURL, _ := url.Parse(base + "/")
	var b strings.Builder
	breakLine := func(n int) {
		s := b.String()
		trailing := len(s) - len(strings.TrimRight(s, "\n"))
		if s == "" || trailing >= n {
			return
		}
		b.WriteString(strings.Repeat("\n", n-trailing))
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			text := n.Data
			for prev := ""; prev != text; {
				// a line break between Chinese characters is no space in the text
				prev, text = text, cjkGap.ReplaceAllString(text, "$1$2")
			}
			b.WriteString(spaces.ReplaceAllString(text, " "))
			return
		case html.ElementNode:
			if skipped[n.DataAtom] {
				return
			}
			switch n.DataAtom {
			case atom.Br:
				breakLine(1)
				return
			case atom.Img:
				return
			case atom.Li:
				breakLine(1)
				b.WriteString("• ")
			case atom.Td, atom.Th:
				if n.PrevSibling != nil {
					b.WriteString(" | ")
				}
			}
		}
		if n.Type == html.ElementNode && blocks[n.DataAtom] && n.DataAtom != atom.Li {
			breakLine(map[bool]int{true: 1, false: 2}[n.DataAtom == atom.Tr])
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if n.Type == html.ElementNode && n.DataAtom == atom.A {
			if href := htmlsafe.Attr(n, "href"); href != "" {
				if u, err := baseURL.Parse(href); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
					text := strings.TrimSpace(htmlsafe.Text(n))
					if text != u.String() {
						b.WriteString(" (" + u.String() + ")")
					}
				}
			}
		}
		if n.Type == html.ElementNode && blocks[n.DataAtom] {
			breakLine(map[bool]int{true: 1, false: 2}[n.DataAtom == atom.Li || n.DataAtom == atom.Tr])
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	lines := strings.Split(twoSpaces.ReplaceAllString(b.String(), " "), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.TrimSpace(manyBreaks.ReplaceAllString(strings.Join(lines, "\n"), "\n\n"))
}
