package portal_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/demo"
	"github.com/heraldnews/herald/portal"
	"github.com/heraldnews/herald/sqlite"
)

// The browser tests load the portal in headless Chromium and check what only a
// browser can tell: axe-core's accessibility audit, layout at phone width, tap
// target sizes, the elderly-friendly toggle and the mourning filter.
//
// They need chromium on PATH (or at /usr/bin/chromium) and axe-core's
// axe.min.js, named by HERALD_AXE (by default the npm cache that .ci/run
// fills, ~/.cache/herald-npm). .ci/run installs both; without them the tests
// skip, except under CI=true, where they fail.

// browserNeeds finds chromium and reads axe.min.js, or skips (fails on CI).
func browserNeeds(t *testing.T) (chromium, axe string) {
	t.Helper()
	missing := func(format string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, args...)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		if _, serr := os.Stat("/usr/bin/chromium"); serr != nil {
			missing("browser tests need chromium (apt-get install chromium fonts-noto-cjk): %v", err)
		}
		chromium = "/usr/bin/chromium"
	}
	path := os.Getenv("HERALD_AXE")
	if path == "" { // where .ci/run puts it
		cache := os.Getenv("HERALD_NPM_CACHE")
		if home, err := os.UserHomeDir(); cache == "" && err == nil {
			cache = filepath.Join(home, ".cache", "herald-npm")
		}
		if p := filepath.Join(cache, "node_modules", "axe-core", "axe.min.js"); cache != "" && fileExists(p) {
			path = p
		}
	}
	if path == "" {
		missing("browser tests need axe-core: set HERALD_AXE to axe.min.js (npm install --prefix ~/.cache/herald-npm axe-core@4; HERALD_AXE=~/.cache/herald-npm/node_modules/axe-core/axe.min.js)")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		missing("browser tests need axe-core at HERALD_AXE=%s: %v", path, err)
	}
	return chromium, string(b)
}

// axeViolation is the part of an axe-core violation a failure reports.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Target string `json:"target"`
	Nodes  int    `json:"nodes"`
}

const axeRun = `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({
	id: v.id, impact: v.impact || '', help: v.help, nodes: v.nodes.length,
	target: v.nodes.length ? JSON.stringify(v.nodes[0].target) : ''})))`

// box is an element's bounding box as the tap-target check sees it.
type box struct {
	Tag    string  `json:"tag"`
	Text   string  `json:"text"`
	Height float64 `json:"height"`
	Width  float64 `json:"width"`
}

const tapTargets = `Array.from(document.querySelectorAll('.share a, .share button, .share summary, nav.columns a, nav.columns button, nav.columns summary'))
	.filter(e => e.getClientRects().length > 0) // hidden: the copy and share buttons wait for browser support
	.map(e => { const r = e.getBoundingClientRect(); return {tag: e.tagName.toLowerCase(), text: e.textContent.trim().slice(0, 30), height: r.height, width: r.width}; })`

func TestBrowserPortal(t *testing.T) {
	chromium, axe := browserNeeds(t)
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := demo.Seed(ctx, s, time.Now().UTC()); err != nil {
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
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(t.Context(),
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	defer cancelAlloc()
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()
	if err := chromedp.Do(browserCtx); err != nil { // starts the browser
		t.Fatalf("start chromium: %v", err)
	}

	// tab opens a fresh tab with a time limit.
	tab := func(t *testing.T) context.Context {
		t.Helper()
		tctx, cancelTab := chromedp.NewContext(browserCtx)
		t.Cleanup(cancelTab)
		// The portal sends max-age=60: without the cache the mourning page is fresh.
		noCache := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true})
			return err
		})
		if err := chromedp.Do(tctx, noCache); err != nil {
			t.Fatalf("open tab: %v", err)
		}
		lctx, cancel := context.WithTimeout(tctx, 30*time.Second)
		t.Cleanup(cancel)
		return lctx
	}
	open := func(t *testing.T, ctx context.Context, width, height int64, path string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height), chromedp.Navigate(srv.URL+path)); err != nil {
			t.Fatalf("%s at %dpx: %v", path, width, err)
		}
	}
	eval := func(t *testing.T, ctx context.Context, js string, out any) {
		t.Helper()
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](js))
		if err == nil {
			err = jsonUnmarshal(raw, out)
		}
		if err != nil {
			t.Fatalf("evaluate %.60q: %v", js, err)
		}
	}
	audit := func(t *testing.T, ctx context.Context, where string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](axe)); err != nil {
			t.Fatalf("%s: inject axe-core: %v", where, err)
		}
		vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%s: axe.run: %v", where, err)
		}
		for _, v := range vs {
			if v.Impact == "serious" || v.Impact == "critical" {
				t.Errorf("%s: axe %s (%s) on %d node(s), first %s: %s", where, v.ID, v.Impact, v.Nodes, v.Target, v.Help)
			} else {
				t.Logf("%s: axe %s (%s) on %d node(s), first %s: %s", where, v.ID, v.Impact, v.Nodes, v.Target, v.Help)
			}
		}
	}
	noSideScroll := func(t *testing.T, ctx context.Context, where string) {
		t.Helper()
		var w struct{ Scroll, Inner int }
		eval(t, ctx, `({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})`, &w)
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
			{"English seed article", portal.ArticlePath(seed.ID), []string{"Release time: 2019-12-19 16:14:04", "Editor-in-chief: Wang Yalan_DW110"}},
			{"Chinese article", portal.ArticlePath(zh[0].ID), []string{"发布时间："}},
		} {
			for _, vp := range [][2]int64{{375, 812}, {1280, 900}} {
				where := fmt.Sprintf("%s at %dpx", page.name, vp[0])
				open(t, ctx, vp[0], vp[1], page.path)
				audit(t, ctx, where)
				var text string
				eval(t, ctx, `document.body.innerText`, &text)
				for _, want := range page.want {
					if !strings.Contains(text, want) {
						t.Errorf("%s: visible text lacks %q", where, want)
					}
				}
				if vp[0] != 375 {
					continue
				}
				noSideScroll(t, ctx, where)
				var boxes []box
				eval(t, ctx, tapTargets, &boxes)
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
		open(t, ctx, 375, 812, portal.ArticlePath(seed.ID))
		var before, after, reloaded state
		eval(t, ctx, read, &before)
		if before.Care {
			t.Fatal("care mode is on before the toggle was clicked")
		}
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#care-toggle"))); err != nil {
			t.Fatalf("click #care-toggle: %v", err)
		}
		eval(t, ctx, read, &after)
		if !after.Care || after.Pressed != "true" {
			t.Errorf("after the click: care class %v, aria-pressed %q; want true, \"true\"", after.Care, after.Pressed)
		}
		if px(after.Font) <= px(before.Font) {
			t.Errorf("care mode body font-size %s, want more than %s", after.Font, before.Font)
		}
		open(t, ctx, 375, 812, "/")
		eval(t, ctx, read, &reloaded)
		if !reloaded.Care || reloaded.Pressed != "true" {
			t.Errorf("after navigating again: care class %v, aria-pressed %q; want it remembered", reloaded.Care, reloaded.Pressed)
		}
		// Turn it off again: the tabs share the browser's storage.
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#care-toggle"))); err != nil {
			t.Fatalf("click #care-toggle: %v", err)
		}
		eval(t, ctx, read, &reloaded)
		if reloaded.Care {
			t.Error("a second click leaves care mode on")
		}
	})

	t.Run("Phone", func(t *testing.T) {
		ctx := tab(t)
		open(t, ctx, 375, 812, "/m"+portal.ArticlePath(zh[0].ID))
		var got struct {
			Phone bool    `json:"phone"`
			Font  float64 `json:"font"`
		}
		eval(t, ctx, `({phone: document.body.classList.contains('phone'),
			font: parseFloat(getComputedStyle(document.querySelector('.story .body')).fontSize)})`, &got)
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
		var filter string
		eval(t, tctx, `getComputedStyle(document.documentElement).filter`, &filter)
		if !strings.Contains(filter, "grayscale") {
			t.Errorf("mourning home page: html filter %q, want grayscale", filter)
		}
	})
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// jsonUnmarshal decodes an evaluation's JSON result; undefined is an error.
func jsonUnmarshal(raw []byte, out any) error {
	if len(raw) == 0 {
		return errors.New("no value")
	}
	return json.Unmarshal(raw, out)
}
