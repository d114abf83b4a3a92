package portal_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/demo"
	"github.com/heraldnews/herald/internal/browsertest"
	"github.com/heraldnews/herald/media"
	"github.com/heraldnews/herald/portal"
	"github.com/heraldnews/herald/sqlite"
)

// TestBrowserWorks loads the video library, a topic page and a video's page
// in Chromium at phone and desktop widths: axe finds nothing (a <video> has
// an accessible name), nothing scrolls sideways, and the film actually loads
// its metadata through range requests.
func TestBrowserWorks(t *testing.T) {
	chromium, axe := browsertest.Needs(t)
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	files := media.Dir(t.TempDir())
	if _, err := demo.Seed(ctx, s, time.Now().UTC(), demo.WithoutHistory(), demo.WithVideoFiles(files)); err != nil {
		t.Fatal(err)
	}
	var handler http.Handler = http.NotFoundHandler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	defer srv.Close()
	p, err := portal.New(s, nil, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	p.Videos = files
	handler = p
	videos, _, err := s.FindArticles(ctx, herald.ArticleFilter{Kind: herald.KindVideo, Statuses: []herald.Status{herald.StatusPublished}, Limit: 1})
	if err != nil || len(videos) == 0 {
		t.Fatalf("no published video: %v", err)
	}

	browserCtx := browsertest.Start(t, chromium)
	for _, page := range []struct{ name, path, want string }{
		{"the video library", "/videos/", "nav.series a, .work-grid img"},
		{"the topic", "/topics/advanced-figures.html", ".topic-section .work-card"},
		{"the figures", "/figures/", ".work-grid.figures img"},
		{"a video", herald.ArticlePath(videos[0].ID), "video[aria-label]"},
	} {
		t.Run(page.name, func(t *testing.T) {
			tab := browsertest.Tab(t, browserCtx)
			for _, vp := range [][2]int64{{390, 844}, {1280, 900}} {
				where := fmt.Sprintf("%s at %dpx", page.name, vp[0])
				browsertest.Open(t, tab, vp[0], vp[1], srv.URL+page.path)
				browsertest.Audit(t, tab, axe, where)
				if n := browsertest.Eval[int](t, tab, `document.querySelectorAll(`+jsString(page.want)+`).length`); n == 0 {
					t.Errorf("%s shows no %s", where, page.want)
				}
				w := browsertest.Eval[struct{ Scroll, Inner int }](t, tab, `({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})`)
				if w.Scroll > w.Inner {
					t.Errorf("%s scrolls sideways: scrollWidth %d > innerWidth %d", where, w.Scroll, w.Inner)
				}
			}
		})
	}
	t.Run("the film plays", func(t *testing.T) {
		tab := browsertest.Tab(t, browserCtx)
		browsertest.Open(t, tab, 390, 844, srv.URL+herald.ArticlePath(videos[0].ID))
		// preload="metadata" fetches the film's header by range; the player
		// then knows its length, which the demo clip has as about three seconds.
		var duration float64
		for range 100 {
			duration = browsertest.Eval[float64](t, tab, `(() => { const v = document.querySelector('video'); return v && v.readyState >= 1 ? v.duration : 0 })()`)
			if duration > 0 {
				break
			}
			browsertest.Eval[any](t, tab, `new Promise(r => requestAnimationFrame(() => r(null)))`)
		}
		if duration < 2 || duration > 4 {
			t.Errorf("the player knows a duration of %.2f s, want about 3", duration)
		}
	})
}

// jsString quotes s for a script.
func jsString(s string) string { return fmt.Sprintf("%q", s) }
