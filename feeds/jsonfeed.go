package feeds

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
)

// JSONFeedVersion is the version URL of the JSON Feed format written by JSONFeed.
const JSONFeedVersion = "https://jsonfeed.org/version/1.1"

type jsonFeed struct {
	Version     string         `json:"version"`
	Title       string         `json:"title"`
	HomePageURL string         `json:"home_page_url,omitempty"`
	FeedURL     string         `json:"feed_url,omitempty"`
	Description string         `json:"description,omitempty"`
	Language    string         `json:"language,omitempty"`
	Authors     []jsonAuthor   `json:"authors,omitempty"`
	Items       []jsonFeedItem `json:"items"`
}

type jsonAuthor struct {
	Name string `json:"name"`
}

type jsonFeedItem struct {
	ID            string       `json:"id"`
	URL           string       `json:"url"`
	Title         string       `json:"title,omitempty"`
	ContentHTML   string       `json:"content_html,omitempty"`
	ContentText   string       `json:"content_text,omitempty"`
	Summary       string       `json:"summary,omitempty"`
	Image         string       `json:"image,omitempty"`
	DatePublished string       `json:"date_published,omitempty"`
	DateModified  string       `json:"date_modified,omitempty"`
	Authors       []jsonAuthor `json:"authors,omitempty"`
	Tags          []string     `json:"tags,omitempty"`
	Language      string       `json:"language,omitempty"`
}

// JSONFeed writes feed as a JSON Feed 1.1 document. Each item's id is its
// canonical URL, dates are RFC 3339 in UTC (date_modified only when Updated
// is set), and an entry without a body gets its summary as content_text, as
// the format requires some content. The site's publisher is the
// feed-level author, which items without authors inherit. It returns an
// error, writing nothing, if an entry lacks an absolute URL.
func JSONFeed(w io.Writer, site Site, feed Feed) error {
	if err := checkEntries(feed.Entries); err != nil {
		return err
	}
	feed = feed.withDefaults(site)
	doc := jsonFeed{
		Version:     JSONFeedVersion,
		Title:       feed.Title,
		HomePageURL: feed.URL,
		FeedURL:     feed.SelfURL,
		Description: feed.Description,
		Language:    site.Language,
		Items:       make([]jsonFeedItem, 0, len(feed.Entries)),
	}
	if p := site.publisherName(); p != "" {
		doc.Authors = []jsonAuthor{{Name: p}}
	}
	for _, e := range feed.Entries {
		it := jsonFeedItem{
			ID:          e.URL,
			URL:         feed.link(e),
			Title:       e.Title,
			ContentHTML: e.ContentHTML,
			Summary:     e.Summary,
			Image:       e.ImageURL,
			Language:    e.Language,
			Tags:        trimAll(e.Tags),
		}
		if !e.Published.IsZero() {
			it.DatePublished = utc3339(e.Published)
		}
		if !e.Updated.IsZero() {
			it.DateModified = utc3339(e.Updated)
		}
		for _, a := range trimAll(e.Authors) {
			it.Authors = append(it.Authors, jsonAuthor{Name: a})
		}
		if it.ContentHTML == "" {
			// JSON Feed requires content_html or content_text.
			it.ContentText = e.Summary
			if it.ContentText == "" {
				it.ContentText = e.Title
			}
		}
		doc.Items = append(doc.Items, it)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // served as application/feed+json, never inside HTML
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	return writeOut(w, &buf)
}

// trimAll returns the non-blank strings of ss, trimmed.
func trimAll(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
