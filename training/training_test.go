package training_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/sqlite"
	"github.com/heraldnews/herald/storetest"
	"github.com/heraldnews/herald/training"
)

type fixture struct {
	store herald.Store
	w     *storetest.World
	svc   *training.Service
	now   time.Time
	c     *herald.Course
	ss    []*herald.TrainingSession
}

func newFixture(t *testing.T, capacity int) *fixture {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	f := &fixture{store: s, w: storetest.NewWorld(t, s), now: storetest.T0}
	f.svc = training.New(s, func() time.Time { return f.now })
	f.svc.NewKey = func() ([]byte, error) { return bytes.Repeat([]byte{7}, 32), nil }
	f.c, f.ss = storetest.NewCourse(t, s, f.w, capacity)
	return f
}

func wantError(t *testing.T, err error, code, text string) {
	t.Helper()
	if herald.ErrorCode(err) != code || !strings.Contains(herald.ErrorMessage(err), text) {
		t.Fatalf("error = %v (%s), want %s saying %q", err, herald.ErrorMessage(err), code, text)
	}
}

// Units nominate within their quotas; organisers decide; a full course
// waitlists; withdrawing frees a place for the longest waiting.
func TestNominationQuotaAndWaitingList(t *testing.T) {
	f := newFixture(t, 1)
	ctx := context.Background()
	w := f.w
	// a correspondent may not nominate, a city editor may for the city only
	_, err := f.svc.Nominate(ctx, w.Writer, f.c.ID, w.Writer.ID, w.City.ID)
	wantError(t, err, herald.EFORBIDDEN, "nominate")
	_, err = f.svc.Nominate(ctx, w.CityEditor, f.c.ID, w.CountyWriter.ID, w.County.ID)
	wantError(t, err, herald.EFORBIDDEN, "nominate")
	// the city's places are for the city's staff and those of the units under it
	_, err = f.svc.Nominate(ctx, w.CityEditor, f.c.ID, w.Editor.ID, w.City.ID)
	wantError(t, err, herald.EINVALID, "does not work for that unit")
	first, err := f.svc.Nominate(ctx, w.CityEditor, f.c.ID, w.Writer.ID, w.City.ID)
	if err != nil {
		t.Fatal(err)
	}
	second, err := f.svc.Nominate(ctx, w.CityEditor, f.c.ID, w.CountyWriter.ID, w.City.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Nominate(ctx, w.CityEditor, f.c.ID, w.CityEditor.ID, w.City.ID)
	wantError(t, err, herald.ECONFLICT, "used all 2 of its places")

	// only organisers decide
	_, _, err = f.svc.Decide(ctx, w.CityEditor, first.ID, herald.EnrolmentApproved, "")
	wantError(t, err, herald.EFORBIDDEN, "decide")
	if _, _, err := f.svc.Decide(ctx, w.Chief, first.ID, herald.EnrolmentApproved, ""); err != nil {
		t.Fatal(err)
	}
	_, _, err = f.svc.Decide(ctx, w.Chief, second.ID, herald.EnrolmentApproved, "")
	wantError(t, err, herald.ECONFLICT, "full")
	if _, _, err := f.svc.Decide(ctx, w.Chief, second.ID, herald.EnrolmentWaitlisted, "名额已满"); err != nil {
		t.Fatal(err)
	}
	// the participant withdraws; the waiting one is approved
	_, _, err = f.svc.Decide(ctx, w.CountyWriter, first.ID, herald.EnrolmentWithdrawn, "")
	wantError(t, err, herald.EFORBIDDEN, "withdraw")
	_, promoted, err := f.svc.Decide(ctx, w.Writer, first.ID, herald.EnrolmentWithdrawn, "")
	if err != nil {
		t.Fatal(err)
	}
	if promoted == nil || promoted.ID != second.ID || promoted.Status != herald.EnrolmentApproved {
		t.Fatalf("promoted = %+v", promoted)
	}
}

func approve(t *testing.T, f *fixture, st *herald.Staff, unit *herald.Unit) {
	t.Helper()
	ctx := context.Background()
	e, err := f.svc.Nominate(ctx, f.w.Chief, f.c.ID, st.ID, unit.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Decide(ctx, f.w.Chief, e.ID, herald.EnrolmentApproved, ""); err != nil {
		t.Fatal(err)
	}
}

// Codes rotate every 30 s; a code is accepted in its window and the next;
// forged and altered codes are refused as such.
func TestCheckinCodes(t *testing.T) {
	f := newFixture(t, 5)
	ctx := context.Background()
	ts := f.ss[0]
	_, err := f.svc.CurrentCode(ctx, f.w.Writer, ts.ID)
	wantError(t, err, herald.EFORBIDDEN, "check-in codes")
	f.now = storetest.T0.Add(5 * time.Second)
	code, err := f.svc.CurrentCode(ctx, f.w.Chief, ts.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !code.Expires.Equal(storetest.T0.Add(30*time.Second)) || !strings.HasPrefix(code.Path(), "/newsroom/training/checkin/") {
		t.Fatalf("code = %+v, %s", code, code.Path())
	}
	for _, step := range []struct {
		after time.Duration
		ok    bool
	}{{0, true}, {24 * time.Second, true}, {54 * time.Second, true}, {55 * time.Second, false}, {time.Hour, false}} {
		f.now = storetest.T0.Add(5*time.Second + step.after)
		err := f.svc.VerifyCode(ctx, ts.ID, code.Window, code.Token)
		if step.ok && err != nil || !step.ok && !strings.Contains(herald.ErrorMessage(err), "expired") {
			t.Errorf("%v after: %v", step.after, err)
		}
	}
	f.now = storetest.T0.Add(5 * time.Second)
	next, _ := f.svc.CurrentCode(ctx, f.w.Chief, ts.ID)
	f.now = storetest.T0.Add(35 * time.Second)
	if rotated, _ := f.svc.CurrentCode(ctx, f.w.Chief, ts.ID); rotated.Token == next.Token || rotated.Window != next.Window+1 {
		t.Fatalf("the code did not rotate: %+v %+v", next, rotated)
	}
	forged := []struct {
		name          string
		session, wind int64
		token         string
	}{
		{"made up", ts.ID, code.Window, "AAAAAAAAAAAAAAAAAAAAAA"},
		{"another session's", f.ss[1].ID, code.Window, code.Token},
		{"window moved on", ts.ID, code.Window + 1, code.Token},
		{"empty", ts.ID, code.Window, ""},
	}
	for _, c := range forged {
		wantError(t, f.svc.VerifyCode(ctx, c.session, c.wind, c.token), herald.EINVALID, "not a check-in code")
	}
	// signed with another key: the store's key is the one
	other := training.New(f.store, f.svc.Clock)
	other.NewKey = func() ([]byte, error) { return bytes.Repeat([]byte{9}, 32), nil }
	if again, _ := other.CurrentCode(ctx, f.w.Chief, ts.ID); again.Token != func() string { c, _ := f.svc.CurrentCode(ctx, f.w.Chief, ts.ID); return c.Token }() {
		t.Fatal("the key is not the stored one")
	}
}

// Checking in: only approved participants, only while open, once; the
// second scan says when the first was.
func TestCheckIn(t *testing.T) {
	f := newFixture(t, 5)
	ctx := context.Background()
	w := f.w
	approve(t, f, w.Writer, w.City)
	ts := f.ss[0] // 08:00 UTC = 16:00 CST, 90 minutes
	scan := func(st *herald.Staff) error {
		code, err := f.svc.CurrentCode(ctx, w.Chief, ts.ID)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = f.svc.CheckIn(ctx, st, ts.ID, code.Window, code.Token)
		return err
	}
	f.now = ts.StartsAt.Add(-31 * time.Minute)
	wantError(t, scan(w.Writer), herald.ECONFLICT, "opens at 15:30")
	f.now = ts.StartsAt.Add(2 * time.Minute)
	wantError(t, scan(w.CityEditor), herald.EFORBIDDEN, "not an approved participant")
	if err := scan(w.Writer); err != nil {
		t.Fatal(err)
	}
	f.now = ts.StartsAt.Add(10 * time.Minute)
	wantError(t, scan(w.Writer), herald.ECONFLICT, "Already checked in at 16:02")
	f.now = ts.EndsAt.Add(31 * time.Minute)
	wantError(t, scan(w.Writer), herald.ECONFLICT, "has closed")
	// an organiser opens check-in on demand
	if _, err := f.svc.OpenCheckin(ctx, w.Writer, ts.ID); herald.ErrorCode(err) != herald.EFORBIDDEN {
		t.Fatalf("a participant opened check-in: %v", err)
	}
	approve(t, f, w.CountyWriter, w.County)
	if _, err := f.svc.OpenCheckin(ctx, w.Chief, ts.ID); err != nil {
		t.Fatal(err)
	}
	if err := scan(w.CountyWriter); err != nil {
		t.Fatal(err)
	}
	// by hand, audited as the organiser's
	_, err := f.svc.MarkAttendance(ctx, w.Chief, f.ss[1].ID, w.CityEditor.ID)
	wantError(t, err, herald.EINVALID, "approved participant")
	a, err := f.svc.MarkAttendance(ctx, w.Chief, f.ss[1].ID, w.Writer.ID)
	if err != nil || a.Method != herald.AttendanceManual || a.RecordedBy != w.Chief.ID {
		t.Fatalf("marked %+v: %v", a, err)
	}
	_, err = f.svc.MarkAttendance(ctx, w.Chief, f.ss[1].ID, w.Writer.ID)
	wantError(t, err, herald.ECONFLICT, "Already checked in")
}

// Completion takes 80% of the hours; certificates go to those who
// completed, once; hours are the attended sessions' lengths.
func TestCompletionCertificatesAndHours(t *testing.T) {
	f := newFixture(t, 5)
	ctx := context.Background()
	w := f.w
	approve(t, f, w.Writer, w.City)
	approve(t, f, w.CountyWriter, w.County)
	_, err := f.svc.IssueCertificates(ctx, w.Chief, f.c.ID)
	wantError(t, err, herald.ECONFLICT, "Nobody is due")
	for _, ts := range f.ss {
		if _, err := f.svc.MarkAttendance(ctx, w.Chief, ts.ID, w.Writer.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.svc.MarkAttendance(ctx, w.Chief, f.ss[0].ID, w.CountyWriter.ID); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.IssueCertificates(ctx, w.Writer, f.c.ID)
	wantError(t, err, herald.EFORBIDDEN, "certificates")
	n, err := f.svc.IssueCertificates(ctx, w.Chief, f.c.ID)
	if err != nil || n != 1 {
		t.Fatalf("issued %d: %v", n, err)
	}
	r, err := f.svc.Report(ctx, f.c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.TotalMinutes != 180 || len(r.Rows) != 2 || !r.Rows[0].Complete || r.Rows[1].Complete || r.Rows[0].Certificate == nil || r.Rows[1].Minutes != 90 {
		t.Fatalf("report = %+v", r)
	}
	records, total, err := f.svc.Hours(ctx, w.Writer.ID)
	if err != nil || total != 180 || len(records) != 1 || records[0].Sessions != 2 || records[0].Certificate == nil {
		t.Fatalf("hours %d %+v: %v", total, records, err)
	}
	for _, c := range []struct {
		attended, total int
		want            bool
	}{{80, 100, true}, {79, 100, false}, {0, 0, false}, {600, 600, true}} {
		if training.Completes(c.attended, c.total) != c.want {
			t.Errorf("Completes(%d, %d) != %v", c.attended, c.total, c.want)
		}
	}
	for m, want := range map[int]string{0: "0", 60: "1", 90: "1.5", 390: "6.5", 100: "1.7"} {
		if got := training.FormatHours(m); got != want {
			t.Errorf("FormatHours(%d) = %s, want %s", m, got, want)
		}
	}
}

// Feedback: participants only, once, after the course began.
func TestFeedback(t *testing.T) {
	f := newFixture(t, 5)
	ctx := context.Background()
	approve(t, f, f.w.Writer, f.w.City)
	fb := func() *herald.Feedback {
		return &herald.Feedback{CourseID: f.c.ID, Ratings: map[string]int{"content": 5, "lecturers": 5, "organisation": 4, "usefulness": 5}}
	}
	f.now = f.ss[0].StartsAt.Add(-time.Hour)
	wantError(t, f.svc.SubmitFeedback(ctx, f.w.Writer, fb()), herald.ECONFLICT, "begun")
	f.now = f.ss[0].StartsAt
	wantError(t, f.svc.SubmitFeedback(ctx, f.w.CityEditor, fb()), herald.EFORBIDDEN, "participants")
	if err := f.svc.SubmitFeedback(ctx, f.w.Writer, fb()); err != nil {
		t.Fatal(err)
	}
	wantError(t, f.svc.SubmitFeedback(ctx, f.w.Writer, fb()), herald.ECONFLICT, "once")
}

// A training record lists the courses the latest first, each with the
// sessions attended and their minutes, and sums the minutes of all.
func TestHoursOverTwoCourses(t *testing.T) {
	f := newFixture(t, 5)
	ctx := context.Background()
	w := f.w
	approve(t, f, w.Writer, w.City)
	if _, err := f.svc.MarkAttendance(ctx, w.Chief, f.ss[0].ID, w.Writer.ID); err != nil {
		t.Fatal(err)
	}
	// a later course of a 45-minute and a 2-hour session, both attended
	day := herald.CSTDay(storetest.T0).AddDate(0, 0, 7)
	later := &herald.Course{Title: "新闻写作提高班", OrganiserID: w.Center.ID, Place: "保定", StartDay: day, EndDay: day, Capacity: 5,
		Quotas: []herald.CourseQuota{{UnitID: w.City.ID, Places: 2}}}
	if err := f.svc.CreateCourse(ctx, w.Chief, later); err != nil {
		t.Fatal(err)
	}
	var sessions []*herald.TrainingSession
	at := day.Add(9 * time.Hour)
	for _, length := range []time.Duration{45 * time.Minute, 2 * time.Hour} {
		ts := &herald.TrainingSession{CourseID: later.ID, Kind: herald.SessionLecture, Topic: "写作", Lecturer: "王芳", StartsAt: at, EndsAt: at.Add(length)}
		if err := f.svc.AddSession(ctx, w.Chief, ts); err != nil {
			t.Fatal(err)
		}
		sessions, at = append(sessions, ts), ts.EndsAt.Add(15*time.Minute)
	}
	f.now = storetest.T0.Add(time.Hour) // nominated after the first course's
	e, err := f.svc.Nominate(ctx, w.Chief, later.ID, w.Writer.ID, w.City.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Decide(ctx, w.Chief, e.ID, herald.EnrolmentApproved, ""); err != nil {
		t.Fatal(err)
	}
	for _, ts := range sessions {
		if _, err := f.svc.MarkAttendance(ctx, w.Chief, ts.ID, w.Writer.ID); err != nil {
			t.Fatal(err)
		}
	}
	records, total, err := f.svc.Hours(ctx, w.Writer.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 2 || records[0].Course.ID != later.ID || records[1].Course.ID != f.c.ID {
		t.Fatalf("records %+v, want the later course first", records)
	}
	if records[0].Sessions != 2 || records[0].Minutes != 165 || records[1].Sessions != 1 || records[1].Minutes != 90 ||
		records[0].Status != herald.EnrolmentApproved || records[0].Course.Title != "新闻写作提高班" || total != 255 {
		t.Fatalf("total %d, records %+v", total, records)
	}
}
