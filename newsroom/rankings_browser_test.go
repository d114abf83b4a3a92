package newsroom_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/heraldnews/herald/internal/browsertest"
)

// TestBrowserRankings opens the incentive pages — the rankings, the notice,
// the rules and the quotas — for those who read and those who change them,
// in headless Chromium on a phone (375 px) and a desktop (1280 px): axe-core
// finds no serious accessibility problem and no page scrolls sideways. On
// the phone an administrator writes rules that contradict themselves and
// is shown why next to the field, with what they typed kept; the
// editor-in-chief sets a unit's quota.
func TestBrowserRankings(t *testing.T) {
	chromium, axe := browsertest.Needs(t)
	d := newNewsroomDayWithHistory(t) // with the year of history
	d.browser = browsertest.Start(t, chromium)
	seed := seedIncentive(t, d.store)
	const correspondent, leader, admin, chief, editor = "gaofeng", "hanzhigang", "zhaojun", "wangyalan", "guoting"
	d.meet(t, correspondent, leader, admin, chief, editor)

	audit := func(p *page, where string) {
		t.Helper()
		browsertest.Audit(t, p.ctx, axe, where)
		if over := browsertest.Eval[int](t, p.ctx, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); over > 0 {
			t.Errorf("%s scrolls sideways by %d px", where, over)
		}
	}
	for _, width := range []int64{375, 1280} {
		for _, c := range []struct{ who, path string }{
			{correspondent, "/newsroom/rankings?period=" + seedPeriod},
			{correspondent, "/newsroom/rankings"}, // this month: the demo's units
			{leader, "/newsroom/rankings?period=2026-Q4"},
			{leader, "/newsroom/rankings?period=2026-13"},
			{leader, "/newsroom/rankings/notice"},
			{editor, "/newsroom/rules"},
			{admin, "/newsroom/rules"},
			{chief, "/newsroom/quotas?month=2026-10"},
			{editor, "/newsroom/quotas?month=2026-10"},
		} {
			p := d.as(t, c.who)
			browsertest.Viewport(t, p.ctx, width, 900)
			if strings.Contains(c.path, "2026-13") {
				chromedp.Run(p.ctx, chromedp.Navigate(p.base+c.path)) // a 400 page, on purpose
			} else {
				p.open(c.path)
			}
			audit(p, fmt.Sprintf("%s as %s at %dpx", c.path, c.who, width))
		}
	}

	t.Run("RankingHighlightsTheViewer", func(t *testing.T) {
		p := d.as(t, correspondent)
		browsertest.Viewport(t, p.ctx, 375, 812)
		p.open("/newsroom/")
		p.submit(`header nav a[href="/newsroom/rankings"]`) // 积分排名
		p.open("/newsroom/rankings?period=" + seedPeriod)
		if mine := p.text("#units-table tr.mine th.who"); !strings.HasPrefix(mine, seed.sjz.Name) {
			t.Errorf("the highlighted unit is %q", mine)
		}
		if bar := browsertest.Eval[string](t, p.ctx, `document.querySelector('svg.chart-ranking g.highlight title').textContent`); bar != seed.sjz.Name+": 12.50" {
			t.Errorf("the chart highlights %q", bar)
		}
	})

	t.Run("ContradictoryRulesOnAPhone", func(t *testing.T) {
		p := d.as(t, admin)
		browsertest.Viewport(t, p.ctx, 375, 812)
		p.open("/newsroom/rules")
		p.clear("#rule-placement-national")
		p.typeIn("#rule-placement-national", "3")
		resp, err := chromedp.RunResponse(p.ctx, chromedp.Click(chromedp.CSS(`form.rules-form button[type=submit]`)))
		if err != nil || resp == nil || resp.Status != 400 {
			t.Fatalf("posting contradictory rules: %+v, %v", resp, err)
		}
		if msg := p.text("#rule-placement-national-error"); msg != "低于省级见报的分值（3.00 < 4.00）：级别高的媒体不能少计分。" {
			t.Errorf("the message next to 全国 is %q", msg)
		}
		if v := browsertest.Eval[string](t, p.ctx, `document.getElementById('rule-placement-national').value`); v != "3" {
			t.Errorf("the field holds %q after the refusal", v)
		}
		audit(p, "refused rules at 375px")
	})

	t.Run("ChiefSetsAQuotaOnAPhone", func(t *testing.T) {
		p := d.as(t, chief)
		browsertest.Viewport(t, p.ctx, 375, 812)
		p.open("/newsroom/quotas?month=2026-12")
		sel := fmt.Sprintf("#target-%d", seed.ts.ID)
		p.typeIn(sel, "4")
		p.submit(`form.quotas-form button[type=submit]`)
		if v := browsertest.Eval[string](t, p.ctx, `document.querySelector(`+jsString(sel)+`).value`); v != "4" {
			t.Errorf("after saving 唐山's quota holds %q", v)
		}
		qs, err := d.store.FindQuotas(context.Background(), "2026-12")
		if err != nil || len(qs) != 1 || qs[0].UnitID != seed.ts.ID || qs[0].Target != 4 {
			t.Errorf("December's quotas: %+v, %v", qs, err)
		}
		audit(p, "saved quotas at 375px")
	})
}
