package demo_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/activitypub"
	"github.com/heraldnews/herald/analytics"
	"github.com/heraldnews/herald/demo"
)

// checkAudience: over the demo's year the microblog's followers and the
// newsletter's subscribers grow quarter by quarter, the reads of the last
// months are well above those of the first, and the read-spike rule flags
// the two bursts (and next to nothing else).
func checkAudience(t *testing.T, s herald.Store, now time.Time) {
	t.Helper()
	ctx := context.Background()
	cst := now.In(herald.CST)
	start := time.Date(cst.Year(), cst.Month(), 1, 0, 0, 0, 0, herald.CST).AddDate(0, -demo.HistoryMonths, 0)
	// the day before the start, and the last day of each quarter since
	var quarterEnds []string
	for q := 0; q <= demo.HistoryMonths/3; q++ {
		quarterEnds = append(quarterEnds, herald.DayString(start.AddDate(0, 3*q, -1)))
	}
	quarterly := func(byDay map[string]int) []int {
		var out []int
		for _, d := range quarterEnds {
			out = append(out, byDay[d])
		}
		return out
	}
	increasing := func(what string, counts []int, first, last int) {
		t.Helper()
		for i := 1; i < len(counts); i++ {
			if counts[i] <= counts[i-1] {
				t.Errorf("%s at the ends of the quarters: %v, want each above the last", what, counts)
			}
		}
		t.Logf("%s: %d at the start of the year, %d now", what, first, last)
	}

	// The site's account is followed from about 150 to about 1,100, the
	// English one by fewer; both lost some followers on the way.
	site := activitypub.NewService(s, activitypub.URLs{Base: "https://herald.example"}, nil, func() time.Time { return now }, nil)
	for _, c := range []struct {
		actor    string
		min, max int
	}{{herald.SiteActor, 1000, 1200}, {"site_en", 100, 400}} {
		if _, err := site.LocalActor(ctx, c.actor); err != nil {
			t.Fatalf("the microblog does not know the demo's account %s: %v", c.actor, err)
		}
		counts, err := s.CountFollowersByDay(ctx, c.actor, start.AddDate(0, 0, -1), now)
		if err != nil {
			t.Fatal(err)
		}
		byDay := map[string]int{}
		for _, fc := range counts {
			byDay[fc.Day] = fc.Count
		}
		last := counts[len(counts)-1].Count
		increasing("followers of "+c.actor, quarterly(byDay), counts[0].Count, last)
		current, _ := site.FollowerCount(ctx, c.actor)
		if last < c.min || last > c.max || current != last {
			t.Errorf("%s has %d followers now (%d listed), want %d to %d", c.actor, last, current, c.min, c.max)
		}
		all, _, _ := s.FindFollowers(ctx, c.actor, 0, 0)
		for _, f := range all {
			if !isExampleHost(f.Account) || !isExampleHost(f.SharedInbox) {
				t.Fatalf("follower %s (inbox %s) is not on a reserved .example server", f.Account, f.SharedInbox)
			}
		}
	}

	// The newsletter's confirmed subscribers grow from about 300 to about
	// 1,800, at reserved addresses.
	subs, err := s.CountSubscribersByDay(ctx, start.AddDate(0, 0, -1), now)
	if err != nil {
		t.Fatal(err)
	}
	active, left := map[string]int{}, 0
	for _, c := range subs {
		active[c.Day] = c.Active
		left += c.Left
	}
	last := subs[len(subs)-1].Active
	increasing("active subscribers", quarterly(active), subs[0].Active, last)
	if last < 1600 || last > 2000 || left == 0 {
		t.Errorf("%d active subscribers now, %d left in the year; want about 1,800 and some leaving", last, left)
	}
	listed, _, _ := s.FindSubscribers(ctx, herald.SubscriberFilter{Limit: 50})
	for _, sub := range listed {
		if !strings.HasSuffix(sub.Email, "@example.com") && !strings.HasSuffix(sub.Email, "@example.org") {
			t.Fatalf("subscriber %s is not at a reserved domain", sub.Email)
		}
	}

	// Reads: the last three whole months beat the first three by 30% or more.
	rows, err := s.ArticleReadsByDay(ctx, herald.ReadFilter{From: start, Until: now})
	if err != nil {
		t.Fatal(err)
	}
	byMonth := map[string]int{}
	for _, r := range rows {
		byMonth[r.Day[:7]] += r.Reads
	}
	sum := func(from int) int {
		n := 0
		for m := from; m < from+3; m++ {
			n += byMonth[start.AddDate(0, m, 0).Format("2006-01")]
		}
		return n
	}
	first, lastThree := sum(0), sum(demo.HistoryMonths-3)
	t.Logf("reads: %d in the first three months, %d in the last three whole months, %d in all", first, lastThree, total(byMonth))
	if float64(lastThree) < 1.3*float64(first) {
		t.Errorf("reads of the last three months %d, of the first three %d: want 30%% more", lastThree, first)
	}

	// Spikes, as the rule finds them in each article's days of reads.
	days := map[int64][]herald.ArticleDayReads{}
	for _, r := range rows {
		days[r.ArticleID] = append(days[r.ArticleID], r)
	}
	var recent, others []analytics.Spike
	for id, ds := range days {
		a, err := s.FindArticleByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		first, _ := herald.ParseDay(ds[0].Day)
		lastDay, _ := herald.ParseDay(ds[len(ds)-1].Day)
		h := analytics.History{ArticleID: id, Published: *a.PublishedAt, Start: first, Reads: make([]int, int(lastDay.Sub(first).Hours()/24+0.5)+1)}
		for _, d := range ds {
			day, _ := herald.ParseDay(d.Day)
			h.Reads[int(day.Sub(first).Hours()/24+0.5)] += d.Reads
		}
		for _, sp := range analytics.DefaultSpikeRule.Find(h) {
			if day, _ := herald.ParseDay(sp.Day); now.Sub(day) < 62*24*time.Hour && sp.Age >= 5 && sp.Reads > 200 {
				recent = append(recent, sp)
			} else {
				others = append(others, sp)
			}
		}
	}
	t.Logf("the spike rule flags %d bursts of the last two months (%+v) and %d other days", len(recent), recent, len(others))
	if len(recent) < 2 || len(others) > 3 {
		t.Errorf("spikes: %+v in the last two months, %+v elsewhere; want the demo's two bursts and at most a few others", recent, others)
	}
}

func isExampleHost(rawURL string) bool {
	u, err := url.Parse(rawURL)
	return err == nil && strings.HasSuffix(u.Hostname(), ".example")
}

func total(byMonth map[string]int) int {
	n := 0
	for _, v := range byMonth {
		n += v
	}
	return n
}
