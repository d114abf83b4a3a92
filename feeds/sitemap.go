package feeds

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of the sitemaps.org protocol for one sitemap file. Callers with more
// URLs split them over several sitemaps (and list those in a sitemap index).
const (
	MaxSitemapURLs  = 50000
	MaxSitemapBytes = 50 * 1024 * 1024 // uncompressed
	maxLocLength    = 2048             // a loc must be shorter than this
)

// Limits of a Google News sitemap.
const (
	NewsSitemapWindow  = 48 * time.Hour // only articles published this recently
	MaxNewsSitemapURLs = 1000
)

// SitemapURL is one <url> of a sitemap.
type SitemapURL struct {
	Loc     string    // absolute URL
	LastMod time.Time // omitted when zero
	// Alternates maps a language (hreflang value, or "x-default") to the
	// absolute URL of that version. Search engines expect the set to include
	// Loc itself under its own language; EntrySitemapURLs does that.
	Alternates map[string]string
}

type urlSet struct {
	XMLName struct{}     `xml:"urlset"`
	NS      string       `xml:"xmlns,attr"`
	NSXHTML string       `xml:"xmlns:xhtml,attr"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc     string      `xml:"loc"`
	LastMod string      `xml:"lastmod,omitempty"`
	Links   []xhtmlLink `xml:"xhtml:link"`
}

type xhtmlLink struct {
	Rel      string `xml:"rel,attr"`
	HrefLang string `xml:"hreflang,attr"`
	Href     string `xml:"href,attr"`
}

// Sitemap writes a sitemaps.org 0.9 sitemap of urls, in the order given, with
// an xhtml:link rel="alternate" hreflang element per alternate (sorted by
// language). It returns an error, writing nothing, when there are more than
// MaxSitemapURLs URLs or the document would exceed MaxSitemapBytes (the
// caller splits), or when a URL is not absolute.
func Sitemap(w io.Writer, urls []SitemapURL) error {
	if len(urls) > MaxSitemapURLs {
		return fmt.Errorf("feeds: sitemap has %d URLs, more than the limit of %d; split it", len(urls), MaxSitemapURLs)
	}
	doc := urlSet{NS: nsSitemap, NSXHTML: nsXHTML, URLs: make([]sitemapURL, 0, len(urls))}
	for i, u := range urls {
		if err := checkLoc(fmt.Sprintf("sitemap url %d", i), u.Loc); err != nil {
			return err
		}
		su := sitemapURL{Loc: clean(u.Loc)}
		if !u.LastMod.IsZero() {
			su.LastMod = utc3339(u.LastMod)
		}
		for _, lang := range sortedKeys(u.Alternates) {
			href := u.Alternates[lang]
			if err := checkAbsURL(fmt.Sprintf("sitemap url %d alternate %q", i, lang), href); err != nil {
				return err
			}
			su.Links = append(su.Links, xhtmlLink{Rel: "alternate", HrefLang: clean(lang), Href: clean(href)})
		}
		doc.URLs = append(doc.URLs, su)
	}
	var buf bytes.Buffer
	if err := encodeXML(&buf, doc); err != nil {
		return err
	}
	if buf.Len() > MaxSitemapBytes {
		return fmt.Errorf("feeds: sitemap is %d bytes, more than the limit of %d; split it", buf.Len(), MaxSitemapBytes)
	}
	return writeOut(w, &buf)
}

// EntrySitemapURLs converts entries to sitemap URLs: the entry's URL, its
// last modification, and — when it has other language versions — its
// alternates together with itself under its own language.
func EntrySitemapURLs(entries []Entry) []SitemapURL {
	out := make([]SitemapURL, 0, len(entries))
	for _, e := range entries {
		u := SitemapURL{Loc: e.URL, LastMod: e.modified()}
		if len(e.Alternates) > 0 {
			u.Alternates = maps.Clone(e.Alternates)
			if e.Language != "" {
				u.Alternates[e.Language] = e.URL
			}
		}
		out = append(out, u)
	}
	return out
}

func checkLoc(what, loc string) error {
	if err := checkAbsURL(what, loc); err != nil {
		return err
	}
	if utf8.RuneCountInString(loc) >= maxLocLength {
		return fmt.Errorf("feeds: %s is %d characters long, the limit is %d", what, utf8.RuneCountInString(loc), maxLocLength-1)
	}
	return nil
}

type newsURLSet struct {
	XMLName struct{}  `xml:"urlset"`
	NS      string    `xml:"xmlns,attr"`
	NSNews  string    `xml:"xmlns:news,attr"`
	URLs    []newsURL `xml:"url"`
}

type newsURL struct {
	Loc  string   `xml:"loc"`
	News newsNews `xml:"news:news"`
}

type newsNews struct {
	Publication     newsPublication `xml:"news:publication"`
	PublicationDate string          `xml:"news:publication_date"`
	Title           string          `xml:"news:title"`
}

type newsPublication struct {
	Name     string `xml:"news:name"`
	Language string `xml:"news:language"`
}

// NewsSitemap writes a Google News sitemap of the entries published within
// NewsSitemapWindow before now (entries dated after now, or undated, are left
// out), newest first, at most MaxNewsSitemapURLs. The publication name is the
// site's publisher and the language is the entry's (else the site's) in the
// form Google asks for: "zh-cn" or "zh-tw" for Chinese, otherwise the primary
// language subtag ("en"). It returns an error, writing nothing, if a selected
// entry lacks an absolute URL.
func NewsSitemap(w io.Writer, site Site, entries []Entry, now time.Time) error {
	from := now.Add(-NewsSitemapWindow)
	var recent []Entry
	for _, e := range entries {
		if e.Published.IsZero() || e.Published.Before(from) || e.Published.After(now) {
			continue
		}
		recent = append(recent, e)
	}
	slices.SortStableFunc(recent, func(a, b Entry) int { return b.Published.Compare(a.Published) })
	if len(recent) > MaxNewsSitemapURLs {
		recent = recent[:MaxNewsSitemapURLs]
	}
	if err := checkEntries(recent); err != nil {
		return err
	}
	doc := newsURLSet{NS: nsSitemap, NSNews: nsNews, URLs: make([]newsURL, 0, len(recent))}
	name := clean(site.publisherName())
	for _, e := range recent {
		lang := e.Language
		if lang == "" {
			lang = site.Language
		}
		doc.URLs = append(doc.URLs, newsURL{
			Loc: clean(e.URL),
			News: newsNews{
				Publication:     newsPublication{Name: name, Language: clean(NewsLanguage(lang))},
				PublicationDate: utc3339(e.Published),
				Title:           clean(e.Title),
			},
		})
	}
	return encodeXML(w, doc)
}

// NewsLanguage converts a BCP 47 tag to the language code of Google News
// sitemaps: "zh-cn" for Simplified Chinese (zh, zh-CN, zh-Hans, zh-SG…),
// "zh-tw" for Traditional Chinese (zh-TW, zh-HK, zh-MO, zh-Hant…), and the
// lower-cased primary subtag otherwise ("en-GB" → "en"). An empty tag gives
// "zh-cn", the platform's default language.
func NewsLanguage(tag string) string {
	t := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(tag), "_", "-"))
	if t == "" {
		return "zh-cn"
	}
	parts := strings.Split(t, "-")
	if parts[0] != "zh" {
		return parts[0]
	}
	for _, p := range parts[1:] {
		switch p {
		case "hant", "tw", "hk", "mo":
			return "zh-tw"
		}
	}
	return "zh-cn"
}
