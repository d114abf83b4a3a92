package analytics

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/heraldnews/herald"
)

// MonthlyReads sums each article's reads by CST month over the days from
// from up to before (CST days; a month cut by before sums only its days
// before it, and scoring leaves months that have not ended unscored), and
// returns with them the read
// spikes the rule finds in those days, oldest first: scoring flags them for
// an editor, so that inflated reads never earn points unnoticed. A zero from
// reaches back two years.
func MonthlyReads(ctx context.Context, s SpikeStore, rule SpikeRule, from, before time.Time) ([]herald.MonthReads, []Spike, error) {
	if from.IsZero() {
		from = before.AddDate(-2, 0, 0)
	}
	until := before.AddDate(0, 0, -1)
	if until.Before(from) {
		return nil, nil, nil
	}
	rows, err := s.ArticleReadsByDay(ctx, herald.ReadFilter{From: from, Until: until})
	if err != nil {
		return nil, nil, err
	}
	type key struct {
		article int64
		month   string
	}
	sums := map[key]int{}
	days := map[int64][]herald.ArticleDayReads{}
	for _, r := range rows {
		sums[key{r.ArticleID, r.Day[:7]}] += r.Reads
		days[r.ArticleID] = append(days[r.ArticleID], r)
	}
	var spikes []Spike
	for id, ds := range days {
		slices.SortFunc(ds, func(a, b herald.ArticleDayReads) int { return compareDays(a.Day, b.Day) })
		first, err := herald.ParseDay(ds[0].Day)
		if err != nil {
			return nil, nil, err
		}
		last, _ := herald.ParseDay(ds[len(ds)-1].Day)
		h := History{ArticleID: id, Published: first, Start: first, Reads: make([]int, daysBetween(first, last)+1)}
		for _, d := range ds {
			t, _ := herald.ParseDay(d.Day)
			h.Reads[daysBetween(first, t)] += d.Reads
		}
		spikes = append(spikes, rule.Find(h)...)
	}
	out := make([]herald.MonthReads, 0, len(sums))
	for k, n := range sums {
		m, err := time.ParseInLocation("2006-01", k.month, herald.CST)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, herald.MonthReads{ArticleID: k.article, Month: m, Reads: n})
	}
	slices.SortFunc(out, func(a, b herald.MonthReads) int {
		if a.ArticleID != b.ArticleID {
			return int(a.ArticleID - b.ArticleID)
		}
		return a.Month.Compare(b.Month)
	})
	slices.SortFunc(spikes, func(a, b Spike) int { return cmp.Or(compareDays(a.Day, b.Day), cmp.Compare(a.ArticleID, b.ArticleID)) })
	return out, spikes, nil
}

// Flag is the spike as scoring keeps it for review.
func (s Spike) Flag() herald.ReadSpike {
	return herald.ReadSpike{ArticleID: s.ArticleID, Day: s.Day, Reads: s.Reads, Expected: s.Expected, Threshold: s.Threshold, Status: herald.SpikeFlagged}
}

func compareDays(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
