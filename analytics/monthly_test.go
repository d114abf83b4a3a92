package analytics

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/heraldnews/herald"
)

// dayReads is a SpikeStore of fixed daily reads.
type dayReads []herald.ArticleDayReads

func (d dayReads) ArticleReadsByDay(context.Context, herald.ReadFilter) ([]herald.ArticleDayReads, error) {
	return d, nil
}

func (d dayReads) FindArticles(context.Context, herald.ArticleFilter) ([]*herald.Article, int, error) {
	return nil, 0, nil
}

// MonthlyReads sums the months and returns the spikes among their days, for
// scoring to flag; the months themselves are never held here.
func TestMonthlyReadsFindsSpikes(t *testing.T) {
	var rows dayReads
	start := time.Date(2026, 9, 20, 0, 0, 0, 0, herald.CST)
	for d := range 50 {
		day := herald.DayString(start.AddDate(0, 0, d))
		normal := max(1000/(1+d), 20)
		rows = append(rows, herald.ArticleDayReads{ArticleID: 1, Day: day, Reads: normal})
		spiky := normal
		if d == 30 { // 20 October
			spiky = 9000
		}
		rows = append(rows, herald.ArticleDayReads{ArticleID: 2, Day: day, Reads: spiky})
	}
	got, spikes, err := MonthlyReads(context.Background(), rows, DefaultSpikeRule, start, time.Date(2026, 11, 1, 0, 0, 0, 0, herald.CST))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, m := range got {
		lines = append(lines, fmt.Sprintf("%d %s", m.ArticleID, m.Month.Format("2006-01")))
	}
	want := []string{"1 2026-09", "1 2026-10", "1 2026-11", "2 2026-09", "2 2026-10", "2 2026-11"}
	if fmt.Sprint(lines) != fmt.Sprint(want) {
		t.Fatalf("months = %v, want %v", lines, want)
	}
	if len(spikes) != 1 || spikes[0].ArticleID != 2 || spikes[0].Day != "2026-10-20" || spikes[0].Reads != 9000 {
		t.Fatalf("spikes = %+v, want article 2 on 2026-10-20", spikes)
	}
	flag := spikes[0].Flag()
	if flag.Status != herald.SpikeFlagged || flag.Reads != 9000 || flag.Expected != spikes[0].Expected || flag.Threshold != spikes[0].Threshold ||
		flag.Excess() != 9000-spikes[0].Expected {
		t.Fatalf("flag = %+v", flag)
	}
	var sept int
	for d := range 11 {
		sept += max(1000/(1+d), 20)
	}
	if got[0].Reads != sept {
		t.Fatalf("September's reads = %d, want %d", got[0].Reads, sept)
	}
}
