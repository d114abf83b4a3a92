package feeds

import (
	"io"
	"time"
)

type atomFeed struct {
	XMLName  struct{}     `xml:"feed"`
	NS       string       `xml:"xmlns,attr"`
	Lang     string       `xml:"xml:lang,attr,omitempty"`
	ID       string       `xml:"id"`
	Title    atomText     `xml:"title"`
	Subtitle *atomText    `xml:"subtitle,omitempty"`
	Updated  string       `xml:"updated"`
	Links    []atomLink   `xml:"link"`
	Authors  []atomPerson `xml:"author"`
	Logo     string       `xml:"logo,omitempty"`
	Entries  []atomEntry  `xml:"entry"`
}

type atomText struct {
	Type string `xml:"type,attr,omitempty"`
	Text string `xml:",chardata"`
}

type atomLink struct {
	Href     string `xml:"href,attr"`
	Rel      string `xml:"rel,attr,omitempty"`
	Type     string `xml:"type,attr,omitempty"`
	HrefLang string `xml:"hreflang,attr,omitempty"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

type atomEntry struct {
	Lang       string         `xml:"xml:lang,attr,omitempty"`
	ID         string         `xml:"id"`
	Title      atomText       `xml:"title"`
	Links      []atomLink     `xml:"link"`
	Published  string         `xml:"published,omitempty"`
	Updated    string         `xml:"updated"`
	Authors    []atomPerson   `xml:"author"`
	Categories []atomCategory `xml:"category"`
	Summary    *atomText      `xml:"summary,omitempty"`
	Content    *atomText      `xml:"content,omitempty"`
}

// Atom writes feed as an Atom 1.0 document (RFC 4287).
//
// The feed's id is its SelfURL (or, without one, its page URL) and each
// entry's id is its canonical URL, matching the RSS guid. The feed names the
// site's publisher as author, which entries without authors inherit. Each
// entry links to itself (rel="alternate", hreflang its language) and to its
// other language versions, and carries its body as content type="html".
// A missing Feed.Updated is taken from the newest entry; with no dated entry
// at all, the Unix epoch stands in, as Atom requires the element. It returns
// an error, writing nothing, if an entry lacks an absolute URL.
func Atom(w io.Writer, site Site, feed Feed) error {
	if err := checkEntries(feed.Entries); err != nil {
		return err
	}
	feed = feed.withDefaults(site)
	id := feed.SelfURL
	if id == "" {
		id = feed.URL
	}
	doc := atomFeed{
		NS:      nsAtom,
		Lang:    clean(site.Language),
		ID:      clean(id),
		Title:   atomText{Type: "text", Text: clean(feed.Title)},
		Updated: atomDate(feed.updated()),
		Links:   []atomLink{{Href: clean(feed.URL), Rel: "alternate", Type: "text/html"}},
		Logo:    clean(site.LogoURL),
		Entries: make([]atomEntry, 0, len(feed.Entries)),
	}
	if feed.Description != "" {
		doc.Subtitle = &atomText{Type: "text", Text: clean(feed.Description)}
	}
	if feed.SelfURL != "" {
		doc.Links = append(doc.Links, atomLink{Href: clean(feed.SelfURL), Rel: "self", Type: "application/atom+xml"})
	}
	if p := site.publisherName(); p != "" {
		doc.Authors = []atomPerson{{Name: clean(p)}}
	}
	for _, e := range feed.Entries {
		ae := atomEntry{
			Lang:    clean(e.Language),
			ID:      clean(e.URL),
			Title:   atomText{Type: "text", Text: clean(e.Title)},
			Links:   []atomLink{{Href: clean(feed.link(e)), Rel: "alternate", Type: "text/html", HrefLang: clean(e.Language)}},
			Updated: atomDate(e.modified()),
		}
		for _, lang := range sortedKeys(e.Alternates) {
			if lang == e.Language || e.Alternates[lang] == "" {
				continue
			}
			ae.Links = append(ae.Links, atomLink{Href: clean(e.Alternates[lang]), Rel: "alternate", Type: "text/html", HrefLang: clean(lang)})
		}
		if !e.Published.IsZero() {
			ae.Published = utc3339(e.Published)
		}
		for _, a := range cleanAll(e.Authors) {
			ae.Authors = append(ae.Authors, atomPerson{Name: a})
		}
		for _, t := range cleanAll(e.Tags) {
			ae.Categories = append(ae.Categories, atomCategory{Term: t})
		}
		if e.Summary != "" {
			ae.Summary = &atomText{Type: "text", Text: clean(e.Summary)}
		}
		if e.ContentHTML != "" {
			ae.Content = &atomText{Type: "html", Text: clean(e.ContentHTML)}
		}
		doc.Entries = append(doc.Entries, ae)
	}
	return encodeXML(w, doc)
}

// atomDate formats t for Atom, which requires a date: zero becomes the epoch.
func atomDate(t time.Time) string {
	if t.IsZero() {
		t = time.Unix(0, 0)
	}
	return utc3339(t)
}
