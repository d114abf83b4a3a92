package newsroom_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/heraldnews/herald/internal/browsertest"
)

// TestBrowserPlanning opens the work coordination pages — the plans, a
// plan with its assign form, the board and the calendar by month and by
// week — for the editor-in-chief who plans and the correspondent who
// writes, in headless Chromium on a phone (390 px) and a desktop
// (1280 px): axe-core finds no serious accessibility problem and no page
// scrolls sideways.
func TestBrowserPlanning(t *testing.T) {
	chromium, axe := browsertest.Needs(t)
	d := newNewsroomDay(t)
	d.browser = browsertest.Start(t, chromium)
	const chief, writer = "wangyalan", "dongwei"
	d.meet(t, chief, writer)
	for _, width := range []int64{390, 1280} {
		for _, c := range []struct{ who, path string }{
			{chief, "/newsroom/plans"},
			{chief, "/newsroom/plans/1"},
			{chief, "/newsroom/assignments"},
			{chief, "/newsroom/calendar?date=2026-11-27"},
			{writer, "/newsroom/"},
			{writer, "/newsroom/assignments"},
			{writer, "/newsroom/calendar?view=week&date=2026-11-27"},
		} {
			p := d.as(t, c.who)
			browsertest.Viewport(t, p.ctx, width, 900)
			p.open(c.path)
			where := fmt.Sprintf("%s as %s at %dpx", c.path, c.who, width)
			browsertest.Audit(t, p.ctx, axe, where)
			if over := browsertest.Eval[int](t, p.ctx, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); over > 0 {
				t.Errorf("%s scrolls sideways by %d px", where, over)
			}
			if c.path == "/newsroom/assignments" && !strings.Contains(p.text("main"), "京津冀协作惠民见闻") {
				t.Errorf("%s does not show the demo's assignment", where)
			}
		}
	}
}
