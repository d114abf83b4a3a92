// Package htmlsafe sanitizes the rich HTML that staff paste into articles, so
// that only harmless markup (text structure, links, images, tables) is stored.
package htmlsafe

import (
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
)

var policy = newPolicy()

func newPolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowElements("figure", "figcaption", "section", "caption", "colgroup", "col")
	p.AllowAttrs("colspan", "rowspan").Matching(regexp.MustCompile(`^[0-9]{1,3}$`)).OnElements("td", "th")
	p.AllowAttrs("style").Matching(regexp.MustCompile(`^text-align:\s*(left|right|center|justify);?$`)).OnElements("p", "td", "th", "h1", "h2", "h3", "h4")
	p.AllowAttrs("width", "height").Matching(bluemonday.Number).OnElements("img")
	p.RequireNoFollowOnLinks(false)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.RequireNoReferrerOnFullyQualifiedLinks(true)
	return p
}

// Sanitize returns body with everything unsafe removed: scripts, event handlers,
// javascript: URLs, styles other than text alignment, unknown elements.
func Sanitize(body string) string {
	return policy.Sanitize(body)
}

// Attr returns the value of a parsed element's attribute, "" when it has none.
func Attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// Text returns the text of a parsed node and everything in it, markup left
// out.
func Text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}
