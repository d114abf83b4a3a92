package portal_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald/internal/browsertest"
)

// TestBrowserExportedLeaderboard serves a static export as a separate web
// server would, with only the leaderboard (/hot.json) and the view beacon
// from Herald, and opens its home pages in headless Chromium: the script
// fills the leaderboard, the desktop page's links go to desktop pages and
// the phone page's to phone pages, and each title says its language (a
// Chinese title on an English page is read out as Chinese).
func TestBrowserExportedLeaderboard(t *testing.T) {
	chromium, _ := browsertest.Needs(t)
	f := newFixture(t)
	dir := t.TempDir()
	if _, err := f.portal.Export(context.Background(), dir, nil); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", http.FileServer(http.Dir(dir)))
	mux.Handle("/hot.json", f.portal)
	mux.Handle("/views", f.portal)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	b := browsertest.Start(t, chromium)

	type link struct {
		Href string `json:"href"`
		Lang string `json:"lang"`
	}
	for _, c := range []struct{ page, prefix string }{{"/", "/articles/"}, {"/m/", "/m/articles/"}} {
		ctx := browsertest.Tab(t, b)
		browsertest.Open(t, ctx, 390, 844, srv.URL+c.page)
		var links []link
		for deadline := time.Now().Add(10 * time.Second); len(links) == 0; time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: the leaderboard was not filled from /hot.json", c.page)
			}
			links = browsertest.Eval[[]link](t, ctx, `[...document.querySelectorAll('#hot-day li a')].map(a => ({href: a.getAttribute('href'), lang: a.lang}))`)
		}
		for _, l := range links {
			if !strings.HasPrefix(l.Href, c.prefix) || l.Lang != "zh-CN" && l.Lang != "en" {
				t.Errorf("%s: a leaderboard link %+v, want an address under %s and the title's language", c.page, l, c.prefix)
			}
		}
	}
}
