package portal

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/feeds"
	"github.com/heraldnews/herald/qrsvg"
	"github.com/heraldnews/herald/views"
)

// PageSize is how many articles a column or theme page lists.
const PageSize = 20

// Render turns a site path into a page: the one rendering path that the dynamic
// server and the static exporter share. static marks pages written to files,
// which count views through a beacon and refresh the hot list by script. Paths
// that name nothing give a helpful 404 page (with a nil error).
func (p *Portal) Render(ctx context.Context, path string, static bool) (*Page, error) {
	d, err := p.siteData(ctx)
	if err != nil {
		return nil, err
	}
	page, err := p.route(ctx, d, path, static)
	switch herald.ErrorCode(err) {
	case "":
	case herald.ENOTFOUND:
		page, err = p.notFound(ctx, d, http.StatusNotFound, static)
	case herald.EINVALID:
		page, err = p.notFound(ctx, d, http.StatusBadRequest, static)
	}
	if err != nil {
		return nil, err
	}
	page.Path = path
	return page, nil
}

var errNotFound = herald.Errorf(herald.ENOTFOUND, "not found")

func (p *Portal) route(ctx context.Context, d *siteData, path string, static bool) (*Page, error) {
	if strings.HasPrefix(path, "/media/") {
		return p.mediaPage(ctx, path)
	}
	switch path {
	case "/":
		return p.home(ctx, d, static)
	case "/m/":
		return p.phoneHome(ctx, d, static)
	case "/about.html":
		return p.staticPage(d, path, d.settings.AboutHTML, zh.About, static)
	case "/contact.html":
		return p.staticPage(d, path, d.settings.ContactHTML, zh.Contact, static)
	case "/tips/":
		return p.tipPage(d, tipForm{}, nil, false, static)
	case "/tips/thanks.html":
		return p.tipPage(d, tipForm{}, nil, true, static)
	case "/hot.json":
		return p.hotJSON(ctx)
	case "/robots.txt", "/sitemap.xml", "/sitemaps/site.xml", "/news-sitemap.xml", "/feed.xml", "/atom.xml", "/feed.json":
		return p.machinePage(ctx, d, path, "", listSel{})
	}
	if rest, ok := strings.CutPrefix(path, "/sitemaps/articles-"); ok {
		n, err := strconv.ParseInt(strings.TrimSuffix(rest, ".xml"), 10, 64)
		if err != nil || n < 0 || !strings.HasSuffix(rest, ".xml") {
			return nil, errNotFound
		}
		return p.sitemapChunk(ctx, d, n)
	}
	if rest, ok := strings.CutPrefix(path, "/m/articles/"); ok {
		id, err := parseID(strings.TrimSuffix(rest, ".html"), rest)
		if err != nil {
			return nil, err
		}
		return p.articlePage(ctx, d, id, true, static)
	}
	if rest, ok := strings.CutPrefix(path, "/articles/"); ok {
		id, err := parseID(strings.TrimSuffix(rest, ".html"), rest)
		if err != nil {
			return nil, err
		}
		return p.articlePage(ctx, d, id, false, static)
	}
	for _, kind := range []string{"columns", "themes"} {
		rest, ok := strings.CutPrefix(path, "/"+kind+"/")
		if !ok {
			continue
		}
		slug, sub, _ := strings.Cut(rest, "/")
		var columnID, themeID int64
		if kind == "columns" {
			c := d.columnsBySlug[slug]
			if c == nil {
				return nil, errNotFound
			}
			columnID = c.ID
		} else {
			t := d.themesBySlug[slug]
			if t == nil {
				return nil, errNotFound
			}
			themeID = t.ID
		}
		switch {
		case sub == "":
			return p.listingPage(ctx, d, kind, slug, columnID, themeID, 0, static)
		case sub == "feed.xml" || sub == "atom.xml" || sub == "feed.json":
			return p.machinePage(ctx, d, "/"+sub, "/"+kind+"/"+slug+"/", listSel{column: columnID, theme: themeID})
		case strings.HasPrefix(sub, "page/") && strings.HasSuffix(sub, ".html"):
			n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(sub, "page/"), ".html"))
			if err != nil || n < 1 || n > 1_000_000 {
				return nil, herald.Invalid("page", "must be a page number")
			}
			return p.listingPage(ctx, d, kind, slug, columnID, themeID, n, static)
		}
	}
	if page, ok, err := p.routeSection(ctx, d, path, static); ok {
		return page, err
	}
	if page, ok, err := p.routeWorks(ctx, d, path, static); ok { // topics.go
		return page, err
	}
	return nil, errNotFound
}

// parseID reads a positive article ID; anything else is not found.
func parseID(s, raw string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 || !strings.HasSuffix(raw, ".html") {
		return 0, errNotFound
	}
	return id, nil
}

// item is one line of a list of articles.
type item struct {
	ID                             int64
	URL, Title, Summary, Date, ISO string
}

func toItems(articles []*herald.Article) []item {
	out := make([]item, len(articles))
	for i, a := range articles {
		out[i] = item{ID: a.ID, URL: herald.ArticlePath(a.ID), Title: a.Title, Summary: a.Summary}
		if a.PublishedAt != nil {
			out[i].Date = a.PublishedAt.In(CST).Format("2006-01-02")
			out[i].ISO = a.PublishedAt.Format(time.RFC3339)
		}
	}
	return out
}

// published lists published articles, newest first, without counting them.
func (p *Portal) published(ctx context.Context, f herald.ArticleFilter) ([]*herald.Article, error) {
	f.Statuses = []herald.Status{herald.StatusPublished}
	f.NoCount = true
	if f.Order == "" {
		f.Order = herald.ByPublished
	}
	as, _, err := p.Store.FindArticles(ctx, f)
	return as, err
}

// countPublished counts the published articles that match f.
func (p *Portal) countPublished(ctx context.Context, f herald.ArticleFilter) (int, error) {
	f.Statuses, f.Limit, f.NoCount, f.NoBody = []herald.Status{herald.StatusPublished}, 1, false, true
	_, total, err := p.Store.FindArticles(ctx, f)
	return total, err
}

// homeData is the home page's content.
type homeData struct {
	Lead, Latest []item
	Blocks       []columnBlock
	Themes       []*herald.Theme
}

type columnBlock struct {
	Column *herald.Column
	Items  []item
}

func (p *Portal) home(ctx context.Context, d *siteData, static bool) (*Page, error) {
	v := p.newView(d, "zh-CN", "/", static)
	v.Current, v.MobileURL, v.Description = "home", "/m/", d.settings.Description
	v.Feeds = p.feedLinks("", "")
	sections, err := p.sections(ctx)
	if err != nil {
		return nil, err
	}
	v.Languages = sectionLinks(sections, false)
	data := &homeData{Themes: d.themes}
	latest, err := p.published(ctx, herald.ArticleFilter{Limit: 12, NoBody: true})
	if err != nil {
		return nil, err
	}
	data.Latest = toItems(latest)
	for _, c := range d.columns {
		as, err := p.published(ctx, herald.ArticleFilter{ColumnID: c.ID, Limit: 6, NoBody: true})
		if err != nil {
			return nil, err
		}
		if len(as) > 0 {
			data.Blocks = append(data.Blocks, columnBlock{Column: c, Items: toItems(as)})
		}
	}
	if len(data.Blocks) > 0 && data.Blocks[0].Column == d.columns[0] { // the lead: the first column's newest three
		data.Lead = data.Blocks[0].Items[:min(3, len(data.Blocks[0].Items))]
	}
	if err = p.fillHot(ctx, v); err != nil {
		return nil, err
	}
	v.Data = data
	return p.render("home", http.StatusOK, v)
}

// listingData is a column's or theme's page of articles.
type listingData struct {
	Heading, Intro string
	Items          []item
	Pager          pager
}

type pager struct {
	Label string
	Pages int
	Links []pageLink
}

type pageLink struct {
	N       int
	Label   string
	URL     string
	Current bool
}

// ListingPath is the path of a column's or theme's index (archive 0) or of
// archive page n. Archive pages are numbered from the oldest article, so that a
// new publication changes only the index and the newest archive page, and a
// page's address keeps its articles.
func ListingPath(kind, slug string, n int) string {
	if n <= 0 {
		return "/" + kind + "/" + slug + "/"
	}
	return fmt.Sprintf("/%s/%s/page/%d.html", kind, slug, n)
}

// archivePages is how many archive pages total articles fill.
func archivePages(total int) int { return (total + PageSize - 1) / PageSize }

func (p *Portal) listingPage(ctx context.Context, d *siteData, kind, slug string, columnID, themeID int64, n int, static bool) (*Page, error) {
	path := ListingPath(kind, slug, n)
	v := p.newView(d, "zh-CN", path, static)
	data := &listingData{}
	if kind == "columns" {
		c := d.columnsByID[columnID]
		data.Heading, v.Current = c.Name, c.Slug
	} else {
		t := d.themesByID[themeID]
		data.Heading, data.Intro = t.Name, t.Description
	}
	v.Title, v.Description = data.Heading, data.Intro
	if n > 0 {
		v.Title = data.Heading + " - " + fmt.Sprintf(v.L.Page, n)
	}
	v.Feeds = p.feedLinks("/"+kind+"/"+slug+"/", data.Heading)
	return p.archivePage(ctx, v, data, n, herald.ArticleFilter{ColumnID: columnID, ThemeID: themeID}, p.published, p.countPublished,
		func(i int) string { return ListingPath(kind, slug, i) })
}

// archivePage renders page n of a listing of the articles list finds under
// base: 0 is the newest; archive pages from 1 are numbered from the oldest, so
// their addresses stay put as articles are added. Each page shows its
// articles newest first.
func (p *Portal) archivePage(ctx context.Context, v *view, data *listingData, n int, base herald.ArticleFilter,
	list func(context.Context, herald.ArticleFilter) ([]*herald.Article, error),
	count func(context.Context, herald.ArticleFilter) (int, error), path func(int) string) (*Page, error) {
	f := base
	f.Limit, f.NoBody = PageSize, true
	if n > 0 {
		f.Order, f.Offset = herald.ByPublishedAsc, (n-1)*PageSize
	}
	as, err := list(ctx, f)
	if err != nil {
		return nil, err
	}
	total, err := count(ctx, base)
	if err != nil {
		return nil, err
	}
	pages := archivePages(total)
	if n > pages {
		return nil, errNotFound
	}
	if n > 0 {
		slices.Reverse(as) // newest first on every page
	}
	data.Items = toItems(as)
	data.Pager = newPager(v.L, n, pages, path)
	if err = p.fillHot(ctx, v); err != nil {
		return nil, err
	}
	v.Data = data
	return p.render("listing", http.StatusOK, v)
}

// articleData is an article page's content.
type articleData struct {
	Article                       *herald.Article
	Column                        *herald.Column
	URL, Released, ISO, Corrected string
	Body                          template.HTML
	Editor                        string
	ShareQR, MobileQR, AccountQR  template.HTML
	WeiboURL, QQURL               string
	Prev, Next                    *item
	Latest                        []item
	Versions                      []langLink // the switcher: empty when a has no other published version
	Works                         *worksData // a profile's figure card or a video's player (topics.go)
}

func (p *Portal) articlePage(ctx context.Context, d *siteData, id int64, phone, static bool) (*Page, error) {
	a, err := p.Store.FindArticleByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if a.Status != herald.StatusPublished || a.PublishedAt == nil {
		return nil, errNotFound
	}
	return p.renderArticle(ctx, d, a, phone, static)
}

// Preview renders an article, published or not, exactly as its page and its
// phone page will look once published, for the newsroom's preview.
func (p *Portal) Preview(ctx context.Context, a *herald.Article, phone bool) (*Page, error) {
	d, err := p.siteData(ctx)
	if err != nil {
		return nil, err
	}
	preview := *a
	if preview.PublishedAt == nil {
		now := p.Clock.Now()
		preview.PublishedAt = &now
	}
	return p.renderArticle(ctx, d, &preview, phone, false)
}

func (p *Portal) renderArticle(ctx context.Context, d *siteData, a *herald.Article, phone, static bool) (*Page, error) {
	id := a.ID
	path := herald.ArticlePath(id)
	v := p.newView(d, a.Language, path, static)
	if phone {
		v.Phone, v.DesktopURL = true, path
		v.Canonical = p.BaseURL + path // the phone page points search engines to the main one
	} else {
		v.MobileURL = "/m" + path
	}
	v.Title, v.Description, v.ArticleID = a.Title, a.Summary, a.ID
	if static {
		v.Beacon = "/views"
	}
	col := d.columnsByID[a.ColumnID]
	if col == nil {
		col = &herald.Column{Name: "", Slug: ""}
	}
	v.Current = col.Slug
	pageURL := p.BaseURL + path
	data := &articleData{Article: a, Column: col, URL: pageURL,
		Released: a.PublishedAt.In(CST).Format("2006-01-02 15:04:05"), ISO: a.PublishedAt.Format(time.RFC3339),
		Body:     template.HTML(a.Body), // sanitized when saved (htmlsafe)
		WeiboURL: "https://service.weibo.com/share/share.php?url=" + url.QueryEscape(pageURL) + "&title=" + url.QueryEscape(a.Title),
		QQURL:    "https://connect.qq.com/widget/shareqq/index.html?url=" + url.QueryEscape(pageURL) + "&title=" + url.QueryEscape(a.Title),
	}
	if a.CorrectedAt != nil {
		data.Corrected = a.CorrectedAt.In(CST).Format("2006-01-02 15:04")
	}
	if a.EditorID != 0 {
		if ed, err := p.Store.FindStaffByID(ctx, a.EditorID); err == nil {
			name := ed.Name
			if v.L.lang == "en" && ed.NameEn != "" {
				name = ed.NameEn
			}
			data.Editor = name + "_" + ed.StaffCode
		}
	}
	mobileQR, err := qrsvg.New(p.BaseURL + "/m" + path)
	if err != nil {
		return nil, err
	}
	data.ShareQR, data.MobileQR = mobileQR.SVG(v.L.WeChatHint, 160), mobileQR.SVG(v.L.ScanMobile, 120)
	if d.accountQR != nil {
		data.AccountQR = d.accountQR.SVG(v.L.FollowAccount, 120)
	}
	prev, next, err := p.neighbours(ctx, a)
	if err != nil {
		return nil, err
	}
	data.Prev, data.Next = prev, next
	if data.Works, err = p.articleWorks(ctx, a, v.L); err != nil {
		return nil, err
	}
	entry := p.entry(d, a, data.Editor)
	v.JSONLD = template.JS(feeds.NewsArticleJSONLD(p.feedSite(d), entry))
	v.Image = entry.ImageURL // og:image and the large card, when there is a cover
	if v.Alternates, data.Versions, err = p.alternates(ctx, a, phone); err != nil {
		return nil, err
	}
	if err = p.fillHot(ctx, v); err != nil {
		return nil, err
	}
	v.Data = data
	page, err := p.render(map[bool]string{true: "phone", false: "article"}[phone], http.StatusOK, v)
	if err != nil {
		return nil, err
	}
	page.ArticleID, page.Channel, page.Modified = a.ID, views.ChannelWeb, a.UpdatedAt
	if phone {
		page.Channel = views.ChannelMobile
	}
	page.Media = append(articleMedia(a), worksMedia(data.Works)...)
	return page, nil
}

// neighbours are the articles published just before and after a, in its column.
func (p *Portal) neighbours(ctx context.Context, a *herald.Article) (prev, next *item, err error) {
	before, err := p.published(ctx, herald.ArticleFilter{ColumnID: a.ColumnID, PublishedBefore: a.PublishedAt, Limit: 1, NoBody: true})
	if err != nil {
		return nil, nil, err
	}
	after, err := p.published(ctx, herald.ArticleFilter{ColumnID: a.ColumnID, PublishedAfter: a.PublishedAt, Order: herald.ByPublishedAsc, Limit: 1, NoBody: true})
	if err != nil {
		return nil, nil, err
	}
	if len(before) == 1 {
		prev = &toItems(before)[0]
	}
	if len(after) == 1 {
		next = &toItems(after)[0]
	}
	return prev, next, nil
}

func (p *Portal) phoneHome(ctx context.Context, d *siteData, static bool) (*Page, error) {
	v := p.newView(d, "zh-CN", "/", static)
	v.Phone, v.DesktopURL = true, "/"
	sections, err := p.sections(ctx)
	if err != nil {
		return nil, err
	}
	v.Languages = sectionLinks(sections, true)
	latest, err := p.published(ctx, herald.ArticleFilter{Limit: 30, NoBody: true})
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
	}{Latest: toItems(latest)}
	return p.render("phone", http.StatusOK, v)
}

func (p *Portal) staticPage(d *siteData, path, body, heading string, static bool) (*Page, error) {
	if body == "" {
		return nil, errNotFound
	}
	v := p.newView(d, "zh-CN", path, static)
	v.Title = heading
	v.Data = &struct {
		Heading string
		Body    template.HTML
	}{heading, template.HTML(body)} // sanitized when saved
	return p.render("static", http.StatusOK, v)
}

func (p *Portal) notFound(ctx context.Context, d *siteData, status int, static bool) (*Page, error) {
	v := p.newView(d, "zh-CN", "/404.html", static)
	heading, msg := v.L.NotFound, v.L.NotFoundMessage
	if status == http.StatusBadRequest {
		heading, msg = v.L.BadRequest, v.L.BadRequestMessage
	}
	v.Title = heading
	latest, err := p.published(ctx, herald.ArticleFilter{Limit: 8, NoBody: true})
	if err != nil {
		return nil, err
	}
	v.Data = &struct {
		Heading, Message string
		Latest           []item
	}{heading, msg, toItems(latest)}
	page, err := p.render("notfound", status, v)
	if page != nil {
		page.MaxAge = 0
	}
	return page, err
}

// fillHot puts the leaderboards into a page. Static pages get them by script
// from /hot.json instead, so that a page's file changes only when its own
// content does and an incremental export stays exact.
func (p *Portal) fillHot(ctx context.Context, v *view) error {
	if v.HotSrc != "" {
		return nil
	}
	var err error
	v.Hot, err = p.hotLists(ctx)
	return err
}
