// Package feeds renders the portal's machine-readable outputs — RSS 2.0, Atom,
// JSON Feed 1.1, sitemaps, the Google News sitemap, robots.txt and schema.org
// NewsArticle JSON-LD — from a small, self-contained model.
//
// The package deliberately depends on nothing else in the module: callers
// convert their articles into [Entry] values. Every renderer is deterministic
// (no clocks, maps are emitted in sorted order) so the output can be compared
// against golden files, renders into memory first so that an error never
// leaves half a document on the writer, and emits all times in UTC.
package feeds

import (
	"bytes"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Site describes the publication.
type Site struct {
	Name        string // "河北司法行政网"
	NameEn      string // English name, may be empty
	BaseURL     string // "https://news.example.gov.cn" (a trailing slash is tolerated)
	Language    string // BCP 47, "zh-CN"
	Description string
	Publisher   string // organisation name for the JSON-LD publisher and the news sitemap
	LogoURL     string // absolute; may be empty
}

// Entry is one published article as the outputs need it.
type Entry struct {
	ID          int64
	URL         string // absolute canonical URL; required
	Title       string
	Summary     string // plain text
	ContentHTML string // sanitized body HTML
	Language    string // BCP 47, "zh-CN" or "en"
	Authors     []string
	Section     string // column name
	Tags        []string
	ImageURL    string // absolute; may be empty
	Published   time.Time
	Updated     time.Time         // zero means "never updated": Published is used
	Alternates  map[string]string // language -> absolute URL of the other language versions (hreflang)
}

// Feed is one feed: the site's, a column's or a theme's. Entries are emitted
// in the order given (normally newest first).
type Feed struct {
	Title       string // defaults to Site.Name
	Description string // defaults to Site.Description
	URL         string // the HTML page; defaults to Site.BaseURL + "/"
	SelfURL     string // the feed's own URL
	Updated     time.Time
	Entries     []Entry
	// LinkQuery, if set, is added to the query of each entry's link (RSS
	// link, Atom alternate link, JSON Feed url) but not of its id or guid,
	// which stay the canonical URL: "from=feed" tells the site which reads
	// came from the feed.
	LinkQuery string
}

// link is where the feed links an entry: its URL with the feed's LinkQuery,
// unless the URL's query has it already.
func (f Feed) link(e Entry) string {
	if f.LinkQuery == "" {
		return e.URL
	}
	page, query, found := strings.Cut(e.URL, "?")
	if !found {
		return page + "?" + f.LinkQuery
	}
	query, _, _ = strings.Cut(query, "#")
	for pair := range strings.SplitSeq(query, "&") {
		if pair == f.LinkQuery {
			return e.URL
		}
	}
	return e.URL + "&" + f.LinkQuery
}

// Time layouts used by the renderers. Times are always converted to UTC first.
const (
	rfc3339 = "2006-01-02T15:04:05Z07:00" // Atom, JSON Feed, sitemaps, JSON-LD
)

func utc3339(t time.Time) string  { return t.UTC().Format(rfc3339) }
func utc1123z(t time.Time) string { return t.UTC().Format(time.RFC1123Z) }

// baseURL returns the site's base URL without a trailing slash.
func (s Site) baseURL() string { return strings.TrimRight(strings.TrimSpace(s.BaseURL), "/") }

// publisherName is the organisation named as publisher.
func (s Site) publisherName() string {
	if s.Publisher != "" {
		return s.Publisher
	}
	return s.Name
}

// withDefaults fills the feed's optional fields from the site.
func (f Feed) withDefaults(site Site) Feed {
	if f.Title == "" {
		f.Title = site.Name
	}
	if f.Description == "" {
		f.Description = site.Description
	}
	if f.URL == "" {
		f.URL = site.baseURL() + "/"
	}
	return f
}

// updated is the feed's update time: Feed.Updated, or else the latest time
// of any entry; zero when there is none.
func (f Feed) updated() time.Time {
	if !f.Updated.IsZero() {
		return f.Updated
	}
	var latest time.Time
	for _, e := range f.Entries {
		if t := e.modified(); t.After(latest) {
			latest = t
		}
	}
	return latest
}

// modified is the entry's last modification: Updated, or else Published.
func (e Entry) modified() time.Time {
	if !e.Updated.IsZero() {
		return e.Updated
	}
	return e.Published
}

// checkEntries verifies that every entry has an absolute URL.
func checkEntries(entries []Entry) error {
	for i, e := range entries {
		if err := checkAbsURL(fmt.Sprintf("entry %d (id %d) url", i, e.ID), e.URL); err != nil {
			return err
		}
	}
	return nil
}

// checkAbsURL reports an error unless u is an absolute http(s) URL.
func checkAbsURL(what, u string) error {
	if u == "" {
		return fmt.Errorf("feeds: %s is empty", what)
	}
	p, err := url.Parse(u)
	if err != nil {
		return fmt.Errorf("feeds: %s: %w", what, err)
	}
	if (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return fmt.Errorf("feeds: %s %q is not an absolute http(s) URL", what, u)
	}
	return nil
}

// sortedKeys returns the keys of m in ascending order.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// clean makes s safe for XML 1.0: invalid UTF-8 becomes U+FFFD and characters
// that XML forbids (most C0 controls, U+FFFE, U+FFFF) are dropped. encoding/xml
// escapes ordinary text itself, but writes CDATA sections verbatim.
func clean(s string) string {
	ok := utf8.ValidString(s)
	if ok {
		for _, r := range s {
			if !isXMLChar(r) {
				ok = false
				break
			}
		}
	}
	if ok {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isXMLChar(r) {
			return r
		}
		return -1
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// writeOut copies a fully rendered document to w.
func writeOut(w io.Writer, buf *bytes.Buffer) error {
	_, err := w.Write(buf.Bytes())
	return err
}
