package scoring

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
)

var (
	nov1  = time.Date(2026, 11, 1, 0, 0, 0, 0, herald.CST)
	dec1  = time.Date(2026, 12, 1, 0, 0, 0, 0, herald.CST)
	now   = time.Date(2026, 12, 20, 10, 0, 0, 0, herald.CST)
	rules = herald.Rules{
		Submission: 100,
		Adoption:   map[herald.ArticleKind]herald.Points{herald.KindNews: 300, herald.KindInDepth: 500, herald.KindPhoto: 200},
		Channel:    map[herald.Channel]herald.Points{herald.ChannelMicroblog: 50, herald.ChannelPrint: 100},
		Placement: map[herald.OutletLevel]herald.Points{herald.LevelCounty: 100, herald.LevelCity: 200, herald.LevelProvincial: 400,
			herald.LevelNational: 800, herald.LevelCentral: 1000},
		Bonus:       map[herald.RecognitionKind]herald.Points{herald.RecognitionEndorsement: 500, herald.RecognitionFirstReport: 200},
		Reads:       herald.ReadRule{Per: 1000, Points: 50, CapPerMonth: 200, CapPerPiece: 300},
		MissedQuota: 200,
		Split:       herald.Split{FirstAuthorPercent: 60, UnitPercent: 100},
	}
)

func version(n int, from time.Time, r herald.Rules) *herald.RuleSet {
	return &herald.RuleSet{Version: n, EffectiveFrom: from, Rules: r}
}

func at(t time.Time) *time.Time { return &t }

// piece is a published news piece of unit 7 by staff 1 (and co-authors).
func piece(id int64, day time.Time, coauthors ...int64) *herald.Article {
	a := &herald.Article{ID: id, UnitID: 7, Status: herald.StatusPublished, PublishedAt: at(day.Add(10 * time.Hour)), CreatedBy: 1}
	a.Kind, a.Channels = herald.KindNews, []herald.Channel{herald.ChannelWebsite}
	a.Authors = []herald.Author{{StaffID: 1}}
	for _, c := range coauthors {
		a.Authors = append(a.Authors, herald.Author{StaffID: c})
	}
	return a
}

// sums adds the desired points by beneficiary, as "staff/1" → points.
func sums(es []*herald.LedgerEntry) map[string]herald.Points {
	out := map[string]herald.Points{}
	for _, e := range es {
		out[fmt.Sprintf("%s/%d", e.Beneficiary.Kind, e.Beneficiary.ID)] += e.Points
	}
	return out
}

func TestEachRuleKind(t *testing.T) {
	v1 := []*herald.RuleSet{version(1, nov1, rules)}
	inDepth := piece(2, nov1.AddDate(0, 0, 3))
	inDepth.Kind = herald.KindInDepth
	channels := piece(3, nov1.AddDate(0, 0, 4))
	channels.Channels = []herald.Channel{herald.ChannelWebsite, herald.ChannelMicroblog, herald.ChannelPrint}
	retracted := piece(4, nov1.AddDate(0, 0, 5))
	retracted.Status = herald.StatusRetracted
	outsider := piece(5, nov1.AddDate(0, 0, 6))
	outsider.Authors, outsider.CreatedBy = []herald.Author{{Name: "通讯员 李明"}}, 9

	for _, tc := range []struct {
		name  string
		facts Facts
		want  map[string]herald.Points
	}{
		{"a submission", Facts{Articles: []*herald.Article{{ID: 1, UnitID: 7, Status: herald.StatusSubmitted, CreatedBy: 1,
			ArticleContent: herald.ArticleContent{Authors: []herald.Author{{StaffID: 1}}}}}, Submitted: map[int64]time.Time{1: nov1.AddDate(0, 0, 2)}},
			map[string]herald.Points{"staff/1": 100, "unit/7": 100}},
		{"adoption by kind", Facts{Articles: []*herald.Article{piece(1, nov1.AddDate(0, 0, 2)), inDepth}},
			map[string]herald.Points{"staff/1": 800, "unit/7": 800}},
		{"channels beyond the website", Facts{Articles: []*herald.Article{channels}}, map[string]herald.Points{"staff/1": 450, "unit/7": 450}},
		{"a retracted piece keeps only its submission", Facts{Articles: []*herald.Article{retracted}, Submitted: map[int64]time.Time{4: nov1.AddDate(0, 0, 5)},
			Recognitions: []*herald.Recognition{{ID: 1, ArticleID: 4, Kind: herald.RecognitionEndorsement, Day: nov1.AddDate(0, 0, 6)}}},
			map[string]herald.Points{"staff/1": 100, "unit/7": 100}},
		{"placements by outlet level, verified only", Facts{Articles: []*herald.Article{piece(1, nov1)}, Placements: []*herald.Placement{
			{ID: 1, ArticleID: 1, Level: herald.LevelCentral, Date: nov1.AddDate(0, 0, 1), Status: herald.PlacementVerified},
			{ID: 2, ArticleID: 1, Level: herald.LevelCounty, Date: nov1.AddDate(0, 0, 1), Status: herald.PlacementVerified},
			{ID: 3, ArticleID: 1, Level: herald.LevelNational, Date: nov1.AddDate(0, 0, 1), Status: herald.PlacementPending},
			{ID: 4, ArticleID: 1, Level: herald.LevelNational, Date: nov1.AddDate(0, 0, 1), Status: herald.PlacementRejected},
		}}, map[string]herald.Points{"staff/1": 1400, "unit/7": 1400}},
		{"recognitions, withdrawn ones earn nothing", Facts{Articles: []*herald.Article{piece(1, nov1)}, Recognitions: []*herald.Recognition{
			{ID: 1, ArticleID: 1, Kind: herald.RecognitionEndorsement, Day: nov1.AddDate(0, 0, 1)},
			{ID: 2, ArticleID: 1, Kind: herald.RecognitionFirstReport, Day: nov1.AddDate(0, 0, 1), WithdrawnAt: at(nov1.AddDate(0, 0, 2))},
		}}, map[string]herald.Points{"staff/1": 800, "unit/7": 800}},
		{"a recognition withdrawn and recorded again counts once", Facts{Articles: []*herald.Article{piece(1, nov1)}, Recognitions: []*herald.Recognition{
			{ID: 1, ArticleID: 1, Kind: herald.RecognitionEndorsement, Day: nov1.AddDate(0, 0, 1), WithdrawnAt: at(nov1.AddDate(0, 0, 2))},
			{ID: 3, ArticleID: 1, Kind: herald.RecognitionEndorsement, Day: nov1.AddDate(0, 0, 1)},
		}}, map[string]herald.Points{"staff/1": 800, "unit/7": 800}},
		{"reads: per 1000, capped a month and a piece; held and current months earn nothing", Facts{Articles: []*herald.Article{piece(1, nov1), piece(2, nov1)},
			Reads: []herald.MonthReads{
				{ArticleID: 1, Month: nov1, Reads: 9400}, // 9 × 50 = 450, capped at 200 a month
				{ArticleID: 1, Month: dec1, Reads: 5000}, // the current month: not yet
				{ArticleID: 2, Month: nov1, Reads: 2999}, // a spike still flagged holds it
			}, Spikes: []*herald.ReadSpike{{ArticleID: 2, Day: "2026-11-14", Reads: 900, Expected: 100, Threshold: 500, Status: herald.SpikeFlagged}},
		}, map[string]herald.Points{"staff/1": 800, "unit/7": 800}},
		{"an outside writer's piece credits whoever entered it", Facts{Articles: []*herald.Article{outsider}}, map[string]herald.Points{"staff/9": 300, "unit/7": 300}},
		{"a missed quota is deducted from the unit after the month", Facts{Articles: []*herald.Article{piece(1, nov1)},
			Quotas: []*herald.Quota{{UnitID: 7, Month: "2026-11", Target: 4}, {UnitID: 7, Month: "2026-12", Target: 9}, {UnitID: 8, Month: "2026-11", Target: 0}}},
			map[string]herald.Points{"staff/1": 300, "unit/7": 300 - 3*200}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := sums(Desired(tc.facts, v1, now))
			if !maps.Equal(got, tc.want) {
				t.Fatalf("points = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestReadPointsCaps(t *testing.T) {
	r := herald.ReadRule{Per: 1000, Points: 50, CapPerMonth: 200, CapPerPiece: 300}
	for _, tc := range []struct {
		reads   int
		earlier herald.Points
		want    herald.Points
	}{
		{999, 0, 0}, {1000, 0, 50}, {2999, 0, 100}, {10_000, 0, 200}, {10_000, 200, 100}, {10_000, 300, 0}, {0, 0, 0},
	} {
		if got := ReadPoints(tc.reads, tc.earlier, r); got != tc.want {
			t.Errorf("ReadPoints(%d, %s) = %s, want %s", tc.reads, tc.earlier, got, tc.want)
		}
	}
	if got := ReadPoints(5000, 0, herald.ReadRule{Per: 1000, Points: 50}); got != 250 {
		t.Errorf("uncapped: %s", got)
	}
}

func TestSplitAddsUpToTheWhole(t *testing.T) {
	s := herald.Split{FirstAuthorPercent: 60}
	for _, tc := range []struct {
		p     herald.Points
		staff []int64
		want  []herald.Points
	}{
		{300, []int64{1}, []herald.Points{300}},
		{300, []int64{1, 2}, []herald.Points{180, 120}},
		{300, []int64{1, 2, 3}, []herald.Points{180, 60, 60}},
		{100, []int64{1, 2, 3}, []herald.Points{60, 20, 20}},
		{101, []int64{1, 2, 3, 4}, []herald.Points{60, 14, 14, 13}}, // 41 hundredths left: 14, 14, 13
		{-200, []int64{1, 2}, []herald.Points{-120, -80}},
	} {
		got := Split(tc.p, tc.staff, s)
		var parts []herald.Points
		var sum herald.Points
		for _, g := range got {
			parts = append(parts, g.points)
			sum += g.points
		}
		if !slices.Equal(parts, tc.want) || sum != tc.p {
			t.Errorf("Split(%s, %v) = %v (sum %s), want %v", tc.p, tc.staff, parts, sum, tc.want)
		}
	}
	if got := Split(300, []int64{1, 2}, herald.Split{FirstAuthorPercent: 100}); len(got) != 1 || got[0].points != 300 {
		t.Errorf("a first author with all: %v", got)
	}
}

func TestRuleVersionsByDate(t *testing.T) {
	v2rules := rules
	v2rules.Adoption = map[herald.ArticleKind]herald.Points{herald.KindNews: 1000}
	versions := []*herald.RuleSet{version(1, nov1, rules), version(2, dec1, v2rules)}
	facts := Facts{Articles: []*herald.Article{piece(1, nov1.AddDate(0, 0, -1)), piece(2, dec1.AddDate(0, 0, -1)), piece(3, dec1)}}
	byArticle := map[int64]herald.LedgerEntry{}
	for _, e := range Desired(facts, versions, now) {
		if e.Beneficiary.Kind == herald.ForStaff {
			byArticle[e.ArticleID] = *e
		}
	}
	if _, ok := byArticle[1]; ok {
		t.Error("a piece from before the first version earned points")
	}
	if e := byArticle[2]; e.Points != 300 || e.RuleVersion != 1 {
		t.Errorf("the last day of version 1: %+v", e)
	}
	if e := byArticle[3]; e.Points != 1000 || e.RuleVersion != 2 {
		t.Errorf("the first day of version 2: %+v", e)
	}
}

func TestRulesRefuseContradictions(t *testing.T) {
	for field, mutate := range map[string]func(r *herald.Rules){
		"reads.per":                  func(r *herald.Rules) { r.Reads.Per = 0 },
		"reads.cap_per_month":        func(r *herald.Rules) { r.Reads.CapPerMonth = 400 },
		"placement.national":         func(r *herald.Rules) { r.Placement[herald.LevelNational] = 300 },
		"split.first_author_percent": func(r *herald.Rules) { r.Split.FirstAuthorPercent = 120 },
		"split.unit_percent":         func(r *herald.Rules) { r.Split.UnitPercent = -1 },
		"adoption":                   func(r *herald.Rules) { r.Adoption["gossip"] = 100 },
		"channel":                    func(r *herald.Rules) { r.Channel[herald.ChannelWebsite] = 100 },
		"submission":                 func(r *herald.Rules) { r.Submission = -100 },
	} {
		r := rules
		r.Adoption, r.Channel, r.Placement = maps.Clone(rules.Adoption), maps.Clone(rules.Channel), maps.Clone(rules.Placement)
		mutate(&r)
		err := r.Validate()
		found := false
		for _, fe := range herald.ErrorFields(err) {
			found = found || fe.Field == field
		}
		if !found {
			t.Errorf("%s: %v", field, err)
		}
	}
	if err := rules.Validate(); err != nil {
		t.Fatalf("the test rules are refused: %v", err)
	}
}

// ledger is an in-memory ledger as the store keeps it: append only, keys unique.
type ledger struct {
	entries []*herald.LedgerEntry
	keys    map[string]bool
}

func (l *ledger) append(es []*herald.LedgerEntry) int {
	if l.keys == nil {
		l.keys = map[string]bool{}
	}
	n := 0
	for _, e := range es {
		if l.keys[e.Key] {
			continue
		}
		c := *e
		c.ID = int64(len(l.entries) + 1)
		l.entries, l.keys[e.Key], n = append(l.entries, &c), true, n+1
	}
	return n
}

// The ledger's invariants hold over random sequences of events and undoings:
// after each scoring, every (event, beneficiary) nets exactly what the rules
// say, totals equal the sum of entries, scoring again appends nothing, no
// entry is ever changed, and closed months never move — also when an editor
// releases or voids a read spike of a month that has closed.
func TestLedgerInvariantsOverRandomEvents(t *testing.T) {
	versions := []*herald.RuleSet{version(1, nov1.AddDate(0, -3, 0), rules)}
	v2 := rules
	v2.Adoption = map[herald.ArticleKind]herald.Points{herald.KindNews: 350, herald.KindInDepth: 600}
	versions = append(versions, version(2, nov1, v2))
	var reversals, late, lateReads, entries int
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 7))
		var f Facts
		f.Submitted = map[int64]time.Time{}
		var l ledger
		clock := nov1.AddDate(0, -2, 0)
		closed := map[string]herald.Points{} // month → total, frozen once closed
		for step := range 60 {
			clock = clock.Add(time.Duration(rng.IntN(72)) * time.Hour)
			switch rng.IntN(7) {
			case 0, 1: // a new piece, submitted and maybe published
				id := int64(len(f.Articles) + 1)
				a := piece(id, herald.CSTDay(clock), int64(2+rng.IntN(3)))
				a.UnitID = int64(7 + rng.IntN(3))
				f.Submitted[id] = clock
				if rng.IntN(3) == 0 {
					a.Status, a.PublishedAt = herald.StatusSubmitted, nil
				}
				if rng.IntN(2) == 0 {
					a.Kind = herald.KindInDepth
				}
				f.Articles = append(f.Articles, a)
			case 2: // a retraction, or a republication after a correction
				if len(f.Articles) > 0 {
					a := f.Articles[rng.IntN(len(f.Articles))]
					if a.Status == herald.StatusPublished {
						a.Status = herald.StatusRetracted
					}
				}
			case 3: // a placement, verified or later rejected
				if len(f.Articles) > 0 {
					a := f.Articles[rng.IntN(len(f.Articles))]
					st := herald.PlacementVerified
					if rng.IntN(4) == 0 {
						st = herald.PlacementRejected
					}
					f.Placements = append(f.Placements, &herald.Placement{ID: int64(len(f.Placements) + 1), ArticleID: a.ID,
						Level: herald.OutletLevels[rng.IntN(5)], Date: herald.CSTDay(clock), Status: st})
				}
			case 4: // an endorsement, or the withdrawal of one
				if len(f.Recognitions) > 0 && rng.IntN(2) == 0 {
					f.Recognitions[rng.IntN(len(f.Recognitions))].WithdrawnAt = at(clock)
				} else if len(f.Articles) > 0 {
					f.Recognitions = append(f.Recognitions, &herald.Recognition{ID: int64(len(f.Recognitions) + 1),
						ArticleID: f.Articles[rng.IntN(len(f.Articles))].ID, Kind: herald.RecognitionEndorsement, Day: herald.CSTDay(clock)})
				}
			case 5: // reads of last month, some with a spike flagged, quotas
				m := monthOf(clock).AddDate(0, -1, 0)
				for _, a := range f.Articles {
					reads := rng.IntN(8000)
					f.Reads = append(f.Reads, herald.MonthReads{ArticleID: a.ID, Month: m, Reads: reads})
					if rng.IntN(4) == 0 {
						expected := rng.IntN(300)
						f.Spikes = append(f.Spikes, &herald.ReadSpike{ID: int64(len(f.Spikes) + 1), ArticleID: a.ID,
							Day: herald.DayString(m.AddDate(0, 0, rng.IntN(28))), Reads: expected + rng.IntN(reads+1), Expected: expected, Status: herald.SpikeFlagged})
					}
				}
				f.Quotas = append(f.Quotas, &herald.Quota{UnitID: int64(7 + rng.IntN(3)), Month: m.Format("2006-01"), Target: rng.IntN(5)})
			case 6: // an editor releases or voids a flagged spike, often of a closed month
				for _, sp := range f.Spikes {
					if sp.Status == herald.SpikeFlagged {
						sp.Status, sp.ReviewedAt = herald.SpikeReleased, at(clock)
						if rng.IntN(2) == 0 {
							sp.Status, sp.Note = herald.SpikeVoided, "刷量"
						}
						break
					}
				}
			}
			want := Desired(f, versions, clock)
			l.append(Reconcile(want, l.entries, clock))
			if again := Reconcile(Desired(f, versions, clock), l.entries, clock); len(again) != 0 {
				t.Fatalf("seed %d step %d: scoring again would append %d entries, first %+v", seed, step, len(again), again[0])
			}
			net := map[string]herald.Points{}
			for _, e := range l.entries {
				net[baseOf(e.Key)] += e.Points
			}
			for _, e := range want {
				if net[e.Key] != e.Points {
					t.Fatalf("seed %d step %d: %s nets %s, want %s", seed, step, e.Key, net[e.Key], e.Points)
				}
				delete(net, e.Key)
			}
			for k, p := range net {
				if p != 0 {
					t.Fatalf("seed %d step %d: %s nets %s though nothing calls for it", seed, step, k, p)
				}
			}
			if got, want := sums(l.entries), sums(want); !maps.Equal(withoutZero(got), withoutZero(want)) {
				t.Fatalf("seed %d step %d: totals %v, want %v", seed, step, got, want)
			}
			// months closed before this step keep their totals
			months := map[string]herald.Points{}
			for _, e := range l.entries {
				months[e.Day.Format("2006-01")] += e.Points
			}
			open := OpenFrom(clock)
			for m, p := range closed {
				if months[m] != p {
					t.Fatalf("seed %d step %d: closed month %s moved from %s to %s", seed, step, m, p, months[m])
				}
			}
			for m, p := range months {
				if mt, _ := time.ParseInLocation("2006-01", m, herald.CST); mt.Before(open) {
					closed[m] = p
				}
			}
		}
		for _, e := range l.entries {
			if strings.HasPrefix(e.Key, reversalPrefix) {
				reversals++
				if e.Reverses == 0 {
					t.Fatalf("seed %d: reversal %s names no entry", seed, e.Key)
				}
			}
			if strings.Contains(e.Note, "closed month") {
				late++
				if e.Source == herald.SourceReads {
					lateReads++ // reads of a closed month: a spike's review
				}
			}
		}
		entries += len(l.entries)
	}
	// the sequences must have exercised undoing and late posting
	if reversals == 0 || late == 0 || lateReads == 0 {
		t.Fatalf("%d entries, %d reversals, %d posted late (%d of reads): the random events do not exercise the ledger", entries, reversals, late, lateReads)
	}
	t.Logf("%d entries, %d reversals, %d posted after their month closed (%d of reads)", entries, reversals, late, lateReads)
}

func withoutZero(m map[string]herald.Points) map[string]herald.Points {
	maps.DeleteFunc(m, func(_ string, p herald.Points) bool { return p == 0 })
	return m
}

func TestPeriods(t *testing.T) {
	for in, want := range map[string]string{"2026-11": "2026年11月", "2026-Q4": "2026年第四季度", "2026-Q1": "2026年第一季度", "2026": "2026年度"} {
		p, err := ParsePeriod(in)
		if err != nil || p.Label() != want || p.String() != in {
			t.Errorf("%s: %v %q %q", in, err, p.Label(), p.String())
		}
	}
	q4, _ := ParsePeriod("2026-Q4")
	if !q4.Start.Equal(time.Date(2026, 10, 1, 0, 0, 0, 0, herald.CST)) || !q4.End.Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, herald.CST)) {
		t.Errorf("Q4 = %v – %v", q4.Start, q4.End)
	}
	for _, bad := range []string{"2026-13", "2026-Q5", "26", "十一月", ""} {
		if _, err := ParsePeriod(bad); herald.ErrorCode(err) != herald.EINVALID {
			t.Errorf("%q: %v", bad, err)
		}
	}
	nov, _ := ParsePeriod("2026-11")
	if nov.Final(time.Date(2026, 12, 5, 12, 0, 0, 0, herald.CST)) || !nov.Final(time.Date(2026, 12, 6, 12, 0, 0, 0, herald.CST)) {
		t.Error("November is final from 6 December")
	}
}

func TestRankTies(t *testing.T) {
	rows := []Row{{Name: "乙", Points: 500}, {Name: "甲", Points: 900}, {Name: "丙", Points: 500}, {Name: "丁", Points: 100}}
	rank(rows)
	var got []string
	for _, r := range rows {
		got = append(got, fmt.Sprintf("%d %s", r.Rank, r.Name))
	}
	if want := []string{"1 甲", "2 丙", "2 乙", "4 丁"}; !slices.Equal(got, want) {
		t.Fatalf("ranks = %v, want %v", got, want)
	}
}
