package scoring

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
)

var oct1 = time.Date(2026, 10, 1, 0, 0, 0, 0, herald.CST)

// spikeRules earn 0.5 points a thousand reads, without caps, so that every
// read the review leaves shows in the points.
func spikeRules(points herald.Points) herald.Rules {
	r := rules
	r.Reads = herald.ReadRule{Per: 1000, Points: points}
	return r
}

// readsOf sums the desired read points of article 1 for its first author,
// with the rule versions they were scored by.
func readsOf(es []*herald.LedgerEntry) (herald.Points, []int) {
	var p herald.Points
	var versions []int
	for _, e := range es {
		if e.Source == herald.SourceReads && e.Beneficiary == (herald.Beneficiary{Kind: herald.ForStaff, ID: 1}) {
			p += e.Points
			versions = append(versions, e.RuleVersion)
		}
	}
	return p, versions
}

func spikeOn(day string, reads, expected int, status herald.SpikeStatus) *herald.ReadSpike {
	return &herald.ReadSpike{ArticleID: 1, Day: day, Reads: reads, Expected: expected, Threshold: 5 * expected, Status: status}
}

// A read spike's review decides what its month's reads earn: flagged holds
// them, released counts them in full, voided takes out the day's reads above
// the expected; the rule version is the month's whenever the review comes.
func TestReadSpikeReviews(t *testing.T) {
	v1 := []*herald.RuleSet{version(1, oct1, spikeRules(50))}
	v2 := append(v1, version(2, dec1, spikeRules(100))) // reads earn double from December
	octReads := []herald.MonthReads{{ArticleID: 1, Month: oct1, Reads: 6000}}
	for _, tc := range []struct {
		name     string
		spikes   []*herald.ReadSpike
		versions []*herald.RuleSet
		want     herald.Points
	}{
		{"no spike: all reads count", nil, v1, 300},
		{"flagged: the month is held", []*herald.ReadSpike{spikeOn("2026-10-20", 4000, 200, herald.SpikeFlagged)}, v1, 0},
		{"released: the month counts in full", []*herald.ReadSpike{spikeOn("2026-10-20", 4000, 200, herald.SpikeReleased)}, v1, 300},
		{"voided: the excess goes, the day's ordinary reads stay", // 6000 - (4000 - 200) = 2200
			[]*herald.ReadSpike{spikeOn("2026-10-20", 4000, 200, herald.SpikeVoided)}, v1, 100},
		{"two voided spikes take out both excesses", // 6000 - 2800 - 1900 = 1300
			[]*herald.ReadSpike{spikeOn("2026-10-20", 3000, 200, herald.SpikeVoided), spikeOn("2026-10-25", 2000, 100, herald.SpikeVoided)}, v1, 50},
		{"one spike still flagged holds the month, whatever the others",
			[]*herald.ReadSpike{spikeOn("2026-10-20", 3000, 200, herald.SpikeReleased), spikeOn("2026-10-25", 2000, 100, herald.SpikeFlagged)}, v1, 0},
		{"a spike of another month leaves this one alone", []*herald.ReadSpike{spikeOn("2026-11-03", 4000, 200, herald.SpikeFlagged)}, v1, 300},
		{"a spike of another piece leaves this one alone",
			[]*herald.ReadSpike{{ArticleID: 2, Day: "2026-10-20", Reads: 4000, Expected: 200, Threshold: 1000, Status: herald.SpikeFlagged}}, v1, 300},
		{"rule versions unaffected: a release under version 2 scores October by version 1",
			[]*herald.ReadSpike{spikeOn("2026-10-20", 4000, 200, herald.SpikeReleased)}, v2, 300},
		{"rule versions unaffected: voiding under version 2 too",
			[]*herald.ReadSpike{spikeOn("2026-10-20", 4000, 200, herald.SpikeVoided)}, v2, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := Facts{Articles: []*herald.Article{piece(1, oct1)}, Reads: octReads, Spikes: tc.spikes}
			got, versions := readsOf(Desired(f, tc.versions, now))
			if got != tc.want {
				t.Fatalf("read points = %s, want %s", got, tc.want)
			}
			for _, v := range versions {
				if v != 1 {
					t.Fatalf("October's reads scored by version %d, want 1", v)
				}
			}
		})
	}
}

// A review of a closed month's spike is posted on the day of the review,
// with the month named in the note, so that the closed month's totals stay;
// a review while the month is open dates the points in the month.
func TestSpikeReviewsOfClosedMonthsPostToday(t *testing.T) {
	versions := []*herald.RuleSet{version(1, oct1, spikeRules(50))}
	for _, tc := range []struct {
		name     string
		reviewAt time.Time
		status   herald.SpikeStatus
		wantDay  time.Time
		want     herald.Points
	}{
		{"released while October is open", time.Date(2026, 11, 3, 9, 0, 0, 0, herald.CST), herald.SpikeReleased, time.Date(2026, 10, 31, 0, 0, 0, 0, herald.CST), 300},
		{"released after October closed", time.Date(2026, 11, 20, 9, 0, 0, 0, herald.CST), herald.SpikeReleased, time.Date(2026, 11, 20, 0, 0, 0, 0, herald.CST), 300},
		{"voided after October closed", time.Date(2026, 11, 20, 9, 0, 0, 0, herald.CST), herald.SpikeVoided, time.Date(2026, 11, 20, 0, 0, 0, 0, herald.CST), 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sp := spikeOn("2026-10-20", 4000, 200, herald.SpikeFlagged)
			f := Facts{Articles: []*herald.Article{piece(1, oct1)}, Reads: []herald.MonthReads{{ArticleID: 1, Month: oct1, Reads: 6000}},
				Spikes: []*herald.ReadSpike{sp}}
			var l ledger
			first := time.Date(2026, 11, 2, 9, 0, 0, 0, herald.CST)
			l.append(Reconcile(Desired(f, versions, first), l.entries, first))
			if p, _ := readsOf(l.entries); p != 0 {
				t.Fatalf("a flagged month earned %s", p)
			}
			sp.Status, sp.ReviewedAt = tc.status, at(tc.reviewAt)
			add := Reconcile(Desired(f, versions, tc.reviewAt), l.entries, tc.reviewAt)
			l.append(add)
			p, _ := readsOf(add)
			if p != tc.want {
				t.Fatalf("the review adds %s read points, want %s", p, tc.want)
			}
			for _, e := range add {
				if e.Source != herald.SourceReads {
					t.Fatalf("the review added %+v", e)
				}
				if !e.Day.Equal(tc.wantDay) {
					t.Fatalf("dated %s, want %s", e.Day.Format(time.DateOnly), tc.wantDay.Format(time.DateOnly))
				}
				if closed := tc.wantDay.Month() != time.October; closed != strings.Contains(e.Note, "2026-10-31, a closed month") {
					t.Fatalf("note %q", e.Note)
				}
			}
			if again := Reconcile(Desired(f, versions, tc.reviewAt), l.entries, tc.reviewAt); len(again) != 0 {
				t.Fatalf("scoring again adds %d entries", len(again))
			}
		})
	}
}

// AsOf undoes the reviews made after its time, so that a replay holds a
// month until the day its spike was reviewed and posts the points then.
func TestAsOfUndoesLaterSpikeReviews(t *testing.T) {
	reviewed := time.Date(2026, 11, 20, 9, 0, 0, 0, herald.CST)
	sp := spikeOn("2026-10-20", 4000, 200, herald.SpikeVoided)
	sp.ReviewedBy, sp.ReviewedAt, sp.Note = 3, &reviewed, "刷量"
	f := Facts{Articles: []*herald.Article{piece(1, oct1)}, Reads: []herald.MonthReads{{ArticleID: 1, Month: oct1, Reads: 6000}},
		Spikes: []*herald.ReadSpike{sp}}
	before := f.AsOf(reviewed.Add(-time.Hour))
	if got := before.Spikes[0]; got.Status != herald.SpikeFlagged || got.ReviewedAt != nil || got.ReviewedBy != 0 || got.Note != "" {
		t.Fatalf("before the review: %+v", got)
	}
	if after := f.AsOf(reviewed); after.Spikes[0].Status != herald.SpikeVoided {
		t.Fatalf("at the review: %+v", after.Spikes[0])
	}
	if sp.Status != herald.SpikeVoided {
		t.Fatal("AsOf changed the facts it was given")
	}
	versions := []*herald.RuleSet{version(1, oct1, spikeRules(50))}
	var l ledger
	for day := time.Date(2026, 11, 1, 12, 0, 0, 0, herald.CST); !day.After(now); day = day.AddDate(0, 0, 1) {
		l.append(Reconcile(Desired(f.AsOf(day), versions, day), l.entries, day))
	}
	var got []string
	for _, e := range l.entries {
		if e.Source == herald.SourceReads && e.Beneficiary.Kind == herald.ForStaff {
			got = append(got, e.Day.Format(time.DateOnly)+" "+e.Points.String())
		}
	}
	if want := "[2026-11-20 1.00]"; fmt.Sprint(got) != want {
		t.Fatalf("replayed read entries %v, want %s", got, want)
	}
}
