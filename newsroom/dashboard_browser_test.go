package newsroom_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/heraldnews/herald/internal/browsertest"
)

// TestBrowserDashboard opens the dashboard as a leader in headless Chromium
// on a phone (375 px) and a desktop (1280 px), over the year and narrowed:
// axe-core finds no serious accessibility problem and no page scrolls
// sideways. On the phone the leader narrows it to a city with the filter
// form, and the page's download links fetch spreadsheets.
func TestBrowserDashboard(t *testing.T) {
	chromium, axe := browsertest.Needs(t)
	d := newNewsroomDayWithHistory(t) // with the year of history
	d.browser = browsertest.Start(t, chromium)
	const leader, correspondent = "hanzhigang", "gaofeng"
	d.meet(t, leader, correspondent)

	for _, width := range []int64{375, 1280} {
		for _, c := range []struct{ who, path string }{
			{leader, "/newsroom/dashboard"},
			{leader, "/newsroom/dashboard?channel=wechat&from=2026-10-01&until=2026-10-31"},
			{correspondent, "/newsroom/dashboard?from=2026-11-01"},
		} {
			p := d.as(t, c.who)
			browsertest.Viewport(t, p.ctx, width, 900)
			p.open(c.path)
			where := fmt.Sprintf("%s as %s at %dpx", c.path, c.who, width)
			browsertest.Audit(t, p.ctx, axe, where)
			if over := browsertest.Eval[int](t, p.ctx, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); over > 0 {
				t.Errorf("%s scrolls sideways by %d px", where, over)
			}
		}
	}

	p := d.as(t, leader)
	browsertest.Viewport(t, p.ctx, 375, 812)
	p.open("/newsroom/")
	p.submit(`header nav a[href="/newsroom/dashboard"]`)
	if lines := browsertest.Eval[int](t, p.ctx, `document.querySelectorAll('section[aria-labelledby="reads-h"] svg path[fill="none"]').length`); lines == 0 {
		t.Error("the reads chart draws no line")
	}
	unit := browsertest.Eval[string](t, p.ctx, `[...document.querySelectorAll('#unit option')].find(o => o.textContent.trim() === '石家庄市司法局').value`)
	browsertest.Eval[bool](t, p.ctx, `(document.querySelector('#unit').value = '`+unit+`', true)`)
	p.submit(`form.filter-form button[type=submit]`)
	if got := browsertest.Eval[string](t, p.ctx, `location.search`); !strings.Contains(got, "unit="+unit) {
		t.Errorf("the filter form went to %s", got)
	}
	if sel := browsertest.Eval[string](t, p.ctx, `document.querySelector('#unit option:checked').textContent.trim()`); sel != "石家庄市司法局" {
		t.Errorf("the unit chosen is not kept in the form: %q", sel)
	}
	for _, link := range []string{`a[href^="/newsroom/dashboard/units.xlsx"]`, `a[href^="/newsroom/dashboard/dashboard.xlsx"]`, `a[href^="/newsroom/dashboard/articles.csv"]`} {
		got, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`fetch(document.querySelector('`+link+`').href).then(r => r.status + ' ' + r.headers.get('Content-Type'))`, chromedp.EvalAwaitPromise))
		if err != nil || !strings.HasPrefix(got, "200 ") {
			t.Errorf("%s: %s", link, got)
		}
	}
}
