package portal

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/heraldnews/herald"
)

// DefaultLanguage is the site's own language: its articles make up the home
// page and the columns; every other language gets a section of its own.
const DefaultLanguage = herald.DefaultLanguage

// PhoneSectionSize is how many articles a language section's phone page lists.
const PhoneSectionSize = 30

// section is the part of the site for one language other than the default:
// /en/ for English, with its archive pages, feeds and phone page.
type section struct {
	Slug string   // the language's primary subtag in lower case: "en"
	Tags []string // the exact tags of its published articles: "en", "en-GB"
	Name string   // the language's name in itself: "English"
}

// Lang is the section's lang attribute: its one tag, or the primary subtag
// when its articles use several.
func (s *section) Lang() string {
	if len(s.Tags) == 1 {
		return s.Tags[0]
	}
	return s.Slug
}

// reservedSlugs are top-level paths a language's subtag must not take over
// (ISO 639-3 has an "api").
var reservedSlugs = []string{"api", "m"}

// sectionSlug is the section a language tag belongs to; false for the
// default language's (zh-TW and other Chinese tags stay on the main site).
func sectionSlug(tag string) (string, bool) {
	primary, ok := herald.PrimarySubtag(tag)
	if !ok || herald.IsDefaultLanguage(tag) || slices.Contains(reservedSlugs, primary) {
		return "", false
	}
	return primary, true
}

// SectionPath is the path of a language section's index (n 0) or of its
// archive page n, numbered from the oldest article like ListingPath's.
func SectionPath(slug string, n int) string {
	if n <= 0 {
		return "/" + slug + "/"
	}
	return fmt.Sprintf("/%s/page/%d.html", slug, n)
}

// languageName is a tag's language named in itself, or the tag when unknown.
var languageName = herald.LanguageName

// sectionList is the site's language sections, by slug and in slug order.
type sectionList struct {
	bySlug map[string]*section
	all    []*section
}

// sectionCache keeps the sections until Invalidate: finding them reads every
// published article's language (the store has no query for the distinct
// languages), which is cheap next to a full export but not for every page.
type sectionCache struct {
	mu   sync.Mutex
	list *sectionList
}

func (c *sectionCache) clear() {
	c.mu.Lock()
	c.list = nil
	c.mu.Unlock()
}

// sections lists the languages other than the default that have published
// articles.
func (p *Portal) sections(ctx context.Context) (*sectionList, error) {
	p.langs.mu.Lock()
	defer p.langs.mu.Unlock()
	if p.langs.list != nil {
		return p.langs.list, nil
	}
	l := &sectionList{bySlug: map[string]*section{}}
	langs, err := p.Store.PublishedLanguages(ctx)
	if err != nil {
		return nil, err
	}
	for _, lang := range langs {
		slug, ok := sectionSlug(lang)
		if !ok {
			continue
		}
		s := l.bySlug[slug]
		if s == nil {
			s = &section{Slug: slug, Name: languageName(slug)}
			l.bySlug[slug] = s
			l.all = append(l.all, s)
		}
		s.Tags = append(s.Tags, lang)
	}
	slices.SortFunc(l.all, func(a, b *section) int { return strings.Compare(a.Slug, b.Slug) })
	for _, s := range l.all {
		slices.Sort(s.Tags)
	}
	p.langs.list = l
	return l, nil
}

// sectionPublished lists a section's published articles that match f, in f's
// order (ByPublished or ByPublishedAsc), merging the lists of its tags.
func (p *Portal) sectionPublished(ctx context.Context, s *section, f herald.ArticleFilter) ([]*herald.Article, error) {
	if len(s.Tags) == 1 {
		f.Language = s.Tags[0]
		return p.published(ctx, f)
	}
	offset, limit := f.Offset, f.Limit
	f.Offset = 0
	if limit > 0 {
		f.Limit = offset + limit
	}
	var all []*herald.Article
	for _, tag := range s.Tags {
		f.Language = tag
		as, err := p.published(ctx, f)
		if err != nil {
			return nil, err
		}
		all = append(all, as...)
	}
	slices.SortFunc(all, func(a, b *herald.Article) int {
		c := a.PublishedAt.Compare(*b.PublishedAt)
		if c == 0 {
			c = int(a.ID - b.ID)
		}
		if f.Order != herald.ByPublishedAsc {
			c = -c
		}
		return c
	})
	end := len(all)
	if limit > 0 {
		end = min(end, offset+limit)
	}
	return all[min(offset, end):end], nil
}

// sectionCount counts a section's published articles that match f.
func (p *Portal) sectionCount(ctx context.Context, s *section, f herald.ArticleFilter) (int, error) {
	total := 0
	for _, tag := range s.Tags {
		f.Language = tag
		n, err := p.countPublished(ctx, f)
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// langLink is one entry of a language switcher.
type langLink struct {
	Lang, Name, URL string
	Current         bool
}

// sectionLinks are the header's links to the language sections (phone: their
// phone pages).
func sectionLinks(l *sectionList, phone bool) []langLink {
	out := make([]langLink, 0, len(l.all))
	for _, s := range l.all {
		u := SectionPath(s.Slug, 0)
		if phone {
			u = "/m" + u
		}
		out = append(out, langLink{Lang: s.Lang(), Name: s.Name, URL: u})
	}
	return out
}

// routeSection renders the paths under a language section: /en/, its archive
// pages, its feeds and /m/en/.
func (p *Portal) routeSection(ctx context.Context, d *siteData, path string, static bool) (*Page, bool, error) {
	phone := false
	rest := strings.TrimPrefix(path, "/")
	if r, ok := strings.CutPrefix(rest, "m/"); ok {
		phone, rest = true, r
	}
	slug, sub, ok := strings.Cut(rest, "/")
	if !ok {
		return nil, false, nil
	}
	if _, ok := sectionSlug(slug); !ok || slug != strings.ToLower(slug) {
		return nil, false, nil
	}
	l, err := p.sections(ctx)
	if err != nil {
		return nil, true, err
	}
	s := l.bySlug[slug]
	if s == nil {
		return nil, true, errNotFound
	}
	switch {
	case phone && sub == "":
		page, err := p.phoneSection(ctx, d, s, static)
		return page, true, err
	case phone:
		return nil, true, errNotFound
	case sub == "":
		page, err := p.sectionPage(ctx, d, s, 0, static)
		return page, true, err
	case sub == "feed.xml" || sub == "atom.xml" || sub == "feed.json":
		page, err := p.machinePage(ctx, d, "/"+sub, SectionPath(slug, 0), listSel{section: s})
		return page, true, err
	case strings.HasPrefix(sub, "page/") && strings.HasSuffix(sub, ".html"):
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(sub, "page/"), ".html"))
		if err != nil || n < 1 || n > 1_000_000 {
			return nil, true, herald.Invalid("page", "must be a page number")
		}
		page, err := p.sectionPage(ctx, d, s, n, static)
		return page, true, err
	}
	return nil, true, errNotFound
}

// sectionPage is a language section's index (n 0) or archive page n, with the
// page's words in that language.
func (p *Portal) sectionPage(ctx context.Context, d *siteData, s *section, n int, static bool) (*Page, error) {
	path := SectionPath(s.Slug, n)
	v := p.newView(d, s.Lang(), path, static)
	v.MobileURL = "/m" + SectionPath(s.Slug, 0)
	v.Languages = []langLink{{Lang: DefaultLanguage, Name: languageName(DefaultLanguage), URL: "/"}}
	data := &listingData{Heading: s.Name}
	v.Title = s.Name
	if n > 0 {
		v.Title = s.Name + " - " + fmt.Sprintf(v.L.Page, n)
	}
	v.Feeds = p.feedLinks(SectionPath(s.Slug, 0), s.Name)
	list := func(ctx context.Context, f herald.ArticleFilter) ([]*herald.Article, error) {
		return p.sectionPublished(ctx, s, f)
	}
	count := func(ctx context.Context, f herald.ArticleFilter) (int, error) { return p.sectionCount(ctx, s, f) }
	return p.archivePage(ctx, v, data, n, herald.ArticleFilter{}, list, count, func(i int) string { return SectionPath(s.Slug, i) })
}

// phoneSection is a language section's phone page: its newest articles.
func (p *Portal) phoneSection(ctx context.Context, d *siteData, s *section, static bool) (*Page, error) {
	v := p.newView(d, s.Lang(), SectionPath(s.Slug, 0), static)
	v.Phone, v.DesktopURL, v.Title = true, SectionPath(s.Slug, 0), s.Name
	v.Languages = []langLink{{Lang: DefaultLanguage, Name: languageName(DefaultLanguage), URL: "/m/"}}
	v.Feeds = p.feedLinks(SectionPath(s.Slug, 0), s.Name)
	latest, err := p.sectionPublished(ctx, s, herald.ArticleFilter{Limit: PhoneSectionSize, NoBody: true})
	if err != nil {
		return nil, err
	}
	if err = p.fillHot(ctx, v); err != nil {
		return nil, err
	}
	v.Data = &struct {
		Article *herald.Article
		Heading string
		Latest  []item
	}{Heading: s.Name, Latest: toItems(latest)}
	return p.render("phone", http.StatusOK, v)
}

// versions are the published language versions of a: its original and the
// original's translations, or its own translations, a itself included
// whatever its status (a preview shows the switcher it will have). Fewer than
// two means a has no other version.
func (p *Portal) versions(ctx context.Context, a *herald.Article) ([]*herald.Article, error) {
	origID := a.ID
	if a.TranslationOf != 0 {
		origID = a.TranslationOf
	}
	out := []*herald.Article{a}
	if origID != a.ID {
		orig, err := p.Store.FindArticleByID(ctx, origID)
		if err != nil && herald.ErrorCode(err) != herald.ENOTFOUND {
			return nil, err
		}
		if err == nil && orig.Status == herald.StatusPublished {
			out = append(out, orig)
		}
	}
	if origID == 0 { // an unsaved preview
		return out, nil
	}
	ts, err := p.published(ctx, herald.ArticleFilter{TranslationOf: origID, NoBody: true, Order: herald.ByID})
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		if t.ID != a.ID {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(x, y *herald.Article) int { return strings.Compare(x.Language, y.Language) })
	return out, nil
}

// versionIDs are the articles whose pages show the switcher a is on: its
// original and all the original's translations, whatever their status.
func (p *Portal) versionIDs(ctx context.Context, a *herald.Article) ([]int64, error) {
	origID := a.ID
	if a.TranslationOf != 0 {
		origID = a.TranslationOf
	}
	ts, _, err := p.Store.FindArticles(ctx, herald.ArticleFilter{TranslationOf: origID, NoBody: true, NoCount: true, Order: herald.ByID})
	if err != nil {
		return nil, err
	}
	ids := []int64{origID}
	for _, t := range ts {
		ids = append(ids, t.ID)
	}
	return ids, nil
}

// newPager builds the pager of a listing at page n (0: the index) of pages
// archive pages.
func newPager(l labels, n, pages int, pathOf func(int) string) pager {
	pg := pager{Label: l.PagerLabel, Pages: pages + 1}
	pg.Links = append(pg.Links, pageLink{N: 0, Label: l.Latest, URL: pathOf(0), Current: n == 0})
	for i := pages; i >= 1; i-- {
		if pages > 12 && i > 2 && i < pages-1 && (i < n-3 || i > n+3) && !(n == 0 && i > pages-5) {
			continue // long pagers show the ends and the pages around the current one
		}
		pg.Links = append(pg.Links, pageLink{N: i, Label: strconv.Itoa(i), URL: pathOf(i), Current: i == n})
	}
	return pg
}

// alternates are an article page's hreflang links and its language switcher:
// each published version under its language, and x-default at the original
// (while the original is not published, at the oldest version), so that every
// version's page carries the same set. An article without other versions
// names itself for both.
func (p *Portal) alternates(ctx context.Context, a *herald.Article, phone bool) ([]alternate, []langLink, error) {
	self := p.BaseURL + herald.ArticlePath(a.ID)
	vs, err := p.versions(ctx, a)
	if err != nil {
		return nil, nil, err
	}
	if len(vs) < 2 {
		return []alternate{{Lang: a.Language, URL: self}, {Lang: "x-default", URL: self}}, nil, nil
	}
	var alts []alternate
	var links []langLink
	def := vs[0]
	for _, v := range vs {
		alts = append(alts, alternate{Lang: v.Language, URL: p.BaseURL + herald.ArticlePath(v.ID)})
		u := herald.ArticlePath(v.ID)
		if phone {
			u = "/m" + u
		}
		links = append(links, langLink{Lang: v.Language, Name: languageName(v.Language), URL: u, Current: v == a})
		if v.TranslationOf == 0 || def.TranslationOf != 0 && v.ID < def.ID {
			def = v
		}
	}
	return append(alts, alternate{Lang: "x-default", URL: p.BaseURL + herald.ArticlePath(def.ID)}), links, nil
}
