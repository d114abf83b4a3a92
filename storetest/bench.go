package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/workflow"
)

// Bench measures the store operations the newsroom and portal lean on, on one
// engine. Numbers go to docs/benchmarks.md; nothing here asserts a time.
func Bench(b *testing.B, open Opener) {
	ctx := context.Background()
	b.Run("Analytics", func(b *testing.B) { benchAnalytics(b, open) })
	b.Run("CreateArticle", func(b *testing.B) {
		s := open(b)
		w := NewWorld(b, s)
		b.ResetTimer()
		for i := range b.N {
			a := &herald.Article{ArticleContent: Content(w.Local, fmt.Sprintf("基准稿件 %d", i)), UnitID: w.City.ID, Status: herald.StatusDraft, CreatedBy: w.Writer.ID}
			must(b, s.CreateArticle(ctx, a, ev(w.Writer.ID)))
		}
	})
	b.Run("EditArticle", func(b *testing.B) {
		s := open(b)
		w := NewWorld(b, s)
		wf := workflow.NewService(s, func() time.Time { return T0 })
		a, err := wf.Create(ctx, w.Writer, workflow.Draft{ArticleContent: Content(w.Local, "反复修改")})
		must(b, err)
		b.ResetTimer()
		for i := range b.N {
			c := a.ArticleContent.Clone()
			c.Summary = fmt.Sprintf("第 %d 次修改", i)
			a, err = wf.Do(ctx, w.Writer, a.ID, workflow.ActEdit, workflow.Request{Content: &c, Version: a.Version})
			must(b, err)
		}
	})
	b.Run("ListPublished1000", func(b *testing.B) {
		s := open(b)
		w := NewWorld(b, s)
		for i := range 1000 {
			at := T0.Add(time.Duration(i) * time.Minute)
			a := &herald.Article{ArticleContent: Content(w.News, fmt.Sprintf("已发布 %d", i)), UnitID: w.City.ID,
				Status: herald.StatusPublished, CreatedBy: w.Writer.ID, PublishedAt: &at}
			must(b, s.CreateArticle(ctx, a, ev(w.Writer.ID)))
		}
		b.ResetTimer()
		for range b.N {
			as, _, err := s.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusPublished}, Order: herald.ByPublished, Limit: 20})
			must(b, err)
			if len(as) != 20 {
				b.Fatalf("%d articles", len(as))
			}
		}
	})
}
