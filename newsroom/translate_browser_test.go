package newsroom_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/internal/browsertest"
	"github.com/heraldnews/herald/workflow"
)

// TestBrowserTranslateEditor opens the side-by-side editor of a translation
// whose source has changed, and the translation's and the original's pages,
// in headless Chromium on a phone (375 px) and a desktop (1280 px): axe-core
// finds no serious accessibility problem, no page scrolls sideways, the
// notice is shown, and each source block sits beside its translation on the
// desktop and above it on the phone.
func TestBrowserTranslateEditor(t *testing.T) {
	chromium, axe := browsertest.Needs(t)
	d := newNewsroomDay(t)
	d.browser = browsertest.Start(t, chromium)
	ctx := context.Background()
	member := func(username string) *herald.Staff {
		st, _, err := d.store.FindStaff(ctx, herald.StaffFilter{Username: username})
		if err != nil || len(st) == 0 {
			t.Fatalf("%s: %v", username, err)
		}
		return st[0]
	}
	src, _, err := d.store.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusPublished}, Language: "zh-CN", Limit: 1})
	if err != nil || len(src) == 0 {
		t.Fatalf("a published Chinese demo article: %v", err)
	}
	wf := workflow.NewService(d.store, d.clock)
	c := src[0].ArticleContent.Clone()
	c.Language, c.Authors, c.EditorID = "fr", nil, 0
	tr, err := wf.Create(ctx, member("lihaoran"), workflow.Draft{ArticleContent: c, TranslationOf: src[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	corrected := src[0].ArticleContent.Clone()
	corrected.Title += "（更正）"
	if _, err := wf.Do(ctx, member("wangyalan"), src[0].ID, workflow.ActCorrect, workflow.Request{Content: &corrected, Comment: "标题补充"}); err != nil {
		t.Fatal(err)
	}
	const translator = "lihaoran"
	d.meet(t, translator)
	for _, width := range []int64{375, 1280} {
		for _, path := range []string{articlePath(tr.ID) + "/translate", articlePath(tr.ID), articlePath(src[0].ID)} {
			p := d.as(t, translator)
			browsertest.Viewport(t, p.ctx, width, 900)
			p.open(path)
			where := fmt.Sprintf("%s at %dpx", path, width)
			browsertest.Audit(t, p.ctx, axe, where)
			if over := browsertest.Eval[int](t, p.ctx, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); over > 0 {
				t.Errorf("%s scrolls sideways by %d px", where, over)
			}
			if path != articlePath(src[0].ID) && p.text("#outdated-h") != "原文已修改" {
				t.Errorf("%s: no 原文已修改 notice", where)
			}
			if path != articlePath(tr.ID)+"/translate" {
				continue
			}
			// The first body block: where its source text and its text area are.
			layout := browsertest.Eval[string](t, p.ctx, `(() => {
				const s = document.getElementById('src-text-0').getBoundingClientRect(), t = document.getElementById('block-0').getBoundingClientRect();
				if (Math.abs(s.top - t.top) < 40 && s.right <= t.left) return 'beside';
				if (s.bottom <= t.top && Math.abs(s.left - t.left) < 2) return 'above';
				return 'elsewhere';
			})()`)
			if want := map[int64]string{375: "above", 1280: "beside"}[width]; layout != want {
				t.Errorf("%s: the source block is %s its translation, want %s", where, layout, want)
			}
		}
	}
}
