package newsroom

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/training"
)

// The course form (培训班设置): organisers set up a course, edit it, and
// add, change and remove its sessions on one page. Each form keeps what was
// posted when it is refused, with every problem under its field; the
// training service and the store decide what is refused, so nothing is
// changed by a refused post.

// trainingFormRoutes adds the course form's routes to mux.
func (s *Server) trainingFormRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /newsroom/training/courses/new", s.signedIn(s.newCoursePage))
	mux.HandleFunc("POST /newsroom/training/courses", s.signedIn(s.createCourse))
	mux.HandleFunc("GET /newsroom/training/courses/{id}/edit", s.signedIn(s.editCoursePage))
	mux.HandleFunc("POST /newsroom/training/courses/{id}/edit", s.signedIn(s.updateCourse))
	mux.HandleFunc("POST /newsroom/training/courses/{id}/sessions", s.signedIn(s.addSession))
	mux.HandleFunc("POST /newsroom/training/sessions/{id}/edit", s.signedIn(s.updateSession))
	mux.HandleFunc("POST /newsroom/training/sessions/{id}/delete", s.signedIn(s.removeSession))
}

// blankQuotaRows is how many empty target-unit rows the course form offers
// beyond the course's quotas: enough for a course of a few cities at once,
// few enough for a phone.
const blankQuotaRows = 3

// courseForm is the course's own form, as stored or as posted.
type courseForm struct {
	ID, Version                                     int64
	Title, Place, Start, End, Description, Capacity string
	Organisers                                      []option
	Quotas                                          []placesRow
	Fields                                          map[string]string
	Problems                                        []string
}

// placesRow is one target unit of the form and its places.
type placesRow struct {
	N      int // the row's number, for element IDs
	Units  []option
	Places string
}

// sessionForm is one session's form (ID 0: a new one).
type sessionForm struct {
	ID                           int64
	Kinds                        []option
	Topic, Lecturer, LecturerOrg string
	Day, Start, End              string
	Fields                       map[string]string
	Problems                     []string
}

// courseFormData is the course form page.
type courseFormData struct {
	Course   courseForm
	Sessions []sessionForm
	New      sessionForm
	Existing bool
	units    unitPicker // the units the form offers, for reading a post
}

// courseFields and sessionFields are the fields the forms show problems under.
var (
	courseFields  = []string{"title", "organiser_id", "place", "start_day", "end_day", "description", "capacity", "quotas"}
	sessionFields = []string{"kind", "topic", "lecturer", "lecturer_org", "day", "starts_at", "ends_at"}
)

// refuseNonOrganisers answers 403 to those who do not run courses.
func (s *Server) refuseNonOrganisers(w http.ResponseWriter, r *http.Request, req *request) bool {
	if training.MayOrganise(req.staff) {
		return false
	}
	s.fail(w, r, req, herald.Errorf(herald.EFORBIDDEN, "%s", s.msgs.T(req.lang, "training.organisers_only")))
	return true
}

func (s *Server) newCoursePage(w http.ResponseWriter, r *http.Request, req *request) {
	if s.refuseNonOrganisers(w, r, req) {
		return
	}
	units, err := s.unitPicker(r)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	today := herald.DayString(herald.CSTDay(s.Auth.Clock.Now()))
	c := &herald.Course{OrganiserID: req.staff.UnitID}
	f := s.courseFormOf(c, units)
	f.Start, f.End = today, today
	s.renderCourseForm(w, r, req, http.StatusOK, &courseFormData{Course: f, New: s.sessionFormOf(req.lang, &herald.TrainingSession{Kind: herald.SessionLecture})})
}

// courseFormOf fills the course form from a course.
func (s *Server) courseFormOf(c *herald.Course, units unitPicker) courseForm {
	f := courseForm{ID: c.ID, Version: int64(c.Version), Title: c.Title, Place: c.Place, Description: c.Description, Fields: map[string]string{}}
	if !c.StartDay.IsZero() {
		f.Start, f.End = herald.DayString(c.StartDay), herald.DayString(c.EndDay)
	}
	if c.Capacity > 0 {
		f.Capacity = strconv.Itoa(c.Capacity)
	}
	f.Organisers = units.choices(c.OrganiserID)
	for i, q := range c.Quotas {
		f.Quotas = append(f.Quotas, placesRow{N: i + 1, Units: units.choices(q.UnitID), Places: strconv.Itoa(q.Places)})
	}
	for i := 0; i < blankQuotaRows; i++ {
		f.Quotas = append(f.Quotas, placesRow{N: len(f.Quotas) + 1, Units: units.choices(0)})
	}
	return f
}

// unitPicker offers every unit in tree order, indented by depth, as the
// admin pages do.
type unitPicker struct{ all *adminRequest }

func (s *Server) unitPicker(r *http.Request) (unitPicker, error) {
	units, _, err := s.Store.FindUnits(r.Context(), herald.UnitFilter{})
	var root int64
	for _, u := range units {
		if u.ParentID == 0 {
			root = u.ID
		}
	}
	return unitPicker{&adminRequest{units: units, tree: herald.NewUnitTree(units), root: root}}, err
}

// choices are the units with selected chosen, after a blank choice.
func (p unitPicker) choices(selected int64) []option {
	return append([]option{{Value: "", Label: "—"}}, p.all.unitOptions(selected, 0)...)
}

// sessionFormOf fills a session's form.
func (s *Server) sessionFormOf(lang string, ts *herald.TrainingSession) sessionForm {
	f := sessionForm{ID: ts.ID, Topic: ts.Topic, Lecturer: ts.Lecturer, LecturerOrg: ts.LecturerOrg, Fields: map[string]string{}}
	for _, k := range herald.SessionKinds {
		f.Kinds = append(f.Kinds, option{Value: string(k), Label: s.msgs.T(lang, "training.kind."+string(k)), Selected: k == ts.Kind})
	}
	if !ts.StartsAt.IsZero() {
		f.Day, f.Start, f.End = ts.StartsAt.In(CST).Format(time.DateOnly), ts.StartsAt.In(CST).Format("15:04"), ts.EndsAt.In(CST).Format("15:04")
	}
	return f
}

func (s *Server) editCoursePage(w http.ResponseWriter, r *http.Request, req *request) {
	if s.refuseNonOrganisers(w, r, req) {
		return
	}
	d, err := s.courseFormPage(r, req, nil)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	s.renderCourseForm(w, r, req, http.StatusOK, d)
}

// courseFormPage is the edit page of the course the path names, as stored;
// the caller then puts a refused form in its place.
func (s *Server) courseFormPage(r *http.Request, req *request, c *herald.Course) (*courseFormData, error) {
	var err error
	if c == nil {
		if c, err = loadByID(s, r, req, "training.not_found", s.Store.FindCourseByID); err != nil {
			return nil, err
		}
	}
	units, err := s.unitPicker(r)
	if err != nil {
		return nil, err
	}
	sessions, err := s.Store.FindTrainingSessions(r.Context(), c.ID)
	if err != nil {
		return nil, err
	}
	d := &courseFormData{Course: s.courseFormOf(c, units), Existing: true, units: units, New: s.sessionFormOf(req.lang, &herald.TrainingSession{Kind: herald.SessionLecture})}
	if len(sessions) > 0 {
		// the next session most likely follows the last one on its day
		last := sessions[len(sessions)-1]
		d.New.Day = last.StartsAt.In(CST).Format(time.DateOnly)
	} else {
		d.New.Day = herald.DayString(c.StartDay)
	}
	for _, ts := range sessions {
		d.Sessions = append(d.Sessions, s.sessionFormOf(req.lang, ts))
	}
	return d, nil
}

func (s *Server) renderCourseForm(w http.ResponseWriter, r *http.Request, req *request, status int, d *courseFormData) {
	title := s.msgs.T(req.lang, "training.form.new")
	if d.Existing {
		title = s.msgs.T(req.lang, "training.form.edit", d.Course.Title)
	}
	s.render(w, r, status, "training-form", req, title, d)
}

// courseFromForm reads the course form over base; input that is not even
// a day or a number is named in the form's fields.
func (s *Server) courseFromForm(r *http.Request, base *herald.Course, units unitPicker) (courseForm, error) {
	c := base
	f := courseForm{ID: base.ID, Title: r.PostFormValue("title"), Place: r.PostFormValue("place"), Description: r.PostFormValue("description"),
		Start: strings.TrimSpace(r.PostFormValue("start_day")), End: strings.TrimSpace(r.PostFormValue("end_day")),
		Capacity: strings.TrimSpace(r.PostFormValue("capacity")), Fields: map[string]string{}}
	f.Version, _ = strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	c.Title, c.Place, c.Description = f.Title, f.Place, f.Description
	c.OrganiserID = formID(r.PostFormValue("organiser_id"))
	f.Organisers = units.choices(c.OrganiserID)
	var p herald.Problems
	for _, day := range []struct {
		field, text string
		into        *time.Time
	}{{"start_day", f.Start, &c.StartDay}, {"end_day", f.End, &c.EndDay}} {
		if d, err := herald.ParseDay(day.text); err == nil {
			*day.into = d
		} else if day.text != "" {
			p.Add(day.field, "must be a day written YYYY-MM-DD")
		} else {
			*day.into = time.Time{}
		}
	}
	if n, err := strconv.Atoi(f.Capacity); err == nil {
		c.Capacity = n
	} else {
		c.Capacity = 0 // Validate says it is required
	}
	c.Quotas = nil
	unitIDs, places := r.PostForm["quota_unit"], r.PostForm["quota_places"]
	for i, v := range unitIDs {
		row := placesRow{N: len(f.Quotas) + 1, Units: units.choices(formID(v))}
		if i < len(places) {
			row.Places = strings.TrimSpace(places[i])
		}
		f.Quotas = append(f.Quotas, row)
		if formID(v) == 0 && row.Places == "" {
			continue // a blank row
		}
		n, err := strconv.Atoi(row.Places)
		if err != nil {
			p.Add("quotas", "a unit's places must be from 1 to 1000")
		}
		c.Quotas = append(c.Quotas, herald.CourseQuota{UnitID: formID(v), Places: n})
	}
	for len(f.Quotas) < len(c.Quotas)+blankQuotaRows {
		f.Quotas = append(f.Quotas, placesRow{N: len(f.Quotas) + 1, Units: units.choices(0)})
	}
	return f, p.Err()
}

// formProblems puts errs' problems, in lang, under the form's known
// fields (the first problem of a field wins: the form's own, then the
// domain's); the others go above the form.
func (s *Server) formProblems(lang string, fields map[string]string, rest *[]string, known []string, errs ...error) {
	for _, err := range errs {
		if err == nil {
			continue
		}
		got, others := fieldProblems(err, func(fe herald.FieldError) string { return s.trainingProblemText(lang, fe) }, known...)
		for k, v := range got {
			if fields[k] == "" {
				fields[k] = v
			}
		}
		*rest = append(*rest, others...)
	}
}

func (s *Server) courseProblems(lang string, f *courseForm, errs ...error) {
	s.formProblems(lang, f.Fields, &f.Problems, courseFields, errs...)
}

func (s *Server) sessionProblems(lang string, f *sessionForm, errs ...error) {
	s.formProblems(lang, f.Fields, &f.Problems, sessionFields, errs...)
}

func (s *Server) createCourse(w http.ResponseWriter, r *http.Request, req *request) {
	if s.refuseNonOrganisers(w, r, req) {
		return
	}
	units, err := s.unitPicker(r)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	c := &herald.Course{}
	f, formErr := s.courseFromForm(r, c, units)
	if formErr == nil {
		err = s.trainingService().CreateCourse(r.Context(), req.staff, c)
		if err == nil {
			http.Redirect(w, r, coursePath(c.ID)+"/edit?done=course_created", http.StatusSeeOther)
			return
		} else if !refusal(err) {
			s.fail(w, r, req, err)
			return
		}
	} else {
		err = c.Validate() // the domain's problems of the rest; nothing is stored
	}
	s.courseProblems(req.lang, &f, formErr, err)
	s.renderCourseForm(w, r, req, http.StatusBadRequest, &courseFormData{Course: f, New: s.sessionFormOf(req.lang, &herald.TrainingSession{Kind: herald.SessionLecture})})
}

// refusal reports whether err refuses the input (shown on the form) rather
// than failing (an error page).
func refusal(err error) bool {
	switch herald.ErrorCode(err) {
	case herald.EINVALID, herald.ECONFLICT:
		return true
	}
	return false
}

func (s *Server) updateCourse(w http.ResponseWriter, r *http.Request, req *request) {
	if s.refuseNonOrganisers(w, r, req) {
		return
	}
	d, err := s.courseFormPage(r, req, nil)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	posted := &herald.Course{}
	f, formErr := s.courseFromForm(r, posted, d.units)
	if formErr != nil {
		// what the form could not read, and the domain's problems of the rest
		s.courseProblems(req.lang, &f, formErr, posted.Validate())
		f.Version, d.Course = formVersion(r), f
		s.renderCourseForm(w, r, req, http.StatusBadRequest, d)
		return
	}
	_, err = s.trainingService().UpdateCourse(r.Context(), req.staff, d.Course.ID, int(formVersion(r)), func(c *herald.Course) error {
		c.Title, c.OrganiserID, c.Place, c.Description = posted.Title, posted.OrganiserID, posted.Place, posted.Description
		c.StartDay, c.EndDay, c.Capacity, c.Quotas = posted.StartDay, posted.EndDay, posted.Capacity, posted.Quotas
		return nil
	})
	switch {
	case err == nil:
		http.Redirect(w, r, coursePath(d.Course.ID)+"/edit?done=course_saved", http.StatusSeeOther)
		return
	case !refusal(err):
		s.fail(w, r, req, err)
		return
	}
	s.courseProblems(req.lang, &f, err)
	// after a conflict the form holds the stored version: saving it again
	// overwrites the other change knowingly
	f.Version = d.Course.Version
	d.Course = f
	s.renderCourseForm(w, r, req, httpStatusOf(err), d)
}

func formVersion(r *http.Request) int64 {
	v, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	return v
}

// httpStatusOf is a refused form's status: 409 for a conflict, 400 else.
func httpStatusOf(err error) int {
	if herald.ErrorCode(err) == herald.ECONFLICT {
		return http.StatusConflict
	}
	return http.StatusBadRequest
}

// sessionFromForm reads a session's form over ts: the day and the start
// and end times, in CST.
func (s *Server) sessionFromForm(r *http.Request, lang string, ts *herald.TrainingSession) (sessionForm, error) {
	ts.Kind = herald.SessionKind(r.PostFormValue("kind"))
	ts.Topic, ts.Lecturer, ts.LecturerOrg = r.PostFormValue("topic"), r.PostFormValue("lecturer"), r.PostFormValue("lecturer_org")
	f := s.sessionFormOf(lang, ts)
	f.ID = ts.ID
	f.Day, f.Start, f.End = strings.TrimSpace(r.PostFormValue("day")), strings.TrimSpace(r.PostFormValue("start")), strings.TrimSpace(r.PostFormValue("end"))
	var p herald.Problems
	day, err := herald.ParseDay(f.Day)
	if err != nil {
		p.Add("day", "must be a day written YYYY-MM-DD")
	}
	at := func(field, clock string) time.Time {
		t, err := time.ParseInLocation("15:04", clock, CST)
		if err != nil {
			p.Add(field, "must be a time written HH:MM")
			return time.Time{}
		}
		return day.Add(time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute)
	}
	ts.StartsAt, ts.EndsAt = at("starts_at", f.Start), at("ends_at", f.End)
	if err != nil {
		ts.StartsAt, ts.EndsAt = time.Time{}, time.Time{}
	}
	return f, p.Err()
}

func (s *Server) addSession(w http.ResponseWriter, r *http.Request, req *request) {
	if s.refuseNonOrganisers(w, r, req) {
		return
	}
	d, err := s.courseFormPage(r, req, nil)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	ts := &herald.TrainingSession{CourseID: d.Course.ID}
	f, formErr := s.sessionFromForm(r, req.lang, ts)
	if formErr == nil {
		err = s.trainingService().AddSession(r.Context(), req.staff, ts)
	} else {
		err = ts.Validate()
		if herald.ErrorCode(err) == herald.EINVALID {
			err = withoutTimes(err) // the times are named by the form's own problems
		}
	}
	if formErr == nil && err == nil {
		http.Redirect(w, r, coursePath(d.Course.ID)+"/edit?done=session_added#sessions", http.StatusSeeOther)
		return
	}
	if formErr == nil && !refusal(err) {
		s.fail(w, r, req, err)
		return
	}
	s.sessionProblems(req.lang, &f, formErr, err)
	d.New = f
	s.renderCourseForm(w, r, req, httpStatusOf(err), d)
}

// withoutTimes drops the problems of the times from a session's
// validation, when the form could not read them.
func withoutTimes(err error) error {
	var p herald.Problems
	for _, fe := range herald.ErrorFields(err) {
		if fe.Field != "starts_at" && fe.Field != "ends_at" {
			p.Add(fe.Field, "%s", fe.Message)
		}
	}
	return p.Err()
}

// sessionCourse loads the session the path names and its course's form page.
func (s *Server) sessionCourse(r *http.Request, req *request) (*herald.TrainingSession, *courseFormData, error) {
	ts, err := loadByID(s, r, req, "training.no_session", s.Store.FindTrainingSessionByID)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.Store.FindCourseByID(r.Context(), ts.CourseID)
	if err != nil {
		return nil, nil, err
	}
	d, err := s.courseFormPage(r, req, c)
	return ts, d, err
}

func (s *Server) updateSession(w http.ResponseWriter, r *http.Request, req *request) {
	if s.refuseNonOrganisers(w, r, req) {
		return
	}
	ts, d, err := s.sessionCourse(r, req)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	var f sessionForm
	var formErr error
	_, err = s.trainingService().UpdateSession(r.Context(), req.staff, ts.ID, func(ts *herald.TrainingSession) error {
		f, formErr = s.sessionFromForm(r, req.lang, ts)
		return formErr
	})
	if err == nil {
		http.Redirect(w, r, coursePath(d.Course.ID)+"/edit?done=session_saved#session-"+strconv.FormatInt(ts.ID, 10), http.StatusSeeOther)
		return
	}
	if !refusal(err) || f.Fields == nil {
		s.fail(w, r, req, err)
		return
	}
	if formErr != nil {
		err = nil // the form's own problems are err
	}
	s.sessionProblems(req.lang, &f, formErr, err)
	for i := range d.Sessions {
		if d.Sessions[i].ID == ts.ID {
			d.Sessions[i] = f
		}
	}
	s.renderCourseForm(w, r, req, httpStatusOf(err), d)
}

func (s *Server) removeSession(w http.ResponseWriter, r *http.Request, req *request) {
	if s.refuseNonOrganisers(w, r, req) {
		return
	}
	ts, d, err := s.sessionCourse(r, req)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	if _, err = s.trainingService().RemoveSession(r.Context(), req.staff, ts.ID); err == nil {
		http.Redirect(w, r, coursePath(d.Course.ID)+"/edit?done=session_removed#sessions", http.StatusSeeOther)
		return
	}
	if !refusal(err) {
		s.fail(w, r, req, err)
		return
	}
	for i := range d.Sessions {
		if d.Sessions[i].ID == ts.ID {
			d.Sessions[i].Problems = append(d.Sessions[i].Problems, s.msgs.T(req.lang, "training.form.keep_session"))
		}
	}
	s.renderCourseForm(w, r, req, http.StatusConflict, d)
}

// trainingProblemPatterns translate the course's and sessions' field
// messages; the captured text is the catalog text's arguments.
var trainingProblemPatterns = []problemPattern{
	{regexp.MustCompile(`^must be a day written YYYY-MM-DD$`), "training.problem.day"},
	{regexp.MustCompile(`^must be a time written HH:MM$`), "training.problem.time"},
	{regexp.MustCompile(`^is before the first day$`), "training.problem.end_before_start"},
	{regexp.MustCompile(`^is more than three months after the first day$`), "training.problem.too_long"},
	{regexp.MustCompile(`^leaves the session "(.*)" \((\S+)\) outside the course's days$`), "training.problem.strands_session"},
	{regexp.MustCompile(`^must be text of at most (\d+) characters$`), "training.problem.text"},
	{regexp.MustCompile(`^must be at most (\d+) characters$`), "training.problem.text"},
	{regexp.MustCompile(`^must be from 1 to 10000 participants$`), "training.problem.capacity"},
	{regexp.MustCompile(`^is below the (\d+) participants approved already$`), "training.problem.capacity_approved"},
	{regexp.MustCompile(`^name at least one target unit and its places$`), "training.problem.no_quotas"},
	{regexp.MustCompile(`^each quota needs a unit$`), "training.problem.quota_unit"},
	{regexp.MustCompile(`^unit \d+ has two quotas$`), "training.problem.quota_twice"},
	{regexp.MustCompile(`^a unit's places must be from 1 to 1000$`), "training.problem.quota_places"},
	{regexp.MustCompile(`^(.+) holds (\d+) places already and cannot be dropped`), "training.problem.quota_dropped"},
	{regexp.MustCompile(`^(.+) holds (\d+) places already: its quota cannot be less$`), "training.problem.quota_held"},
	{regexp.MustCompile(`^must fall within the course's days, (\S+) to (\S+)$`), "training.problem.outside_days"},
	{regexp.MustCompile(`^overlaps the session "(.*)", (.+)$`), "training.problem.overlap"},
	{regexp.MustCompile(`^must be after the start$`), "training.problem.end_before_start_time"},
	{regexp.MustCompile(`^a session lasts at most 12 hours$`), "training.problem.session_long"},
	{regexp.MustCompile(`^must be one of `), "admin.problem.choose"},
}

// trainingProblemText is a problem of the course form in lang.
func (s *Server) trainingProblemText(lang string, fe herald.FieldError) string {
	return s.patternProblemText(lang, fe, trainingProblemPatterns)
}
