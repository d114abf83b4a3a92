package portal_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/demo"
	"github.com/heraldnews/herald/internal/browsertest"
	"github.com/heraldnews/herald/portal"
	"github.com/heraldnews/herald/sqlite"
)

// The browser tests load the portal in headless Chromium and check what only a
// browser can tell: axe-core's accessibility audit, layout at phone width, tap
// target sizes, the elderly-friendly toggle and the mourning filter.
//
// They need chromium and axe-core (see package browsertest): without them they
// skip, except under CI=true, where they fail.

// box is an element's bounding box as the tap-target check sees it.
type box struct {
	Tag    string  `json:"tag"`
	Text   string  `json:"text"`
	Height float64 `json:"height"`
	Width  float64 `json:"width"`
}

const tapTargets = `Array.from(document.querySelectorAll('.share a, .share button, .share summary, nav.columns a, nav.columns button, nav.columns summary, nav.versions a, nav.langs a'))
	.filter(e => e.getClientRects().length > 0) // hidden: the copy and share buttons wait for browser support
	.map(e => { const r = e.getBoundingClientRect(); return {tag: e.tagName.toLowerCase(), text: e.textContent.trim().slice(0, 30), height: r.height, width: r.width}; })`

func TestBrowserPortal(t *testing.T) {
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
	var handler http.Handler = http.NotFoundHandler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	defer srv.Close()
	p, err := portal.New(s, nil, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	handler = p

	en, _, err := s.FindArticles(ctx, herald.ArticleFilter{Language: "en", Statuses: []herald.Status{herald.StatusPublished}})
	if err != nil {
		t.Fatal(err)
	}
	var seed *herald.Article
	for _, a := range en {
		if strings.HasPrefix(a.Title, "Provincial Judicial Administration System Publicity Training Course") {
			seed = a
		}
	}
	zh, _, err := s.FindArticles(ctx, herald.ArticleFilter{Language: "zh-CN", Statuses: []herald.Status{herald.StatusPublished}, Order: herald.ByPublished, Limit: 1})
	if err != nil || seed == nil || len(zh) == 0 {
		t.Fatalf("demo lacks the English seed article or a Chinese one (err %v)", err)
	}

	// One browser for every subtest; each subtest gets its own tab.
	browserCtx := browsertest.Start(t, chromium)
	tab := func(t *testing.T) context.Context { return browsertest.Tab(t, browserCtx) }
	open := func(t *testing.T, ctx context.Context, width, height int64, path string) {
		t.Helper()
		browsertest.Open(t, ctx, width, height, srv.URL+path)
	}
	audit := func(t *testing.T, ctx context.Context, where string) {
		t.Helper()
		browsertest.Audit(t, ctx, axe, where)
	}
	noSideScroll := func(t *testing.T, ctx context.Context, where string) {
		t.Helper()
		w := browsertest.Eval[struct{ Scroll, Inner int }](t, ctx, `({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})`)
		if w.Scroll > w.Inner {
			t.Errorf("%s scrolls sideways: scrollWidth %d > innerWidth %d", where, w.Scroll, w.Inner)
		}
	}

	t.Run("Articles", func(t *testing.T) {
		ctx := tab(t)
		for _, page := range []struct {
			name string
			path string
			want []string
		}{
			{"English seed article", herald.ArticlePath(seed.ID), []string{"Release time: 2019-12-19 16:14:04", "Editor-in-chief: Wang Yalan_DW110"}},
			{"Chinese article", herald.ArticlePath(zh[0].ID), []string{"发布时间："}},
		} {
			for _, vp := range [][2]int64{{375, 812}, {1280, 900}} {
				where := fmt.Sprintf("%s at %dpx", page.name, vp[0])
				open(t, ctx, vp[0], vp[1], page.path)
				audit(t, ctx, where)
				text := browsertest.Eval[string](t, ctx, `document.body.innerText`)
				for _, want := range page.want {
					if !strings.Contains(text, want) {
						t.Errorf("%s: visible text lacks %q", where, want)
					}
				}
				if vp[0] != 375 {
					continue
				}
				noSideScroll(t, ctx, where)
				boxes := browsertest.Eval[[]box](t, ctx, tapTargets)
				if len(boxes) < 3 {
					t.Errorf("%s: found only %d share and column links", where, len(boxes))
				}
				t.Logf("%s: %d share and column tap targets checked", where, len(boxes))
				for _, b := range boxes {
					if b.Height < 44 {
						t.Errorf("%s: <%s> %q is %.1f px high, want at least 44", where, b.Tag, b.Text, b.Height)
					}
				}
			}
		}
	})

	t.Run("Home", func(t *testing.T) {
		ctx := tab(t)
		for _, vp := range [][2]int64{{375, 812}, {1280, 900}} {
			where := fmt.Sprintf("home at %dpx", vp[0])
			open(t, ctx, vp[0], vp[1], "/")
			audit(t, ctx, where)
			if vp[0] == 375 {
				noSideScroll(t, ctx, where)
			}
		}
	})

	t.Run("LanguageSection", func(t *testing.T) {
		ctx := tab(t)
		for _, vp := range [][2]int64{{375, 812}, {1280, 900}} {
			where := fmt.Sprintf("English section at %dpx", vp[0])
			open(t, ctx, vp[0], vp[1], "/en/")
			audit(t, ctx, where)
			got := browsertest.Eval[struct {
				Lang  string `json:"lang"`
				Items int    `json:"items"`
				Text  string `json:"text"`
			}](t, ctx, `({lang: document.documentElement.lang, items: document.querySelectorAll('ul.list li').length, text: document.body.innerText})`)
			if got.Lang != "en" || got.Items == 0 || !strings.Contains(got.Text, "English") || !strings.Contains(got.Text, "中文") {
				t.Errorf("%s: lang %q, %d articles listed; want English with its articles and a link to the Chinese site", where, got.Lang, got.Items)
			}
			if vp[0] == 375 {
				noSideScroll(t, ctx, where)
			}
		}
	})

	t.Run("CareMode", func(t *testing.T) {
		ctx := tab(t)
		type state struct {
			Care    bool   `json:"care"`
			Pressed string `json:"pressed"`
			Font    string `json:"font"`
		}
		const read = `({care: document.documentElement.classList.contains('care'),
			pressed: document.getElementById('care-toggle').getAttribute('aria-pressed'),
			font: getComputedStyle(document.body).fontSize})`
		px := func(s string) float64 {
			f, err := strconv.ParseFloat(strings.TrimSuffix(s, "px"), 64)
			if err != nil {
				t.Fatalf("font-size %q: %v", s, err)
			}
			return f
		}
		open(t, ctx, 375, 812, herald.ArticlePath(seed.ID))
		before := browsertest.Eval[state](t, ctx, read)
		if before.Care {
			t.Fatal("care mode is on before the toggle was clicked")
		}
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#care-toggle"))); err != nil {
			t.Fatalf("click #care-toggle: %v", err)
		}
		after := browsertest.Eval[state](t, ctx, read)
		if !after.Care || after.Pressed != "true" {
			t.Errorf("after the click: care class %v, aria-pressed %q; want true, \"true\"", after.Care, after.Pressed)
		}
		if px(after.Font) <= px(before.Font) {
			t.Errorf("care mode body font-size %s, want more than %s", after.Font, before.Font)
		}
		open(t, ctx, 375, 812, "/")
		reloaded := browsertest.Eval[state](t, ctx, read)
		if !reloaded.Care || reloaded.Pressed != "true" {
			t.Errorf("after navigating again: care class %v, aria-pressed %q; want it remembered", reloaded.Care, reloaded.Pressed)
		}
		// Turn it off again: the tabs share the browser's storage.
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#care-toggle"))); err != nil {
			t.Fatalf("click #care-toggle: %v", err)
		}
		reloaded = browsertest.Eval[state](t, ctx, read)
		if reloaded.Care {
			t.Error("a second click leaves care mode on")
		}
	})

	t.Run("Phone", func(t *testing.T) {
		ctx := tab(t)
		open(t, ctx, 375, 812, "/m"+herald.ArticlePath(zh[0].ID))
		got := browsertest.Eval[struct {
			Phone bool    `json:"phone"`
			Font  float64 `json:"font"`
		}](t, ctx, `({phone: document.body.classList.contains('phone'),
			font: parseFloat(getComputedStyle(document.querySelector('.story .body')).fontSize)})`)
		if !got.Phone {
			t.Error("phone page body lacks class phone")
		}
		if got.Font < 18 {
			t.Errorf("phone article body font-size %.2fpx, want at least 18px", got.Font)
		}
		noSideScroll(t, ctx, "phone article at 375px")
	})

	t.Run("Mourning", func(t *testing.T) { // last: it changes the settings
		set, err := s.FindSettings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		from := time.Now().UTC().Add(-time.Hour)
		set.MourningFrom, set.MourningUntil = &from, nil
		if err := s.UpdateSettings(ctx, set, herald.Event{At: time.Now().UTC()}); err != nil {
			t.Fatal(err)
		}
		p.Invalidate()
		tctx := tab(t)
		open(t, tctx, 1280, 900, "/")
		filter := browsertest.Eval[string](t, tctx, `getComputedStyle(document.documentElement).filter`)
		if !strings.Contains(filter, "grayscale") {
			t.Errorf("mourning home page: html filter %q, want grayscale", filter)
		}
	})
}
