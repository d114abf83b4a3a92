package portal_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/demo"
	"github.com/heraldnews/herald/internal/browsertest"
	"github.com/heraldnews/herald/portal"
	"github.com/heraldnews/herald/search"
	"github.com/heraldnews/herald/sqlite"
)

// TestBrowserSearch checks the search pages in Chromium: axe-core's audit of
// results, empty and 400 pages at phone and desktop width, and the header
// box's combobox driven by the keyboard. The suggest endpoint belongs to the
// API; here a stand-in answers in its format from the same search service.
func TestBrowserSearch(t *testing.T) {
	chromium, axe := browsertest.Needs(t)
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := demo.Seed(ctx, s, time.Now().UTC(), demo.WithoutHistory()); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := search.NewService(s, nil, log)
	if _, err := svc.Build(ctx, nil); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	p, err := portal.New(s, nil, nil, log, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	p.Search = svc
	mux.Handle("/", p)
	mux.HandleFunc("GET /api/v1/search/suggest", func(w http.ResponseWriter, r *http.Request) {
		found, err := svc.Suggest(r.URL.Query().Get("q"), r.URL.Query().Get("lang"), 8)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		type suggestion struct {
			ID    int64  `json:"id"`
			Title string `json:"title"`
			URL   string `json:"url"`
		}
		out := struct {
			Suggestions []suggestion `json:"suggestions"`
		}{[]suggestion{}}
		for _, f := range found {
			out.Suggestions = append(out.Suggestions, suggestion{f.ID, f.Title, herald.ArticlePath(f.ID)})
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(out)
	})

	browserCtx := browsertest.Start(t, chromium)
	tab := func(t *testing.T) context.Context { return browsertest.Tab(t, browserCtx) }

	t.Run("Pages", func(t *testing.T) {
		ctx := tab(t)
		q := url.QueryEscape("调解员")
		for _, page := range []struct{ name, path string }{
			{"results", "/search?q=" + q},
			{"results page 2", "/search?q=" + url.QueryEscape("司法") + "&page=2"},
			{"filtered to nothing", "/search?q=" + q + "&column=notices"},
			{"partial words", "/search?q=" + url.QueryEscape("远程视频公证 法治沙滩")},
			{"nothing", "/search?q=zzqqxxy"},
			{"bad date", "/search?q=" + q + "&from=2026-13-01"},
			{"phone results", "/m/search?q=" + q},
		} {
			for _, vp := range [][2]int64{{375, 812}, {1280, 900}} {
				where := fmt.Sprintf("%s at %dpx", page.name, vp[0])
				browsertest.Open(t, ctx, vp[0], vp[1], srv.URL+page.path)
				browsertest.Audit(t, ctx, axe, where)
				if vp[0] == 375 {
					w := browsertest.Eval[struct{ Scroll, Inner int }](t, ctx, `({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})`)
					if w.Scroll > w.Inner {
						t.Errorf("%s scrolls sideways: scrollWidth %d > innerWidth %d", where, w.Scroll, w.Inner)
					}
				}
			}
		}
	})

	t.Run("Combobox", func(t *testing.T) {
		ctx := tab(t)
		browsertest.Open(t, ctx, 1280, 900, srv.URL+"/")
		type state struct {
			Expanded string `json:"expanded"`
			Options  int    `json:"options"`
			Hidden   bool   `json:"hidden"`
			Active   string `json:"active"`
			Selected string `json:"selected"`
			Live     string `json:"live"`
		}
		const read = `(() => { const i = document.getElementById('site-q'), l = document.getElementById('site-q-list');
			const sel = l.querySelector('[aria-selected=true]');
			return {expanded: i.getAttribute('aria-expanded'), options: l.querySelectorAll('[role=option]').length, hidden: l.hidden,
				active: i.getAttribute('aria-activedescendant') || '', selected: sel ? sel.id : '', live: l.nextElementSibling.textContent}; })()`
		role := browsertest.Eval[string](t, ctx, `document.getElementById('site-q').getAttribute('role')`)
		if role != "combobox" {
			t.Fatalf("the header box's role is %q", role)
		}
		if err := chromedp.Do(ctx,
			chromedp.Focus(chromedp.CSS("#site-q")),
			chromedp.Evaluate[chromedp.Void](`(() => { const i = document.getElementById('site-q'); i.value = '公证'; i.dispatchEvent(new Event('input', {bubbles: true})); })()`),
			chromedp.WaitVisible(chromedp.CSS(`#site-q-list [role=option]`)),
		); err != nil {
			t.Fatalf("no suggestions appeared: %v", err)
		}
		st := browsertest.Eval[state](t, ctx, read)
		if st.Expanded != "true" || st.Options == 0 || st.Hidden || !strings.Contains(st.Live, "条建议") {
			t.Fatalf("after typing: %+v", st)
		}
		browsertest.Audit(t, ctx, axe, "home with the suggestions open")
		key := func(k string) {
			t.Helper()
			if err := chromedp.Do(ctx, chromedp.KeyEvent(k)); err != nil {
				t.Fatal(err)
			}
		}
		key(kb.ArrowDown)
		if st = browsertest.Eval[state](t, ctx, read); st.Active != "site-q-list-0" || st.Selected != "site-q-list-0" {
			t.Errorf("after Down: %+v, want the first option active", st)
		}
		key(kb.ArrowUp)
		if st = browsertest.Eval[state](t, ctx, read); st.Active != fmt.Sprintf("site-q-list-%d", st.Options-1) {
			t.Errorf("after Up from the first: %+v, want the last option active", st)
		}
		key(kb.Escape)
		if st = browsertest.Eval[state](t, ctx, read); st.Expanded != "false" || !st.Hidden || st.Active != "" {
			t.Errorf("after Escape: %+v, want the list closed", st)
		}
		want := browsertest.Eval[string](t, ctx, `document.getElementById('site-q-list-0').textContent`)
		key(kb.ArrowDown)
		key(kb.Enter)
		if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("article.story h1"))); err != nil {
			t.Fatalf("Down, Enter: %v", err)
		}
		title := browsertest.Eval[string](t, ctx, `document.querySelector('article.story h1').textContent`)
		path := browsertest.Eval[string](t, ctx, `location.pathname`)
		if title != want || !strings.HasPrefix(path, "/articles/") {
			t.Errorf("Enter on the first suggestion opened %s %q, want %q", path, title, want)
		}
		// Enter without a chosen suggestion searches.
		if err := chromedp.Do(ctx,
			chromedp.SetValue(chromedp.CSS("#site-q"), "调解员"),
			chromedp.Focus(chromedp.CSS("#site-q")),
			chromedp.KeyEvent(kb.Enter),
			chromedp.WaitVisible(chromedp.CSS("#search-count")),
		); err != nil {
			t.Fatalf("Enter in the box: %v", err)
		}
		if path = browsertest.Eval[string](t, ctx, `location.pathname + location.search`); path != "/search?q="+url.QueryEscape("调解员") {
			t.Errorf("Enter in the box went to %s", path)
		}
	})
}
