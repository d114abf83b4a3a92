package scoring_test

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/internal/channeltest"
	"github.com/heraldnews/herald/scoring"
	"github.com/heraldnews/herald/storetest"
	"github.com/heraldnews/herald/workflow"
)

// Scoring over a real store: the workflow's events earn points under the
// stored rules, scoring again adds nothing, and a retraction is answered by
// reversing entries while the totals stay the sum of the ledger.
func TestScoringTheWorkflowsEvents(t *testing.T) {
	e := channeltest.New(t, nil)
	svc := scoring.New(e.Store, e.Clock, e.Log)
	w := e.World
	rules := herald.Rules{
		Submission: 100,
		Adoption:   map[herald.ArticleKind]herald.Points{herald.KindNews: 300},
		Placement:  map[herald.OutletLevel]herald.Points{herald.LevelProvincial: 400, herald.LevelNational: 400, herald.LevelCentral: 400},
		Bonus:      map[herald.RecognitionKind]herald.Points{herald.RecognitionEndorsement: 500},
		Split:      herald.Split{FirstAuthorPercent: 60, UnitPercent: 100},
	}
	if n, err := svc.Run(e.Ctx); err != nil || n != 0 {
		t.Fatalf("without rules: %d entries, %v", n, err)
	}
	if err := e.Store.CreateRules(e.Ctx, &herald.RuleSet{EffectiveFrom: herald.CSTDay(e.Now), Rules: rules}, herald.Event{At: e.Now, ActorID: w.Admin.ID}); err != nil {
		t.Fatal(err)
	}
	c := storetest.Content(w.Local, "县司法局开展法律援助进村活动")
	c.Authors = []herald.Author{{StaffID: w.CountyWriter.ID}, {StaffID: w.Writer.ID}}
	a := e.Published(t, workflow.Draft{ArticleContent: c})
	e.Now = e.Now.Add(time.Hour)
	if err := e.Store.CreatePlacement(e.Ctx, &herald.Placement{ArticleID: a.ID, Outlet: "法治日报", Level: herald.LevelCentral, Date: herald.CSTDay(e.Now),
		Page: "第5版", Status: herald.PlacementVerified, Evidence: "/media/1-0123456789abcdef/large.jpg"}, herald.Event{At: e.Now}); err != nil {
		t.Fatal(err)
	}
	if err := e.Store.CreateRecognition(e.Ctx, &herald.Recognition{ArticleID: a.ID, Kind: herald.RecognitionEndorsement, Day: herald.CSTDay(e.Now)},
		herald.Event{At: e.Now, ActorID: w.Chief.ID}); err != nil {
		t.Fatal(err)
	}
	added, err := svc.Run(e.Ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := added
	// submission, adoption, placement, endorsement: each to two authors and the unit
	if n != 12 {
		t.Fatalf("entries = %d, want 12", n)
	}
	if again, err := svc.Run(e.Ctx); err != nil || again != 0 {
		t.Fatalf("scoring again added %d (%v)", again, err)
	}
	total := func(b herald.Beneficiary) herald.Points {
		t.Helper()
		es, _, err := e.Store.FindLedger(e.Ctx, herald.LedgerFilter{Beneficiary: &b})
		if err != nil {
			t.Fatal(err)
		}
		var sum herald.Points
		for _, en := range es {
			sum += en.Points
		}
		totals, err := e.Store.LedgerTotals(e.Ctx, b.Kind, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range totals {
			if tt.Beneficiary == b && tt.Points != sum {
				t.Fatalf("%v: total %s, entries sum %s", b, tt.Points, sum)
			}
		}
		return sum
	}
	first := herald.Beneficiary{Kind: herald.ForStaff, ID: w.CountyWriter.ID}
	unit := herald.Beneficiary{Kind: herald.ForUnit, ID: a.UnitID}
	if got := total(first); got != 780 { // 60% of 1 + 3 + 4 + 5
		t.Fatalf("first author: %s, want 7.80", got)
	}
	if got := total(unit); got != 1300 {
		t.Fatalf("unit: %s, want 13.00", got)
	}

	// the retraction takes back all but the submission
	e.Now = e.Now.Add(time.Hour)
	e.Do(t, w.Chief, a.ID, workflow.ActRetract, workflow.Request{Comment: "数据有误"})
	if n, err := svc.Run(e.Ctx); err != nil || n != 6 {
		t.Fatalf("after the retraction: %d entries (%v), want 6 reversals (adoption and endorsement; the placement stands)", n, err)
	}
	if got := total(first); got != 60+240 {
		t.Fatalf("first author after the retraction: %s, want 3.00", got)
	}
	if again, _ := svc.Run(e.Ctx); again != 0 {
		t.Fatalf("scoring again after the retraction added %d", again)
	}
	units, staff, err := svc.Rankings(e.Ctx, scoring.MonthPeriod(e.Now))
	if err != nil {
		t.Fatal(err)
	}
	if len(units.Rows) != 1 || units.Rows[0].Points != total(unit) || units.Rows[0].Rank != 1 || units.Rows[0].Name != w.County.Name && units.Rows[0].Name == "" {
		t.Fatalf("units = %+v", units.Rows)
	}
	if len(staff.Rows) != 2 || staff.Rows[0].Beneficiary != first || staff.Rows[0].Points != 300 || staff.Rows[0].Unit == "" ||
		staff.Rows[0].BySource[herald.SourcePlacement] != 240 || staff.Rows[0].BySource[herald.SourceAdoption] != 0 {
		t.Fatalf("staff = %+v", staff.Rows)
	}
	if err := e.Store.SetQuota(e.Ctx, &herald.Quota{UnitID: a.UnitID, Month: e.Now.In(herald.CST).Format("2006-01"), Target: 4},
		herald.Event{At: e.Now, ActorID: w.Admin.ID}); err != nil {
		t.Fatal(err)
	}
	notice, err := svc.Notice(e.Ctx, scoring.MonthPeriod(e.Now))
	if err != nil {
		t.Fatal(err)
	}
	if len(notice.Tables) != 3 || !strings.Contains(notice.Title, "通报") || notice.Issuer != w.Dept.Name || !strings.Contains(notice.Paragraphs[0], "第1版") {
		t.Fatalf("notice = %+v", notice)
	}
	if row := notice.Tables[0].Rows[0]; row[1] != units.Rows[0].Name || row[len(row)-1] != units.Rows[0].Points {
		t.Fatalf("the notice's unit row %v differs from the ranking %+v", row, units.Rows[0])
	}
	if row := notice.Tables[2].Rows[0]; row[1] != 4 || row[2] != 0 || row[3] != "0%" {
		t.Fatalf("quota row = %v (the only piece was retracted)", row)
	}
}

func TestWhoMayRecordAndReview(t *testing.T) {
	e := channeltest.New(t, nil)
	svc := scoring.New(e.Store, e.Clock, e.Log)
	w := e.World
	a := e.Published(t, workflow.Draft{ArticleContent: storetest.Content(w.Local, "市司法局开展宪法宣传周活动")})
	m := &herald.Media{SHA256: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", Format: "png", Width: 2, Height: 1,
		UploadedBy: w.Writer.ID, Renditions: []herald.MediaRendition{{Name: "large", ContentType: "image/png", Width: 2, Height: 1, Data: []byte("x")}}}
	if err := e.Store.CreateMedia(e.Ctx, m, herald.Event{At: e.Now, ActorID: w.Writer.ID}); err != nil {
		t.Fatal(err)
	}
	clipping := m.URL("large")
	record := func(actor *herald.Staff, evidence string) (*herald.Placement, error) {
		pl := &herald.Placement{ArticleID: a.ID, Outlet: "河北日报", Level: herald.LevelProvincial, Date: herald.CSTDay(e.Now), Page: "第6版", Evidence: evidence}
		return pl, svc.RecordPlacement(e.Ctx, actor, pl)
	}
	if _, err := record(w.CountyWriter, clipping); herald.ErrorCode(err) != herald.EFORBIDDEN {
		t.Fatalf("a writer of another unit recorded a placement: %v", err)
	}
	for _, bad := range []string{"", "https://example.org/a.png", "/media/" + "999-0123456789abcdef/large.png", "/media/1-ffffffffffffffff/large.png"} {
		if _, err := record(w.Writer, bad); herald.ErrorCode(err) != herald.EINVALID || herald.ErrorFields(err)[0].Field != "evidence" {
			t.Fatalf("evidence %q: %v", bad, err)
		}
	}
	pl, err := record(w.Writer, clipping)
	if err != nil {
		t.Fatal(err)
	}
	if pl.Status != herald.PlacementPending || pl.CreatedBy != w.Writer.ID {
		t.Fatalf("recorded %+v", pl)
	}
	if _, err := svc.ReviewPlacement(e.Ctx, w.Writer, pl.ID, true, ""); herald.ErrorCode(err) != herald.EFORBIDDEN {
		t.Fatalf("a correspondent verified: %v", err)
	}
	own, err := record(w.Editor, clipping)
	if err == nil {
		_, err = svc.ReviewPlacement(e.Ctx, w.Editor, own.ID, true, "")
	}
	if herald.ErrorCode(err) != herald.EFORBIDDEN && herald.ErrorCode(err) != herald.ECONFLICT {
		t.Fatalf("an editor verified their own record: %v", err)
	}
	if got, err := svc.ReviewPlacement(e.Ctx, w.Editor, pl.ID, true, ""); err != nil || got.Status != herald.PlacementVerified {
		t.Fatalf("verify: %+v %v", got, err)
	}
	if jobs, n, _ := e.Store.FindJobs(e.Ctx, herald.JobFilter{Kind: scoring.KindRun}); n == 0 {
		t.Fatalf("no scoring run was queued after the review: %v", jobs)
	}
	if err := svc.Recognize(e.Ctx, w.Editor, &herald.Recognition{ArticleID: a.ID, Kind: herald.RecognitionEndorsement, Day: herald.CSTDay(e.Now)}); herald.ErrorCode(err) != herald.EFORBIDDEN {
		t.Fatalf("an editor recorded an endorsement: %v", err)
	}
	if err := svc.Recognize(e.Ctx, w.Chief, &herald.Recognition{ArticleID: a.ID, Kind: herald.RecognitionEndorsement, Day: herald.CSTDay(e.Now)}); err != nil {
		t.Fatal(err)
	}
	if err := svc.CreateRules(e.Ctx, w.Chief, &herald.RuleSet{EffectiveFrom: e.Now}); herald.ErrorCode(err) != herald.EFORBIDDEN {
		t.Fatalf("the editor-in-chief changed the rules: %v", err)
	}
	if err := svc.SetQuota(e.Ctx, w.Writer, &herald.Quota{UnitID: w.City.ID, Month: "2026-12", Target: 3}); herald.ErrorCode(err) != herald.EFORBIDDEN {
		t.Fatalf("a writer set a quota: %v", err)
	}
}

// A store filled with a past at once is scored as it would have been, each
// entry dated by its event, and an ordinary run afterwards adds nothing.
func TestReplayDatesEntriesByTheirEvents(t *testing.T) {
	e := channeltest.New(t, nil)
	svc := scoring.New(e.Store, e.Clock, e.Log)
	w := e.World
	start := herald.CSTDay(e.Now).AddDate(0, -6, 0)
	if err := e.Store.CreateRules(e.Ctx, &herald.RuleSet{EffectiveFrom: start, Rules: herald.Rules{Submission: 100,
		Adoption: map[herald.ArticleKind]herald.Points{herald.KindNews: 300}}}, herald.Event{At: start, ActorID: w.Admin.ID}); err != nil {
		t.Fatal(err)
	}
	for m := range 5 {
		at := start.AddDate(0, m, 10).Add(9 * time.Hour)
		a := &herald.Article{ArticleContent: storetest.Content(w.Local, "历史稿件"), UnitID: w.City.ID, CreatedBy: w.Writer.ID, Status: herald.StatusDraft}
		a.Authors = []herald.Author{{StaffID: w.Writer.ID}}
		if err := e.Store.CreateArticle(e.Ctx, a, herald.Event{At: at, ActorID: w.Writer.ID}); err != nil {
			t.Fatal(err)
		}
		for _, step := range []struct {
			action string
			status herald.Status
		}{{"submit", herald.StatusSubmitted}, {"publish", herald.StatusPublished}} {
			at = at.Add(2 * time.Hour)
			if _, err := e.Store.UpdateArticle(e.Ctx, a.ID, func(a *herald.Article) (herald.ArticleChange, error) {
				a.Status = step.status
				if step.status == herald.StatusPublished {
					p := at
					a.PublishedAt = &p
				}
				return herald.ArticleChange{Event: herald.Event{At: at, ActorID: w.Editor.ID, Action: step.action}}, nil
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	n, err := svc.Replay(e.Ctx, start, e.Now, 7*24*time.Hour)
	if err != nil || n != 10 {
		t.Fatalf("replay added %d (%v), want 10", n, err)
	}
	entries, _, _ := e.Store.FindLedger(e.Ctx, herald.LedgerFilter{})
	months := map[string]int{}
	for _, en := range entries {
		months[en.Day.Format("2006-01")]++
		if strings.Contains(en.Note, "closed month") {
			t.Fatalf("a replayed entry was posted late: %+v", en)
		}
	}
	if len(months) != 5 {
		t.Fatalf("entries by month = %v, want two in each of five months", months)
	}
	if again, err := svc.Run(e.Ctx); err != nil || again != 0 {
		t.Fatalf("a run after the replay added %d (%v)", again, err)
	}
}
