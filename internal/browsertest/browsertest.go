// Package browsertest holds what the browser tests share: finding headless
// Chromium and axe-core, starting the browser with the project's flags, opening
// tabs and separate browser contexts, and running axe-core's accessibility
// audit.
//
// The tests need chromium on PATH (or at /usr/bin/chromium) and axe-core's
// axe.min.js, named by HERALD_AXE (by default the npm cache that .ci/run
// fills, ~/.cache/herald-npm). .ci/run installs both; without them the tests
// skip, except under CI=true, where they fail.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/heraldnews/herald/internal/testenv"
)

// TabTimeout limits how long a tab that Tab opens may be used.
const TabTimeout = 30 * time.Second

// Needs finds chromium and reads axe.min.js, or skips the test (fails it
// under CI=true).
func Needs(t testing.TB) (chromium, axe string) {
	t.Helper()
	missing := func(format string, args ...any) {
		t.Helper()
		testenv.Missing(t, format, args...)
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

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// Start starts one headless browser and returns its context. The browser
// closes when the test and its subtests have finished.
func Start(t testing.TB, chromium string) context.Context {
	t.Helper()
	// Not t.Context(): it ends before the cleanups run, which would kill the
	// browser instead of closing it.
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
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
	t.Cleanup(cancelAlloc)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelBrowser) // cleanups run last first: this one before cancelAlloc
	// The first action starts the browser.
	if err := chromedp.Do(browserCtx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return browserCtx
}

// Incognito returns a context with a browser context of its own, like an
// incognito window: tabs that Tab opens in it share their cookies and storage
// with each other and with nobody else. Use one for each person a test signs
// in. It is disposed of when the test has finished.
func Incognito(t testing.TB, browserCtx context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil { // creates the browser context and its first tab
		t.Fatalf("open a browser context: %v", err)
	}
	return ctx
}

// Tab opens a new tab in the browser (or browser context) of parent, with the
// cache disabled and a time limit of TabTimeout. It closes when the test has
// finished. The options go to chromedp.NewContext.
func Tab(t testing.TB, parent context.Context, opts ...chromedp.ContextOption) context.Context {
	t.Helper()
	tctx, cancelTab := chromedp.NewContext(parent, opts...)
	t.Cleanup(cancelTab)
	// The portal sends max-age=60: without the cache every page is fresh.
	noCache := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true})
		return err
	})
	if err := chromedp.Do(tctx, noCache); err != nil {
		t.Fatalf("open tab: %v", err)
	}
	lctx, cancel := context.WithTimeout(tctx, TabTimeout)
	t.Cleanup(cancel)
	return lctx
}

// Viewport sets the size of the tab's viewport.
func Viewport(t testing.TB, ctx context.Context, width, height int64) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height)); err != nil {
		t.Fatalf("viewport %dx%d: %v", width, height, err)
	}
}

// Navigate loads url in the tab and waits for the page to load.
func Navigate(t testing.TB, ctx context.Context, url string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("navigate to %s: %v", url, err)
	}
}

// Open sets the viewport and loads url.
func Open(t testing.TB, ctx context.Context, width, height int64, url string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height), chromedp.Navigate(url)); err != nil {
		t.Fatalf("%s at %dpx: %v", url, width, err)
	}
}

// Eval evaluates a JavaScript expression in the tab and decodes its value
// into a T; undefined or null (for a T that cannot be nil) fails the test.
func Eval[T any](t testing.TB, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %.60q: %v", js, err)
	}
	return v
}

// Violation is the part of an axe-core violation a failure reports.
type Violation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Target string `json:"target"` // the first node's, as JSON
	Nodes  int    `json:"nodes"`
}

// Serious reports whether the violation's impact is serious or critical.
func (v Violation) Serious() bool { return v.Impact == "serious" || v.Impact == "critical" }

func (v Violation) String() string {
	return fmt.Sprintf("axe %s (%s) on %d node(s), first %s: %s", v.ID, v.Impact, v.Nodes, v.Target, v.Help)
}

const axeRun = `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({
	id: v.id, impact: v.impact || '', help: v.help, nodes: v.nodes.length,
	target: v.nodes.length ? JSON.stringify(v.nodes[0].target) : ''})))`

// Axe injects axe-core (the text of axe.min.js) into the tab's page, runs it
// on the whole document and returns the violations.
func Axe(t testing.TB, ctx context.Context, axeJS string) []Violation {
	t.Helper()
	vs, err := runAxe(ctx, axeJS)
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

func runAxe(ctx context.Context, axeJS string) ([]Violation, error) {
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](axeJS)); err != nil {
		return nil, fmt.Errorf("inject axe-core: %w", err)
	}
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]Violation](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("axe.run: %w", err)
	}
	return vs, nil
}

// Audit runs axe-core on the tab's page: serious and critical violations fail
// the test, the others are logged. where names the page in the messages.
func Audit(t testing.TB, ctx context.Context, axeJS, where string) {
	t.Helper()
	vs, err := runAxe(ctx, axeJS)
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	for _, v := range vs {
		if v.Serious() {
			t.Errorf("%s: %s", where, v)
		} else {
			t.Logf("%s: %s", where, v)
		}
	}
}

// AnswerDialogs answers every alert, confirm and prompt the page in ctx opens:
// prompts get answer(message), the others are accepted.
func AnswerDialogs(t testing.TB, ctx context.Context, answer func(message string) string) {
	t.Helper()
	err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			params := page.HandleJavaScriptDialogParams{Accept: true}
			if e.Type == page.DialogTypePrompt {
				params.PromptText = answer(e.Message)
			}
			// The listener runs on the goroutine that reads the browser's
			// messages, so it must not wait for the reply itself.
			go chromedp.Call(ctx, page.HandleJavaScriptDialog, params)
		}
	})
	if err != nil {
		t.Fatalf("listen for dialogs: %v", err)
	}
}
