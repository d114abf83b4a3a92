package storetest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/heraldnews/herald"
)

// NewCourse stores a two-day course of w's department for the city (two
// places) and the county (one place), with a capacity of cap, and its two
// sessions: the first at T0.
func NewCourse(t testing.TB, s herald.Store, w *World, capacity int) (*herald.Course, []*herald.TrainingSession) {
	t.Helper()
	ctx := context.Background()
	c := &herald.Course{Title: "全省司法行政系统宣传工作培训班", OrganiserID: w.Center.ID, Place: "石家庄", StartDay: herald.CSTDay(T0),
		EndDay: herald.CSTDay(T0).AddDate(0, 0, 1), Capacity: capacity,
		Quotas: []herald.CourseQuota{{UnitID: w.City.ID, Places: 2}, {UnitID: w.County.ID, Places: 1}}}
	must(t, s.CreateCourse(ctx, c, ev(w.Chief.ID)))
	var sessions []*herald.TrainingSession
	for i, kind := range []herald.SessionKind{herald.SessionMobilization, herald.SessionLecture} {
		ts := &herald.TrainingSession{CourseID: c.ID, Kind: kind, Topic: "专题", Lecturer: "罗强", LecturerOrg: "省委党校",
			StartsAt: T0.Add(time.Duration(i) * 3 * time.Hour), EndsAt: T0.Add(time.Duration(i)*3*time.Hour + 90*time.Minute)}
		must(t, s.CreateTrainingSession(ctx, ts, ev(w.Chief.ID)))
		sessions = append(sessions, ts)
	}
	return c, sessions
}

func testTraining(t *testing.T, s herald.Store) {
	ctx := context.Background()
	w := NewWorld(t, s)

	// courses keep their fields and quotas; bad ones are refused naming the field
	c, sessions := NewCourse(t, s, w, 2)
	got, err := s.FindCourseByID(ctx, c.ID)
	must(t, err)
	if got.Title != c.Title || !got.StartDay.Equal(herald.CSTDay(T0)) || len(got.Quotas) != 2 || got.Quotas[0].Places+got.Quotas[1].Places != 3 {
		t.Fatalf("course = %+v", got)
	}
	wantCode(t, s.CreateCourse(ctx, &herald.Course{Title: "x", OrganiserID: w.Center.ID, Place: "石家庄", StartDay: T0, EndDay: T0.AddDate(0, 0, -1),
		Capacity: 1, Quotas: []herald.CourseQuota{{UnitID: w.City.ID, Places: 1}}}, ev(w.Chief.ID)), herald.EINVALID, "end_day")
	wantCode(t, s.CreateCourse(ctx, &herald.Course{Title: "x", OrganiserID: w.Center.ID, Place: "石家庄", StartDay: T0, EndDay: T0,
		Capacity: 1, Quotas: []herald.CourseQuota{{UnitID: 9999, Places: 1}}}, ev(w.Chief.ID)), herald.EINVALID, "quotas")
	updated, err := s.UpdateCourse(ctx, c.ID, ev(w.Chief.ID), func(c *herald.Course) error { c.Place = "石家庄市"; return nil })
	must(t, err)
	if updated.Place != "石家庄市" || len(updated.Quotas) != 2 || updated.Version != 2 {
		t.Fatalf("updated = %+v", updated)
	}
	all, err := s.FindCourses(ctx)
	must(t, err)
	if len(all) != 1 || len(all[0].Quotas) != 2 {
		t.Fatalf("courses = %+v", all)
	}
	listed, err := s.FindTrainingSessions(ctx, c.ID)
	must(t, err)
	if len(listed) != 2 || listed[0].Kind != herald.SessionMobilization || listed[1].LecturerOrg != "省委党校" || !listed[1].StartsAt.Equal(sessions[1].StartsAt) {
		t.Fatalf("sessions = %+v", listed)
	}
	wantCode(t, s.CreateTrainingSession(ctx, &herald.TrainingSession{CourseID: c.ID, Kind: "party", Topic: "x", Lecturer: "y", StartsAt: T0, EndsAt: T0},
		ev(w.Chief.ID)), herald.EINVALID, "kind")
	// sessions are edited and removed within the course's days, without overlaps
	extra := &herald.TrainingSession{CourseID: c.ID, Kind: herald.SessionWorkshop, Topic: "研讨", Lecturer: "王芳", StartsAt: T0.Add(24 * time.Hour), EndsAt: T0.Add(25 * time.Hour)}
	must(t, s.CreateTrainingSession(ctx, extra, ev(w.Chief.ID)))
	_, err = s.UpdateTrainingSession(ctx, extra.ID, ev(w.Chief.ID), func(ts *herald.TrainingSession) error {
		ts.StartsAt, ts.EndsAt = T0.Add(time.Hour), T0.Add(2*time.Hour)
		return nil
	})
	wantCode(t, err, herald.EINVALID, "starts_at")
	edited, err := s.UpdateTrainingSession(ctx, extra.ID, ev(w.Chief.ID), func(ts *herald.TrainingSession) error { ts.Topic = "交流"; return nil })
	must(t, err)
	if again, _ := s.FindTrainingSessionByID(ctx, extra.ID); again.Topic != "交流" || !again.StartsAt.Equal(edited.StartsAt) {
		t.Fatalf("edited session = %+v", again)
	}
	_, err = s.DeleteTrainingSession(ctx, extra.ID, ev(w.Chief.ID))
	must(t, err)
	_, err = s.FindTrainingSessionByID(ctx, extra.ID)
	wantCode(t, err, herald.ENOTFOUND, "")
	opened, err := s.OpenCheckin(ctx, sessions[1].ID, T0.Add(time.Hour), ev(w.Chief.ID))
	must(t, err)
	if again, _ := s.FindTrainingSessionByID(ctx, sessions[1].ID); again.CheckinUntil == nil || !again.CheckinUntil.Equal(*opened.CheckinUntil) {
		t.Fatalf("check-in until = %v", again.CheckinUntil)
	}

	// nominations within quotas; the county's one place, then no more
	nominate := func(st *herald.Staff, unit *herald.Unit) (*herald.Enrolment, error) {
		e := &herald.Enrolment{CourseID: c.ID, StaffID: st.ID, UnitID: unit.ID}
		return e, s.Nominate(ctx, e, ev(w.CityEditor.ID))
	}
	writer, err := nominate(w.Writer, w.City)
	must(t, err)
	cityEditor, err := nominate(w.CityEditor, w.City)
	must(t, err)
	countyWriter, err := nominate(w.CountyWriter, w.County)
	must(t, err)
	_, err = nominate(w.Editor, w.City)
	wantCode(t, err, herald.ECONFLICT, "") // the city's two places are held
	_, err = nominate(w.Writer, w.County)
	wantCode(t, err, herald.ECONFLICT, "") // on the list already, and the county's place is held
	_, err = nominate(w.Editor, w.Dept)
	wantCode(t, err, herald.EINVALID, "unit_id")

	// the state machine and the capacity of two
	move := func(e *herald.Enrolment, to herald.EnrolmentStatus) (*herald.Enrolment, *herald.Enrolment, error) {
		return s.MoveEnrolment(ctx, e.ID, to, "", ev(w.Chief.ID))
	}
	_, _, err = move(writer, herald.EnrolmentApproved)
	must(t, err)
	_, _, err = move(cityEditor, herald.EnrolmentApproved)
	must(t, err)
	_, _, err = move(countyWriter, herald.EnrolmentApproved)
	wantCode(t, err, herald.ECONFLICT, "") // full
	waiting, _, err := move(countyWriter, herald.EnrolmentWaitlisted)
	must(t, err)
	if waiting.Status != herald.EnrolmentWaitlisted || waiting.DecidedBy != w.Chief.ID {
		t.Fatalf("waiting = %+v", waiting)
	}
	_, _, err = move(writer, herald.EnrolmentRejected)
	wantCode(t, err, herald.ECONFLICT, "") // approved → rejected is forbidden
	// a withdrawal frees a place: the waiting one takes it
	withdrawn, promoted, err := move(cityEditor, herald.EnrolmentWithdrawn)
	must(t, err)
	if withdrawn.Status != herald.EnrolmentWithdrawn || promoted == nil || promoted.ID != countyWriter.ID || promoted.Status != herald.EnrolmentApproved {
		t.Fatalf("withdrawn %+v promoted %+v", withdrawn, promoted)
	}
	_, _, err = move(cityEditor, herald.EnrolmentApproved)
	wantCode(t, err, herald.ECONFLICT, "") // withdrawn is final
	approved, err := s.FindEnrolments(ctx, herald.EnrolmentFilter{CourseID: c.ID, Statuses: []herald.EnrolmentStatus{herald.EnrolmentApproved}})
	must(t, err)
	if len(approved) != 2 || approved[0].StaffID != w.Writer.ID || approved[1].StaffID != w.CountyWriter.ID {
		t.Fatalf("approved = %+v", approved)
	}
	events, err := s.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityEnrolment, EntityID: countyWriter.ID})
	must(t, err)
	if len(events) != 3 || events[2].FromStatus != "waitlisted" || events[2].ToStatus != "approved" {
		t.Fatalf("events = %+v", events)
	}

	// attendance once per session
	a := &herald.Attendance{SessionID: sessions[0].ID, StaffID: w.Writer.ID, Method: herald.AttendanceQR}
	must(t, s.RecordAttendance(ctx, a, ev(w.Writer.ID)))
	wantCode(t, s.RecordAttendance(ctx, &herald.Attendance{SessionID: sessions[0].ID, StaffID: w.Writer.ID, Method: herald.AttendanceManual}, ev(w.Chief.ID)),
		herald.ECONFLICT, "")
	must(t, s.RecordAttendance(ctx, &herald.Attendance{SessionID: sessions[1].ID, StaffID: w.Writer.ID, Method: herald.AttendanceManual}, ev(w.Chief.ID)))
	wantCode(t, s.RecordAttendance(ctx, &herald.Attendance{SessionID: 9999, StaffID: w.Writer.ID, Method: herald.AttendanceQR}, ev(w.Writer.ID)),
		herald.EINVALID, "session_id")
	att, err := s.FindAttendance(ctx, herald.AttendanceFilter{CourseID: c.ID})
	must(t, err)
	if len(att) != 2 || att[0].Method != herald.AttendanceQR || att[1].RecordedBy != w.Chief.ID || !att[0].At.Equal(T0) {
		t.Fatalf("attendance = %+v", att)
	}
	if att[0].CourseID != c.ID || att[0].Minutes != 90 || att[1].Minutes != 90 { // the session's, for hours
		t.Fatalf("attendance's course and minutes = %+v", att)
	}

	// materials keep their bytes
	m := &herald.Material{SessionID: sessions[1].ID, Title: "讲义", Filename: "slides.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 slides")}
	must(t, s.CreateMaterial(ctx, m, ev(w.Chief.ID)))
	wantCode(t, s.CreateMaterial(ctx, &herald.Material{SessionID: sessions[1].ID, Title: "空", Filename: "a.pdf", ContentType: "application/pdf"}, ev(w.Chief.ID)),
		herald.EINVALID, "file")
	ms, err := s.FindMaterials(ctx, c.ID)
	must(t, err)
	if len(ms) != 1 || ms[0].Size != 15 || ms[0].Data != nil {
		t.Fatalf("materials = %+v", ms)
	}
	file, err := s.FindMaterialFile(ctx, m.ID)
	must(t, err)
	if !bytes.Equal(file.Data, m.Data) || file.Filename != "slides.pdf" {
		t.Fatalf("file = %+v", file)
	}

	// feedback once
	ratings := map[string]int{"content": 5, "lecturers": 4, "organisation": 5, "usefulness": 4}
	must(t, s.SubmitFeedback(ctx, &herald.Feedback{CourseID: c.ID, StaffID: w.Writer.ID, Ratings: ratings, Comment: "很有收获"}, ev(w.Writer.ID)))
	wantCode(t, s.SubmitFeedback(ctx, &herald.Feedback{CourseID: c.ID, StaffID: w.Writer.ID, Ratings: ratings}, ev(w.Writer.ID)), herald.ECONFLICT, "")
	wantCode(t, s.SubmitFeedback(ctx, &herald.Feedback{CourseID: c.ID, StaffID: w.CountyWriter.ID, Ratings: map[string]int{"content": 6}}, ev(w.Writer.ID)),
		herald.EINVALID, "ratings.content")
	fb, err := s.FindFeedback(ctx, c.ID)
	must(t, err)
	if len(fb) != 1 || fb[0].Ratings["lecturers"] != 4 || fb[0].Comment != "很有收获" {
		t.Fatalf("feedback = %+v", fb)
	}

	// certificates numbered on, once each
	n, err := s.IssueCertificates(ctx, []*herald.Certificate{{CourseID: c.ID, StaffID: w.Writer.ID, Minutes: 180}}, ev(w.Chief.ID))
	must(t, err)
	n2, err := s.IssueCertificates(ctx, []*herald.Certificate{{CourseID: c.ID, StaffID: w.Writer.ID, Minutes: 180}, {CourseID: c.ID, StaffID: w.CountyWriter.ID, Minutes: 90}}, ev(w.Chief.ID))
	must(t, err)
	certs, err := s.FindCertificates(ctx, herald.CertificateFilter{CourseID: c.ID})
	must(t, err)
	if n != 1 || n2 != 1 || len(certs) != 2 || certs[0].Number != "PX2026-001-001" || certs[1].Number != "PX2026-001-002" || certs[0].Minutes != 180 {
		t.Fatalf("issued %d, %d: %+v", n, n2, certs)
	}
	mine, err := s.FindCertificates(ctx, herald.CertificateFilter{StaffID: w.CountyWriter.ID})
	must(t, err)
	if len(mine) != 1 || mine[0].IssuedBy != w.Chief.ID {
		t.Fatalf("mine = %+v", mine)
	}
	// one holder named twice in a batch gets one certificate, numbered on
	twice := []*herald.Certificate{{CourseID: c.ID, StaffID: w.Editor.ID, Minutes: 180}, {CourseID: c.ID, StaffID: w.Editor.ID, Minutes: 180}}
	n3, err := s.IssueCertificates(ctx, twice, ev(w.Chief.ID))
	must(t, err)
	if n3 != 1 || twice[0].Number != "PX2026-001-003" || twice[1].ID != 0 {
		t.Fatalf("issued %d: %+v %+v", n3, twice[0], twice[1])
	}

	// each course keeps its own quotas
	other, _ := NewCourse(t, s, w, 1)
	again, err := s.FindCourseByID(ctx, c.ID)
	must(t, err)
	if len(again.Quotas) != 2 {
		t.Fatalf("quotas of one course among two = %+v", again.Quotas)
	}
	all, err = s.FindCourses(ctx)
	must(t, err)
	if len(all) != 2 || all[0].ID != other.ID || len(all[0].Quotas) != 2 || len(all[1].Quotas) != 2 {
		t.Fatalf("two courses = %+v", all)
	}

	// the check-in key is made once
	k1, err := s.TrainingKey(ctx, T0, func() ([]byte, error) { return bytes.Repeat([]byte{1}, 32), nil })
	must(t, err)
	k2, err := s.TrainingKey(ctx, T0, func() ([]byte, error) { return bytes.Repeat([]byte{2}, 32), nil })
	must(t, err)
	if !bytes.Equal(k1, k2) || k1[0] != 1 {
		t.Fatalf("keys %x %x", k1, k2)
	}
}
