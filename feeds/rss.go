package feeds

import (
	"io"
	"strings"
	"time"
)

type rssDoc struct {
	XMLName   struct{}   `xml:"rss"`
	Version   string     `xml:"version,attr"`
	NSAtom    string     `xml:"xmlns:atom,attr"`
	NSContent string     `xml:"xmlns:content,attr"`
	NSDC      string     `xml:"xmlns:dc,attr"`
	Channel   rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Description   string    `xml:"description"`
	AtomLink      *atomLink `xml:"atom:link,omitempty"`
	Language      string    `xml:"language,omitempty"`
	LastBuildDate string    `xml:"lastBuildDate,omitempty"`
	Image         *rssImage `xml:"image,omitempty"`
	Items         []rssItem `xml:"item"`
}

type rssImage struct {
	URL   string `xml:"url"`
	Title string `xml:"title"`
	Link  string `xml:"link"`
}

type rssItem struct {
	Title       string   `xml:"title,omitempty"`
	Link        string   `xml:"link"`
	Description string   `xml:"description,omitempty"`
	Content     *cdata   `xml:"content:encoded,omitempty"`
	Creators    []string `xml:"dc:creator"`
	Categories  []string `xml:"category"`
	GUID        rssGUID  `xml:"guid"`
	PubDate     string   `xml:"pubDate,omitempty"`
}

type rssGUID struct {
	IsPermaLink string `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

// RSS writes feed as an RSS 2.0 document with the atom (self link), content
// (full HTML body as content:encoded) and Dublin Core (dc:creator) modules.
// Each item's guid is its canonical URL (isPermaLink="true"), pubDate is
// RFC 1123 with a numeric zone in UTC, and each tag becomes a category.
// It returns an error, writing nothing, if an entry lacks an absolute URL.
func RSS(w io.Writer, site Site, feed Feed) error {
	if err := checkEntries(feed.Entries); err != nil {
		return err
	}
	feed = feed.withDefaults(site)
	ch := rssChannel{
		Title:       clean(feed.Title),
		Link:        clean(feed.URL),
		Description: clean(feed.Description),
		Language:    clean(site.Language),
		Items:       make([]rssItem, 0, len(feed.Entries)),
	}
	if feed.SelfURL != "" {
		ch.AtomLink = &atomLink{Href: clean(feed.SelfURL), Rel: "self", Type: "application/rss+xml"}
	}
	if t := feed.updated(); !t.IsZero() {
		ch.LastBuildDate = utc1123z(t)
	}
	if site.LogoURL != "" {
		// RSS requires the image's title and link to match the channel's.
		ch.Image = &rssImage{URL: clean(site.LogoURL), Title: ch.Title, Link: ch.Link}
	}
	for _, e := range feed.Entries {
		it := rssItem{
			Title:       clean(e.Title),
			Link:        clean(feed.link(e)),
			Description: clean(e.Summary),
			Creators:    cleanAll(e.Authors),
			Categories:  cleanAll(e.Tags),
			GUID:        rssGUID{IsPermaLink: "true", Value: clean(e.URL)},
			PubDate:     rssDate(e.Published),
		}
		if e.ContentHTML != "" {
			it.Content = &cdata{Text: clean(e.ContentHTML)}
		}
		ch.Items = append(ch.Items, it)
	}
	return encodeXML(w, rssDoc{
		Version:   "2.0",
		NSAtom:    nsAtom,
		NSContent: nsContent,
		NSDC:      nsDC,
		Channel:   ch,
	})
}

func rssDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return utc1123z(t)
}

// cleanAll cleans each non-blank string of ss, trimmed.
func cleanAll(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s = clean(strings.TrimSpace(s)); s != "" {
			out = append(out, s)
		}
	}
	return out
}
