package training_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/storetest"
)

// Organisers edit a course based on the version they saw; an edit that
// would strand nominations, approvals or sessions is refused naming the
// field, and changes nothing.
func TestCourseEdits(t *testing.T) {
	f := newFixture(t, 2)
	ctx := context.Background()
	w := f.w
	approve(t, f, w.Writer, w.City)
	approve(t, f, w.CityEditor, w.City)
	if _, err := f.svc.Nominate(ctx, w.Chief, f.c.ID, w.CountyWriter.ID, w.County.ID); err != nil {
		t.Fatal(err)
	}
	before, err := f.store.FindCourseByID(ctx, f.c.ID)
	if err != nil {
		t.Fatal(err)
	}
	day := herald.CSTDay(storetest.T0)
	for _, c := range []struct {
		name    string
		actor   *herald.Staff
		version int
		change  func(c *herald.Course)
		code    string
		field   string
	}{
		{"a participant", w.Writer, 1, func(c *herald.Course) { c.Place = "保定" }, herald.EFORBIDDEN, ""},
		{"a stale version", w.Chief, 0, func(c *herald.Course) { c.Place = "保定" }, herald.ECONFLICT, ""},
		{"end before start", w.Chief, 1, func(c *herald.Course) { c.EndDay = day.AddDate(0, 0, -1) }, herald.EINVALID, "end_day"},
		{"no title", w.Chief, 1, func(c *herald.Course) { c.Title = "  " }, herald.EINVALID, "title"},
		{"capacity below the approved", w.Chief, 1, func(c *herald.Course) { c.Capacity = 1 }, herald.EINVALID, "capacity"},
		{"quota below the held places", w.Chief, 1, func(c *herald.Course) { c.Quotas[0].Places = 1 }, herald.EINVALID, "quotas"},
		{"a target unit holding places dropped", w.Chief, 1, func(c *herald.Course) { c.Quotas = c.Quotas[:1] }, herald.EINVALID, "quotas"},
		{"sessions left before the start", w.Chief, 1, func(c *herald.Course) { c.StartDay = day.AddDate(0, 0, 1) }, herald.EINVALID, "start_day"},
		{"sessions left after the end", w.Chief, 1, func(c *herald.Course) { c.StartDay, c.EndDay = day.AddDate(0, 0, -3), day.AddDate(0, 0, -1) }, herald.EINVALID, "end_day"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.svc.UpdateCourse(ctx, c.actor, f.c.ID, c.version, func(co *herald.Course) error { c.change(co); return nil })
			wantField(t, err, c.code, c.field)
			if after, _ := f.store.FindCourseByID(ctx, f.c.ID); !reflect.DeepEqual(after, before) {
				t.Fatalf("the refused edit changed the course: %+v", after)
			}
		})
	}
	f.now = storetest.T0.Add(time.Hour)
	updated, err := f.svc.UpdateCourse(ctx, w.Chief, f.c.ID, 1, func(c *herald.Course) error {
		c.Place, c.Capacity, c.Quotas[0].Places = " 保定 ", 3, 3
		return nil
	})
	if err != nil || updated.Version != 2 || updated.Place != "保定" || !updated.UpdatedAt.Equal(f.now) {
		t.Fatalf("updated %+v: %v", updated, err)
	}
	// the organiser who still holds version 1 is refused
	_, err = f.svc.UpdateCourse(ctx, w.Admin, f.c.ID, 1, func(c *herald.Course) error { c.Place = "石家庄"; return nil })
	wantField(t, err, herald.ECONFLICT, "")
	evs, err := f.store.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityCourse, EntityID: f.c.ID})
	if err != nil || len(evs) != 2 {
		t.Fatalf("course events %+v: %v", evs, err)
	}
}

// Sessions fall within the course's days and overlap no other; a session
// that took place is not removed; refusals change nothing.
func TestSessionEdits(t *testing.T) {
	f := newFixture(t, 2)
	ctx := context.Background()
	w := f.w
	first, second := f.ss[0], f.ss[1] // 16:00–17:30 and 19:00–20:30 CST on the first day
	at := func(d time.Duration) time.Time { return storetest.T0.Add(d) }
	session := func(from, to time.Duration) *herald.TrainingSession {
		return &herald.TrainingSession{CourseID: f.c.ID, Kind: herald.SessionWorkshop, Topic: "研讨交流", Lecturer: "王芳", StartsAt: at(from), EndsAt: at(to)}
	}
	before, _ := f.store.FindTrainingSessions(ctx, f.c.ID)
	for _, c := range []struct {
		name  string
		actor *herald.Staff
		ts    *herald.TrainingSession
		code  string
		field string
	}{
		{"a participant", w.Writer, session(24*time.Hour, 25*time.Hour), herald.EFORBIDDEN, ""},
		{"end before start", w.Chief, session(25*time.Hour, 24*time.Hour), herald.EINVALID, "ends_at"},
		{"before the course", w.Chief, session(-17*time.Hour, -16*time.Hour), herald.EINVALID, "starts_at"},
		{"after the course", w.Chief, session(48*time.Hour, 49*time.Hour), herald.EINVALID, "starts_at"},
		{"past the last day's midnight", w.Chief, session(31*time.Hour+30*time.Minute, 32*time.Hour+30*time.Minute), herald.EINVALID, "ends_at"},
		{"overlapping the first", w.Chief, session(time.Hour, 2*time.Hour), herald.EINVALID, "starts_at"},
		{"around the second", w.Chief, session(2*time.Hour, 5*time.Hour), herald.EINVALID, "starts_at"},
		{"no lecturer", w.Chief, &herald.TrainingSession{CourseID: f.c.ID, Kind: herald.SessionLecture, Topic: "x", StartsAt: at(24 * time.Hour), EndsAt: at(25 * time.Hour)}, herald.EINVALID, "lecturer"},
	} {
		t.Run("add "+c.name, func(t *testing.T) {
			wantField(t, f.svc.AddSession(ctx, c.actor, c.ts), c.code, c.field)
			if after, _ := f.store.FindTrainingSessions(ctx, f.c.ID); !reflect.DeepEqual(after, before) {
				t.Fatalf("the refused session was stored: %+v", after)
			}
		})
	}
	// back to back is no overlap
	third := session(90*time.Minute, 3*time.Hour)
	if err := f.svc.AddSession(ctx, w.Chief, third); err != nil {
		t.Fatal(err)
	}
	before, _ = f.store.FindTrainingSessions(ctx, f.c.ID)
	for _, c := range []struct {
		name   string
		actor  *herald.Staff
		id     int64
		change func(ts *herald.TrainingSession)
		code   string
		field  string
	}{
		{"a participant", w.Writer, second.ID, func(ts *herald.TrainingSession) { ts.Topic = "x" }, herald.EFORBIDDEN, ""},
		{"onto the first", w.Chief, second.ID, func(ts *herald.TrainingSession) { ts.StartsAt, ts.EndsAt = at(time.Hour), at(2*time.Hour) }, herald.EINVALID, "starts_at"},
		{"out of the days", w.Chief, second.ID, func(ts *herald.TrainingSession) { ts.StartsAt, ts.EndsAt = at(72*time.Hour), at(73*time.Hour) }, herald.EINVALID, "starts_at"},
		{"an unknown kind", w.Chief, second.ID, func(ts *herald.TrainingSession) { ts.Kind = "party" }, herald.EINVALID, "kind"},
		{"no session", w.Chief, 9999, func(ts *herald.TrainingSession) {}, herald.ENOTFOUND, ""},
	} {
		t.Run("edit "+c.name, func(t *testing.T) {
			_, err := f.svc.UpdateSession(ctx, c.actor, c.id, func(ts *herald.TrainingSession) error { c.change(ts); return nil })
			wantField(t, err, c.code, c.field)
			if after, _ := f.store.FindTrainingSessions(ctx, f.c.ID); !reflect.DeepEqual(after, before) {
				t.Fatalf("the refused edit changed the sessions: %+v", after)
			}
		})
	}
	moved, err := f.svc.UpdateSession(ctx, w.Chief, second.ID, func(ts *herald.TrainingSession) error {
		ts.StartsAt, ts.EndsAt, ts.Lecturer, ts.CourseID = at(24*time.Hour), at(26*time.Hour), " 李明 ", 9999
		return nil
	})
	if err != nil || moved.CourseID != f.c.ID || moved.Lecturer != "李明" || !moved.StartsAt.Equal(at(24*time.Hour)) {
		t.Fatalf("moved %+v: %v", moved, err)
	}
	// a session someone attended stays
	approve(t, f, w.Writer, w.City)
	if _, err := f.svc.MarkAttendance(ctx, w.Chief, first.ID, w.Writer.ID); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.RemoveSession(ctx, w.Chief, first.ID)
	wantField(t, err, herald.ECONFLICT, "")
	_, err = f.svc.RemoveSession(ctx, w.Writer, third.ID)
	wantField(t, err, herald.EFORBIDDEN, "")
	if _, err := f.svc.RemoveSession(ctx, w.Chief, third.ID); err != nil {
		t.Fatal(err)
	}
	if left, _ := f.store.FindTrainingSessions(ctx, f.c.ID); len(left) != 2 {
		t.Fatalf("sessions left: %+v", left)
	}
}

// wantField fails unless err has the code and, for EINVALID, names field.
func wantField(t *testing.T, err error, code, field string) {
	t.Helper()
	if herald.ErrorCode(err) != code {
		t.Fatalf("error = %v (%s), want %s", err, herald.ErrorCode(err), code)
	}
	if field == "" {
		return
	}
	for _, fe := range herald.ErrorFields(err) {
		if fe.Field == field {
			return
		}
	}
	t.Fatalf("error %v does not name %s", err, field)
}
