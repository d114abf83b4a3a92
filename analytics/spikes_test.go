package analytics

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/heraldnews/herald"
)

var published = time.Date(2026, 11, 2, 10, 0, 0, 0, herald.CST)

// decayCurve is a news story's reads: launch reads on day 0 falling off like
// 1/(1 + age²/2), with ±20% day-to-day noise, for the given days.
func decayCurve(launch float64, days int, seed uint64) []int {
	rng := rand.New(rand.NewPCG(seed, 7))
	out := make([]int, days)
	for a := range out {
		out[a] = int(launch / (1 + float64(a*a)/2) * (0.8 + 0.4*rng.Float64()))
	}
	return out
}

func TestSpikeRule(t *testing.T) {
	normal := decayCurve(3000, 30, 1)
	jump := slices.Clone(normal)
	jump[20] = 30 * max(normal[19], 1) // a bought burst on day 20
	popular := decayCurve(40000, 30, 2)
	late := append([]int{60}, decayCurve(5000, 29, 3)...) // published at 22:00: day 1 is its first full day
	smallOld := decayCurve(400, 30, 4)
	smallOld[25] = 150 // 75 × its days before, but only 150 reads
	weekly := decayCurve(2000, 30, 5)
	for a := 10; a < 30; a += 7 {
		weekly[a] = weekly[a] * 2 // the Monday newsletter's bump
	}
	revival := slices.Clone(normal)
	for a := 24; a < 27; a++ {
		revival[a] = 900 // three days of a big site linking to it
	}
	tests := []struct {
		name  string
		reads []int
		want  string // "day:reads" of the spikes
	}{
		{"normal decay", normal, ""},
		{"day-20 jump of 30×", jump, fmt.Sprintf("20:%d", jump[20])},
		{"popular story's first days", popular, ""},
		{"late publication", late, ""},
		{"below the floor", smallOld, ""},
		{"weekly newsletter bump", weekly, ""},
		{"revival: every day of the burst", revival, "24:900 25:900 26:900"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DefaultSpikeRule.Find(History{ArticleID: 7, Published: published, Start: published, Reads: tt.reads})
			var b []string
			for _, s := range got {
				b = append(b, fmt.Sprintf("%d:%d", s.Age, s.Reads))
				if s.ArticleID != 7 || s.Day != herald.DayString(published.AddDate(0, 0, s.Age)) || s.Threshold >= s.Reads || s.Expected > s.Threshold {
					t.Errorf("spike %+v", s)
				}
			}
			if fmt.Sprint(b) != "["+tt.want+"]" {
				t.Fatalf("spikes %v, want [%s] (reads %v)", b, tt.want, tt.reads)
			}
		})
	}
	// The day-20 spike says what was expected: the median of the week before.
	s := DefaultSpikeRule.Find(History{ArticleID: 7, Published: published, Start: published, Reads: jump})[0]
	week := slices.Clone(jump[13:20])
	slices.Sort(week)
	if s.Expected != week[3] || s.Threshold != max(5*week[3], 200) {
		t.Fatalf("spike %+v; the week before %v", s, week)
	}
}

func TestSpikeRuleWithDecay(t *testing.T) {
	// A big story (launch 20,000) at day 10 reads 800 after a week of about
	// 100: eight times its week, but a quarter of what the site's stories do
	// at that age. The age term keeps it from being flagged; a burst beyond
	// it still is.
	reads := make([]int, 12)
	reads[0], reads[1] = 20000, 9000
	for a := 2; a < 10; a++ {
		reads[a] = 100
	}
	reads[10], reads[11] = 800, 6000
	decay := make([]float64, 31)
	for a := range decay {
		decay[a] = 0.1 // at least a tenth of launch: 2,000 reads
	}
	h := History{ArticleID: 1, Published: published, Start: published, Reads: reads}
	without := DefaultSpikeRule.Find(h)
	if len(without) != 2 || without[0].Age != 10 {
		t.Fatalf("without the decay: %+v", without)
	}
	rule := DefaultSpikeRule
	rule.Decay = decay
	with := rule.Find(h)
	if len(with) != 0 { // 3 × 2,000 = 6,000 is the threshold, which 6,000 does not exceed
		t.Fatalf("with the decay: %+v (threshold 3 × 2,000)", with)
	}
	reads[11] = 6001
	if with = rule.Find(h); len(with) != 1 || with[0].Age != 11 || with[0].Expected != 2000 || with[0].Threshold != 6000 {
		t.Fatalf("with the decay, beyond it: %+v", with)
	}
	// Launch reads given when the history starts later.
	late := History{ArticleID: 1, Published: published, Start: published.AddDate(0, 0, 3), Reads: reads[3:], LaunchReads: 20000}
	if got := rule.Find(late); len(got) != 1 || got[0].Age != 11 || got[0].Day != herald.DayString(published.AddDate(0, 0, 11)) {
		t.Fatalf("a later start: %+v", got)
	}
}

func TestSpikeWindowBeforePublication(t *testing.T) {
	// The history starts before publication: those days are not part of the
	// median (they would make it 0 and flag an ordinary day).
	reads := []int{0, 0, 0, 0, 0, 5000, 2500, 1300, 900, 700}
	h := History{ArticleID: 3, Published: published.AddDate(0, 0, 5), Start: published, Reads: reads}
	if got := DefaultSpikeRule.Find(h); len(got) != 0 {
		t.Fatalf("spikes %+v", got)
	}
}

func TestTypicalDecay(t *testing.T) {
	hs := []History{
		{Published: published, Start: published, Reads: []int{100, 200, 100, 50}},
		{Published: published, Start: published, Reads: []int{1000, 500, 250}},
		{Published: published, Start: published, Reads: []int{400, 100, 40, 20, 10}},
		{Published: published, Start: published.AddDate(0, 0, 1), Reads: []int{9, 9, 9}}, // not from publication
		{Published: published, Start: published, Reads: []int{0, 0, 5}},                  // no launch
	}
	got := TypicalDecay(hs, 6)
	want := []float64{1, 0.5, 0.25, 0.15, 0.025, 0.025, 0.025}
	for a := range want {
		if math.Abs(got[a]-want[a]) > 1e-9 {
			t.Fatalf("decay %v, want %v", got, want)
		}
	}
}

// fakeStore serves ArticleReadsByDay and FindArticles from memory.
type fakeStore struct {
	reads    map[int64]map[string]int
	articles map[int64]*herald.Article
	queries  int
}

func (f *fakeStore) ArticleReadsByDay(_ context.Context, rf herald.ReadFilter) ([]herald.ArticleDayReads, error) {
	f.queries++
	if err := rf.Validate(); err != nil {
		return nil, err
	}
	from, until := herald.DayString(rf.From), herald.DayString(rf.Until)
	var out []herald.ArticleDayReads
	for id, days := range f.reads {
		if rf.ArticleIDs != nil && !slices.Contains(rf.ArticleIDs, id) {
			continue
		}
		for day, n := range days {
			if day >= from && day <= until {
				out = append(out, herald.ArticleDayReads{ArticleID: id, Day: day, Reads: n})
			}
		}
	}
	return out, nil
}

func (f *fakeStore) FindArticles(_ context.Context, af herald.ArticleFilter) ([]*herald.Article, int, error) {
	var out []*herald.Article
	for _, id := range af.IDs {
		if a := f.articles[id]; a != nil {
			out = append(out, a)
		}
	}
	return out, len(out), nil
}

func (f *fakeStore) add(id int64, pub time.Time, reads []int) {
	f.articles[id] = &herald.Article{ID: id, Status: herald.StatusPublished, PublishedAt: &pub}
	f.reads[id] = map[string]int{}
	for a, n := range reads {
		if n > 0 {
			f.reads[id][herald.DayString(pub.AddDate(0, 0, a))] = n
		}
	}
}

func TestScan(t *testing.T) {
	f := &fakeStore{reads: map[int64]map[string]int{}, articles: map[int64]*herald.Article{}}
	now := published.AddDate(0, 0, 21).Add(3 * time.Hour) // day 21 of the first article, 13:00
	normal := decayCurve(3000, 22, 1)
	jumped := slices.Clone(normal)
	jumped[20] = 2000
	f.add(1, published, normal)
	f.add(2, published, jumped)
	f.add(3, published.AddDate(0, 0, 20), []int{30000, 12000}) // a popular new story
	f.add(4, published.AddDate(0, 0, -30), append(make([]int, 49), 50, 900))
	got, err := DefaultSpikeRule.Scan(context.Background(), f, now, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []Spike{
		{ArticleID: 2, Day: herald.DayString(published.AddDate(0, 0, 20)), Age: 20, Reads: 2000},
		{ArticleID: 4, Day: herald.DayString(published.AddDate(0, 0, 20)), Age: 50, Reads: 900},
	}
	if len(got) != len(want) {
		t.Fatalf("spikes %+v, want %+v", got, want)
	}
	for i := range want {
		g := got[i]
		g.Expected, g.Threshold = 0, 0
		if g != want[i] {
			t.Fatalf("spike %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	// Nothing flagged outside the days scanned.
	if got, _ := DefaultSpikeRule.Scan(context.Background(), f, now.AddDate(0, 0, 5), 2); len(got) != 0 {
		t.Fatalf("later: %+v", got)
	}
	// With a decay, the launch days of older articles are read.
	rule := DefaultSpikeRule
	rule.Decay = []float64{1, 0.5, 0.2, 0.1, 0.05, 0.02}
	f.queries = 0
	got, err = rule.Scan(context.Background(), f, now, 3)
	if err != nil || len(got) != 2 || f.queries != 3 {
		t.Fatalf("with a decay: %+v, %v, %d queries", got, err, f.queries)
	}
	if _, err := rule.Scan(context.Background(), f, now, 0); herald.ErrorCode(err) != herald.EINVALID {
		t.Fatalf("0 days: %v", err)
	}
}
