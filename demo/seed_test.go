package demo_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/demo"
	"github.com/heraldnews/herald/sqlite"
)

func TestSeedDrivesEveryArticleToItsState(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	seeded, err := demo.Seed(ctx, s, now)
	if err != nil {
		t.Fatal(err)
	}
	corpus, _ := demo.LoadCorpus()
	if seeded.Articles != len(corpus.Articles) {
		t.Fatalf("seeded %d of %d articles", seeded.Articles, len(corpus.Articles))
	}
	want := map[herald.Status]int{}
	for _, a := range corpus.Articles {
		st := map[string]herald.Status{"review2": herald.StatusSubmitted, "review3": herald.StatusSubmitted, "corrected": herald.StatusPublished}[a.State]
		if st == "" {
			st = herald.Status(a.State)
		}
		want[st]++
	}
	for st, n := range want {
		_, total, err := s.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{st}})
		if err != nil || total != n {
			t.Errorf("%s: %d articles, want %d (%v)", st, total, n, err)
		}
	}
	// The seed page's article keeps its release time, source and editor.
	seed, _, _ := s.FindArticles(ctx, herald.ArticleFilter{Language: "en", Statuses: []herald.Status{herald.StatusPublished}, Order: herald.ByPublished})
	var found *herald.Article
	for _, a := range seed {
		if a.Title == "Provincial Judicial Administration System Publicity Training Course Held in Shijiazhuang" {
			found = a
		}
	}
	if found == nil {
		t.Fatal("the seed article is not published")
	}
	cst := time.FixedZone("CST", 8*3600)
	if got := found.PublishedAt.In(cst).Format("2006-01-02 15:04:05"); got != "2019-12-19 16:14:04" {
		t.Errorf("seed article released %s", got)
	}
	editor, _ := s.FindStaffByID(ctx, found.EditorID)
	if editor.Byline() != "王亚兰_DW110" || editor.NameEn != "Wang Yalan" || found.Source != "Hebei Legal Network Hebei Party Network" {
		t.Errorf("seed article editor %q (%s), source %q", editor.Byline(), editor.NameEn, found.Source)
	}
	// Every published article passed as many review levels as its column needs.
	pub, _, _ := s.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusPublished}})
	cols, _ := s.FindColumns(ctx)
	levels := map[int64]int{}
	for _, c := range cols {
		levels[c.ID] = c.ReviewLevels
	}
	for _, a := range pub {
		if len(a.Reviewers) != levels[a.ColumnID] {
			t.Errorf("article %d %q: %d reviewers, column needs %d", a.ID, a.Title, len(a.Reviewers), levels[a.ColumnID])
		}
		if a.PublishedAt.After(now) {
			t.Errorf("article %d published in the future: %v", a.ID, a.PublishedAt)
		}
	}
	sched, _, _ := s.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusScheduled}})
	for _, a := range sched {
		if !a.ScheduledAt.After(now) {
			t.Errorf("scheduled article %d is due at %v, before the demo's present", a.ID, a.ScheduledAt)
		}
	}
	if err := demo.Synthesize(ctx, s, 50, now, 1); err != nil {
		t.Fatal(err)
	}
	_, total, _ := s.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusPublished}})
	if total != len(pub)+50 {
		t.Errorf("after synthesizing 50: %d published, want %d", total, len(pub)+50)
	}
}
