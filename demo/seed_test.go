package demo_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/demo"
	"github.com/heraldnews/herald/scoring"
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
	var corpusIDs []int64 // the corpus is seeded first, the year of history after it
	for id := range int64(seeded.Articles) {
		corpusIDs = append(corpusIDs, id+1)
	}
	for st, n := range want {
		_, total, err := s.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{st}, IDs: corpusIDs})
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
	checkHistory(t, s, now, seeded)
	checkAudience(t, s, now)
	if err := demo.Synthesize(ctx, s, 50, now, 1); err != nil {
		t.Fatal(err)
	}
	_, total, _ := s.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusPublished}})
	if total != len(pub)+50 {
		t.Errorf("after synthesizing 50: %d published, want %d", total, len(pub)+50)
	}
}

// checkHistory: the year before the corpus gives every month adopted pieces,
// placements and points, under two versions of the rules, with a ledger
// that scoring would not change.
func checkHistory(t *testing.T, s herald.Store, now time.Time, seeded *demo.Seeded) {
	t.Helper()
	ctx := context.Background()
	if seeded.History < 300 {
		t.Fatalf("history pieces = %d", seeded.History)
	}
	versions, _ := s.FindRules(ctx)
	if len(versions) != 2 || !versions[1].EffectiveFrom.After(versions[0].EffectiveFrom) {
		t.Fatalf("rule versions = %d", len(versions))
	}
	verified, _, _ := s.FindPlacements(ctx, herald.PlacementFilter{Statuses: []herald.PlacementStatus{herald.PlacementVerified}})
	rejected, _, _ := s.FindPlacements(ctx, herald.PlacementFilter{Statuses: []herald.PlacementStatus{herald.PlacementRejected}})
	if len(verified) < 50 || len(rejected) == 0 {
		t.Fatalf("placements: %d verified, %d rejected", len(verified), len(rejected))
	}
	svc := scoring.New(s, func() time.Time { return now }, nil)
	for m := range demo.HistoryMonths {
		p := scoring.MonthPeriod(now.In(herald.CST).AddDate(0, -m-1, 0))
		units, staff, err := svc.Rankings(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if len(units.Rows) < 10 || len(staff.Rows) < 10 || !units.Final {
			t.Errorf("%s: %d units, %d staff ranked, final %v", p.Label(), len(units.Rows), len(staff.Rows), units.Final)
		}
		totals, _ := s.LedgerTotals(ctx, herald.ForUnit, p.Start, p.End)
		ranked := map[int64]herald.Points{}
		for _, r := range units.Rows {
			ranked[r.Beneficiary.ID] = r.Points
		}
		for _, tt := range totals {
			if tt.Points != ranked[tt.Beneficiary.ID] {
				t.Errorf("%s: unit %d's ledger total %s, ranking %s", p.Label(), tt.Beneficiary.ID, tt.Points, ranked[tt.Beneficiary.ID])
			}
		}
	}
	if n, err := svc.Run(ctx); err != nil || n != 0 {
		t.Errorf("scoring the seeded demo again added %d entries (%v)", n, err)
	}
}
