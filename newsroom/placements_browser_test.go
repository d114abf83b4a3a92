package newsroom_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/internal/browsertest"
	"github.com/heraldnews/herald/scoring"
)

// TestBrowserPlacements drives the placements page and the article page's
// recognitions in headless Chromium. On a phone (375 px) a correspondent
// comes from a published piece's page, records where it ran with a photo
// of the page chosen in the same form, and sees it waiting; an editor
// verifies it from the queue; the editor-in-chief records a leader's
// endorsement on the article's page. Then, on a phone and a desktop
// (1280 px), axe-core finds no serious accessibility problem on the pages
// and the desk with its quota, and none scrolls sideways.
func TestBrowserPlacements(t *testing.T) {
	chromium, axe := browsertest.Needs(t)
	d := newNewsroomDay(t)
	d.browser = browsertest.Start(t, chromium)
	ctx := context.Background()
	const writer, editor, chief = "baiyonggang", "guoting", "wangyalan"
	d.meet(t, writer, editor, chief)
	staff, _, err := d.store.FindStaff(ctx, herald.StaffFilter{Username: writer})
	if err != nil || len(staff) != 1 {
		t.Fatalf("%s: %v", writer, err)
	}
	bai := staff[0]
	a := untouchedArticle(t, d.store, bai)
	clipping := filepath.Join(t.TempDir(), "张家口日报第3版.png")
	if err := os.WriteFile(clipping, testPNG(1200, 800), 0o600); err != nil {
		t.Fatal(err)
	}
	audit := func(p *page, where string) {
		t.Helper()
		browsertest.Audit(t, p.ctx, axe, where)
		if over := browsertest.Eval[int](t, p.ctx, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); over > 0 {
			t.Errorf("%s scrolls sideways by %d px: %s", where, over, browsertest.Eval[string](t, p.ctx, `Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth).slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join('; ')`))
		}
	}

	t.Run("RecordOnAPhone", func(t *testing.T) {
		p := d.as(t, writer)
		browsertest.Viewport(t, p.ctx, 375, 812)
		p.open(articlePath(a.ID))
		p.submit(`a.record-placement`) // 登记见报
		if got := browsertest.Eval[string](t, p.ctx, `document.getElementById('article_id').value`); got != itoa(a.ID) {
			t.Fatalf("the form chose article %q, want %d", got, a.ID)
		}
		p.typeIn("#outlet", "张家口日报")
		p.setValue("#level", "city")
		p.typeIn("#page", "第3版")
		if err := chromedp.Do(p.ctx, chromedp.SetUploadFiles(chromedp.CSS(`#evidence_file`), []string{clipping})); err != nil {
			t.Fatal(err)
		}
		// A date in the future (past the field's max, which an older
		// browser would not enforce) is refused; the image is kept.
		browsertest.Eval[bool](t, p.ctx, `document.getElementById('date').removeAttribute('max') === undefined`)
		p.setValue("#date", "2026-12-01")
		resp, err := chromedp.RunResponse(p.ctx, chromedp.Click(chromedp.CSS(`button.placement-record`)))
		if err != nil || resp == nil || resp.Status != 400 {
			t.Fatalf("a future date: %+v %v", resp, err)
		}
		if msg := p.text("#date-error"); msg != "日期不能晚于今天。" {
			t.Errorf("the date's problem reads %q", msg)
		}
		if kept := browsertest.Eval[string](t, p.ctx, `(document.querySelector('input[name=evidence]') || {value: ''}).value`); !strings.HasPrefix(kept, "/media/") {
			t.Errorf("the evidence is not kept: %q", kept)
		}
		audit(p, "the refused placement form at 375px")
		p.setValue("#date", "2026-11-24")
		p.submit(`button.placement-record`)
		if loc := p.location(); loc != "/newsroom/placements?done=placement_recorded" {
			t.Errorf("after recording: %s", loc)
		}
		pl := recorded(t, d, a, bai)
		item := fmt.Sprintf("#mine #placement-%d", pl.ID)
		if s := p.text(item); !strings.Contains(s, "待核实") || !strings.Contains(s, "张家口日报") || !strings.Contains(s, "市级") {
			t.Errorf("my records show it as %q", s)
		}
		img := `document.querySelector(` + jsString(item+" a.evidence img") + `)`
		browsertest.Eval[bool](t, p.ctx, `(`+img+`.scrollIntoView(), true)`)
		p.waitFor(`(i => i.complete && i.naturalWidth > 0)(`+img+`)`, "the evidence thumbnail to load")
		audit(p, "my placements at 375px")
	})

	t.Run("VerifyFromTheQueue", func(t *testing.T) {
		p := d.as(t, editor)
		browsertest.Viewport(t, p.ctx, 375, 812)
		p.open("/newsroom/")
		p.submit(`header nav a[href="/newsroom/placements"]`)
		audit(p, "the review queue at 375px")
		pl := recorded(t, d, a, bai)
		p.submit(fmt.Sprintf("#review #placement-%d button.placement-verify", pl.ID))
		if pl := recorded(t, d, a, bai); pl.Status != herald.PlacementVerified {
			t.Fatalf("after verifying: %+v", pl)
		}
	})

	t.Run("EndorseOnTheArticlePage", func(t *testing.T) {
		p := d.as(t, chief)
		browsertest.Viewport(t, p.ctx, 375, 812)
		p.open(articlePath(a.ID))
		p.typeIn("#recognition-note", "王厅长批示：经验值得推广。")
		p.submit(`button.recognition-add`)
		if s := p.text("#recognitions li"); !strings.Contains(s, "领导批示") || !strings.Contains(s, "王厅长批示") {
			t.Errorf("the recognitions list %q", s)
		}
		audit(p, "the article's recognitions at 375px")
	})

	// The desk with a quota, and every page at both widths.
	if err := scoring.New(d.store, d.clock, nil).SetQuota(ctx, chiefOf(t, d), &herald.Quota{UnitID: bai.UnitID, Month: "2026-11", Target: 4}); err != nil {
		t.Fatal(err)
	}
	for _, width := range []int64{375, 1280} {
		for _, c := range []struct{ who, path string }{{writer, "/newsroom/placements"}, {editor, "/newsroom/placements"},
			{chief, articlePath(a.ID)}, {writer, articlePath(a.ID)}, {writer, "/newsroom/"}} {
			p := d.as(t, c.who)
			browsertest.Viewport(t, p.ctx, width, 900)
			p.open(c.path)
			audit(p, fmt.Sprintf("%s as %s at %dpx", c.path, c.who, width))
		}
	}
	p := d.as(t, writer)
	p.open("/newsroom/")
	if s := p.text("section.quota"); !strings.Contains(s, "本月任务 4 篇") {
		t.Errorf("the desk's quota reads %q", s)
	}
}

// recorded is the placement of a that st recorded.
func recorded(t *testing.T, d *newsroomDay, a *herald.Article, st *herald.Staff) *herald.Placement {
	t.Helper()
	pls, _, err := d.store.FindPlacements(context.Background(), herald.PlacementFilter{ArticleID: a.ID, CreatedBy: st.ID})
	if err != nil || len(pls) != 1 {
		t.Fatalf("the placements of article %d recorded by %s: %v %v", a.ID, st.Username, pls, err)
	}
	return pls[0]
}

// chiefOf is the demo's editor-in-chief.
func chiefOf(t *testing.T, d *newsroomDay) *herald.Staff {
	t.Helper()
	staff, _, err := d.store.FindStaff(context.Background(), herald.StaffFilter{Username: "wangyalan"})
	if err != nil || len(staff) != 1 {
		t.Fatalf("wangyalan: %v", err)
	}
	return staff[0]
}
