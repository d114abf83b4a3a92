package feeds

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// MaxHeadlineRunes is the longest JSON-LD headline; longer titles are cut
// and end in "…".
const MaxHeadlineRunes = 110

type ldArticle struct {
	Context          string    `json:"@context"`
	Type             string    `json:"@type"`
	MainEntityOfPage *ldNode   `json:"mainEntityOfPage,omitempty"`
	URL              string    `json:"url,omitempty"`
	Headline         string    `json:"headline"`
	Description      string    `json:"description,omitempty"`
	Image            []string  `json:"image,omitempty"`
	DatePublished    string    `json:"datePublished,omitempty"`
	DateModified     string    `json:"dateModified,omitempty"`
	Author           []ldAgent `json:"author,omitempty"`
	Publisher        *ldAgent  `json:"publisher,omitempty"`
	InLanguage       string    `json:"inLanguage,omitempty"`
	ArticleSection   string    `json:"articleSection,omitempty"`
	Keywords         []string  `json:"keywords,omitempty"`
}

type ldNode struct {
	Type string `json:"@type"`
	ID   string `json:"@id"`
}

type ldAgent struct {
	Type string   `json:"@type"`
	Name string   `json:"name"`
	URL  string   `json:"url,omitempty"`
	Logo *ldImage `json:"logo,omitempty"`
}

type ldImage struct {
	Type string `json:"@type"`
	URL  string `json:"url"`
}

// NewsArticleJSONLD returns the JSON text of a schema.org NewsArticle for e:
// headline (at most MaxHeadlineRunes characters), description, image,
// datePublished and dateModified (RFC 3339, UTC), author (a Person per
// author, or the publisher when there is none), publisher (an Organization
// with its logo as ImageObject when the site has one), mainEntityOfPage,
// inLanguage, articleSection and keywords.
//
// The text is meant for a <script type="application/ld+json"> element: '<',
// '>' and '&' (and U+2028, U+2029) are written as \u escapes, so no value —
// not even a title containing "</script>" or "<!--" — can end the element
// or open a comment. In html/template, insert it as template.JS(s): a plain
// string in a script element would be re-encoded as a JSON string literal.
func NewsArticleJSONLD(site Site, e Entry) string {
	org := &ldAgent{Type: "Organization", Name: site.publisherName()}
	if base := site.baseURL(); base != "" {
		org.URL = base + "/"
	}
	if site.LogoURL != "" {
		org.Logo = &ldImage{Type: "ImageObject", URL: site.LogoURL}
	}
	doc := ldArticle{
		Context:        "https://schema.org",
		Type:           "NewsArticle",
		URL:            e.URL,
		Headline:       headline(e.Title),
		Description:    strings.TrimSpace(e.Summary),
		Publisher:      org,
		InLanguage:     e.Language,
		ArticleSection: strings.TrimSpace(e.Section),
		Keywords:       trimAll(e.Tags),
	}
	if e.URL != "" {
		doc.MainEntityOfPage = &ldNode{Type: "WebPage", ID: e.URL}
	}
	if e.ImageURL != "" {
		doc.Image = []string{e.ImageURL}
	}
	if !e.Published.IsZero() {
		doc.DatePublished = utc3339(e.Published)
	}
	if t := e.modified(); !t.IsZero() {
		doc.DateModified = utc3339(t)
	}
	for _, a := range trimAll(e.Authors) {
		doc.Author = append(doc.Author, ldAgent{Type: "Person", Name: a})
	}
	if len(doc.Author) == 0 {
		doc.Author = []ldAgent{{Type: "Organization", Name: org.Name, URL: org.URL}}
	}
	// json.Marshal escapes <, >, & and U+2028/U+2029 and replaces invalid
	// UTF-8; with only strings, slices and pointers to structs it cannot fail.
	b, err := json.Marshal(doc)
	if err != nil {
		panic("feeds: marshal NewsArticle: " + err.Error())
	}
	return string(b)
}

// headline trims title and cuts it to MaxHeadlineRunes characters.
func headline(title string) string {
	title = strings.TrimSpace(title)
	if utf8.RuneCountInString(title) <= MaxHeadlineRunes {
		return title
	}
	r := []rune(title)
	return strings.TrimSpace(string(r[:MaxHeadlineRunes-1])) + "…"
}
