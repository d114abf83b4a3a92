package search_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/demo"
	"github.com/heraldnews/herald/postgres/pgtest"
	"github.com/heraldnews/herald/search"
	"github.com/heraldnews/herald/sqlite"
)

var now = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// engines runs a test on a demo store of each engine.
func engines(t *testing.T, test func(t *testing.T, store herald.Store)) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			var store herald.Store
			if engine == "sqlite" {
				s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				store = s
			} else {
				store = pgtest.MustOpen(t)
			}
			if _, err := demo.Seed(context.Background(), store, now, demo.WithoutHistory()); err != nil {
				t.Fatal(err)
			}
			test(t, store)
		})
	}
}

func newService(t *testing.T, store herald.Store) *search.Service {
	t.Helper()
	svc := search.NewService(store, func() time.Time { return now }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if _, err := svc.Build(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	return svc
}

// found returns the IDs a search finds, best first.
func found(t *testing.T, svc *search.Service, q string) []int64 {
	t.Helper()
	page, err := svc.Search(context.Background(), search.Query{Text: q, Limit: 50})
	if err != nil {
		t.Fatalf("%q: %v", q, err)
	}
	var ids []int64
	for _, h := range page.Hits {
		ids = append(ids, h.Article.ID)
	}
	return ids
}

// TestDemoSearchesOnBothEngines runs the searches over the demo: each
// finds articles whose title or snippet marks the words, and both engines give
// the same answers in the same order.
func TestDemoSearchesOnBothEngines(t *testing.T) {
	queries := []string{"培训", "宣传", "雄安", `"public legal services"`, "张华", "Zhang Hua", "公共法律服务", "雄安新区", "法律援助", "冬奥", "司法 -宣传", "人民调解 OR 公证"}
	results := map[string]map[string][]int64{}
	engines(t, func(t *testing.T, store herald.Store) {
		svc := newService(t, store)
		got := map[string][]int64{}
		for _, q := range queries {
			page, err := svc.Search(context.Background(), search.Query{Text: q, Limit: 50})
			if err != nil {
				t.Fatalf("%q: %v", q, err)
			}
			if page.Total == 0 {
				t.Errorf("%q finds nothing in the demo", q)
				continue
			}
			for _, h := range page.Hits {
				if h.Article.Status != herald.StatusPublished {
					t.Errorf("%q found unpublished article %d", q, h.Article.ID)
				}
				got[q] = append(got[q], h.Article.ID)
			}
			first := page.Hits[0]
			if !search.Marked(first.Title) && !search.Marked(first.Snippet) && !search.Marked(first.Byline) {
				t.Errorf("%q: the best hit %q shows no mark in its title, snippet or byline", q, first.Article.Title)
			}
		}
		results[t.Name()] = got
	})
	a, b := results["TestDemoSearchesOnBothEngines/sqlite"], results["TestDemoSearchesOnBothEngines/postgres"]
	if a == nil || b == nil {
		return // one engine skipped
	}
	for _, q := range queries {
		if !slices.Equal(a[q], b[q]) {
			t.Errorf("%q: SQLite found %v, PostgreSQL %v", q, a[q], b[q])
		}
	}
}

// TestIndexFollowsTheLog publishes, corrects and retracts an article through
// the store, as any process would, and waits for the follower to see each.
func TestIndexFollowsTheLog(t *testing.T) {
	engines(t, func(t *testing.T, store herald.Store) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		svc := search.NewService(store, func() time.Time { return now }, slog.New(slog.NewTextHandler(io.Discard, nil)))
		go svc.Follow(ctx, 20*time.Millisecond)
		waitFor(t, "the first build", func() bool { return svc.Ready() })

		drafts, _, err := store.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusDraft}, Limit: 1})
		if err != nil || len(drafts) == 0 {
			t.Fatalf("no draft: %v", err)
		}
		id := drafts[0].ID
		change := func(action string, fn func(a *herald.Article)) {
			t.Helper()
			_, err := store.UpdateArticle(ctx, id, func(a *herald.Article) (herald.ArticleChange, error) {
				from := a.Status
				fn(a)
				return herald.ArticleChange{Event: herald.Event{At: now, Action: action, FromStatus: string(from), ToStatus: string(a.Status)}}, nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		change("publish", func(a *herald.Article) {
			a.Title, a.Status, a.PublishedAt = "鹦鹉螺号司法宣传车开进山村", herald.StatusPublished, &now
		})
		waitFor(t, "publication", func() bool { return slices.Contains(found(t, svc, "鹦鹉螺"), id) })
		change("correct", func(a *herald.Article) { a.Title = "流动法律服务车开进山村" })
		waitFor(t, "correction", func() bool {
			return !slices.Contains(found(t, svc, "鹦鹉螺"), id) && slices.Contains(found(t, svc, "流动法律服务车"), id)
		})
		change("retract", func(a *herald.Article) { a.Status = herald.StatusRetracted })
		waitFor(t, "retraction", func() bool { return !slices.Contains(found(t, svc, "流动法律服务车"), id) })

		// a reindex request from another process rebuilds without losing anything
		before := svc.Index()
		if err := search.RequestReindex(ctx, store, nil); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the rebuild", func() bool { return svc.Index() != before })
		if got := found(t, svc, "培训"); len(got) == 0 {
			t.Fatal("the rebuilt index finds nothing")
		}
	})
}

// waitFor polls until cond holds, failing after a generous deadline: the
// follower's latency is measured in docs/benchmarks.md, not asserted here.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("the index never caught up with %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
