// Package portal is the public news site. One rendering path serves both ways of
// publishing: Render turns a site path into a page, which the dynamic server
// caches and serves and the exporter writes to files.
package portal

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/media"
	"github.com/heraldnews/herald/qrsvg"
	"github.com/heraldnews/herald/ratelimit"
	"github.com/heraldnews/herald/search"
	"github.com/heraldnews/herald/views"
	"github.com/heraldnews/herald/web"
)

// CST is China Standard Time, in which release times are shown.
var CST = herald.CST

// Portal renders and serves the public site.
type Portal struct {
	Store   herald.Store
	Views   *views.Counter // nil: views are not counted
	Clock   herald.Clock
	Log     *slog.Logger
	BaseURL string          // "https://news.example.gov.cn", no trailing slash
	Search  *search.Service // nil: no search page
	// Newsletter, if set, serves the e-mail subscription pages and puts a
	// link to them next to the public account's QR code.
	Newsletter Newsletter
	// Videos holds the films of video pieces, streamed under
	// herald.VideoFilePrefix; nil: films are not served.
	Videos media.Files
	// CacheLookup, if set, is told whether the page cache had each page a
	// request asked for (a miss renders it): the metrics count both. It is
	// called on every page request, concurrently, so it must be cheap.
	CacheLookup func(hit bool)

	assets    *web.Assets
	templates map[string]*template.Template
	cache     pageCache
	site      atomic.Pointer[siteData]
	langs     sectionCache // the language sections, found from the published articles
	siteMu    sync.Mutex   // one loader at a time
	hot       timed[hotLists]
	units     timed[unitList]  // for the search filter; a new unit a minute late harms nobody
	tips      ratelimit.Window // TipsPerHour per client
	wakeup    herald.Wakeup

	// newsletterText holds the subscription pages' words by language.
	newsletterText map[string]messages
}

// Page is a rendered page.
type Page struct {
	Path        string
	Status      int
	ContentType string
	Body        []byte
	ETag        string
	Modified    time.Time
	ArticleID   int64  // for view counting; 0 for other pages
	Channel     string // views.ChannelWeb or views.ChannelMobile
	MaxAge      time.Duration
	Media       []string // the uploaded images the page shows, exported with it
	gzip        []byte   // compressed once, when cached
	headers     *headers // formatted once, when cached
}

// New parses the templates; a broken template stops the start-up.
func New(store herald.Store, counter *views.Counter, clock herald.Clock, log *slog.Logger, baseURL string) (*Portal, error) {
	p := &Portal{Store: store, Views: counter, Clock: clock, Log: log, BaseURL: baseURL, assets: web.LoadAssets(), templates: map[string]*template.Template{},
		tips: ratelimit.Window{Store: store, Name: "tip-client", Max: TipsPerHour, Per: time.Hour}}
	funcs := template.FuncMap{"asset": p.assets.URL, "maxQueryRunes": func() int { return search.MaxQueryRunes }}
	for _, page := range []string{"home", "listing", "article", "static", "tips", "notfound", "phone", "search", "subscribe", "subscription",
		"figures", "videos", "topics", "topic"} {
		t, err := template.New(page).Funcs(funcs).ParseFS(web.Templates, "templates/layout.html", "templates/works.html", "templates/"+page+".html")
		if err != nil {
			return nil, err
		}
		p.templates[page] = t
	}
	p.hot.ttl, p.units.ttl = time.Minute, time.Minute
	var err error
	if p.newsletterText, err = loadNewsletterMessages(); err != nil {
		return nil, err
	}
	return p, nil
}

// siteData is what every page needs and what changes rarely: settings, columns
// and themes. It is loaded once and dropped when anything changes.
type siteData struct {
	settings      *herald.SiteSettings
	columns       []*herald.Column
	columnsByID   map[int64]*herald.Column
	columnsBySlug map[string]*herald.Column
	themes        []*herald.Theme
	themesByID    map[int64]*herald.Theme
	themesBySlug  map[string]*herald.Theme
	mourning      bool
	accountQR     *qrsvg.Code // the public account's, the same on every page
}

func (p *Portal) siteData(ctx context.Context) (*siteData, error) {
	if d := p.site.Load(); d != nil {
		return d, nil
	}
	p.siteMu.Lock()
	defer p.siteMu.Unlock()
	if d := p.site.Load(); d != nil {
		return d, nil
	}
	settings, err := p.Store.FindSettings(ctx)
	if err != nil {
		return nil, err
	}
	cols, err := p.Store.FindColumns(ctx)
	if err != nil {
		return nil, err
	}
	themes, err := p.Store.FindThemes(ctx)
	if err != nil {
		return nil, err
	}
	d := &siteData{settings: settings, columns: cols, themes: themes, mourning: settings.Mourning(p.Clock.Now()),
		columnsByID: map[int64]*herald.Column{}, columnsBySlug: map[string]*herald.Column{},
		themesByID: map[int64]*herald.Theme{}, themesBySlug: map[string]*herald.Theme{}}
	for _, c := range cols {
		d.columnsByID[c.ID], d.columnsBySlug[c.Slug] = c, c
	}
	for _, t := range themes {
		d.themesByID[t.ID], d.themesBySlug[t.Slug] = t, t
	}
	if u := settings.PublicAccountURL; u != "" {
		if strings.HasPrefix(u, "/") {
			u = p.BaseURL + u
		}
		if d.accountQR, err = qrsvg.New(u); err != nil {
			return nil, err
		}
	}
	p.site.Store(d)
	return d, nil
}

// Invalidate drops every cached page and the site data, so that the next
// request renders afresh.
func (p *Portal) Invalidate() {
	p.site.Store(nil)
	p.hot.clear()
	p.units.clear()
	p.langs.clear()
	p.cache.clear()
}

// view is what the layout and every page template get.
type view struct {
	L           labels
	Lang        string
	Site        *herald.SiteSettings
	Title       string
	Description string
	Canonical   string
	Image       string
	JSONLD      template.JS
	Alternates  []alternate
	Feeds       []feedLink
	Columns     []*herald.Column
	Languages   []langLink // the header's links to the site in other languages
	Current     string
	Mourning    bool
	Beacon      string // static pages: where the view beacon posts
	ArticleID   int64
	Phone       bool
	MobileURL   string
	DesktopURL  string
	Hot         hotLists
	HotSrc      string
	NoIndex     bool // search results: not for search engines
	// SearchOn shows the header's search box; SearchBase is "" on the dynamic
	// site and the dynamic site's address on exported pages (see Export).
	SearchOn   bool
	SearchBase string
	SearchPage bool // the search page has its own, fuller box instead
	Data       any

	// Subscribe links to the e-mail subscription form, when there is one.
	Subscribe *subscribeLink
}

// SearchURL is where the header's search box sends the reader.
func (v *view) SearchURL() string {
	if v.Phone {
		return v.SearchBase + "/m/search"
	}
	return v.SearchBase + "/search"
}

// SuggestURL is where search-as-you-type asks for titles.
func (v *view) SuggestURL() string { return v.SearchBase + "/api/v1/search/suggest" }

type alternate struct{ Lang, URL string }

type feedLink struct{ Type, Title, URL string }

// newView fills what every page shares.
func (p *Portal) newView(d *siteData, lang, path string, static bool) *view {
	v := &view{L: labelsFor(lang), Lang: lang, Site: d.settings, Canonical: p.BaseURL + path, Columns: d.columns,
		Mourning: d.mourning, HotSrc: map[bool]string{true: "/hot.json"}[static], SearchOn: p.Search != nil}
	if static {
		v.SearchBase = p.BaseURL
	}
	if p.Newsletter != nil {
		lang := "zh-CN"
		if v.L.lang == "en" {
			lang = "en"
		}
		link := &subscribeLink{URL: v.SearchBase + "/subscribe", Label: p.newsletterText[lang].Get("newsletter.link")}
		if lang == "en" {
			link.URL += "?lang=en"
		}
		v.Subscribe = link
	}
	return v
}

// render executes a page template into a Page.
func (p *Portal) render(name string, status int, v *view) (*Page, error) {
	var buf bytes.Buffer
	if err := p.templates[name].ExecuteTemplate(&buf, "layout", v); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return newPage(status, "text/html; charset=utf-8", buf.Bytes()), nil
}

func newPage(status int, contentType string, body []byte) *Page {
	sum := sha256.Sum256(body)
	return &Page{Status: status, ContentType: contentType, Body: body, ETag: `"` + hex.EncodeToString(sum[:10]) + `"`, MaxAge: time.Minute}
}
