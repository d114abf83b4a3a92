package portal

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/httpx"
	"github.com/heraldnews/herald/views"
)

// MaxQueryBytes is the longest query string the portal reads.
const MaxQueryBytes = 1024

// pageCache keeps rendered pages by path until they expire or anything is
// published. Each page is compressed once, when it is stored.
type pageCache struct {
	mu    sync.RWMutex
	pages map[string]*cachedPage
	bytes int64 // of the pages' bodies, plain and compressed
}

type cachedPage struct {
	page    *Page
	expires time.Time
}

func (c *pageCache) get(path string, now time.Time) *Page {
	c.mu.RLock()
	e := c.pages[path]
	c.mu.RUnlock()
	if e == nil || now.After(e.expires) {
		return nil
	}
	return e.page
}

func (c *pageCache) put(p *Page, now time.Time) {
	if p.MaxAge <= 0 || p.Status != http.StatusOK {
		return
	}
	p.prepareHeaders()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(p.Body)
	zw.Close()
	p.gzip = buf.Bytes()
	c.mu.Lock()
	if c.pages == nil || len(c.pages) > 100_000 {
		c.pages, c.bytes = map[string]*cachedPage{}, 0 // a crude bound; the site's pages fit many times over
	}
	if old := c.pages[p.Path]; old != nil {
		c.bytes -= old.page.size()
	}
	c.pages[p.Path] = &cachedPage{page: p, expires: now.Add(p.MaxAge)}
	c.bytes += p.size()
	c.mu.Unlock()
}

func (c *pageCache) clear() {
	c.mu.Lock()
	c.pages, c.bytes = nil, 0
	c.mu.Unlock()
}

// size is what a cached page holds in memory, near enough: its bodies.
func (p *Page) size() int64 { return int64(len(p.Body) + len(p.gzip)) }

// CacheSize returns how many pages the page cache holds and the size of
// their bodies, plain and compressed; expired pages count until they are
// dropped (on the next publication) or replaced.
func (p *Portal) CacheSize() (pages int, bytes int64) {
	p.cache.mu.RLock()
	defer p.cache.mu.RUnlock()
	return len(p.cache.pages), p.cache.bytes
}

// Routes are the portal's kinds of address, as ServeMux patterns. A server
// mounts the portal under each of them as well as under "/", so that the
// pattern a request matched tells metrics and logs what kind of page it
// was (an article, a listing, search, a film…) with a label per kind, not
// per address. The portal itself routes by path and needs none of them.
var Routes = []string{
	"/m/", "/articles/", "/m/articles/", "/columns/", "/themes/", "/topics/", "/figures/", "/videos/",
	"/search", "/m/search", "/tips", "/tips/", "/views", "/subscribe", "/subscribe/", "/unsubscribe",
	"/static/", "/media/", herald.VideoFilePrefix, "/sitemaps/", "/sitemap.xml", "/news-sitemap.xml",
	"/feed.xml", "/atom.xml", "/feed.json", "/hot.json", "/robots.txt",
}

// ServeHTTP serves the portal: cached pages with ETag, Last-Modified and gzip,
// the static assets, the tip form, the view beacon and the search pages.
func (p *Portal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case strings.HasPrefix(path, "/static/"):
		p.assets.ServeHTTP(w, r)
		return
	case p.Newsletter != nil && (path == "/subscribe" || strings.HasPrefix(path, "/subscribe/") || path == "/unsubscribe"):
		p.serveNewsletter(w, r)
		return
	case path == "/tips" && r.Method == http.MethodPost:
		p.submitTip(w, r)
		return
	case path == "/views" && r.Method == http.MethodPost:
		p.beacon(w, r)
		return
	case strings.HasPrefix(path, herald.VideoFilePrefix) && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		p.serveVideo(w, r) // films are streamed with ranges (topics.go)
		return
	case strings.HasPrefix(path, "/media/") && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		p.serveMedia(w, r)
		return
	case r.Method != http.MethodGet && r.Method != http.MethodHead:
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	case (path == "/search" || path == "/m/search") && p.Search != nil:
		p.serveSearch(w, r, path == "/m/search") // before the query-length check: it has its own
		return
	}
	if len(r.URL.RawQuery) > MaxQueryBytes {
		p.serveError(w, r, http.StatusBadRequest)
		return
	}
	now := p.Clock.Now()
	page := p.cache.get(path, now)
	if p.CacheLookup != nil {
		p.CacheLookup(page != nil)
	}
	if page == nil {
		var err error
		if page, err = p.Render(r.Context(), path, false); err != nil {
			p.fail(w, r, err)
			return
		}
		p.cache.put(page, now)
	}
	if page.ArticleID != 0 && p.Views != nil && r.Method == http.MethodGet {
		p.Views.Record(r, page.ArticleID, page.Channel)
	}
	p.write(w, r, page)
}

// headers are a cached page's response headers, formatted once. The value
// slices are shared by every response, which only reads them.
type headers struct {
	contentType, vary, etag, cacheControl, lastModified []string
}

func (p *Page) prepareHeaders() {
	p.headers = &headers{contentType: []string{p.ContentType}, vary: []string{"Accept-Encoding"}, etag: []string{p.ETag},
		cacheControl: []string{"public, max-age=" + strconv.Itoa(int(p.MaxAge.Seconds()))}}
	if !p.Modified.IsZero() {
		p.headers.lastModified = []string{p.Modified.UTC().Format(http.TimeFormat)}
	}
}

// write sends a page, answering conditional requests with 304.
func (p *Portal) write(w http.ResponseWriter, r *http.Request, page *Page) {
	if page.headers == nil {
		page.prepareHeaders()
	}
	h := w.Header()
	h["Content-Type"], h["Vary"] = page.headers.contentType, page.headers.vary
	if page.Status == http.StatusOK {
		h["Etag"], h["Cache-Control"] = page.headers.etag, page.headers.cacheControl
		if page.headers.lastModified != nil {
			h["Last-Modified"] = page.headers.lastModified
		}
		if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, page.ETag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		if since, err := http.ParseTime(r.Header.Get("If-Modified-Since")); err == nil && r.Header.Get("If-None-Match") == "" &&
			!page.Modified.IsZero() && !page.Modified.Truncate(time.Second).After(since) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	} else {
		h.Set("Cache-Control", "no-store")
	}
	body := page.Body
	if page.gzip != nil && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		body = page.gzip
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(page.Status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

func (p *Portal) serveError(w http.ResponseWriter, r *http.Request, status int) {
	d, err := p.siteData(r.Context())
	if err == nil {
		var page *Page
		if page, err = p.notFound(r.Context(), d, status, false); err == nil {
			p.write(w, r, page)
			return
		}
	}
	http.Error(w, http.StatusText(status), status)
}

// beacon counts a view reported by a statically exported page, which also
// reports its URL's from parameter and the origin of the page that linked to
// it (the beacon's own Referer is the page itself).
func (p *Portal) beacon(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ArticleID int64  `json:"article_id"`
		From      string `json:"from"`
		Referrer  string `json:"referrer"`
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1024)
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.ArticleID <= 0 {
		http.Error(w, "article_id: must be a positive number", http.StatusBadRequest)
		return
	}
	a, err := p.Store.FindArticleByID(r.Context(), in.ArticleID)
	if err != nil || a.Status != herald.StatusPublished {
		http.Error(w, "article_id: no published article", http.StatusNotFound)
		return
	}
	if p.Views != nil {
		p.Views.RecordFrom(r, in.ArticleID, views.Channel(herald.ReadFromParam+"="+url.QueryEscape(in.From), views.ChannelStatic), in.Referrer)
	}
	w.WriteHeader(http.StatusNoContent)
}

// fail answers a request the portal could not serve and logs why, once: 503
// with Retry-After when a part it needs is away (the database, the film
// storage), 500 otherwise. A reader who left gets nothing: nothing is wrong.
func (p *Portal) fail(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil {
		return
	}
	httpx.LogFailure(p.Log, r, err)
	status := http.StatusInternalServerError
	if httpx.Status(err) == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
		status = http.StatusServiceUnavailable
	}
	http.Error(w, "服务暂时不可用，请稍后再试。", status)
}
