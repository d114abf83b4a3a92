// Package iptc renders a published article in the two formats of the IPTC
// that partner newspapers take stories in: NINJS 2.1 (News in JSON, see
// [NINJS]) and NewsML-G2 2.35 (see [NewsML]).
//
// Both renditions carry the same facts: the article's canonical URL as its
// identifier, its version and times, the headline and subheadline, the
// summary, the body (as HTML and plain text in NINJS, as namespaced XHTML in
// NewsML-G2), the bylines, the source, the themes and tags as subjects, and
// its images — the cover and every image of the body — as picture items with
// their renditions. A retracted article leaves as a "canceled" item with its
// headline only, so that partners take the story down; drafts and other
// unpublished states are refused.
//
// Like the feeds package, every renderer is deterministic (no clocks; every
// time comes from the article) and emits all times in UTC, so that output can
// be compared byte for byte. testdata/ holds the official IPTC schemas that
// the tests validate the output against.
package iptc

import (
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/heraldnews/herald"
)

// Options carries what the article itself does not hold.
type Options struct {
	// BaseURL is the public site's base URL ("https://news.example.gov.cn");
	// required. Identifiers and links are built from it.
	BaseURL string
	// Provider names the organisation that supplies the item
	// ("河北省司法厅"); it defaults to the base URL's host.
	Provider string
	// StaffName returns the display name of a staff member for bylines; nil,
	// or "" for an ID, leaves that staff byline out.
	StaffName func(id int64) string
	// ThemeName returns the name of a theme; nil, or "" for an ID, leaves that
	// theme out of the subjects.
	ThemeName func(id int64) string
	// Renditions returns the renditions of an image as the article refers to
	// it (a site path such as "/media/12-0123456789abcdef/large.jpg", or an
	// absolute URL), with their sizes when known. Nil, or no renditions for a
	// source, gives one rendition: the source itself, sized from the body's
	// width and height attributes when it has them.
	Renditions func(src string) []Rendition
}

// Rendition is one file of an image.
type Rendition struct {
	Name        string // "original", "large", "thumb"…; defaults from the file name
	Href        string // site path or absolute URL; required
	ContentType string // defaults from the file extension
	Width       int    // pixels; 0 when unknown
	Height      int    // pixels; 0 when unknown
}

// Schema versions the renderers follow.
const (
	NINJSVersion      = "2.1"
	NINJSSchemaURI    = "http://www.iptc.org/std/ninjs/ninjs-schema_2.1.json"
	NewsMLVersion     = "2.35"
	nsNAR             = "http://iptc.org/std/nar/2006-10-01/"
	nsXHTML           = "http://www.w3.org/1999/xhtml"
	iptcCatalogURL    = "http://www.iptc.org/std/catalog/catalog.IPTC-G2-Standards_38.xml"
	rfc3339UTC        = "2006-01-02T15:04:05Z07:00"
	mediaTypeNewsItem = "application/vnd.iptc.g2.newsitem+xml"
)

// story is an article checked and resolved against the options: what both
// renderers emit.
type story struct {
	a          *herald.Article
	uri        string // canonical absolute URL of the article
	base       *url.URL
	provider   string
	canceled   bool
	version    int
	first      time.Time // first published (or created)
	created    time.Time // content created
	modified   time.Time // this version
	authors    []string
	subjects   []subject
	body       *body
	images     []image
	correction string
}

type subject struct {
	kind    string // "theme" or "tag"
	name    string
	literal string
}

type image struct {
	name       string // "cover", "image-1"…
	uri        string // absolute URL of the image as the article refers to it
	alt        string
	renditions []Rendition // hrefs absolute
}

// prepare checks the article and the options and gathers what the renderers
// need. Errors are herald.EINVALID naming the field.
func prepare(a *herald.Article, o Options) (*story, error) {
	if a == nil {
		return nil, herald.Invalid("article", "is required")
	}
	base, err := parseBase(o.BaseURL)
	if err != nil {
		return nil, err
	}
	switch a.Status {
	case herald.StatusPublished, herald.StatusRetracted:
	default:
		return nil, herald.Invalid("status", "only published or retracted articles leave as IPTC items; this one is %q", a.Status)
	}
	if a.ID <= 0 {
		return nil, herald.Invalid("id", "must be an article ID")
	}
	if strings.TrimSpace(a.Title) == "" {
		return nil, herald.Invalid("title", "is required")
	}
	s := &story{
		a:          a,
		base:       base,
		uri:        base.ResolveReference(&url.URL{Path: herald.ArticlePath(a.ID)}).String(),
		provider:   strings.TrimSpace(o.Provider),
		canceled:   a.Status == herald.StatusRetracted,
		version:    max(a.Version, 1),
		correction: strings.TrimSpace(a.CorrectionNote),
	}
	if s.provider == "" {
		s.provider = base.Host
	}
	s.created = a.CreatedAt
	s.first = firstNonZero(deref(a.PublishedAt), a.CreatedAt)
	s.modified = latest(a.UpdatedAt, deref(a.PublishedAt), deref(a.CorrectedAt), deref(a.RetractedAt))
	if s.modified.IsZero() {
		return nil, herald.Invalid("updated_at", "is required: an IPTC item needs the time of its version")
	}
	if s.first.IsZero() {
		s.first = s.modified
	}
	for _, au := range a.Authors {
		name := normalize(au.Name)
		if name == "" && au.StaffID != 0 && o.StaffName != nil {
			name = normalize(o.StaffName(au.StaffID))
		}
		if name != "" {
			s.authors = append(s.authors, name)
		}
	}
	for _, id := range a.ThemeIDs {
		if o.ThemeName == nil {
			break
		}
		if name := strings.TrimSpace(o.ThemeName(id)); name != "" {
			s.subjects = append(s.subjects, subject{kind: "theme", name: name, literal: "theme-" + strconv.FormatInt(id, 10)})
		}
	}
	for _, t := range a.Tags {
		if t = strings.TrimSpace(t); t != "" {
			s.subjects = append(s.subjects, subject{kind: "tag", name: t, literal: "tag-" + t})
		}
	}
	s.body = parseBody(a.Body, s.resolve)
	seen := map[string]bool{}
	addImage := func(name, src, alt string, w, h int) {
		abs := s.resolve(src)
		if abs == "" || seen[abs] {
			return
		}
		seen[abs] = true
		s.images = append(s.images, image{name: name, uri: abs, alt: alt, renditions: s.renditions(o, src, abs, w, h)})
	}
	if a.CoverImage != "" {
		w, h := 0, 0
		for _, im := range s.body.images { // the body may give the cover's size
			if s.resolve(im.src) == s.resolve(a.CoverImage) {
				w, h = im.width, im.height
			}
		}
		addImage("cover", a.CoverImage, "", w, h)
	}
	for _, im := range s.body.images {
		addImage("image-"+strconv.Itoa(len(s.images)+1), im.src, im.alt, im.width, im.height)
	}
	return s, nil
}

// parseBase checks the site's base URL.
func parseBase(raw string) (*url.URL, error) {
	raw = strings.TrimRight(strings.TrimSpace(raw), "/")
	if raw == "" {
		return nil, herald.Invalid("base_url", "is required")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, herald.Invalid("base_url", "must be an absolute http(s) URL such as https://news.example.gov.cn")
	}
	u.Path = strings.TrimRight(u.Path, "/") + "/"
	return u, nil
}

// resolve makes a reference from the article absolute against the site; ""
// for anything that is not an http(s) URL (data:, javascript:, broken).
func (s *story) resolve(ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if r.Scheme == "" && r.Host == "" && strings.HasPrefix(r.Path, "/") {
		// A site path: keep it under the base URL's own path.
		r.Path = strings.TrimPrefix(r.Path, "/")
		r.RawPath = ""
	}
	u := s.base.ResolveReference(r)
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return ""
	}
	return u.String()
}

// renditions lists an image's renditions with absolute hrefs.
func (s *story) renditions(o Options, src, abs string, w, h int) []Rendition {
	var rs []Rendition
	if o.Renditions != nil {
		for _, r := range o.Renditions(src) {
			if r.Href = s.resolve(r.Href); r.Href != "" {
				rs = append(rs, r)
			}
		}
	}
	if len(rs) == 0 {
		rs = []Rendition{{Href: abs, Width: w, Height: h}}
	}
	for i := range rs {
		r := &rs[i]
		if r.Name == "" {
			r.Name = renditionName(r.Href)
		}
		if r.ContentType == "" {
			r.ContentType = contentType(r.Href)
		}
		r.Width, r.Height = max(r.Width, 0), max(r.Height, 0)
	}
	return rs
}

// renditionName names a rendition after its file: Herald's media URLs end in
// the rendition's name ("large.jpg").
func renditionName(href string) string {
	u, err := url.Parse(href)
	if err == nil {
		if _, _, name, ok := herald.ParseMediaURL(u.Path); ok {
			return name
		}
	}
	return "default"
}

// contentType guesses an image's media type from its extension; "" when
// unknown.
func contentType(href string) string {
	u, err := url.Parse(href)
	if err != nil {
		return ""
	}
	switch strings.ToLower(path.Ext(u.Path)) {
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".png":
		return "image/png"
	case ".gif":
		return "image/gif"
	case ".webp":
		return "image/webp"
	case ".svg":
		return "image/svg+xml"
	case ".avif":
		return "image/avif"
	}
	return ""
}

// byline joins the authors' names the way the language writes lists.
func (s *story) byline() string {
	sep := ", "
	if strings.HasPrefix(s.a.Language, "zh") {
		sep = "、"
	}
	return strings.Join(s.authors, sep)
}

// itemURI is the identifier of a picture item: the image's own URL.
func (im image) itemURI() string { return im.uri }

func utc(t time.Time) string { return t.UTC().Format(rfc3339UTC) }

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

func firstNonZero(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

func latest(ts ...time.Time) time.Time {
	var l time.Time
	for _, t := range ts {
		if t.After(l) {
			l = t
		}
	}
	return l
}
