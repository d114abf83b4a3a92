package newsroom_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/internal/browsertest"
)

// TestBrowserPeriodicals opens the periodicals and an issue's page in
// headless Chromium on a phone (375 px) and a desktop (1280 px): axe-core
// finds no serious accessibility problem and no page scrolls sideways. On
// the phone an editor finds the month's issue from the navigation, moves an
// article down, ticks a published article and adds it, all without
// JavaScript of the page's own.
func TestBrowserPeriodicals(t *testing.T) {
	chromium, axe := browsertest.Needs(t)
	d := newNewsroomDay(t)
	d.browser = browsertest.Start(t, chromium)
	ctx := context.Background()
	const editor = "guoting" // an editor at the publicity center
	d.meet(t, editor)
	ps, err := d.store.FindPeriodicals(ctx)
	if err != nil || len(ps) == 0 {
		t.Fatalf("the demo's periodicals: %v", err)
	}
	issues, err := d.store.FindIssues(ctx, ps[0].ID)
	if err != nil || len(issues) == 0 {
		t.Fatalf("the bulletin's issues: %v", err)
	}
	month := issues[0]
	path := fmt.Sprintf("/newsroom/issues/%d", month.ID)

	pages := []string{"/newsroom/periodicals", path, path + "?pages=1", path + "?page=2"}
	for _, width := range []int64{375, 1280} {
		for _, p := range pages {
			pg := d.as(t, editor)
			browsertest.Viewport(t, pg.ctx, width, 900)
			pg.open(p)
			where := fmt.Sprintf("%s at %dpx", p, width)
			browsertest.Audit(t, pg.ctx, axe, where)
			if over := browsertest.Eval[int](t, pg.ctx, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); over > 0 {
				t.Errorf("%s scrolls sideways by %d px", where, over)
			}
		}
	}

	t.Run("BuildTheIssueOnAPhone", func(t *testing.T) {
		p := d.as(t, editor)
		browsertest.Viewport(t, p.ctx, 375, 812)
		p.open("/newsroom/")
		p.submit(`header nav a[href="/newsroom/periodicals"]`) // 刊物
		p.submit(fmt.Sprintf(`main a[href="%s"]`, path))
		order := func() []int64 {
			return browsertest.Eval[[]int64](t, p.ctx, `Array.from(document.querySelectorAll('#issue-form input[name=article]')).map(i => +i.value)`)
		}
		if got := order(); !slices.Equal(got, month.ArticleIDs) {
			t.Fatalf("the page lists %v, the issue holds %v", got, month.ArticleIDs)
		}
		first := month.ArticleIDs[0]
		p.submit(fmt.Sprintf(`button[name=op][value="down:%d"]`, first)) // 下移
		if flash := p.text("main .flash"); flash != "本期已保存。" {
			t.Errorf("after moving an article down the page says %q", flash)
		}
		if got := order(); len(got) < 2 || got[1] != first {
			t.Fatalf("after moving article %d down the order is %v", first, got)
		}
		// Tick the first article offered and add it.
		id := browsertest.Eval[int64](t, p.ctx, `+document.querySelector('ul.candidates input[name=add]').value`)
		p.click(fmt.Sprintf(`label[for="add-%d"]`, id))
		p.submit(`button[name=op][value=add]`) // 添加勾选的稿件
		if got := order(); got[len(got)-1] != id {
			t.Fatalf("after adding article %d the order is %v", id, got)
		}
		is, err := d.store.FindIssueByID(ctx, month.ID)
		if err != nil || is.ArticleIDs[len(is.ArticleIDs)-1] != id || is.Version != month.Version+2 {
			t.Fatalf("the stored issue: %+v, %v", is, err)
		}
		browsertest.Audit(t, p.ctx, axe, "issue page after adding at 375px")
	})

	t.Run("ConflictIsShown", func(t *testing.T) {
		p := d.as(t, editor)
		browsertest.Viewport(t, p.ctx, 375, 812)
		p.open(path)
		// Another editor saves the issue meanwhile.
		if _, err := d.store.UpdateIssue(ctx, month.ID, herald.Event{At: d.clock()}, func(is *herald.Issue) error {
			is.EditorNote = "另一位编辑的编者按"
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		p.clear("#editor_note")
		p.typeIn("#editor_note", "我的编者按")
		resp, err := chromedp.RunResponse(p.ctx, chromedp.Click(chromedp.CSS("button.issue-save")))
		if err != nil || resp == nil || resp.Status != 409 {
			t.Fatalf("saving a stale issue: %+v, %v", resp, err)
		}
		if msg := p.alert(); !strings.HasPrefix(msg, "本期已被他人修改") {
			t.Errorf("the conflict says %q", msg)
		}
		if note := browsertest.Eval[string](t, p.ctx, `document.getElementById('editor_note').value`); note != "我的编者按" {
			t.Errorf("the editor's note is now %q, want the editor's own kept", note)
		}
		browsertest.Audit(t, p.ctx, axe, "issue conflict at 375px")
	})

	t.Run("EmptyIssueRefusesToPrint", func(t *testing.T) {
		empty := &herald.Issue{PeriodicalID: ps[0].ID, Volume: 2026, Number: 12, Date: herald.CSTDay(d.clock())}
		if err := d.store.CreateIssue(ctx, empty, herald.Event{At: d.clock()}); err != nil {
			t.Fatal(err)
		}
		p := d.as(t, editor)
		browsertest.Viewport(t, p.ctx, 375, 812)
		p.open(fmt.Sprintf("/newsroom/issues/%d", empty.ID))
		resp, err := chromedp.Run(p.ctx, chromedp.NavigateResponse(fmt.Sprintf("%s/newsroom/issues/%d/pdf", d.url, empty.ID)))
		if err != nil || resp == nil || resp.Status != 400 {
			t.Fatalf("the PDF of an empty issue: %+v, %v", resp, err)
		}
		if msg := p.alert(); msg != "无法生成付印 PDF。 本期还没有稿件，请先添加稿件。" {
			t.Errorf("the refusal says %q", msg)
		}
		browsertest.Audit(t, p.ctx, axe, "refused PDF at 375px")
	})
}
