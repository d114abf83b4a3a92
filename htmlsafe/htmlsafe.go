// Package htmlsafe sanitizes the rich HTML that staff paste into articles, so
// that only harmless markup (text structure, links, images, tables) is stored.
package htmlsafe

import (
	"regexp"

	"github.com/microcosm-cc/bluemonday"
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
