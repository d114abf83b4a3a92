package notify_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/internal/channeltest"
	"github.com/heraldnews/herald/notify"
	"github.com/heraldnews/herald/storetest"
	"github.com/heraldnews/herald/workflow"
)

// env is a newsroom with a notifier on the test's clock.
type env struct {
	*channeltest.Env
	svc *notify.Service
}

func newEnv(t *testing.T) *env {
	e := &env{Env: channeltest.New(t, nil)}
	e.svc = notify.New(e.Store, e.Clock, e.Log)
	e.svc.RegisterJobs(e.Runner)
	return e
}

// run runs the notifier and returns how many notifications it made.
func (e *env) run(t *testing.T) int {
	t.Helper()
	n, err := e.svc.Run(e.Ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// notes lists a person's in-app notifications, newest first.
func (e *env) notes(t *testing.T, staff *herald.Staff) []*herald.Notification {
	t.Helper()
	list, _, err := e.Store.FindNotifications(e.Ctx, herald.NotificationFilter{StaffID: staff.ID})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// rejected has the writer write and submit an article (with the county
// writer as second author) and the editor-in-chief send it back.
func (e *env) rejected(t *testing.T, reason string) *herald.Article {
	t.Helper()
	c := storetest.Content(e.World.News, "市司法局开展普法宣传月活动")
	c.Authors = []herald.Author{{StaffID: e.World.Writer.ID}, {StaffID: e.World.CountyWriter.ID}, {Name: "通讯员 李明"}}
	a, err := e.Flow.Create(e.Ctx, e.World.Writer, workflow.Draft{ArticleContent: c})
	if err != nil {
		t.Fatal(err)
	}
	e.Do(t, e.World.Writer, a.ID, workflow.ActSubmit, workflow.Request{})
	return e.Do(t, e.World.Chief, a.ID, workflow.ActReject, workflow.Request{Comment: reason})
}

func TestRejectionTellsTheAuthorsWithTheReason(t *testing.T) {
	e := newEnv(t)
	a := e.rejected(t, "请补充活动的具体数据")
	if n := e.run(t); n != 2 {
		t.Fatalf("made %d notifications, want 2 (the two authors with accounts)", n)
	}
	for _, st := range []*herald.Staff{e.World.Writer, e.World.CountyWriter} {
		list := e.notes(t, st)
		if len(list) != 1 {
			t.Fatalf("%s has %d notifications, want 1", st.Username, len(list))
		}
		n := list[0]
		if n.Kind != herald.NotifyRejected || n.Body != "请补充活动的具体数据" || n.Title != a.Title || n.Link != "/newsroom/articles/"+strconv.FormatInt(a.ID, 10) ||
			n.Entity != herald.EntityArticle || n.EntityID != a.ID || n.EventID == 0 || !n.InApp || n.Email {
			t.Fatalf("notification = %+v", n)
		}
		if got := notify.Headline("zh-CN", n); got != "稿件《"+a.Title+"》被退回修改" {
			t.Errorf("headline = %q", got)
		}
		if got := notify.Headline("en", n); !strings.Contains(got, "was sent back") {
			t.Errorf("English headline = %q", got)
		}
	}
	if list := e.notes(t, e.World.Chief); len(list) != 0 {
		t.Fatalf("the reviewer was told of their own rejection: %+v", list)
	}
	// the cursor is at the end of the log, and running again adds nothing
	last, _ := e.Store.LastEventID(e.Ctx)
	if cur, _ := e.Store.NotifierCursor(e.Ctx); cur != last {
		t.Fatalf("cursor = %d, want %d", cur, last)
	}
	if n := e.run(t); n != 0 {
		t.Fatalf("running again made %d", n)
	}
	// without a relay there is no mail job at all
	if jobs, _, _ := e.Store.FindJobs(e.Ctx, herald.JobFilter{Kind: notify.KindMail}); len(jobs) != 0 {
		t.Fatalf("mail jobs without a relay: %d", len(jobs))
	}
}

func TestPublicationTellsTheAuthorsAndTheAssigner(t *testing.T) {
	e := newEnv(t)
	w := e.World
	c := storetest.Content(w.Local, "正定县开展法律援助进村活动")
	a, err := e.Flow.Create(e.Ctx, w.Writer, workflow.Draft{ArticleContent: c})
	if err != nil {
		t.Fatal(err)
	}
	as := &herald.Assignment{Title: "法律援助进村", UnitID: w.City.ID, AssigneeID: w.Writer.ID, Due: e.Now.Add(72 * time.Hour),
		Status: herald.AssignmentSubmitted, ArticleID: a.ID, CreatedBy: w.Editor.ID}
	if err := e.Store.CreateAssignments(e.Ctx, []*herald.Assignment{as}, herald.Event{At: e.Now, ActorID: w.Editor.ID}); err != nil {
		t.Fatal(err)
	}
	e.run(t) // the assignment is told; it is not what this test is about
	e.Do(t, w.Writer, a.ID, workflow.ActSubmit, workflow.Request{})
	e.Do(t, w.Chief, a.ID, workflow.ActApprove, workflow.Request{})
	e.Do(t, w.Chief, a.ID, workflow.ActPublish, workflow.Request{})
	if n := e.run(t); n != 2 {
		t.Fatalf("made %d, want 2 (the author and the assigner)", n)
	}
	for _, st := range []*herald.Staff{w.Writer, w.Editor} {
		list := e.notes(t, st)
		if len(list) == 0 || list[0].Kind != herald.NotifyPublished || list[0].EntityID != a.ID {
			t.Fatalf("%s was not told of the publication: %+v", st.Username, list)
		}
	}
	if list := e.notes(t, w.Chief); len(list) != 0 {
		t.Fatalf("the publisher was told: %+v", list)
	}
}

func TestAssignmentsDueSoonAndOverdue(t *testing.T) {
	e := newEnv(t)
	w := e.World
	// given to the city bureau as a whole: its correspondents hear of it
	unit := &herald.Assignment{Title: "宪法宣传周报道", Brief: "围绕宪法宣传周写一篇消息", UnitID: w.City.ID, Due: e.Now.Add(30 * time.Hour),
		Status: herald.AssignmentAssigned, CreatedBy: w.Editor.ID}
	// given to one person, due at the end of a day (an all-day deadline)
	person := &herald.Assignment{Title: "雄安法治建设专访", UnitID: w.County.ID, AssigneeID: w.CountyWriter.ID,
		Due: herald.CSTDay(e.Now).AddDate(0, 0, 3), Status: herald.AssignmentAccepted, CreatedBy: w.Editor.ID}
	if err := e.Store.CreateAssignments(e.Ctx, []*herald.Assignment{unit, person}, herald.Event{At: e.Now, ActorID: w.Editor.ID}); err != nil {
		t.Fatal(err)
	}
	if n := e.run(t); n != 2 {
		t.Fatalf("made %d, want 2 (the city's correspondent, the county writer)", n)
	}
	got := e.notes(t, w.Writer)
	if len(got) != 1 || got[0].Kind != herald.NotifyAssignment || got[0].Body != unit.Brief || got[0].Link != herald.AssignmentLink(unit) {
		t.Fatalf("the city's correspondent got %+v", got)
	}
	if got := e.notes(t, w.CityEditor); len(got) != 0 {
		t.Fatalf("an editor of the unit was told of a unit assignment: %+v", got)
	}
	if got := e.notes(t, w.Editor); len(got) != 0 {
		t.Fatalf("the assigner was told of their own assignment: %+v", got)
	}

	kinds := func(st *herald.Staff) []herald.NotificationKind {
		var ks []herald.NotificationKind
		for _, n := range e.notes(t, st) {
			ks = append(ks, n.Kind)
		}
		return ks
	}
	// 7 hours later the unit's piece is due within a day
	e.Now = e.Now.Add(7 * time.Hour)
	if n := e.run(t); n != 1 {
		t.Fatalf("made %d, want the due-soon one", n)
	}
	if ks := kinds(w.Writer); len(ks) != 2 || ks[0] != herald.NotifyDueSoon {
		t.Fatalf("writer's kinds = %v", ks)
	}
	if n := e.run(t); n != 0 {
		t.Fatalf("due soon told again: %d", n)
	}
	// past its deadline: overdue, to the correspondent and the assigner
	e.Now = e.Now.Add(24 * time.Hour)
	if n := e.run(t); n != 2 {
		t.Fatalf("made %d, want 2 overdue", n)
	}
	if ks := kinds(w.Editor); len(ks) != 1 || ks[0] != herald.NotifyOverdue {
		t.Fatalf("assigner's kinds = %v", ks)
	}
	overdue := e.notes(t, w.Writer)[0]
	if !overdue.At.Equal(unit.Deadline()) || overdue.EventID != 0 || !strings.Contains(notify.Headline("zh-CN", overdue), "已逾期") {
		t.Fatalf("overdue = %+v", overdue)
	}
	// the all-day one is due at the end of its day: due soon during it
	e.Now = person.Due.Add(time.Hour).UTC() // 01:00 CST on the due day
	e.run(t)
	if ks := kinds(w.CountyWriter); len(ks) != 2 || ks[0] != herald.NotifyDueSoon {
		t.Fatalf("county writer's kinds on the due day = %v", ks)
	}
	// a submitted piece is not "due soon"; a cancelled one is never overdue
	person.Status, person.ArticleID = herald.AssignmentCancelled, 0
	if err := e.Store.UpdateAssignment(e.Ctx, person, herald.Event{At: e.Now, ActorID: w.Editor.ID, Action: herald.ActionCancel}); err != nil {
		t.Fatal(err)
	}
	e.Now = e.Now.Add(48 * time.Hour)
	e.run(t)
	if ks := kinds(w.CountyWriter); len(ks) != 2 {
		t.Fatalf("a cancelled assignment was told overdue: %v", ks)
	}
}

func TestPreferencesAreRespected(t *testing.T) {
	e := newEnv(t)
	w := e.World
	// the writer wants no rejections in the newsroom (and has no mail)
	if err := e.Store.SetNotificationPrefs(e.Ctx, w.Writer.ID, herald.NotificationPrefs{herald.NotifyRejected: {InApp: false, Email: true}},
		herald.Event{At: e.Now, ActorID: w.Writer.ID}); err != nil {
		t.Fatal(err)
	}
	e.rejected(t, "标题太长")
	if n := e.run(t); n != 1 {
		t.Fatalf("made %d, want only the county writer's", n)
	}
	if list := e.notes(t, w.Writer); len(list) != 0 {
		t.Fatalf("the writer was told against their choice: %+v", list)
	}
	if unread, _ := e.Store.CountUnreadNotifications(e.Ctx, w.CountyWriter.ID); unread != 1 {
		t.Fatalf("county writer's unread = %d", unread)
	}
}

func TestOldEventsTellNobody(t *testing.T) {
	e := newEnv(t)
	e.rejected(t, "过时")
	e.Now = e.Now.Add(notify.StaleAfter + time.Minute)
	if n := e.run(t); n != 0 {
		t.Fatalf("a stale rejection made %d notifications", n)
	}
	last, _ := e.Store.LastEventID(e.Ctx)
	if cur, _ := e.Store.NotifierCursor(e.Ctx); cur != last {
		t.Fatalf("cursor = %d, want %d: stale events are passed", cur, last)
	}
}

// failingStore refuses to record notifications, as a crash or a broken
// insert would.
type failingStore struct {
	herald.Store
}

func (failingStore) RecordNotifications(context.Context, herald.NotificationBatch) ([]*herald.Notification, error) {
	return nil, errors.New("disk full")
}

func TestAFailedWriteLeavesTheCursor(t *testing.T) {
	e := newEnv(t)
	e.rejected(t, "请核实")
	before, _ := e.Store.NotifierCursor(e.Ctx)
	broken := notify.New(failingStore{e.Store}, e.Clock, nil)
	if _, err := broken.Run(e.Ctx); err == nil {
		t.Fatal("the notifier did not report the failed write")
	}
	if cur, _ := e.Store.NotifierCursor(e.Ctx); cur != before {
		t.Fatalf("cursor moved to %d after a failed write, want %d", cur, before)
	}
	if n := e.run(t); n != 2 {
		t.Fatalf("after the failure the notifier made %d, want the 2 it could not write", n)
	}
}

func TestRunJobQueuesTheNextRun(t *testing.T) {
	e := newEnv(t)
	if err := e.svc.Queue(e.Ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Queue(e.Ctx); err != nil { // the same minute: one job
		t.Fatal(err)
	}
	if ran, err := e.Runner.RunDue(e.Ctx); err != nil || ran != 1 {
		t.Fatalf("ran %d (%v), want 1", ran, err)
	}
	queued, _, _ := e.Store.FindJobs(e.Ctx, herald.JobFilter{Kind: notify.KindRun, Statuses: []herald.JobStatus{herald.JobQueued}})
	if len(queued) != 1 || !queued[0].RunAt.Equal(e.Now.Truncate(notify.Every).Add(notify.Every)) {
		t.Fatalf("next runs = %+v", queued)
	}
}
