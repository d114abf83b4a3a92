package scoring_test

import (
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/internal/channeltest"
	"github.com/heraldnews/herald/scoring"
	"github.com/heraldnews/herald/storetest"
	"github.com/heraldnews/herald/workflow"
)

// Over a real store: a scoring run flags the read spike the rule finds and
// holds its month; its authors and correspondents may not review it; a void
// needs a note; once voided, the next run posts the month's reads without
// the excess, on the day of the review (the month has closed).
func TestSpikeReviewOverAStore(t *testing.T) {
	e := channeltest.New(t, nil)
	svc := scoring.New(e.Store, e.Clock, e.Log)
	w := e.World
	if err := e.Store.CreateRules(e.Ctx, &herald.RuleSet{EffectiveFrom: herald.CSTDay(e.Now), Rules: herald.Rules{
		Reads: herald.ReadRule{Per: 100, Points: 10}, Split: herald.Split{FirstAuthorPercent: 100}}}, herald.Event{At: e.Now, ActorID: w.Admin.ID}); err != nil {
		t.Fatal(err)
	}
	c := storetest.Content(w.Local, "县司法局开展人民调解员培训")
	c.Authors = []herald.Author{{StaffID: w.Writer.ID}, {StaffID: w.Editor.ID}}
	a := e.Published(t, workflow.Draft{ArticleContent: c})

	// 1000 and 500 reads at launch, then 50 a day, but 5000 on 15 December
	var views []herald.DayViewCount
	first := herald.CSTDay(e.Now)
	for d := first; d.Before(time.Date(2027, 1, 1, 0, 0, 0, 0, herald.CST)); d = d.AddDate(0, 0, 1) {
		n := 50
		switch herald.DayString(d) {
		case herald.DayString(first):
			n = 1000
		case herald.DayString(first.AddDate(0, 0, 1)):
			n = 500
		case "2026-12-15":
			n = 5000
		}
		views = append(views, herald.DayViewCount{ArticleID: a.ID, Day: herald.DayString(d), Channel: herald.ReadWeb, Views: n})
	}
	if err := e.Store.AddReads(e.Ctx, &herald.ReadBatch{DayViews: views}); err != nil {
		t.Fatal(err)
	}
	readPoints := func() (herald.Points, []*herald.LedgerEntry) {
		t.Helper()
		es, _, err := e.Store.FindLedger(e.Ctx, herald.LedgerFilter{Source: herald.SourceReads})
		if err != nil {
			t.Fatal(err)
		}
		var p herald.Points
		for _, en := range es {
			p += en.Points
		}
		return p, es
	}

	// flagged while December runs, so editors can look into it before it ends
	e.Now = time.Date(2026, 12, 16, 9, 0, 0, 0, herald.CST)
	if _, err := svc.Run(e.Ctx); err != nil {
		t.Fatal(err)
	}
	if spikes, _, err := e.Store.FindSpikes(e.Ctx, herald.SpikeFilter{}); err != nil || len(spikes) != 1 || spikes[0].Day != "2026-12-15" ||
		!spikes[0].DetectedAt.Equal(e.Now) {
		t.Fatalf("the day after the spike: %+v (%v), want 15 December flagged", spikes, err)
	}

	e.Now = time.Date(2027, 1, 10, 9, 0, 0, 0, herald.CST)
	if _, err := svc.Run(e.Ctx); err != nil {
		t.Fatal(err)
	}
	spikes, _, err := e.Store.FindSpikes(e.Ctx, herald.SpikeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(spikes) != 1 || spikes[0].Day != "2026-12-15" || spikes[0].Status != herald.SpikeFlagged || spikes[0].Reads != 5000 || spikes[0].Expected != 50 {
		t.Fatalf("spikes = %+v, want 15 December flagged", spikes)
	}
	sp := spikes[0]
	november := 1000 + 500 + 4*50 // 25 to 30 November
	if p, _ := readPoints(); p != herald.Points(november/100*10) {
		t.Fatalf("read points = %s, want November's only (December is held)", p)
	}

	for _, who := range []*herald.Staff{w.Writer, w.Editor, w.Viewer} {
		if _, err := svc.ReviewSpike(e.Ctx, who, sp.ID, herald.SpikeReleased, ""); herald.ErrorCode(err) != herald.EFORBIDDEN {
			t.Fatalf("%s released the spike: %v", who.Username, err)
		}
	}
	if scoring.MayReviewSpikes(w.Writer) || !scoring.MayReviewSpikes(w.Editor2) || !scoring.MayReviewSpikes(w.Chief) {
		t.Fatal("MayReviewSpikes disagrees with ReviewSpike")
	}
	if _, err := svc.ReviewSpike(e.Ctx, w.Editor2, sp.ID, herald.SpikeVoided, " "); herald.ErrorCode(err) != herald.EINVALID || herald.ErrorFields(err)[0].Field != "note" {
		t.Fatalf("a void without a note: %v", err)
	}
	voided, err := svc.ReviewSpike(e.Ctx, w.Editor2, sp.ID, herald.SpikeVoided, "同一来源集中刷新")
	if err != nil || voided.Status != herald.SpikeVoided || voided.ReviewedBy != w.Editor2.ID {
		t.Fatalf("void: %+v %v", voided, err)
	}
	if _, n, _ := e.Store.FindJobs(e.Ctx, herald.JobFilter{Kind: scoring.KindRun}); n == 0 {
		t.Fatal("no scoring run was queued after the review")
	}
	if _, err := svc.ReviewSpike(e.Ctx, w.Chief, sp.ID, herald.SpikeReleased, ""); herald.ErrorCode(err) != herald.ECONFLICT {
		t.Fatalf("a second review: %v", err)
	}

	if _, err := svc.Run(e.Ctx); err != nil {
		t.Fatal(err)
	}
	december := 30*50 + 5000 - (5000 - 50)
	p, entries := readPoints()
	if want := herald.Points(november/100*10 + december/100*10); p != want {
		t.Fatalf("read points after the void = %s, want %s", p, want)
	}
	last := entries[len(entries)-1]
	if herald.DayString(last.Day) != "2027-01-10" || last.RuleVersion != 1 {
		t.Fatalf("December's reads were posted %+v, want on the day of the review under version 1", last)
	}
	if again, err := svc.Run(e.Ctx); err != nil || again != 0 {
		t.Fatalf("scoring again added %d (%v)", again, err)
	}
}
