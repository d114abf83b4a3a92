package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/workflow"
)

// testWorkflow drives one article through every review level to publication,
// correction and retraction, then checks the audit log recorded each step.
func testWorkflow(t *testing.T, s herald.Store) {
	ctx := context.Background()
	w := NewWorld(t, s)
	now := T0
	wf := workflow.NewService(s, func() time.Time { return now })
	step := func(actor *herald.Staff, id int64, act workflow.Action, req workflow.Request) *herald.Article {
		t.Helper()
		a, err := wf.Do(ctx, actor, id, act, req)
		if err != nil {
			t.Fatalf("%s by %s: %v", act, actor.Username, err)
		}
		now = now.Add(time.Minute)
		return a
	}
	a, err := wf.Create(ctx, w.Writer, workflow.Draft{ArticleContent: Content(w.News, "石家庄市开展民法典进社区活动")})
	must(t, err)
	a = step(w.Writer, a.ID, workflow.ActSubmit, workflow.Request{})
	if a.Status != herald.StatusSubmitted || a.ReviewLevel != 1 {
		t.Fatalf("after submit: %s level %d", a.Status, a.ReviewLevel)
	}
	_, err = wf.Do(ctx, w.Writer, a.ID, workflow.ActApprove, workflow.Request{})
	wantCode(t, err, herald.EFORBIDDEN, "")
	a = step(w.Editor, a.ID, workflow.ActApprove, workflow.Request{Comment: "一审通过"})
	_, err = wf.Do(ctx, w.Editor, a.ID, workflow.ActApprove, workflow.Request{})
	wantCode(t, err, herald.EFORBIDDEN, "")
	a = step(w.Editor2, a.ID, workflow.ActApprove, workflow.Request{Comment: "二审通过"})
	if a.ReviewLevel != 3 {
		t.Fatalf("after two approvals: level %d", a.ReviewLevel)
	}
	_, err = wf.Do(ctx, w.CityEditor, a.ID, workflow.ActApprove, workflow.Request{})
	wantCode(t, err, herald.EFORBIDDEN, "")
	a = step(w.Chief, a.ID, workflow.ActApprove, workflow.Request{Comment: "终审通过"})
	if a.Status != herald.StatusApproved || a.EditorID != w.Chief.ID {
		t.Fatalf("after three approvals: %s, editor %d", a.Status, a.EditorID)
	}
	publishAt := now.Add(time.Hour)
	a = step(w.Chief, a.ID, workflow.ActPublish, workflow.Request{At: &publishAt})
	if a.Status != herald.StatusScheduled {
		t.Fatalf("publish in an hour gave %s", a.Status)
	}
	if n, err := wf.PublishDue(ctx); err != nil || n != 0 {
		t.Fatalf("PublishDue before time = %d, %v", n, err)
	}
	now = publishAt
	if n, err := wf.PublishDue(ctx); err != nil || n != 1 {
		t.Fatalf("PublishDue on time = %d, %v", n, err)
	}
	a, err = s.FindArticleByID(ctx, a.ID)
	must(t, err)
	if a.Status != herald.StatusPublished || !a.PublishedAt.Equal(publishAt) {
		t.Fatalf("scheduled article: %s at %v, want published at %v", a.Status, a.PublishedAt, publishAt)
	}
	corrected := a.ArticleContent.Clone()
	corrected.Body += "<p>（本文有更正）</p>"
	a = step(w.Editor, a.ID, workflow.ActCorrect, workflow.Request{Content: &corrected, Comment: "更正活动日期"})
	if a.Status != herald.StatusPublished || a.CorrectionNote != "更正活动日期" || a.CorrectedAt == nil {
		t.Fatalf("after correction: %+v", a)
	}
	_, err = wf.Do(ctx, w.Editor, a.ID, workflow.ActRetract, workflow.Request{Comment: "撤稿"})
	wantCode(t, err, herald.EFORBIDDEN, "")
	a = step(w.Chief, a.ID, workflow.ActRetract, workflow.Request{Comment: "内容重复，撤回"})
	if a.Status != herald.StatusRetracted {
		t.Fatalf("after retraction: %s", a.Status)
	}

	events, err := s.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityArticle, EntityID: a.ID})
	must(t, err)
	want := []struct {
		action, from, to string
		actor            int64
		level            int
	}{
		{"create", "", "draft", w.Writer.ID, 0},
		{"submit", "draft", "submitted", w.Writer.ID, 1},
		{"approve", "submitted", "submitted", w.Editor.ID, 1},
		{"approve", "submitted", "submitted", w.Editor2.ID, 2},
		{"approve", "submitted", "approved", w.Chief.ID, 3},
		{"schedule", "approved", "scheduled", w.Chief.ID, 0},
		{"publish", "scheduled", "published", 0, 0},
		{"correct", "published", "published", w.Editor.ID, 0},
		{"retract", "published", "retracted", w.Chief.ID, 0},
	}
	if len(events) != len(want) {
		t.Fatalf("%d events, want %d: %+v", len(events), len(want), events)
	}
	for i, e := range events {
		wt := want[i]
		if e.Action != wt.action || e.FromStatus != wt.from || e.ToStatus != wt.to || e.ActorID != wt.actor || e.Level != wt.level {
			t.Errorf("event %d = %s %s→%s by %d level %d; want %+v", i, e.Action, e.FromStatus, e.ToStatus, e.ActorID, e.Level, wt)
		}
	}
	revs, err := s.FindRevisions(ctx, a.ID)
	must(t, err)
	// Revisions: the draft, the final approval naming the responsible editor, the correction.
	if len(revs) != 3 || revs[1].Content.EditorID != w.Chief.ID || revs[2].Note != "correction: 更正活动日期" {
		t.Fatalf("revisions = %+v", revs)
	}
	diff, err := wf.Diff(ctx, w.Chief, a.ID, 2, 3)
	must(t, err)
	if len(diff) != 1 || diff[0].Field != "body" {
		t.Fatalf("diff = %+v", diff)
	}
}
