package storetest

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
)

// testPlanning holds topic plans, assignments and calendar feeds to their
// rules: references checked by field, saves refused on a stale version,
// each change audited with the assignment's states, filters that select
// what they say, one feed per owner, and all of it kept by a backup.
func testPlanning(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	w := NewWorld(t, s)
	day := func(s string) time.Time {
		d, err := herald.ParseDay(s)
		must(t, err)
		return d
	}
	plan := &herald.TopicPlan{Title: "雄安新区法治保障宣传月", ThemeID: w.Theme.ID, Occasion: "雄安新区设立九周年", Brief: "围绕法治保障组织系列报道",
		Channels: []herald.Channel{herald.ChannelMicroblog, herald.ChannelWebsite, herald.ChannelWebsite}, Start: day("2026-11-20"), End: day("2026-12-20"),
		UnitIDs: []int64{w.County.ID, w.City.ID}, CreatedBy: w.Chief.ID}

	t.Run("plans", func(t *testing.T) {
		bad := *plan
		bad.ThemeID, bad.UnitIDs = 999, []int64{w.City.ID, 998}
		wantCode(t, s.CreatePlan(ctx, &bad, ev(w.Chief.ID)), herald.EINVALID, "theme_id")
		wantCode(t, s.CreatePlan(ctx, &bad, ev(w.Chief.ID)), herald.EINVALID, "unit_ids")
		backwards := *plan
		backwards.End = day("2026-11-01")
		wantCode(t, s.CreatePlan(ctx, &backwards, ev(w.Chief.ID)), herald.EINVALID, "end")
		must(t, s.CreatePlan(ctx, plan, ev(w.Chief.ID)))
		got, err := s.FindPlanByID(ctx, plan.ID)
		must(t, err)
		if got.Title != plan.Title || got.Version != 1 || fmt.Sprint(got.Channels) != "[website microblog]" ||
			fmt.Sprint(got.UnitIDs) != fmt.Sprint([]int64{w.City.ID, w.County.ID}) || !got.Start.Equal(day("2026-11-20")) || !got.End.Equal(day("2026-12-20")) ||
			!got.CreatedAt.Equal(T0) || got.CreatedBy != w.Chief.ID {
			t.Fatalf("stored plan %+v", got)
		}
		stale := *got
		got.Title, got.UnitIDs = "雄安新区法治保障宣传季", []int64{w.City.ID}
		must(t, s.UpdatePlan(ctx, got, herald.Event{At: T0.Add(time.Hour), ActorID: w.Editor.ID}))
		if got.Version != 2 || !got.UpdatedAt.Equal(T0.Add(time.Hour)) {
			t.Fatalf("after update: version %d at %v", got.Version, got.UpdatedAt)
		}
		stale.Title = "过时的修改"
		wantCode(t, s.UpdatePlan(ctx, &stale, ev(w.Editor.ID)), herald.ECONFLICT, "")
		again, _ := s.FindPlanByID(ctx, plan.ID)
		if again.Title != "雄安新区法治保障宣传季" || len(again.UnitIDs) != 1 {
			t.Fatalf("a refused update changed the plan: %+v", again)
		}
		events, err := s.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityTopicPlan, EntityID: plan.ID})
		must(t, err)
		if len(events) != 2 || events[0].Action != "create" || events[1].Action != "update" || events[1].ActorID != w.Editor.ID {
			t.Fatalf("plan events %+v", events)
		}
		other := &herald.TopicPlan{Title: "基层治理", ThemeID: w.Theme.ID, Occasion: "专项行动", Channels: []herald.Channel{herald.ChannelWebsite},
			Start: day("2027-01-01"), End: day("2027-01-31"), UnitIDs: []int64{w.County.ID}, CreatedBy: w.Chief.ID}
		must(t, s.CreatePlan(ctx, other, ev(w.Chief.ID)))
		for _, c := range []struct {
			f    herald.PlanFilter
			want []int64
		}{
			{herald.PlanFilter{}, []int64{other.ID, plan.ID}}, // the latest start first
			{herald.PlanFilter{UnitIDs: []int64{w.City.ID}}, []int64{plan.ID}},
			{herald.PlanFilter{UnitIDs: []int64{}}, nil},
			{herald.PlanFilter{ActiveOn: ptrTime(day("2026-12-20"))}, []int64{plan.ID}},
			{herald.PlanFilter{ActiveOn: ptrTime(day("2026-12-21"))}, nil},
			{herald.PlanFilter{ThemeID: w.Theme.ID, Limit: 1, Offset: 1}, []int64{plan.ID}},
			{herald.PlanFilter{IDs: []int64{other.ID}}, []int64{other.ID}},
		} {
			plans, total, err := s.FindPlans(ctx, c.f)
			must(t, err)
			var ids []int64
			for _, p := range plans {
				ids = append(ids, p.ID)
			}
			if fmt.Sprint(ids) != fmt.Sprint(c.want) || c.f.Limit == 0 && total != len(c.want) {
				t.Errorf("FindPlans(%+v) = %v (%d), want %v", c.f, ids, total, c.want)
			}
		}
		// a list gives each plan its own units
		plans, _, err := s.FindPlans(ctx, herald.PlanFilter{})
		must(t, err)
		if len(plans) != 2 || fmt.Sprint(plans[0].UnitIDs) != fmt.Sprint([]int64{w.County.ID}) || fmt.Sprint(plans[1].UnitIDs) != fmt.Sprint([]int64{w.City.ID}) {
			t.Errorf("listed plans' units: %v", plans)
		}
	})

	due := time.Date(2026, 11, 30, 0, 0, 0, 0, herald.CST)
	var unitPiece, ownPiece, standalone *herald.Assignment
	t.Run("assignments", func(t *testing.T) {
		unitPiece = &herald.Assignment{PlanID: plan.ID, Title: "雄安法治保障见闻", Brief: "采访一线", UnitID: w.City.ID, Due: due,
			Status: herald.AssignmentAssigned, CreatedBy: w.Chief.ID}
		ownPiece = &herald.Assignment{PlanID: plan.ID, Title: "县级法律服务站", UnitID: w.County.ID, AssigneeID: w.CountyWriter.ID,
			Due: due.Add(17 * time.Hour), Status: herald.AssignmentAssigned, CreatedBy: w.Chief.ID}
		standalone = &herald.Assignment{Title: "年终综述", UnitID: w.City.ID, Due: due.AddDate(0, 0, 10), Status: herald.AssignmentAssigned, CreatedBy: w.Editor.ID}
		broken := &herald.Assignment{PlanID: 999, Title: "坏的", UnitID: w.City.ID, AssigneeID: 998, Due: due, Status: herald.AssignmentAssigned, CreatedBy: w.Chief.ID}
		err := s.CreateAssignments(ctx, []*herald.Assignment{unitPiece, broken}, ev(w.Chief.ID))
		wantCode(t, err, herald.EINVALID, "plan_id")
		wantCode(t, err, herald.EINVALID, "assignee_id")
		if found, _, _ := s.FindAssignments(ctx, herald.AssignmentFilter{}); len(found) != 0 {
			t.Fatalf("a refused batch stored %d assignments", len(found))
		}
		declined := *unitPiece
		declined.Status = herald.AssignmentDeclined
		wantCode(t, s.CreateAssignments(ctx, []*herald.Assignment{&declined}, ev(w.Chief.ID)), herald.EINVALID, "decline_reason")
		unitPiece.ID = 0
		must(t, s.CreateAssignments(ctx, []*herald.Assignment{unitPiece, ownPiece}, ev(w.Chief.ID)))
		must(t, s.CreateAssignments(ctx, []*herald.Assignment{standalone}, ev(w.Editor.ID)))
		got, err := s.FindAssignmentByID(ctx, ownPiece.ID)
		must(t, err)
		if got.PlanID != plan.ID || got.AssigneeID != w.CountyWriter.ID || !got.Due.Equal(ownPiece.Due) || got.Status != herald.AssignmentAssigned ||
			got.Version != 1 || got.ArticleID != 0 || got.AllDay() || !got.CreatedAt.Equal(T0) {
			t.Fatalf("stored assignment %+v", got)
		}
		if s2, _ := s.FindAssignmentByID(ctx, standalone.ID); s2.PlanID != 0 || !s2.AllDay() {
			t.Fatalf("standalone %+v", s2)
		}
		_, err = s.FindAssignmentByID(ctx, 9999)
		wantCode(t, err, herald.ENOTFOUND, "")

		// accept, then a stale copy is refused
		stale := *got
		got.Status = herald.AssignmentAccepted
		must(t, s.UpdateAssignment(ctx, got, herald.Event{At: T0.Add(time.Minute), ActorID: w.CountyWriter.ID, Action: herald.ActionAccept}))
		if got.Version != 2 {
			t.Fatalf("version %d after an update", got.Version)
		}
		stale.Status = herald.AssignmentDeclined
		stale.DeclineReason = "人手不足"
		wantCode(t, s.UpdateAssignment(ctx, &stale, ev(w.CountyWriter.ID)), herald.ECONFLICT, "")
		a := &herald.Article{ArticleContent: Content(w.Local, "县级法律服务站走访"), UnitID: w.County.ID, CreatedBy: w.CountyWriter.ID, Status: herald.StatusSubmitted}
		must(t, s.CreateArticle(ctx, a, ev(w.CountyWriter.ID)))
		got.Status, got.ArticleID = herald.AssignmentSubmitted, 4242
		wantCode(t, s.UpdateAssignment(ctx, got, ev(w.CountyWriter.ID)), herald.EINVALID, "article_id")
		got.ArticleID = a.ID
		must(t, s.UpdateAssignment(ctx, got, herald.Event{At: T0.Add(2 * time.Minute), ActorID: w.CountyWriter.ID, Action: herald.ActionSubmit}))
		events, err := s.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityAssignment, EntityID: got.ID})
		must(t, err)
		var trail []string
		for _, e := range events {
			trail = append(trail, fmt.Sprintf("%s %s>%s by %d", e.Action, e.FromStatus, e.ToStatus, e.ActorID))
		}
		if want := fmt.Sprintf("[assign >assigned by %d accept assigned>accepted by %d submit accepted>submitted by %d]", w.Chief.ID, w.CountyWriter.ID, w.CountyWriter.ID); fmt.Sprint(trail) != want {
			t.Fatalf("events %v, want %s", trail, want)
		}

		for _, c := range []struct {
			name string
			f    herald.AssignmentFilter
			want []int64
		}{
			{"all, soonest due first", herald.AssignmentFilter{}, []int64{unitPiece.ID, ownPiece.ID, standalone.ID}},
			{"plan", herald.AssignmentFilter{PlanID: plan.ID}, []int64{unitPiece.ID, ownPiece.ID}},
			{"plans", herald.AssignmentFilter{PlanIDs: []int64{plan.ID, 999}}, []int64{unitPiece.ID, ownPiece.ID}},
			{"no plans", herald.AssignmentFilter{PlanIDs: []int64{}}, nil},
			{"unit", herald.AssignmentFilter{UnitIDs: []int64{w.City.ID}}, []int64{unitPiece.ID, standalone.ID}},
			{"no units", herald.AssignmentFilter{UnitIDs: []int64{}}, nil},
			{"assignee", herald.AssignmentFilter{AssigneeID: w.CountyWriter.ID}, []int64{ownPiece.ID}},
			{"statuses", herald.AssignmentFilter{Statuses: []herald.AssignmentStatus{herald.AssignmentAssigned}}, []int64{unitPiece.ID, standalone.ID}},
			{"no statuses", herald.AssignmentFilter{Statuses: []herald.AssignmentStatus{}}, nil},
			{"due before", herald.AssignmentFilter{DueBefore: ptrTime(due.Add(17 * time.Hour))}, []int64{unitPiece.ID}},
			{"due after", herald.AssignmentFilter{DueAfter: ptrTime(due.Add(17 * time.Hour))}, []int64{ownPiece.ID, standalone.ID}},
			{"article", herald.AssignmentFilter{ArticleID: a.ID}, []int64{ownPiece.ID}},
			{"given by", herald.AssignmentFilter{CreatedBy: w.Editor.ID}, []int64{standalone.ID}},
			{"ids", herald.AssignmentFilter{IDs: []int64{standalone.ID, unitPiece.ID}}, []int64{unitPiece.ID, standalone.ID}},
			{"page", herald.AssignmentFilter{Limit: 1, Offset: 1}, []int64{ownPiece.ID}},
			{"one's own: given to them", herald.AssignmentFilter{For: &herald.AssignmentsFor{StaffID: w.CountyWriter.ID, UnitID: w.County.ID}}, []int64{ownPiece.ID}},
			{"one's own: their unit's, nobody's yet", herald.AssignmentFilter{For: &herald.AssignmentsFor{StaffID: w.Writer.ID, UnitID: w.City.ID}}, []int64{unitPiece.ID, standalone.ID}},
			{"one's own: another's in their unit is not", herald.AssignmentFilter{For: &herald.AssignmentsFor{StaffID: w.Writer.ID, UnitID: w.County.ID}}, nil},
			{"one's own: and given", herald.AssignmentFilter{For: &herald.AssignmentsFor{StaffID: w.Editor.ID, UnitID: w.Center.ID, Given: true}}, []int64{standalone.ID}},
			{"one's own: given, not asked", herald.AssignmentFilter{For: &herald.AssignmentsFor{StaffID: w.Editor.ID, UnitID: w.Center.ID}}, nil},
			{"one's own and a date", herald.AssignmentFilter{For: &herald.AssignmentsFor{StaffID: w.Writer.ID, UnitID: w.City.ID}, DueAfter: ptrTime(due.Add(time.Hour))}, []int64{standalone.ID}},
		} {
			found, total, err := s.FindAssignments(ctx, c.f)
			must(t, err)
			var ids []int64
			for _, a := range found {
				ids = append(ids, a.ID)
			}
			wantTotal := len(c.want)
			if c.f.Limit > 0 {
				wantTotal = 3
			}
			if fmt.Sprint(ids) != fmt.Sprint(c.want) || total != wantTotal && len(found) > 0 {
				t.Errorf("%s: %v (%d), want %v", c.name, ids, total, c.want)
			}
		}
	})

	t.Run("calendar feeds", func(t *testing.T) {
		hash := func(c string) string { return strings.Repeat(c, 64) }
		wantCode(t, s.ResetCalendarFeed(ctx, &herald.CalendarFeed{StaffID: w.Writer.ID, UnitID: w.City.ID, Hash: hash("a")}, ev(w.Writer.ID)), herald.EINVALID, "owner")
		wantCode(t, s.ResetCalendarFeed(ctx, &herald.CalendarFeed{StaffID: 9999, Hash: hash("a")}, ev(w.Writer.ID)), herald.EINVALID, "staff_id")
		mine := &herald.CalendarFeed{StaffID: w.Writer.ID, Hash: hash("a")}
		must(t, s.ResetCalendarFeed(ctx, mine, ev(w.Writer.ID)))
		city := &herald.CalendarFeed{UnitID: w.City.ID, Hash: hash("b")}
		must(t, s.ResetCalendarFeed(ctx, city, ev(w.Writer.ID)))
		got, err := s.FindCalendarFeedByHash(ctx, hash("a"))
		must(t, err)
		if got.StaffID != w.Writer.ID || got.UnitID != 0 || got.CreatedBy != w.Writer.ID || !got.CreatedAt.Equal(T0) {
			t.Fatalf("feed %+v", got)
		}
		// a reset replaces the owner's feed: the old secret finds nothing
		must(t, s.ResetCalendarFeed(ctx, &herald.CalendarFeed{StaffID: w.Writer.ID, Hash: hash("c")}, ev(w.Writer.ID)))
		_, err = s.FindCalendarFeedByHash(ctx, hash("a"))
		wantCode(t, err, herald.ENOTFOUND, "")
		if got, err := s.FindCalendarFeed(ctx, w.Writer.ID, 0); err != nil || got.Hash != hash("c") {
			t.Fatalf("the writer's feed: %+v %v", got, err)
		}
		if got, err := s.FindCalendarFeed(ctx, 0, w.City.ID); err != nil || got.Hash != hash("b") {
			t.Fatalf("the city's feed: %+v %v", got, err)
		}
		_, err = s.FindCalendarFeed(ctx, w.Editor.ID, 0)
		wantCode(t, err, herald.ENOTFOUND, "")
		events, _ := s.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityCalendarFeed})
		if len(events) != 3 || events[2].Action != "reset" {
			t.Fatalf("feed events %+v", events)
		}
	})

	t.Run("backup", func(t *testing.T) {
		var buf bytes.Buffer
		must(t, s.Dump(ctx, &buf))
		dst := open(t)
		must(t, dst.Load(ctx, bytes.NewReader(buf.Bytes())))
		if a, b := dumpBody(t, s), dumpBody(t, dst); a != b {
			t.Fatal("the restored planning differs from the original")
		}
		got, err := dst.FindPlanByID(ctx, plan.ID)
		must(t, err)
		if len(got.UnitIDs) != 1 {
			t.Fatalf("restored plan %+v", got)
		}
		fresh := &herald.Assignment{Title: "恢复后新派", UnitID: w.City.ID, Due: due, Status: herald.AssignmentAssigned, CreatedBy: w.Chief.ID}
		must(t, dst.CreateAssignments(ctx, []*herald.Assignment{fresh}, ev(w.Chief.ID)))
		if fresh.ID <= standalone.ID {
			t.Fatalf("a new assignment reuses ID %d", fresh.ID)
		}
	})
}

func ptrTime(t time.Time) *time.Time { return &t }
