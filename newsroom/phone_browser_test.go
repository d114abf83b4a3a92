package newsroom_test

import (
	"testing"

	"github.com/heraldnews/herald/internal/browsertest"
)

// TestBrowserDeskOnPhone opens the editor-in-chief's desk on a phone
// (390 px) in headless Chromium: axe-core finds no serious problem, nothing
// scrolls sideways, the navigation is one strip under the name that scrolls
// sideways by itself (so the header stays short) while the notifications
// and the account menu stay in sight beside the name, and every title in the
// review queues and the lists is shown whole, wrapped rather than cut.
func TestBrowserDeskOnPhone(t *testing.T) {
	chromium, axe := browsertest.Needs(t)
	d := newNewsroomDay(t)
	d.browser = browsertest.Start(t, chromium)
	const chief = "wangyalan"
	d.meet(t, chief)
	p := d.as(t, chief)
	browsertest.Viewport(t, p.ctx, 390, 844)
	p.open("/newsroom/")
	browsertest.Audit(t, p.ctx, axe, "the desk at 390px")
	if over := browsertest.Eval[int](t, p.ctx, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); over > 0 {
		t.Errorf("the desk at 390px scrolls sideways by %d px", over)
	}
	if h := browsertest.Eval[int](t, p.ctx, `Math.round(document.querySelector('header.bar').getBoundingClientRect().height)`); h > 120 {
		t.Errorf("the header is %d px high on a phone, want one line of links under the name (≤ 120 px)", h)
	}
	if more := browsertest.Eval[int](t, p.ctx, `(n => n.scrollWidth - n.clientWidth)(document.querySelector('header.bar nav'))`); more <= 0 {
		t.Errorf("the navigation strip does not scroll (%d px beyond its box): its links wrapped or are missing", more)
	}
	if off := browsertest.Eval[[]string](t, p.ctx, `['header a.bell', 'header details.account-menu summary'].filter(sel => {
		const r = document.querySelector(sel).getBoundingClientRect();
		return r.left < 0 || r.right > innerWidth || r.bottom > document.querySelector('header.bar nav').getBoundingClientRect().top + 1;
	})`); len(off) > 0 {
		t.Errorf("%v not in sight on the header's first line", off)
	}
	// The account menu opens over the page with the sign-out in it.
	browsertest.Eval[bool](t, p.ctx, `(document.querySelector('details.account-menu').open = true)`)
	if r := browsertest.Eval[int](t, p.ctx, `Math.round(document.querySelector('details.account-menu form[action="/newsroom/logout"] button').getBoundingClientRect().right)`); r <= 0 || r > 390 {
		t.Errorf("the open account menu's sign-out ends at %d px", r)
	}
	if over := browsertest.Eval[int](t, p.ctx, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); over > 0 {
		t.Errorf("the open account menu makes the desk scroll sideways by %d px", over)
	}
	browsertest.Audit(t, p.ctx, axe, "the desk at 390px with the account menu open")
	browsertest.Eval[bool](t, p.ctx, `(document.querySelector('details.account-menu').open = false, true)`)
	// The last control, far along the strip, is reached by scrolling it.
	if right := browsertest.Eval[int](t, p.ctx, `(() => { const n = document.querySelector('header.bar nav'); n.scrollLeft = n.scrollWidth; return Math.round(n.lastElementChild.getBoundingClientRect().right) })()`); right > 390 {
		t.Errorf("the strip's last control ends at %d px after scrolling to its end", right)
	}
	titles := browsertest.Eval[int](t, p.ctx, `document.querySelectorAll('main table a[href^="/newsroom/articles/"]').length`)
	if titles < 4 {
		t.Fatalf("the desk lists %d titles, want the demo's review queues and publications", titles)
	}
	cut := browsertest.Eval[[]string](t, p.ctx, `[...document.querySelectorAll('main table a[href^="/newsroom/articles/"]')].filter(a => {
		const r = a.getBoundingClientRect(), box = a.closest('.scroll, .card').getBoundingClientRect();
		return r.right > box.right + 1 || a.closest('td').scrollWidth > a.closest('td').clientWidth + 1;
	}).map(a => a.textContent)`)
	if len(cut) > 0 {
		t.Errorf("%d of %d titles are cut on a phone, e.g. %q", len(cut), titles, cut[0])
	}
}
