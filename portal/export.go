package portal

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heraldnews/herald"
)

// ExportStats says what an export wrote.
type ExportStats struct {
	Pages    int
	Bytes    int64
	Removed  int
	Duration time.Duration
}

// Export renders the whole portal into dir as static files: every page the
// dynamic server has, the feeds, sitemaps and assets. Each file is written to a
// temporary name and renamed into place, so a web server reading dir never sees
// half a file. progress, if set, is called as pages are written.
func (p *Portal) Export(ctx context.Context, dir string, progress func(done, total int)) (ExportStats, error) {
	start := time.Now()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return ExportStats{}, err
	}
	paths, err := p.allPaths(ctx)
	if err != nil {
		return ExportStats{}, err
	}
	stats, media, err := p.exportPaths(ctx, dir, paths, progress)
	if err != nil {
		return stats, err
	}
	keep := make(map[string]bool, len(paths)+len(media))
	for _, path := range append(paths, media...) {
		keep[filePath(path)] = true
	}
	for _, a := range p.assets.All() {
		if err := writeAtomic(dir, a.URL, a.Body); err != nil {
			return stats, err
		}
		keep[filePath(a.URL)] = true
		stats.Pages++
		stats.Bytes += int64(len(a.Body))
	}
	removed, err := prune(dir, keep)
	stats.Removed += removed
	stats.Duration = time.Since(start)
	return stats, err
}

// prune deletes the files under dir that the export did not write: pages of
// articles retracted while no export ran, old asset versions, images no page
// shows any more. A full export into a used folder then equals one into an
// empty folder. Hidden files and folders (.well-known, .htaccess) are the
// web server's and stay, except leftovers of interrupted writes.
func prune(dir string, keep map[string]bool) (int, error) {
	removed := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == dir {
			return err
		}
		if hidden := strings.HasPrefix(d.Name(), "."); hidden && d.IsDir() {
			return filepath.SkipDir
		} else if d.IsDir() || hidden && !strings.HasPrefix(d.Name(), ".tmp-") {
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil || keep[rel] {
			return err
		}
		if err := os.Remove(path); err != nil {
			return err
		}
		removed++
		return nil
	})
	return removed, err
}

// ExportArticles re-renders into dir only what the publication, correction or
// retraction of the given articles changes: each article's own pages (removed
// when it is no longer published) and its neighbours' and other language
// versions', its column's, themes' and language section's index and archive
// pages from its place on, the home pages, the feeds, the hot list and the
// sitemap chunk and index.
func (p *Portal) ExportArticles(ctx context.Context, dir string, ids []int64) (ExportStats, error) {
	start := time.Now()
	d, err := p.siteData(ctx)
	if err != nil {
		return ExportStats{}, err
	}
	set := map[string]bool{"/": true, "/m/": true, "/hot.json": true, "/feed.xml": true, "/atom.xml": true, "/feed.json": true,
		"/sitemap.xml": true, "/news-sitemap.xml": true, "/404.html": true}
	for _, id := range ids {
		a, err := p.Store.FindArticleByID(ctx, id)
		if err != nil {
			return ExportStats{}, err
		}
		set[herald.ArticlePath(id)], set["/m"+herald.ArticlePath(id)] = true, true // removed if no longer published
		set[sitemapChunkPath(id)] = true
		// Its other language versions' pages carry it in their switcher and
		// hreflang links.
		versions, err := p.versionIDs(ctx, a)
		if err != nil {
			return ExportStats{}, err
		}
		for _, v := range versions {
			set[herald.ArticlePath(v)], set["/m"+herald.ArticlePath(v)] = true, true
		}
		if err := p.worksPathsChanged(ctx, a, set); err != nil { // topics.go
			return ExportStats{}, err
		}
		if a.PublishedAt == nil {
			continue
		}
		if err := p.sectionPathsChanged(ctx, a, set); err != nil {
			return ExportStats{}, err
		}
		prev, next, err := p.neighbours(ctx, a)
		if err != nil {
			return ExportStats{}, err
		}
		for _, n := range []*item{prev, next} {
			if n != nil {
				set[n.URL], set["/m"+n.URL] = true, true
			}
		}
		var lists []listingRef
		if c := d.columnsByID[a.ColumnID]; c != nil {
			lists = append(lists, listingRef{"columns", c.Slug, c.ID, 0})
		}
		for _, tid := range a.ThemeIDs {
			if t := d.themesByID[tid]; t != nil {
				lists = append(lists, listingRef{"themes", t.Slug, 0, t.ID})
			}
		}
		for _, l := range lists {
			base := "/" + l.kind + "/" + l.slug + "/"
			set[base], set[base+"feed.xml"], set[base+"atom.xml"], set[base+"feed.json"] = true, true, true, true
			// The archive pages from the article's place to the newest one change
			// (with a retraction, later articles move down a place).
			older, err := p.countPublished(ctx, herald.ArticleFilter{ColumnID: l.column, ThemeID: l.theme, PublishedBefore: a.PublishedAt})
			if err != nil {
				return ExportStats{}, err
			}
			total, err := p.countPublished(ctx, herald.ArticleFilter{ColumnID: l.column, ThemeID: l.theme})
			if err != nil {
				return ExportStats{}, err
			}
			// One past the last, in case a retraction emptied it.
			for n := older/PageSize + 1; n <= archivePages(total)+1; n++ {
				set[ListingPath(l.kind, l.slug, n)] = true
			}
		}
	}
	paths := make([]string, 0, len(set))
	for path := range set {
		paths = append(paths, path)
	}
	stats, _, err := p.exportPaths(ctx, dir, paths, nil)
	stats.Duration = time.Since(start)
	return stats, err
}

// sectionPathsChanged adds to set the pages of a's language section that its
// publication or retraction changes: the index, phone page and feeds, the
// archive pages from its place on, and the site sitemap that lists the
// sections (a first article opens a section, a last retraction closes it).
func (p *Portal) sectionPathsChanged(ctx context.Context, a *herald.Article, set map[string]bool) error {
	slug, ok := sectionSlug(a.Language)
	if !ok {
		return nil
	}
	base := SectionPath(slug, 0)
	set[base], set["/m"+base], set[base+"feed.xml"], set[base+"atom.xml"], set[base+"feed.json"] = true, true, true, true, true
	set["/sitemaps/site.xml"] = true
	sections, err := p.sections(ctx)
	if err != nil {
		return err
	}
	older, total := 0, 0
	if s := sections.bySlug[slug]; s != nil {
		if older, err = p.sectionCount(ctx, s, herald.ArticleFilter{PublishedBefore: a.PublishedAt}); err != nil {
			return err
		}
		if total, err = p.sectionCount(ctx, s, herald.ArticleFilter{}); err != nil {
			return err
		}
	}
	// One past the last, in case a retraction emptied it.
	for n := older/PageSize + 1; n <= archivePages(total)+1; n++ {
		set[SectionPath(slug, n)] = true
	}
	return nil
}

// listingRef names a column's or theme's listing.
type listingRef struct {
	kind, slug    string
	column, theme int64
}

// allPaths lists every page of the site. The search pages are not among them:
// a static site cannot answer a query. Its header search box stays, sending the
// reader to the dynamic site's /search (and its suggestions to the dynamic
// site's API) at BaseURL — see newView. Hiding the box would take search away
// from readers of the static site, which is meant to be served in front of
// Herald (decisions 22–23: the beacon and the tip form already go to it), and
// an absolute address keeps working when the files are served from another
// host; a static page's bytes do not depend on whether search is running.
func (p *Portal) allPaths(ctx context.Context) ([]string, error) {
	d, err := p.siteData(ctx)
	if err != nil {
		return nil, err
	}
	paths := []string{"/", "/m/", "/tips/", "/tips/thanks.html", "/hot.json", "/robots.txt", "/sitemap.xml", "/sitemaps/site.xml", "/news-sitemap.xml",
		"/feed.xml", "/atom.xml", "/feed.json", "/404.html"}
	if d.settings.AboutHTML != "" {
		paths = append(paths, "/about.html")
	}
	if d.settings.ContactHTML != "" {
		paths = append(paths, "/contact.html")
	}
	listing := func(kind, slug string, column, theme int64) error {
		total, err := p.countPublished(ctx, herald.ArticleFilter{ColumnID: column, ThemeID: theme})
		if err != nil {
			return err
		}
		base := "/" + kind + "/" + slug + "/"
		paths = append(paths, base+"feed.xml", base+"atom.xml", base+"feed.json")
		for n := 0; n <= archivePages(total); n++ {
			paths = append(paths, ListingPath(kind, slug, n))
		}
		return nil
	}
	for _, c := range d.columns {
		if err := listing("columns", c.Slug, c.ID, 0); err != nil {
			return nil, err
		}
	}
	for _, t := range d.themes {
		if err := listing("themes", t.Slug, 0, t.ID); err != nil {
			return nil, err
		}
	}
	sections, err := p.sections(ctx)
	if err != nil {
		return nil, err
	}
	for _, s := range sections.all {
		total, err := p.sectionCount(ctx, s, herald.ArticleFilter{})
		if err != nil {
			return nil, err
		}
		base := SectionPath(s.Slug, 0)
		paths = append(paths, "/m"+base, base+"feed.xml", base+"atom.xml", base+"feed.json")
		for n := 0; n <= archivePages(total); n++ {
			paths = append(paths, SectionPath(s.Slug, n))
		}
	}
	works, err := p.worksPaths(ctx) // topics.go
	if err != nil {
		return nil, err
	}
	paths = append(paths, works...)
	chunks := map[string]bool{}
	for after := int64(0); ; {
		as, err := p.published(ctx, herald.ArticleFilter{AfterID: after, Order: herald.ByID, Limit: 1000, NoBody: true})
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			paths = append(paths, herald.ArticlePath(a.ID), "/m"+herald.ArticlePath(a.ID))
			if c := sitemapChunkPath(a.ID); !chunks[c] {
				chunks[c] = true
				paths = append(paths, c)
			}
		}
		if len(as) < 1000 {
			break
		}
		after = as[len(as)-1].ID
	}
	return paths, nil
}

// exportPaths renders paths on every core and writes them under dir, with the
// images they show, which it returns.
func (p *Portal) exportPaths(ctx context.Context, dir string, paths []string, progress func(done, total int)) (ExportStats, []string, error) {
	var stats ExportStats
	var done, bytes, removed atomic.Int64
	var mediaMu sync.Mutex
	var media []string
	work := make(chan string)
	errc := make(chan error, 1)
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for path := range work {
				page, err := p.Render(ctx, path, true)
				switch {
				case err != nil:
				case page.Status == http.StatusOK || path == "/404.html":
					err = writeAtomic(dir, path, page.Body)
					if err == nil && len(page.Media) > 0 {
						err = p.exportMedia(ctx, dir, page.Media)
						mediaMu.Lock()
						media = append(media, page.Media...)
						mediaMu.Unlock()
					}
				default: // the path names nothing (any more): no file
					if err = os.Remove(filepath.Join(dir, filePath(path))); err == nil {
						removed.Add(1)
					} else if errors.Is(err, fs.ErrNotExist) {
						err = nil
					}
				}
				if err != nil {
					select {
					case errc <- fmt.Errorf("export %s: %w", path, err):
					default:
					}
					cancel()
					return
				}
				bytes.Add(int64(len(page.Body)))
				if n := done.Add(1); progress != nil && (n%500 == 0 || int(n) == len(paths)) {
					progress(int(n), len(paths))
				}
			}
		}()
	}
	for _, path := range paths {
		select {
		case work <- path:
			continue
		case <-ctx.Done():
		}
		break
	}
	close(work)
	wg.Wait()
	stats.Pages, stats.Bytes, stats.Removed = int(done.Load()-removed.Load()), bytes.Load(), int(removed.Load())
	select {
	case err := <-errc:
		return stats, media, err
	default:
		return stats, media, ctx.Err()
	}
}

// filePath maps a site path to its file: directories get index.html.
func filePath(path string) string {
	if strings.HasSuffix(path, "/") {
		path += "index.html"
	}
	return filepath.FromSlash(strings.TrimPrefix(path, "/"))
}

// writeAtomic writes body to the file of path under dir by way of a temporary
// file in the same folder and a rename.
func writeAtomic(dir, path string, body []byte) error {
	target := filepath.Join(dir, filePath(path))
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	b := make([]byte, 6)
	rand.Read(b)
	tmp := filepath.Join(filepath.Dir(target), ".tmp-"+hex.EncodeToString(b))
	if err := os.WriteFile(tmp, body, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, target); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
