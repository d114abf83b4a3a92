package portal

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/feeds"
)

// FeedSize is how many articles a feed carries.
const FeedSize = 20

func (p *Portal) feedSite(d *siteData) feeds.Site {
	return feeds.Site{Name: d.settings.SiteName, NameEn: d.settings.SiteNameEn, BaseURL: p.BaseURL, Language: "zh-CN",
		Description: d.settings.Description, Publisher: firstNonEmpty(d.settings.Supervisor, d.settings.SiteName)}
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// entry describes a published article for feeds, sitemaps and JSON-LD.
func (p *Portal) entry(d *siteData, a *herald.Article, editor string) feeds.Entry {
	e := feeds.Entry{ID: a.ID, URL: p.BaseURL + herald.ArticlePath(a.ID), Title: a.Title, Summary: a.Summary, ContentHTML: a.Body,
		Language: a.Language, Tags: a.Tags, Published: *a.PublishedAt}
	if a.CorrectedAt != nil {
		e.Updated = *a.CorrectedAt
	}
	if c := d.columnsByID[a.ColumnID]; c != nil {
		e.Section = c.Name
	}
	if editor != "" {
		e.Authors = []string{editor}
	} else if a.Source != "" {
		e.Authors = []string{a.Source}
	}
	if a.CoverImage != "" {
		e.ImageURL = a.CoverImage
		if a.CoverImage[0] == '/' {
			e.ImageURL = p.BaseURL + a.CoverImage
		}
	}
	return e
}

// feedLinks are the <link rel=alternate> feeds of a page; base "" is the site.
func (p *Portal) feedLinks(base, title string) []feedLink {
	if base == "" {
		base, title = "/", ""
	} else {
		title += " "
	}
	return []feedLink{
		{Type: "application/rss+xml", Title: title + "RSS", URL: base + "feed.xml"},
		{Type: "application/atom+xml", Title: title + "Atom", URL: base + "atom.xml"},
		{Type: "application/feed+json", Title: title + "JSON Feed", URL: base + "feed.json"},
	}
}

// listSel selects the articles of a listing's feed: a column's, a theme's or
// a language section's; zero is the whole site.
type listSel struct {
	column, theme int64
	section       *section
}

// machinePage renders robots.txt, the sitemaps and the feeds. For feeds, base
// is "" for the site's or "/columns/slug/" for a column's or theme's or "/en/"
// for a language section's.
func (p *Portal) machinePage(ctx context.Context, d *siteData, name, base string, sel listSel) (*Page, error) {
	columnID, themeID := sel.column, sel.theme
	site := p.feedSite(d)
	var buf bytes.Buffer
	var contentType string
	switch name {
	case "/robots.txt":
		contentType = "text/plain; charset=utf-8"
		// Search results are endless query-made pages that only repeat the
		// articles: crawlers are kept out (the pages also say noindex).
		if err := feeds.Robots(&buf, site, []string{"/api/", "/tips", "/views", "/search", "/m/search"}); err != nil {
			return nil, err
		}
	case "/news-sitemap.xml":
		contentType = "application/xml; charset=utf-8"
		since := p.Clock.Now().Add(-48 * time.Hour) // Google News takes the last two days
		as, err := p.published(ctx, herald.ArticleFilter{PublishedAfter: &since, NoBody: true, Limit: feeds.MaxNewsSitemapURLs})
		if err != nil {
			return nil, err
		}
		entries := make([]feeds.Entry, len(as))
		for i, a := range as {
			entries[i] = p.entry(d, a, "")
		}
		if err := feeds.NewsSitemap(&buf, site, entries, p.Clock.Now()); err != nil {
			return nil, err
		}
	case "/sitemap.xml":
		contentType = "application/xml; charset=utf-8"
		newest, err := p.published(ctx, herald.ArticleFilter{Order: herald.ByIDDesc, Limit: 1})
		if err != nil {
			return nil, err
		}
		locs := []string{p.BaseURL + "/sitemaps/site.xml"}
		if len(newest) == 1 {
			for k := int64(0); k <= newest[0].ID/SitemapChunk; k++ {
				locs = append(locs, p.BaseURL+sitemapChunkPath(k*SitemapChunk))
			}
		}
		if err := writeSitemapIndex(&buf, locs); err != nil {
			return nil, err
		}
	case "/sitemaps/site.xml":
		contentType = "application/xml; charset=utf-8"
		urls := []feeds.SitemapURL{{Loc: p.BaseURL + "/"}}
		for _, c := range d.columns {
			urls = append(urls, feeds.SitemapURL{Loc: p.BaseURL + ListingPath("columns", c.Slug, 0)})
		}
		for _, t := range d.themes {
			urls = append(urls, feeds.SitemapURL{Loc: p.BaseURL + ListingPath("themes", t.Slug, 0)})
		}
		sections, err := p.sections(ctx)
		if err != nil {
			return nil, err
		}
		for _, s := range sections.all {
			urls = append(urls, feeds.SitemapURL{Loc: p.BaseURL + SectionPath(s.Slug, 0)})
		}
		if urls, err = p.worksSitemapURLs(ctx, urls); err != nil { // topics.go
			return nil, err
		}
		if err := feeds.Sitemap(&buf, urls); err != nil {
			return nil, err
		}
	default:
		f := herald.ArticleFilter{ColumnID: columnID, ThemeID: themeID, Limit: FeedSize}
		var as []*herald.Article
		var err error
		if sel.section != nil {
			as, err = p.sectionPublished(ctx, sel.section, f)
		} else {
			as, err = p.published(ctx, f)
		}
		if err != nil {
			return nil, err
		}
		feed := feeds.Feed{URL: p.BaseURL + firstNonEmpty(base, "/"), SelfURL: p.BaseURL + firstNonEmpty(base, "/") + name[1:],
			LinkQuery: herald.ReadFromParam + "=" + herald.ReadFeed}
		if c := d.columnsByID[columnID]; c != nil {
			feed.Title = site.Name + " - " + c.Name
		}
		if t := d.themesByID[themeID]; t != nil {
			feed.Title, feed.Description = site.Name+" - "+t.Name, t.Description
		}
		if s := sel.section; s != nil { // the feed speaks the section's language
			site.Language = s.Lang()
			feed.Title = firstNonEmpty(site.NameEn, site.Name) + " - " + s.Name
			feed.Description = feed.Title
		}
		for _, a := range as {
			e := p.entry(d, a, "")
			feed.Entries = append(feed.Entries, e)
			if m := e.Updated; m.After(feed.Updated) {
				feed.Updated = m
			}
			if e.Published.After(feed.Updated) {
				feed.Updated = e.Published
			}
		}
		render, ct := feeds.RSS, "application/rss+xml; charset=utf-8"
		switch name {
		case "/atom.xml":
			render, ct = feeds.Atom, "application/atom+xml; charset=utf-8"
		case "/feed.json":
			render, ct = feeds.JSONFeed, "application/feed+json; charset=utf-8"
		}
		contentType = ct
		if err := render(&buf, site, feed); err != nil {
			return nil, err
		}
	}
	page := newPage(http.StatusOK, contentType, buf.Bytes())
	page.MaxAge = 5 * time.Minute
	return page, nil
}

// SitemapChunk is how many article IDs one sitemap file covers: a new article
// changes only its chunk and the index.
const SitemapChunk = 1000

// sitemapChunkPath is the sitemap file that lists article id.
func sitemapChunkPath(id int64) string {
	return fmt.Sprintf("/sitemaps/articles-%d.xml", id/SitemapChunk)
}

// writeSitemapIndex writes a sitemaps.org index of the given sitemap URLs.
func writeSitemapIndex(w io.Writer, locs []string) error {
	type sitemap struct {
		Loc string `xml:"loc"`
	}
	index := struct {
		XMLName  xml.Name  `xml:"sitemapindex"`
		NS       string    `xml:"xmlns,attr"`
		Sitemaps []sitemap `xml:"sitemap"`
	}{NS: "http://www.sitemaps.org/schemas/sitemap/0.9"}
	for _, l := range locs {
		index.Sitemaps = append(index.Sitemaps, sitemap{Loc: l})
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	return enc.Encode(index)
}

// sitemapChunk renders chunk n of the article sitemap: the published articles
// whose IDs fall in [n*SitemapChunk, (n+1)*SitemapChunk).
func (p *Portal) sitemapChunk(ctx context.Context, d *siteData, n int64) (*Page, error) {
	from := n * SitemapChunk
	as, err := p.published(ctx, herald.ArticleFilter{AfterID: from - 1, Order: herald.ByID, Limit: SitemapChunk, NoBody: true})
	if err != nil {
		return nil, err
	}
	entries := make([]feeds.Entry, 0, len(as))
	for _, a := range as {
		if a.ID < from+SitemapChunk {
			entries = append(entries, p.entry(d, a, ""))
		}
	}
	var buf bytes.Buffer
	if err := feeds.Sitemap(&buf, feeds.EntrySitemapURLs(entries)); err != nil {
		return nil, err
	}
	page := newPage(http.StatusOK, "application/xml; charset=utf-8", buf.Bytes())
	page.MaxAge = 5 * time.Minute
	return page, nil
}

// hotItem is one line of the leaderboard.
type hotItem struct {
	URL   string `json:"url"`
	Title string `json:"title"`
	Lang  string `json:"lang"` // the title's language, for pages in another
	Reads int    `json:"reads"`
}

// hotLists are the leaderboards of the last day, week and month.
type hotLists struct {
	Day   []hotItem `json:"day"`
	Week  []hotItem `json:"week"`
	Month []hotItem `json:"month"`
}

// HotSize is how many articles a leaderboard shows.
const HotSize = 10

// timed keeps a value computed from the store for a while: leaderboards change
// with every read and nobody needs them fresher than a minute; units change
// rarely. Invalidate drops them all.
type timed[T any] struct {
	ttl   time.Duration
	mu    sync.Mutex
	value *T
	at    time.Time
}

func (c *timed[T]) clear() {
	c.mu.Lock()
	c.value = nil
	c.mu.Unlock()
}

// get returns the kept value, or loads, keeps and returns a new one once it
// is older than the ttl (or from the future: the clock moved back).
func (c *timed[T]) get(now time.Time, load func() (*T, error)) (*T, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.value != nil && now.Sub(c.at) < c.ttl && !now.Before(c.at) {
		return c.value, nil
	}
	v, err := load()
	if err != nil {
		return nil, err
	}
	c.value, c.at = v, now
	return v, nil
}

func (p *Portal) hotLists(ctx context.Context) (hotLists, error) {
	now := p.Clock.Now()
	lists, err := p.hot.get(now, func() (*hotLists, error) {
		var out hotLists
		for _, period := range []struct {
			dst  *[]hotItem
			span time.Duration
		}{{&out.Day, 24 * time.Hour}, {&out.Week, 7 * 24 * time.Hour}, {&out.Month, 30 * 24 * time.Hour}} {
			top, err := p.Store.TopArticles(ctx, now.Add(-period.span), HotSize)
			if err != nil {
				return nil, err
			}
			ranked, err := p.rankedArticles(ctx, top)
			if err != nil {
				return nil, err
			}
			for _, r := range top {
				if a, ok := ranked[r.ArticleID]; ok {
					*period.dst = append(*period.dst, hotItem{URL: herald.ArticlePath(r.ArticleID), Title: a.Title, Lang: a.Language, Reads: r.Reads})
				}
			}
		}
		return &out, nil
	})
	if err != nil {
		return hotLists{}, err
	}
	return *lists, nil
}

// rankedArticles looks up the ranked articles (without their bodies) in one query.
func (p *Portal) rankedArticles(ctx context.Context, top []herald.ArticleReads) (map[int64]*herald.Article, error) {
	ids := make([]int64, len(top))
	for i, r := range top {
		ids[i] = r.ArticleID
	}
	as, _, err := p.Store.FindArticles(ctx, herald.ArticleFilter{IDs: ids, NoBody: true, NoCount: true})
	out := make(map[int64]*herald.Article, len(as))
	for _, a := range as {
		out[a.ID] = a
	}
	return out, err
}

// hotJSON is the leaderboard for statically exported pages to fetch.
func (p *Portal) hotJSON(ctx context.Context) (*Page, error) {
	lists, err := p.hotLists(ctx)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(lists)
	if err != nil {
		return nil, err
	}
	page := newPage(http.StatusOK, "application/json; charset=utf-8", body)
	page.MaxAge = time.Minute
	return page, nil
}
