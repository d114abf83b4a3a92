package planning_test

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/delivery"
	"github.com/heraldnews/herald/demo"
	"github.com/heraldnews/herald/planning"
	"github.com/heraldnews/herald/sqlite"
	"github.com/heraldnews/herald/workflow"
)

// TestAssignWritePublishCompletes runs the story on the demo
// province: the publicity centre assigns a piece to three city bureaus in
// one go; Baoding's correspondent accepts, writes, submits and hands in an
// article; editors publish it through the workflow, whose publication
// queues the completion job in its own transaction; the job completes the
// assignment with one event, and running it again changes nothing. The
// refusals the issue names are checked on the way.
func TestAssignWritePublishCompletes(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "e2e.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	var seeded *demo.Seeded
	if err := sqlite.Unsynced(ctx, s, func() error { seeded, err = demo.Seed(ctx, s, now, demo.WithoutHistory()); return err }); err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return now }
	plans := planning.New(s, clock)
	wf := workflow.NewService(s, clock)
	wf.Follow = func(from herald.Status, a *herald.Article) []*herald.Job {
		return append(delivery.Follow(from, a), planning.Follow(from, a)...)
	}
	staff := seeded.Staff
	unit := func(code string) *herald.Unit {
		us, _, err := s.FindUnits(ctx, herald.UnitFilter{Code: code})
		if err != nil || len(us) != 1 {
			t.Fatalf("unit %s: %v", code, err)
		}
		return us[0]
	}
	themes, _ := s.FindThemes(ctx)
	bd, hs, xt, sjz := unit("BD"), unit("HS"), unit("XT"), unit("SJZ")
	chief := staff["wangyalan"]
	plan := &herald.TopicPlan{Title: "法治政府建设宣传月", ThemeID: themes[0].ID, Occasion: "法治政府建设示范创建", Channels: []herald.Channel{herald.ChannelWebsite},
		Start: herald.CSTDay(now), End: herald.CSTDay(now).AddDate(0, 0, 30), UnitIDs: []int64{bd.ID, hs.ID, xt.ID}}
	if err := plans.CreatePlan(ctx, chief, plan); err != nil {
		t.Fatal(err)
	}
	piece := herald.Assignment{PlanID: plan.ID, Title: "示范创建一线见闻", Brief: "写一个执法规范化的实例", Due: herald.CSTDay(now).AddDate(0, 0, 3)}
	wantRefused := func(name string, err error, code, field string) {
		t.Helper()
		if herald.ErrorCode(err) != code {
			t.Fatalf("%s: %v, want %s", name, err, code)
		}
		for _, fe := range herald.ErrorFields(err) {
			if fe.Field == field {
				return
			}
		}
		if field != "" {
			t.Fatalf("%s: %v does not name %s", name, err, field)
		}
	}
	// the refusals: each changes nothing
	past := piece
	past.Due = herald.CSTDay(now).AddDate(0, 0, -1)
	_, err = plans.Assign(ctx, chief, past, []planning.Target{{UnitID: bd.ID}})
	wantRefused("due in the past", err, herald.EINVALID, "due")
	disabled := staff["cuiying"]
	yes := true
	if _, err := s.UpdateStaff(ctx, disabled.ID, herald.StaffUpdate{Disabled: &yes}, herald.Event{At: now}); err != nil {
		t.Fatal(err)
	}
	_, err = plans.Assign(ctx, chief, piece, []planning.Target{{UnitID: bd.ID, AssigneeID: disabled.ID}})
	wantRefused("disabled assignee", err, herald.EINVALID, "assignee_id")
	no := false
	if _, err := s.UpdateStaff(ctx, disabled.ID, herald.StaffUpdate{Disabled: &no}, herald.Event{At: now}); err != nil {
		t.Fatal(err)
	}
	_, err = plans.Assign(ctx, chief, piece, []planning.Target{{UnitID: bd.ID, AssigneeID: staff["shenmin"].ID}})
	wantRefused("assignee of another unit", err, herald.EINVALID, "assignee_id")
	_, err = plans.Assign(ctx, chief, piece, []planning.Target{{UnitID: sjz.ID}})
	wantRefused("unit outside the plan", err, herald.EINVALID, "unit_ids")
	_, err = plans.Assign(ctx, staff["cuiying"], piece, []planning.Target{{UnitID: bd.ID}})
	wantRefused("a correspondent assigning", err, herald.EFORBIDDEN, "")
	_, err = plans.Assign(ctx, staff["yangxue"], piece, []planning.Target{{UnitID: hs.ID}}) // Baoding's editor, outside her scope
	wantRefused("an editor outside her scope", err, herald.EFORBIDDEN, "unit_ids")
	if as, _, _ := s.FindAssignments(ctx, herald.AssignmentFilter{PlanID: plan.ID}); len(as) != 0 {
		t.Fatalf("refusals stored %d assignments", len(as))
	}

	given, err := plans.Assign(ctx, chief, piece, []planning.Target{{UnitID: bd.ID}, {UnitID: hs.ID, AssigneeID: staff["shenmin"].ID}, {UnitID: xt.ID}})
	if err != nil || len(given) != 3 {
		t.Fatalf("assign to three bureaus: %v", err)
	}
	baoding := given[0]
	writer := staff["cuiying"]
	if _, err := plans.Do(ctx, writer, baoding.ID, planning.ActDecline, planning.Request{}); herald.ErrorCode(err) != herald.EINVALID {
		t.Fatalf("decline without a reason: %v", err)
	}
	if _, err := plans.Do(ctx, writer, given[1].ID, planning.ActAccept, planning.Request{}); herald.ErrorCode(err) != herald.EFORBIDDEN {
		t.Fatalf("accepting another unit's piece: %v", err)
	}
	a, err := plans.Do(ctx, writer, baoding.ID, planning.ActAccept, planning.Request{})
	if err != nil || a.Status != herald.AssignmentAccepted || a.AssigneeID != writer.ID {
		t.Fatalf("accept: %+v %v", a, err)
	}
	if a, err = plans.Do(ctx, writer, baoding.ID, planning.ActStart, planning.Request{Version: a.Version}); err != nil {
		t.Fatal(err)
	}
	if _, err := plans.Do(ctx, writer, baoding.ID, planning.ActStart, planning.Request{}); herald.ErrorCode(err) != herald.ECONFLICT {
		t.Fatalf("starting twice: %v", err)
	}
	cols, _ := s.FindColumns(ctx)
	var grassroots *herald.Column
	for _, c := range cols {
		if c.Slug == "grassroots" {
			grassroots = c
		}
	}
	art, err := wf.Create(ctx, writer, workflow.Draft{ArticleContent: herald.ArticleContent{Title: "保定市推行行政执法“三项制度”见闻",
		Body: "<p>保定市某执法大队全程记录执法过程。</p>", ColumnID: grassroots.ID, Source: "保定市司法局"}})
	if err != nil {
		t.Fatal(err)
	}
	other, err := wf.Create(ctx, staff["shenmin"], workflow.Draft{ArticleContent: herald.ArticleContent{Title: "衡水稿件", Body: "<p>衡水。</p>", ColumnID: grassroots.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plans.Do(ctx, writer, baoding.ID, planning.ActSubmit, planning.Request{ArticleID: other.ID}); herald.ErrorCode(err) != herald.EINVALID {
		t.Fatalf("handing in another unit's article: %v", err)
	}
	if _, err := wf.Do(ctx, writer, art.ID, workflow.ActSubmit, workflow.Request{}); err != nil {
		t.Fatal(err)
	}
	if a, err = plans.Do(ctx, writer, baoding.ID, planning.ActSubmit, planning.Request{ArticleID: art.ID}); err != nil || a.Status != herald.AssignmentSubmitted {
		t.Fatalf("hand in: %+v %v", a, err)
	}
	if _, err := wf.Do(ctx, staff["liuxiaomin"], art.ID, workflow.ActApprove, workflow.Request{}); err != nil {
		t.Fatal(err)
	}
	if _, err := wf.Do(ctx, staff["liuxiaomin"], art.ID, workflow.ActPublish, workflow.Request{}); err != nil {
		t.Fatal(err)
	}
	// the publication queued the completion job, keyed by the article
	jobs, _, err := s.FindJobs(ctx, herald.JobFilter{Kind: planning.KindComplete})
	if err != nil || len(jobs) != 1 || jobs[0].Key != "planning.complete/"+strconv.FormatInt(art.ID, 10) {
		t.Fatalf("completion jobs: %+v %v", jobs, err)
	}
	for range 2 { // at least once; the second run finds nothing to do
		if err := plans.RunCompleteJob(ctx, jobs[0]); err != nil {
			t.Fatal(err)
		}
	}
	a, _ = s.FindAssignmentByID(ctx, baoding.ID)
	if a.Status != herald.AssignmentPublished || a.ArticleID != art.ID {
		t.Fatalf("after publication: %+v", a)
	}
	events, _ := s.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityAssignment, EntityID: baoding.ID})
	var trail []string
	for _, e := range events {
		trail = append(trail, e.Action)
	}
	if got := strings.Join(trail, " "); got != "assign accept start submit publish" {
		t.Fatalf("events: %s", got)
	}
	if last := events[len(events)-1]; last.ActorID != 0 || last.FromStatus != "submitted" || last.ToStatus != "published" {
		t.Fatalf("the completion event %+v", last)
	}
	// re-queueing the same publication queues nothing new
	if err := s.EnqueueJobs(ctx, now, planning.Follow(herald.StatusApproved, &herald.Article{ID: art.ID, Status: herald.StatusPublished})...); err != nil {
		t.Fatal(err)
	}
	if jobs, _, _ := s.FindJobs(ctx, herald.JobFilter{Kind: planning.KindComplete}); len(jobs) != 1 {
		t.Fatalf("%d completion jobs after re-queueing", len(jobs))
	}
	// a published article handed in later completes at once
	hengshui := given[1]
	if _, err := wf.Do(ctx, staff["shenmin"], other.ID, workflow.ActSubmit, workflow.Request{}); err != nil {
		t.Fatal(err)
	}
	if _, err := wf.Do(ctx, staff["liuxiaomin"], other.ID, workflow.ActApprove, workflow.Request{}); err != nil {
		t.Fatal(err)
	}
	if _, err := wf.Do(ctx, staff["liuxiaomin"], other.ID, workflow.ActPublish, workflow.Request{}); err != nil {
		t.Fatal(err)
	}
	if a, err := plans.Do(ctx, staff["shenmin"], hengshui.ID, planning.ActSubmit, planning.Request{ArticleID: other.ID}); err != nil || a.Status != herald.AssignmentPublished {
		t.Fatalf("handing in a published article: %+v %v", a, err)
	}
	if _, err := plans.Do(ctx, staff["shenmin"], hengshui.ID, planning.ActCancel, planning.Request{}); herald.ErrorCode(err) != herald.EFORBIDDEN {
		t.Fatalf("a writer cancelling: %v", err)
	}
	if a, err := plans.Do(ctx, chief, given[2].ID, planning.ActCancel, planning.Request{Reason: "改派"}); err != nil || a.Status != herald.AssignmentCancelled {
		t.Fatalf("cancel: %+v %v", a, err)
	}
}
