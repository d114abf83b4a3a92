package api

import (
	"net/http"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/training"
)

// Training courses: the courses and their sessions, enrolment, check-in
// and attendance, and a participant's own training record. The training
// service decides who may do what; lists show what the newsroom shows the
// same reader.

func (s *Server) training() *training.Service { return training.New(s.Store, s.Auth.Clock) }

// trainingRoutes are the routes of training courses.
func trainingRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/courses", handler: (*Server).listCourses},
		{Method: "POST", Path: "/api/v1/courses", handler: (*Server).createCourse},
		{Method: "GET", Path: "/api/v1/courses/{id}", handler: (*Server).getCourse},
		{Method: "PUT", Path: "/api/v1/courses/{id}", handler: (*Server).updateCourse},
		{Method: "POST", Path: "/api/v1/courses/{id}/sessions", handler: (*Server).addSession},
		{Method: "PUT", Path: "/api/v1/sessions/{id}", handler: (*Server).updateSession},
		{Method: "DELETE", Path: "/api/v1/sessions/{id}", handler: (*Server).removeSession},
		{Method: "GET", Path: "/api/v1/courses/{id}/enrolments", handler: (*Server).listEnrolments},
		{Method: "POST", Path: "/api/v1/courses/{id}/enrolments", handler: (*Server).nominate},
		{Method: "POST", Path: "/api/v1/enrolments/{id}/decide", handler: (*Server).decideEnrolment},
		{Method: "POST", Path: "/api/v1/enrolments/{id}/withdraw", handler: (*Server).withdrawEnrolment},
		{Method: "POST", Path: "/api/v1/sessions/{id}/checkin", handler: (*Server).checkIn},
		{Method: "GET", Path: "/api/v1/sessions/{id}/attendance", handler: (*Server).listAttendance},
		{Method: "POST", Path: "/api/v1/sessions/{id}/attendance", handler: (*Server).markAttendance},
		{Method: "GET", Path: "/api/v1/me/training", handler: (*Server).myTraining},
	}
}

// courseReply is a course with its sessions in time order.
type courseReply struct {
	*herald.Course
	Sessions []*herald.TrainingSession `json:"sessions"`
}

func (s *Server) courseReply(r *http.Request, c *herald.Course) (courseReply, error) {
	sessions, err := s.Store.FindTrainingSessions(r.Context(), c.ID)
	return courseReply{Course: c, Sessions: nonNil(sessions)}, err
}

// Every signed-in staff member sees the courses: units nominate from them.
func (s *Server) listCourses(w http.ResponseWriter, r *http.Request, _ *herald.Staff) {
	courses, err := s.Store.FindCourses(r.Context())
	if err != nil {
		s.problem(w, r, err)
		return
	}
	out := make([]courseReply, 0, len(courses))
	for _, c := range courses {
		cr, err := s.courseReply(r, c)
		if err != nil {
			s.problem(w, r, err)
			return
		}
		out = append(out, cr)
	}
	reply(w, http.StatusOK, list(out, len(out)))
}

func (s *Server) getCourse(w http.ResponseWriter, r *http.Request, _ *herald.Staff) {
	id, err := pathID(r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	c, err := s.Store.FindCourseByID(r.Context(), id)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	cr, err := s.courseReply(r, c)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, cr)
}

// courseInput is a course as posted: days written YYYY-MM-DD.
type courseInput struct {
	Title       string               `json:"title"`
	OrganiserID int64                `json:"organiser_id"`
	Place       string               `json:"place"`
	StartDay    string               `json:"start_day"`
	EndDay      string               `json:"end_day"`
	Description string               `json:"description"`
	Capacity    int                  `json:"capacity"`
	Quotas      []herald.CourseQuota `json:"quotas"`
	ArticleID   int64                `json:"article_id"`
	Version     int                  `json:"version"` // for updates: the version changed
}

// apply writes the input over c, naming bad days.
func (in courseInput) apply(c *herald.Course) error {
	c.Title, c.OrganiserID, c.Place, c.Description, c.Capacity, c.Quotas, c.ArticleID =
		in.Title, in.OrganiserID, in.Place, in.Description, in.Capacity, in.Quotas, in.ArticleID
	var p herald.Problems // both days' problems in one answer
	var errs [2]error
	c.StartDay, errs[0] = bodyDay("start_day", in.StartDay)
	c.EndDay, errs[1] = bodyDay("end_day", in.EndDay)
	for _, err := range errs {
		for _, fe := range herald.ErrorFields(err) {
			p.Add(fe.Field, "%s", fe.Message)
		}
	}
	return p.Err()
}

func (s *Server) createCourse(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	var in courseInput
	if err := decode(r, &in); err != nil {
		s.problem(w, r, err)
		return
	}
	c := &herald.Course{}
	if err := in.apply(c); err != nil {
		s.problem(w, r, err)
		return
	}
	if err := s.training().CreateCourse(r.Context(), actor, c); err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusCreated, courseReply{Course: c, Sessions: []*herald.TrainingSession{}})
}

// updateCourse replaces a course's fields, given the version they were read at.
func (s *Server) updateCourse(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	id, in, err := idAndBody[courseInput](r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	if err := in.apply(&herald.Course{}); err != nil { // bad days before the transaction
		s.problem(w, r, err)
		return
	}
	c, err := s.training().UpdateCourse(r.Context(), actor, id, in.Version, func(c *herald.Course) error { return in.apply(c) })
	if err != nil {
		s.problem(w, r, err)
		return
	}
	cr, err := s.courseReply(r, c)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, cr)
}

// sessionInput is a session as posted; times are RFC 3339.
type sessionInput struct {
	Kind        herald.SessionKind `json:"kind"`
	Topic       string             `json:"topic"`
	Lecturer    string             `json:"lecturer"`
	LecturerOrg string             `json:"lecturer_org"`
	StartsAt    time.Time          `json:"starts_at"`
	EndsAt      time.Time          `json:"ends_at"`
}

func (in sessionInput) apply(ts *herald.TrainingSession) {
	ts.Kind, ts.Topic, ts.Lecturer, ts.LecturerOrg, ts.StartsAt, ts.EndsAt = in.Kind, in.Topic, in.Lecturer, in.LecturerOrg, in.StartsAt, in.EndsAt
}

func (s *Server) addSession(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	id, in, err := idAndBody[sessionInput](r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	if _, err := s.Store.FindCourseByID(r.Context(), id); err != nil {
		s.problem(w, r, err) // 404 rather than a course_id problem: it is the path's
		return
	}
	ts := &herald.TrainingSession{CourseID: id}
	in.apply(ts)
	if err := s.training().AddSession(r.Context(), actor, ts); err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusCreated, ts)
}

func (s *Server) updateSession(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	id, in, err := idAndBody[sessionInput](r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	ts, err := s.training().UpdateSession(r.Context(), actor, id, func(ts *herald.TrainingSession) error { in.apply(ts); return nil })
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, ts)
}

func (s *Server) removeSession(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	id, err := pathID(r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	ts, err := s.training().RemoveSession(r.Context(), actor, id)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, ts)
}

// listEnrolments lists a course's enrolments: all for organisers, their
// unit's for its nominators, their own for anyone else.
func (s *Server) listEnrolments(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	id, err := pathID(r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	if _, err := s.Store.FindCourseByID(r.Context(), id); err != nil {
		s.problem(w, r, err)
		return
	}
	all, err := s.Store.FindEnrolments(r.Context(), herald.EnrolmentFilter{CourseID: id})
	if err != nil {
		s.problem(w, r, err)
		return
	}
	out := []*herald.Enrolment{}
	for _, e := range all {
		if training.MaySeeEnrolment(actor, e) {
			out = append(out, e)
		}
	}
	reply(w, http.StatusOK, list(out, len(out)))
}

// nominationInput nominates a staff member for a target unit's places.
type nominationInput struct {
	StaffID int64 `json:"staff_id"`
	UnitID  int64 `json:"unit_id"`
}

func (s *Server) nominate(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	id, in, err := idAndBody[nominationInput](r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	e, err := s.training().Nominate(r.Context(), actor, id, in.StaffID, in.UnitID)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusCreated, e)
}

// decisionInput moves an enrolment.
type decisionInput struct {
	Status herald.EnrolmentStatus `json:"status"`
	Note   string                 `json:"note"`
}

// decisionReply is the moved enrolment and, when a withdrawal freed a
// place, the one approved in its stead.
type decisionReply struct {
	Enrolment *herald.Enrolment `json:"enrolment"`
	Promoted  *herald.Enrolment `json:"promoted,omitempty"`
}

func (s *Server) decideEnrolment(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	var in decisionInput
	if err := decode(r, &in); err != nil {
		s.problem(w, r, err)
		return
	}
	s.moveEnrolment(w, r, actor, in)
}

// withdrawEnrolment withdraws an enrolment: the participant's, their unit
// nominators' and the organisers' way out.
func (s *Server) withdrawEnrolment(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	in := decisionInput{Status: herald.EnrolmentWithdrawn}
	if r.ContentLength != 0 {
		var body struct {
			Note string `json:"note"`
		}
		if err := decode(r, &body); err != nil {
			s.problem(w, r, err)
			return
		}
		in.Note = body.Note
	}
	s.moveEnrolment(w, r, actor, in)
}

func (s *Server) moveEnrolment(w http.ResponseWriter, r *http.Request, actor *herald.Staff, in decisionInput) {
	id, err := pathID(r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	moved, promoted, err := s.training().Decide(r.Context(), actor, id, in.Status, in.Note)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, decisionReply{Enrolment: moved, Promoted: promoted})
}

// checkinInput is a scanned check-in code: the window and token of its URL.
type checkinInput struct {
	Window int64  `json:"window"`
	Token  string `json:"token"`
}

// checkIn records the token holder's own attendance from a code they
// scanned, as the newsroom's check-in page does for a signed-in phone.
func (s *Server) checkIn(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	id, in, err := idAndBody[checkinInput](r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	_, a, err := s.training().CheckIn(r.Context(), actor, id, in.Window, in.Token)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusCreated, a)
}

// attendanceInput marks a participant present by hand.
type attendanceInput struct {
	StaffID int64 `json:"staff_id"`
}

func (s *Server) markAttendance(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	id, in, err := idAndBody[attendanceInput](r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	a, err := s.training().MarkAttendance(r.Context(), actor, id, in.StaffID)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusCreated, a)
}

// listAttendance lists a session's attendance: all of it for organisers,
// one's own for anyone else.
func (s *Server) listAttendance(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	id, err := pathID(r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	if _, err := s.Store.FindTrainingSessionByID(r.Context(), id); err != nil {
		s.problem(w, r, err)
		return
	}
	f := herald.AttendanceFilter{SessionID: id}
	if !training.MayOrganise(actor) {
		f.StaffID = actor.ID
	}
	as, err := s.Store.FindAttendance(r.Context(), f)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, list(as, len(as)))
}

// trainingRecordReply is the token holder's training record.
type trainingRecordReply struct {
	Minutes int                    `json:"minutes"`
	Hours   string                 `json:"hours"` // one decimal, as on the certificate
	Courses []trainingCourseRecord `json:"courses"`
}

// trainingCourseRecord is one course of a training record.
type trainingCourseRecord struct {
	CourseID    int64                  `json:"course_id"`
	Title       string                 `json:"title"`
	StartDay    string                 `json:"start_day"`
	EndDay      string                 `json:"end_day"`
	Status      herald.EnrolmentStatus `json:"status"`
	Sessions    int                    `json:"sessions_attended"`
	Minutes     int                    `json:"minutes"`
	Certificate *herald.Certificate    `json:"certificate,omitempty"`
}

func (s *Server) myTraining(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	records, total, err := s.training().Hours(r.Context(), actor.ID)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	out := trainingRecordReply{Minutes: total, Hours: training.FormatHours(total), Courses: []trainingCourseRecord{}}
	for _, rec := range records {
		out.Courses = append(out.Courses, trainingCourseRecord{CourseID: rec.Course.ID, Title: rec.Course.Title,
			StartDay: herald.DayString(rec.Course.StartDay), EndDay: herald.DayString(rec.Course.EndDay), Status: rec.Status,
			Sessions: rec.Sessions, Minutes: rec.Minutes, Certificate: rec.Certificate})
	}
	reply(w, http.StatusOK, out)
}
