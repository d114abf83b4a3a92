package checklist_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/checklist"
	"github.com/heraldnews/herald/sqlite"
	"github.com/heraldnews/herald/storetest"
	"github.com/heraldnews/herald/workflow"
)

// The gate stops a submission whose required checks fail, naming each rule,
// whatever the way in (the API and the newsroom both go through the workflow).
func TestGateStopsTheWorkflow(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w := storetest.NewWorld(t, s)
	ev := herald.Event{At: storetest.T0, ActorID: w.Admin.ID}
	if err := s.CreateWord(ctx, &herald.SensitiveWord{Word: "再接再励", Kind: herald.WordMistaken, Suggestion: "再接再厉"}, ev); err != nil {
		t.Fatal(err)
	}
	policy := map[string]string{"cover": "required"}
	if _, err := s.UpdateColumn(ctx, w.News.ID, herald.ColumnUpdate{Checklist: &policy}, ev); err != nil {
		t.Fatal(err)
	}
	wf := workflow.NewService(s, func() time.Time { return storetest.T0 })
	wf.Gate = checklist.Gate(s, nil)
	c := storetest.Content(w.News, "大家表示要再接再励")
	a, err := wf.Create(ctx, w.Writer, workflow.Draft{ArticleContent: c})
	if err != nil {
		t.Fatal(err)
	}
	_, err = wf.Do(ctx, w.Writer, a.ID, workflow.ActSubmit, workflow.Request{})
	var rules []string
	for _, f := range herald.ErrorFields(err) {
		if f.Field == checklist.GateField {
			rules = append(rules, f.Message)
		}
	}
	if herald.ErrorCode(err) != herald.EINVALID || len(rules) != 2 || rules[0] != "cover" || rules[1] != "words" {
		t.Fatalf("submit with no cover and a listed word: %v (rules %v)", err, rules)
	}
	if got, _ := s.FindArticleByID(ctx, a.ID); got.Status != herald.StatusDraft {
		t.Fatalf("status %s after a refused submission", got.Status)
	}
	c.Title, c.CoverImage = "大家表示要再接再厉", "/media/1-0123456789abcdef/large.jpg"
	c.Body = "<p>大家表示要再接再厉。</p>"
	if _, err := wf.Do(ctx, w.Writer, a.ID, workflow.ActEdit, workflow.Request{Content: &c}); err != nil {
		t.Fatal(err)
	}
	if _, err := wf.Do(ctx, w.Writer, a.ID, workflow.ActSubmit, workflow.Request{}); err != nil {
		t.Fatalf("submit once fixed: %v", err)
	}
}

// Links are probed where a column requires them, however many articles of
// other columns passed the gate before.
func TestGateProbesLinksWhereRequired(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w := storetest.NewWorld(t, s)
	policy := map[string]string{"links": "required"}
	if _, err := s.UpdateColumn(ctx, w.Local.ID, herald.ColumnUpdate{Checklist: &policy}, herald.Event{At: storetest.T0}); err != nil {
		t.Fatal(err)
	}
	probed := 0
	gate := checklist.Gate(s, func(context.Context, string) error { probed++; return nil })
	for _, col := range []*herald.Column{w.News, w.Local} {
		c := storetest.Content(col, "有链接的稿件")
		c.Body = `<p>见<a href="https://www.moj.gov.cn/">司法部网站</a>。</p>`
		if err := gate(ctx, &herald.Article{ArticleContent: c}); err != nil {
			t.Fatal(err)
		}
	}
	if probed != 1 {
		t.Fatalf("links probed %d times, want once (only the column that requires it)", probed)
	}
}
