package search

import (
	"strings"

	"golang.org/x/net/html"

	"github.com/heraldnews/herald"
)

// DocumentOf turns an article into what the index keeps; names gives the names
// (Chinese and English) of a staff member credited as author or editor.
func DocumentOf(a *herald.Article, names func(staffID int64) []string) *Document {
	d := &Document{
		ID: a.ID, Title: a.Title, Subtitle: a.Subtitle, Tags: a.Tags, Source: a.Source, Summary: a.Summary,
		Body: PlainText(a.Body), Status: a.Status, UnitID: a.UnitID, ColumnID: a.ColumnID, ThemeIDs: a.ThemeIDs,
		Language: a.Language, Date: a.UpdatedAt,
	}
	if a.PublishedAt != nil {
		d.Date = *a.PublishedAt
	}
	d.Authors = Bylines(a, names)
	return d
}

// Bylines returns the names an article credits: its authors', then its
// responsible editor's (the page names both).
func Bylines(a *herald.Article, names func(staffID int64) []string) []string {
	var out []string
	for _, au := range a.Authors {
		if au.Name != "" {
			out = append(out, au.Name)
		} else if names != nil {
			out = append(out, names(au.StaffID)...)
		}
	}
	if a.EditorID != 0 && names != nil {
		out = append(out, names(a.EditorID)...)
	}
	return out
}

// blocks are the elements after which text breaks into a new line.
var blocks = map[string]bool{
	"p": true, "div": true, "br": true, "li": true, "tr": true, "td": true, "th": true, "h1": true, "h2": true,
	"h3": true, "h4": true, "h5": true, "h6": true, "blockquote": true, "figcaption": true, "table": true,
}

// PlainText returns the text of an HTML fragment, a line per block, with
// image descriptions (alt text) kept.
func PlainText(fragment string) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(fragment))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.TrimSpace(b.String())
		case html.TextToken:
			b.Write(z.Text())
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, hasAttr := z.TagName()
			if string(name) == "img" && hasAttr {
				for {
					key, val, more := z.TagAttr()
					if string(key) == "alt" && len(val) > 0 {
						b.WriteString(" ")
						b.Write(val)
						b.WriteString(" ")
					}
					if !more {
						break
					}
				}
			}
			if blocks[string(name)] {
				b.WriteByte('\n')
			}
		}
	}
}
