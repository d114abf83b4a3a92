// Package analytics holds the rules that read meaning into readership
// counts. It depends on the root package only.
package analytics

import (
	"cmp"
	"context"
	"math"
	"slices"
	"time"

	"github.com/heraldnews/herald"
)

// SpikeRule decides when an article's reads of a day jumped so far above its
// own pattern that they should be reviewed before they earn points: a bought
// or scripted burst of traffic, or a story that something outside suddenly
// sent readers to. A day of age a (days since the CST day of publication) is
// a spike when its reads exceed all of
//
//   - Factor × the median of the article's reads on the Window days before it
//     (days before publication are left out; days without reads count as 0),
//   - AgeFactor × what the site's typical decay expects at that age: the
//     article's launch reads (the better of its first two days) × Decay[a]
//     (only when Decay is given), and
//   - Floor, so that small numbers never alarm anyone.
//
// The first Launch days are never spikes: a story's first day or two is its
// peak whatever its size (a story published at 22:00 has its first full day
// on day 1), and only a pattern it has set can be jumped above. This is also
// the rule's blind spot: reads inflated from the start look like a popular
// story; the bot filter and the dedup window guard those days.
type SpikeRule struct {
	Window    int       // days of history the median is taken over
	Factor    float64   // k: a spike beats k × that median
	Decay     []float64 // the site's reads at age a as a share of launch reads; nil: no age term
	AgeFactor float64   // m: a spike beats m × the reads the decay expects
	Floor     int       // a spike has more reads than this
	Launch    int       // the first days, which are never spikes
}

// DefaultSpikeRule is the rule Herald uses: more than 5 × the median of the
// week before, more than 3 × what the site's decay expects, and more than
// 200 reads; not on the first two days.
var DefaultSpikeRule = SpikeRule{Window: 7, Factor: 5, AgeFactor: 3, Floor: 200, Launch: 2}

// History is an article's reads on consecutive CST days.
type History struct {
	ArticleID int64
	Published time.Time // the day of publication (any time of it)
	Start     time.Time // the day of Reads[0] (any time of it)
	Reads     []int     // reads on Start and the days after it
	// LaunchReads are the reads of the better of the first two days, for the
	// age term; 0 takes them from Reads when Reads reach back that far.
	LaunchReads int
}

// Spike is a day whose reads were far above the article's pattern.
type Spike struct {
	ArticleID int64  `json:"article_id"`
	Day       string `json:"day"` // YYYY-MM-DD, China Standard Time
	Age       int    `json:"age"` // days since the day of publication
	Reads     int    `json:"reads"`
	// Expected is what the pattern led one to expect: the larger of the
	// median of the days before and the reads the decay expects.
	Expected int `json:"expected"`
	// Threshold is the number of reads the day had to exceed.
	Threshold int `json:"threshold"`
}

// days between the CST days of a and b (b - a).
func daysBetween(a, b time.Time) int {
	return int(math.Round(herald.CSTDay(b).Sub(herald.CSTDay(a)).Hours() / 24))
}

// Find returns the spikes among the days of h, oldest first.
func (r SpikeRule) Find(h History) []Spike {
	var out []Spike
	for i := range h.Reads {
		if s, ok := r.check(h, i); ok {
			out = append(out, s)
		}
	}
	return out
}

// check applies the rule to day i of h.
func (r SpikeRule) check(h History, i int) (Spike, bool) {
	offset := daysBetween(h.Published, h.Start) // the age of Reads[0]
	age := offset + i
	reads := h.Reads[i]
	if age < max(r.Launch, 0) || reads <= r.Floor {
		return Spike{}, false
	}
	window := make([]int, 0, r.Window)
	for j := i - r.Window; j < i; j++ {
		if j+offset < 0 {
			continue // before publication
		}
		n := 0
		if j >= 0 {
			n = h.Reads[j]
		}
		window = append(window, n)
	}
	med := median(window)
	expected := med
	threshold := max(r.Factor*med, float64(r.Floor))
	if len(r.Decay) > 0 && r.AgeFactor > 0 {
		launch := h.LaunchReads
		if launch == 0 {
			for j := -offset; j < 2-offset; j++ {
				if j >= 0 && j < len(h.Reads) {
					launch = max(launch, h.Reads[j])
				}
			}
		}
		byAge := float64(launch) * r.Decay[min(age, len(r.Decay)-1)]
		expected = max(expected, byAge)
		threshold = max(threshold, r.AgeFactor*byAge)
	}
	if float64(reads) <= threshold {
		return Spike{}, false
	}
	return Spike{ArticleID: h.ArticleID, Day: herald.DayString(herald.CSTDay(h.Start).AddDate(0, 0, i)), Age: age, Reads: reads,
		Expected: int(math.Round(expected)), Threshold: int(math.Floor(threshold))}, true
}

// median of the values; 0 for none.
func median(vals []int) float64 {
	if len(vals) == 0 {
		return 0
	}
	s := slices.Clone(vals)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return float64(s[n/2])
	}
	return float64(s[n/2-1]+s[n/2]) / 2
}

// TypicalDecay is the site's reads at each age from 0 to maxAge as a share of
// launch reads: at each age, the median over the histories (that reach back to
// publication, have launch reads, and reach that age) of the age's reads
// divided by the article's launch reads. Ages no history reaches repeat the
// last share found.
func TypicalDecay(histories []History, maxAge int) []float64 {
	shares := make([][]float64, maxAge+1)
	for _, h := range histories {
		if daysBetween(h.Published, h.Start) != 0 || len(h.Reads) == 0 {
			continue
		}
		launch := h.Reads[0]
		if len(h.Reads) > 1 {
			launch = max(launch, h.Reads[1])
		}
		if launch == 0 {
			continue
		}
		for a := 0; a <= maxAge && a < len(h.Reads); a++ {
			shares[a] = append(shares[a], float64(h.Reads[a])/float64(launch))
		}
	}
	out := make([]float64, maxAge+1)
	for a := range out {
		if len(shares[a]) == 0 {
			if a > 0 {
				out[a] = out[a-1]
			}
			continue
		}
		sh := shares[a]
		slices.Sort(sh)
		out[a] = (sh[(len(sh)-1)/2] + sh[len(sh)/2]) / 2 // the median
	}
	return out
}

// SpikeStore is what Scan reads.
type SpikeStore interface {
	ArticleReadsByDay(ctx context.Context, f herald.ReadFilter) ([]herald.ArticleDayReads, error)
	FindArticles(ctx context.Context, f herald.ArticleFilter) ([]*herald.Article, int, error)
}

// Scan applies the rule to the last days CST days up to now (today
// included, as far as it has gone) of every article read in them, and returns
// the spikes, by day then article. Storing them and their review is the
// caller's. It reads the days it checks and the rule's window before them, and
// the launch days of the articles it finds a candidate in.
func (r SpikeRule) Scan(ctx context.Context, s SpikeStore, now time.Time, days int) ([]Spike, error) {
	if days < 1 {
		return nil, herald.Invalid("days", "must be at least 1")
	}
	until := herald.CSTDay(now)
	first := until.AddDate(0, 0, 1-days)
	from := first.AddDate(0, 0, -max(r.Window, 0))
	rows, err := s.ArticleReadsByDay(ctx, herald.ReadFilter{From: from, Until: until})
	if err != nil {
		return nil, err
	}
	n := daysBetween(from, until) + 1
	byArticle := map[int64][]int{}
	for _, row := range rows {
		d, err := herald.ParseDay(row.Day)
		if err != nil {
			return nil, err
		}
		if byArticle[row.ArticleID] == nil {
			byArticle[row.ArticleID] = make([]int, n)
		}
		byArticle[row.ArticleID][daysBetween(from, d)] = row.Reads
	}
	// Candidates: a checked day above the floor. Only they need their
	// article's publication day and launch reads.
	skip := daysBetween(from, first)
	var ids []int64
	for id, reads := range byArticle {
		if slices.ContainsFunc(reads[skip:], func(v int) bool { return v > r.Floor }) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	slices.Sort(ids)
	articles, _, err := s.FindArticles(ctx, herald.ArticleFilter{IDs: ids, NoBody: true, NoCount: true, Order: herald.ByID})
	if err != nil {
		return nil, err
	}
	var out []Spike
	for _, a := range articles {
		if a.PublishedAt == nil {
			continue
		}
		h := History{ArticleID: a.ID, Published: *a.PublishedAt, Start: from, Reads: byArticle[a.ID]}
		if len(r.Decay) > 0 && r.AgeFactor > 0 && daysBetween(*a.PublishedAt, from) > 0 {
			// the launch lies before the loaded days
			pub := herald.CSTDay(*a.PublishedAt)
			launch, err := s.ArticleReadsByDay(ctx, herald.ReadFilter{From: pub, Until: pub.AddDate(0, 0, 1), ArticleIDs: []int64{a.ID}})
			if err != nil {
				return nil, err
			}
			for _, l := range launch {
				h.LaunchReads = max(h.LaunchReads, l.Reads)
			}
		}
		for i := skip; i < n; i++ {
			if sp, ok := r.check(h, i); ok {
				out = append(out, sp)
			}
		}
	}
	slices.SortFunc(out, func(a, b Spike) int { return cmp.Or(cmp.Compare(a.Day, b.Day), cmp.Compare(a.ArticleID, b.ArticleID)) })
	return out, nil
}
