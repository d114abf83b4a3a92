package newsroom

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/charts"
	"github.com/heraldnews/herald/httpx"
	"github.com/heraldnews/herald/print"
	"github.com/heraldnews/herald/qrsvg"
	"github.com/heraldnews/herald/tabular"
	"github.com/heraldnews/herald/training"
)

// The training pages (培训): the courses, each course's page (sessions and
// materials, enrolment by unit with the quotas' use, the organisers'
// decisions, the attendance report, feedback, certificates), the organiser's
// check-in screen with its rotating QR code, and the page a participant's
// phone opens by scanning it. The training service decides who may do what;
// the pages offer only what it would allow.

func (s *Server) trainingService() *training.Service { return training.New(s.Store, s.Auth.Clock) }

// trainingRoutes adds the training pages to mux.
func (s *Server) trainingRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /newsroom/training", s.signedIn(s.coursesPage))
	mux.HandleFunc("GET /newsroom/training/courses/{id}", s.signedIn(s.coursePage))
	mux.HandleFunc("POST /newsroom/training/courses/{id}/nominate", s.signedIn(s.nominate))
	mux.HandleFunc("POST /newsroom/training/courses/{id}/certificates", s.signedIn(s.issueCertificates))
	mux.HandleFunc("GET /newsroom/training/courses/{id}/certificates/{staff}", s.signedIn(s.certificatePDF))
	mux.HandleFunc("GET /newsroom/training/courses/{id}/attendance/{file}", s.signedIn(s.attendanceFile))
	mux.HandleFunc("POST /newsroom/training/courses/{id}/feedback", s.signedIn(s.submitFeedback))
	mux.HandleFunc("POST /newsroom/training/enrolments/{id}/{to}", s.signedIn(s.decideEnrolment))
	mux.HandleFunc("GET /newsroom/training/sessions/{id}/screen", s.signedIn(s.checkinScreen))
	mux.HandleFunc("POST /newsroom/training/sessions/{id}/open", s.signedIn(s.openCheckin))
	mux.HandleFunc("POST /newsroom/training/sessions/{id}/attendance", s.signedIn(s.markAttendance))
	mux.HandleFunc("POST /newsroom/training/sessions/{id}/materials", s.signedInLimit(herald.MaxMaterialBytes+1<<20, s.uploadMaterial))
	mux.HandleFunc("GET /newsroom/training/materials/{id}", s.signedIn(s.materialFile))
	mux.HandleFunc("GET /newsroom/training/checkin/{id}", s.signedIn(s.checkIn))
	s.trainingFormRoutes(mux) // training_form.go
}

func coursePath(id int64) string { return "/newsroom/training/courses/" + strconv.FormatInt(id, 10) }

// courseItem is a course of the list.
type courseItem struct {
	Course    *herald.Course
	Organiser string
	Dates     string
	Mine      herald.EnrolmentStatus // the reader's enrolment, if any
}

func courseDates(c *herald.Course) string {
	if c.StartDay.Equal(c.EndDay) {
		return herald.DayString(c.StartDay)
	}
	return herald.DayString(c.StartDay) + " – " + herald.DayString(c.EndDay)
}

func (s *Server) coursesPage(w http.ResponseWriter, r *http.Request, req *request) {
	ctx := r.Context()
	courses, err := s.Store.FindCourses(ctx)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	// the reader's record holds their enrolments, one per course
	records, total, err := s.trainingService().Hours(ctx, req.staff.ID)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	mine := make(map[int64]herald.EnrolmentStatus, len(records))
	for _, rec := range records {
		mine[rec.Course.ID] = rec.Status
	}
	units, err := s.unitTree(r)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	var items []courseItem
	for _, c := range courses {
		it := courseItem{Course: c, Dates: courseDates(c), Mine: mine[c.ID]}
		if u := units.Unit(c.OrganiserID); u != nil {
			it.Organiser = u.Name
		}
		items = append(items, it)
	}
	s.render(w, r, http.StatusOK, "training", req, s.msgs.T(req.lang, "training.title"), map[string]any{
		"Courses": items, "Hours": training.FormatHours(total), "Records": len(records), "Organise": training.MayOrganise(req.staff)})
}

func (s *Server) unitTree(r *http.Request) (*herald.UnitTree, error) {
	units, _, err := s.Store.FindUnits(r.Context(), herald.UnitFilter{})
	return herald.NewUnitTree(units), err
}

// courseData is the course page.
type courseData struct {
	Course    *herald.Course
	Dates     string
	Organiser string
	Report    *herald.Article
	Organise  bool
	Sessions  []sessionItem
	Quotas    []quotaItem
	// Enrolments lists the nominations the reader may see: all for
	// organisers, their unit's for its nominators, their own otherwise.
	Enrolments []enrolmentItem
	Nominees   []option // whom the reader may nominate, when they may
	NominateTo []option // for which units
	Attendance *training.Report
	Hours      map[int64]string // each report row's hours, by staff ID
	Mine       *herald.Enrolment
	MyCert     *herald.Certificate
	Feedback   feedbackSummary
	CanRate    bool
	Criteria   []string
	Problem    string
	Completion int
}

type sessionItem struct {
	Session   *herald.TrainingSession
	Time      string
	Materials []*herald.Material
	Present   int
}

type quotaItem struct {
	Unit         string
	Places, Held int
	Full         bool
}

type enrolmentItem struct {
	Enrolment *herald.Enrolment
	Name      string
	Unit      string
	Moves     []herald.EnrolmentStatus
}

type feedbackSummary struct {
	Count    int
	Averages []string
	Comments []string
	Chart    template.HTML
}

func (s *Server) coursePage(w http.ResponseWriter, r *http.Request, req *request) {
	s.renderCourse(w, r, req, http.StatusOK, "")
}

// renderCourse draws the course page; problem is why the last action was refused.
func (s *Server) renderCourse(w http.ResponseWriter, r *http.Request, req *request, status int, problem string) {
	ctx := r.Context()
	svc := s.trainingService()
	c, err := loadByID(s, r, req, "training.not_found", s.Store.FindCourseByID)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	units, err := s.unitTree(r)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	d := &courseData{Course: c, Dates: courseDates(c), Organise: training.MayOrganise(req.staff), Problem: problem,
		Criteria: herald.FeedbackCriteria, Completion: training.CompletionPercent, Hours: map[int64]string{}}
	if u := units.Unit(c.OrganiserID); u != nil {
		d.Organiser = u.Name
	}
	if c.ArticleID != 0 {
		if a, err := s.Store.FindArticleByID(ctx, c.ArticleID); err == nil {
			d.Report = a
		}
	}
	all, err := s.Store.FindEnrolments(ctx, herald.EnrolmentFilter{CourseID: c.ID})
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	enrolled := map[int64]bool{}
	for _, e := range all {
		enrolled[e.StaffID] = true
		if e.StaffID == req.staff.ID {
			d.Mine = e
		}
	}
	var nominateFor []int64 // the target units the reader may nominate for, full or not
	for _, q := range c.Quotas {
		qi := quotaItem{Places: q.Places}
		if u := units.Unit(q.UnitID); u != nil {
			qi.Unit = u.Name
		}
		for _, e := range all {
			if e.UnitID == q.UnitID && e.Status.HoldsPlace() {
				qi.Held++
			}
		}
		qi.Full = qi.Held >= q.Places
		d.Quotas = append(d.Quotas, qi)
		if !training.MayNominate(req.staff, c, q.UnitID) {
			continue
		}
		nominateFor = append(nominateFor, q.UnitID)
		if !qi.Full {
			d.NominateTo = append(d.NominateTo, option{Value: strconv.FormatInt(q.UnitID, 10), Label: qi.Unit})
		}
	}
	// everyone when the reader nominates (nil IDs), else those on the
	// course's list, the report's participants among them
	var ids []int64
	if len(d.NominateTo) == 0 {
		ids = make([]int64, 0, len(enrolled))
		for id := range enrolled {
			ids = append(ids, id)
		}
	}
	staff, _, err := s.Store.FindStaff(ctx, herald.StaffFilter{IDs: ids})
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	byID := map[int64]*herald.Staff{}
	for _, st := range staff {
		byID[st.ID] = st
	}
	rep, err := svc.CourseReport(ctx, c, byID, units)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	materials, err := s.Store.FindMaterials(ctx, c.ID)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	for _, ts := range rep.Sessions {
		it := sessionItem{Session: ts, Time: ts.StartsAt.In(CST).Format("2006-01-02 15:04") + "–" + ts.EndsAt.In(CST).Format("15:04")}
		for _, m := range materials {
			if m.SessionID == ts.ID {
				it.Materials = append(it.Materials, m)
			}
		}
		for _, row := range rep.Rows {
			if row.ByID[ts.ID] != nil {
				it.Present++
			}
		}
		d.Sessions = append(d.Sessions, it)
	}
	if len(d.NominateTo) > 0 {
		for _, st := range staff {
			if !st.Active() || enrolled[st.ID] {
				continue
			}
			for _, unitID := range nominateFor {
				if units.Within(st.UnitID, unitID) {
					d.Nominees = append(d.Nominees, option{Value: strconv.FormatInt(st.ID, 10), Label: st.Name + "（" + units.Unit(st.UnitID).Name + "）"})
					break
				}
			}
		}
	}
	for _, e := range all {
		st := byID[e.StaffID]
		if !training.MaySeeEnrolment(req.staff, e) {
			continue
		}
		it := enrolmentItem{Enrolment: e}
		if st != nil {
			it.Name = st.Name
		}
		if u := units.Unit(e.UnitID); u != nil {
			it.Unit = u.Name
		}
		for _, to := range []herald.EnrolmentStatus{herald.EnrolmentApproved, herald.EnrolmentWaitlisted, herald.EnrolmentRejected, herald.EnrolmentWithdrawn} {
			if e.Status.CanMove(to) && (d.Organise || to == herald.EnrolmentWithdrawn) {
				it.Moves = append(it.Moves, to)
			}
		}
		d.Enrolments = append(d.Enrolments, it)
	}
	if d.Organise {
		d.Attendance = rep
		for _, row := range rep.Rows {
			d.Hours[row.Enrolment.StaffID] = training.FormatHours(row.Minutes)
		}
	}
	for _, row := range rep.Rows {
		if row.Enrolment.StaffID == req.staff.ID {
			d.MyCert = row.Certificate
		}
	}
	fb, err := s.Store.FindFeedback(ctx, c.ID)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	d.Feedback = s.feedbackSummary(req.lang, fb, d.Organise)
	given := slices.ContainsFunc(fb, func(f *herald.Feedback) bool { return f.StaffID == req.staff.ID })
	d.CanRate = d.Mine != nil && d.Mine.Status == herald.EnrolmentApproved && !given && len(rep.Sessions) > 0 &&
		!s.Auth.Clock.Now().Before(rep.Sessions[0].StartsAt)
	s.render(w, r, status, "training-course", req, c.Title, d)
}

// feedbackSummary averages the ratings by criterion, charted; comments are
// for the organisers.
func (s *Server) feedbackSummary(lang string, fb []*herald.Feedback, organise bool) feedbackSummary {
	sum := feedbackSummary{Count: len(fb)}
	if len(fb) == 0 {
		return sum
	}
	var rows []charts.Row
	for _, c := range herald.FeedbackCriteria {
		total := 0
		for _, f := range fb {
			total += f.Ratings[c]
		}
		avg := float64(total) / float64(len(fb))
		label := s.msgs.T(lang, "training.criterion."+c)
		sum.Averages = append(sum.Averages, fmt.Sprintf("%s %.1f", label, avg))
		rows = append(rows, charts.Row{Label: label, Value: avg})
	}
	sum.Chart = charts.Ranking(charts.Options{Title: s.msgs.T(lang, "training.feedback_chart"), Decimals: 1, ID: "feedback"}, rows)
	if organise {
		for _, f := range fb {
			if f.Comment != "" {
				sum.Comments = append(sum.Comments, f.Comment)
			}
		}
	}
	return sum
}

// backToCourse redirects to the course page, saying what was done.
func backToCourse(w http.ResponseWriter, r *http.Request, courseID int64, done string) {
	http.Redirect(w, r, coursePath(courseID)+"?done="+done, http.StatusSeeOther)
}

// refused shows the course page again with why an action was refused, or
// the error page for what is not a refusal.
func (s *Server) refused(w http.ResponseWriter, r *http.Request, req *request, courseID int64, err error) {
	switch herald.ErrorCode(err) {
	case herald.EINVALID, herald.ECONFLICT, herald.EFORBIDDEN:
		r.SetPathValue("id", strconv.FormatInt(courseID, 10))
		s.renderCourse(w, r, req, http.StatusUnprocessableEntity, herald.ErrorMessage(err))
	default:
		s.fail(w, r, req, err)
	}
}

func (s *Server) nominate(w http.ResponseWriter, r *http.Request, req *request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	_, err := s.trainingService().Nominate(r.Context(), req.staff, id, formID(r.PostFormValue("staff")), formID(r.PostFormValue("unit")))
	if err != nil {
		s.refused(w, r, req, id, err)
		return
	}
	backToCourse(w, r, id, "nominated")
}

func (s *Server) decideEnrolment(w http.ResponseWriter, r *http.Request, req *request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	e, err := s.Store.FindEnrolmentByID(r.Context(), id)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	if _, _, err := s.trainingService().Decide(r.Context(), req.staff, id, herald.EnrolmentStatus(r.PathValue("to")), r.PostFormValue("note")); err != nil {
		s.refused(w, r, req, e.CourseID, err)
		return
	}
	backToCourse(w, r, e.CourseID, "enrolment_"+r.PathValue("to"))
}

func (s *Server) issueCertificates(w http.ResponseWriter, r *http.Request, req *request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if _, err := s.trainingService().IssueCertificates(r.Context(), req.staff, id); err != nil {
		s.refused(w, r, req, id, err)
		return
	}
	backToCourse(w, r, id, "certificates_issued")
}

func (s *Server) submitFeedback(w http.ResponseWriter, r *http.Request, req *request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	f := &herald.Feedback{CourseID: id, Ratings: map[string]int{}, Comment: r.PostFormValue("comment")}
	for _, c := range herald.FeedbackCriteria {
		f.Ratings[c], _ = strconv.Atoi(r.PostFormValue(c))
	}
	if err := s.trainingService().SubmitFeedback(r.Context(), req.staff, f); err != nil {
		s.refused(w, r, req, id, err)
		return
	}
	backToCourse(w, r, id, "feedback_given")
}

// certificatePDF sends a participant's certificate: to them and to the
// organisers.
func (s *Server) certificatePDF(w http.ResponseWriter, r *http.Request, req *request) {
	ctx := r.Context()
	c, err := loadByID(s, r, req, "training.not_found", s.Store.FindCourseByID)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	staffID := formID(strings.TrimSuffix(r.PathValue("staff"), ".pdf"))
	if staffID != req.staff.ID && !training.MayOrganise(req.staff) {
		s.fail(w, r, req, herald.Errorf(herald.EFORBIDDEN, "%s", s.msgs.T(req.lang, "training.certificate_forbidden")))
		return
	}
	certs, err := s.Store.FindCertificates(ctx, herald.CertificateFilter{CourseID: c.ID, StaffID: staffID})
	if err != nil || len(certs) == 0 {
		s.fail(w, r, req, herald.Errorf(herald.ENOTFOUND, "%s", s.msgs.T(req.lang, "training.no_certificate")))
		return
	}
	st, err := s.Store.FindStaffByID(ctx, staffID)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	units, err := s.unitTree(r)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	cert := certs[0]
	pdf, err := print.RenderCertificate(print.Certificate{Number: cert.Number, Name: st.Name, Unit: units.Unit(st.UnitID).Name, Course: c.Title,
		From: c.StartDay, To: c.EndDay, Hours: training.FormatHours(cert.Minutes), Issuer: units.Unit(c.OrganiserID).Name, Date: cert.IssuedAt})
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	s.download(w, "application/pdf", "certificate-"+cert.Number+".pdf", "结业证书-"+st.Name+"-"+cert.Number+".pdf", pdf)
}

// attendanceTable is the attendance report as a table: one row per
// participant, a column per session.
func (s *Server) attendanceTable(lang string, rep *training.Report) tabular.Table {
	t := tabular.Table{Name: s.msgs.T(lang, "training.attendance"), Title: rep.Course.Title}
	t.Columns = []tabular.Column{{Header: s.msgs.T(lang, "training.col.name")}, {Header: s.msgs.T(lang, "training.col.unit")}}
	for _, ts := range rep.Sessions {
		t.Columns = append(t.Columns, tabular.Column{Header: ts.StartsAt.In(CST).Format("01-02 15:04") + " " + ts.Topic})
	}
	t.Columns = append(t.Columns, tabular.Column{Header: s.msgs.T(lang, "training.col.hours"), Kind: tabular.Float, Decimals: 1},
		tabular.Column{Header: s.msgs.T(lang, "training.col.complete")}, tabular.Column{Header: s.msgs.T(lang, "training.col.certificate")})
	for _, row := range rep.Rows {
		cells := []any{row.Staff.Name, ""}
		if row.Unit != nil {
			cells[1] = row.Unit.Name
		}
		for _, ts := range rep.Sessions {
			mark := ""
			if a := row.ByID[ts.ID]; a != nil {
				mark = a.At.In(CST).Format("15:04") + " " + s.msgs.T(lang, "training.method."+string(a.Method))
			}
			cells = append(cells, mark)
		}
		complete, number := s.msgs.T(lang, "training.no"), ""
		if row.Complete {
			complete = s.msgs.T(lang, "training.yes")
		}
		if row.Certificate != nil {
			number = row.Certificate.Number
		}
		t.Rows = append(t.Rows, append(cells, float64(row.Minutes)/60, complete, number))
	}
	return t
}

func (s *Server) attendanceFile(w http.ResponseWriter, r *http.Request, req *request) {
	if s.refuseNonOrganisers(w, r, req) {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	rep, err := s.trainingService().Report(r.Context(), id)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	t := s.attendanceTable(req.lang, rep)
	var buf bytes.Buffer
	name := fmt.Sprintf("attendance-%d", id)
	switch r.PathValue("file") {
	case "attendance.csv":
		err = tabular.WriteCSV(&buf, t)
		s.download(w, "text/csv; charset=utf-8", name+".csv", "考勤-"+rep.Course.Title+".csv", buf.Bytes())
	case "attendance.xlsx":
		err = tabular.Workbook{Title: rep.Course.Title, Time: s.Auth.Clock.Now(), Tables: []tabular.Table{t}}.WriteXLSX(&buf)
		if err == nil {
			s.download(w, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name+".xlsx", "考勤-"+rep.Course.Title+".xlsx", buf.Bytes())
		}
	default:
		err = herald.Errorf(herald.ENOTFOUND, "No such file.")
	}
	if err != nil {
		s.fail(w, r, req, err)
	}
}

// screenData is the organiser's check-in screen.
type screenData struct {
	Session *herald.TrainingSession
	Course  *herald.Course
	Time    string
	QR      template.HTML
	URL     string
	Expires int64 // Unix milliseconds, when the page fetches the next code
	Open    bool
	Present int
	Of      int
}

func (s *Server) checkinScreen(w http.ResponseWriter, r *http.Request, req *request) {
	ctx := r.Context()
	ts, err := loadByID(s, r, req, "training.no_session", s.Store.FindTrainingSessionByID)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	code, err := s.trainingService().CurrentCode(ctx, req.staff, ts.ID)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	c, err := s.Store.FindCourseByID(ctx, ts.CourseID)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	scheme := "http://"
	if s.Secure {
		scheme = "https://"
	}
	d := &screenData{Session: ts, Course: c, URL: scheme + r.Host + code.Path(), Expires: code.Expires.UnixMilli(), Open: ts.CheckinOpen(s.Auth.Clock.Now()),
		Time: ts.StartsAt.In(CST).Format("2006-01-02 15:04") + "–" + ts.EndsAt.In(CST).Format("15:04")}
	if d.QR, err = qrsvg.SVG(d.URL, s.msgs.T(req.lang, "training.qr_label"), 360); err != nil {
		s.fail(w, r, req, err)
		return
	}
	present, err := s.Store.FindAttendance(ctx, herald.AttendanceFilter{SessionID: ts.ID})
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	approved, err := s.Store.FindEnrolments(ctx, herald.EnrolmentFilter{CourseID: c.ID, Statuses: []herald.EnrolmentStatus{herald.EnrolmentApproved}})
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	d.Present, d.Of = len(present), len(approved)
	s.render(w, r, http.StatusOK, "training-screen", req, ts.Topic, d)
}

func (s *Server) openCheckin(w http.ResponseWriter, r *http.Request, req *request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	ts, err := s.trainingService().OpenCheckin(r.Context(), req.staff, id)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	http.Redirect(w, r, "/newsroom/training/sessions/"+strconv.FormatInt(ts.ID, 10)+"/screen", http.StatusSeeOther)
}

func (s *Server) markAttendance(w http.ResponseWriter, r *http.Request, req *request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	ts, err := s.Store.FindTrainingSessionByID(r.Context(), id)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	if _, err := s.trainingService().MarkAttendance(r.Context(), req.staff, id, formID(r.PostFormValue("staff"))); err != nil {
		s.refused(w, r, req, ts.CourseID, err)
		return
	}
	backToCourse(w, r, ts.CourseID, "attendance_marked")
}

// materialTypes are the files handed out, by extension: what lecturers
// bring on a stick.
var materialTypes = map[string]string{
	".pdf":  "application/pdf",
	".ppt":  "application/vnd.ms-powerpoint",
	".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".doc":  "application/msword",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xls":  "application/vnd.ms-excel",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".txt":  "text/plain; charset=utf-8",
}

func (s *Server) uploadMaterial(w http.ResponseWriter, r *http.Request, req *request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	ts, err := s.Store.FindTrainingSessionByID(r.Context(), id)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	file, header, err := r.FormFile("file")
	if err != nil {
		s.refused(w, r, req, ts.CourseID, herald.Invalid("file", "%s", s.msgs.T(req.lang, "training.no_file")))
		return
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, herald.MaxMaterialBytes+1))
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	name := path.Base(strings.ReplaceAll(header.Filename, "\\", "/"))
	m := &herald.Material{SessionID: id, Title: r.PostFormValue("title"), Filename: name, Data: data,
		ContentType: materialTypes[strings.ToLower(path.Ext(name))]}
	if m.ContentType == "" {
		s.refused(w, r, req, ts.CourseID, herald.Invalid("file", "%s", s.msgs.T(req.lang, "training.bad_type")))
		return
	}
	if err := s.trainingService().AddMaterial(r.Context(), req.staff, m); err != nil {
		s.refused(w, r, req, ts.CourseID, err)
		return
	}
	backToCourse(w, r, ts.CourseID, "material_added")
}

func (s *Server) materialFile(w http.ResponseWriter, r *http.Request, req *request) {
	ctx := r.Context()
	m, err := loadByID(s, r, req, "training.no_material", s.Store.FindMaterialFile)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	ts, err := s.Store.FindTrainingSessionByID(ctx, m.SessionID)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	if ok, err := s.trainingService().MayReadMaterials(ctx, req.staff, ts.CourseID); err != nil || !ok {
		s.fail(w, r, req, herald.Errorf(herald.EFORBIDDEN, "%s", s.msgs.T(req.lang, "training.participants_only")))
		return
	}
	ascii := "material-" + strconv.FormatInt(m.ID, 10) + path.Ext(m.Filename)
	if ct, _, err := mime.ParseMediaType(m.ContentType); err == nil && ct != "" {
		s.download(w, m.ContentType, ascii, m.Filename, m.Data)
		return
	}
	s.download(w, "application/octet-stream", ascii, m.Filename, m.Data)
}

// checkinData is the participant's phone page after a scan.
type checkinData struct {
	Session *herald.TrainingSession
	Course  *herald.Course
	OK      bool
	Message string
}

// checkIn records the attendance of the signed-in participant whose phone
// opened a code's URL. Scanning is the act of checking in, so the GET
// records it: a code is only good for a minute and only for the one signed
// in, so a link that travels records nothing for anyone else.
func (s *Server) checkIn(w http.ResponseWriter, r *http.Request, req *request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	window, _ := strconv.ParseInt(r.URL.Query().Get("w"), 10, 64)
	ts, a, err := s.trainingService().CheckIn(r.Context(), req.staff, id, window, r.URL.Query().Get("t"))
	if ts == nil {
		s.fail(w, r, req, err)
		return
	}
	d := &checkinData{Session: ts, OK: err == nil}
	if d.Course, _ = s.Store.FindCourseByID(r.Context(), ts.CourseID); d.Course == nil {
		d.Course = &herald.Course{}
	}
	status := http.StatusOK
	switch reason := training.RefusalReason(err); {
	case err == nil:
		d.Message = s.msgs.T(req.lang, "training.checked_in", a.At.In(CST).Format("15:04"))
	case reason == training.RefusedAlready:
		d.Message, status = s.msgs.T(req.lang, "training.refused.already", a.At.In(CST).Format("15:04")), http.StatusConflict
	case reason == training.RefusedNotOpen:
		d.Message, status = s.msgs.T(req.lang, "training.refused.not_open", ts.StartsAt.Add(-herald.CheckinMargin).In(CST).Format("15:04")), http.StatusConflict
	case reason != "":
		d.Message, status = s.msgs.T(req.lang, "training.refused."+reason), httpx.Status(err)
	default:
		s.fail(w, r, req, err)
		return
	}
	s.render(w, r, status, "training-checkin", req, s.msgs.T(req.lang, "training.checkin_title"), d)
}

// trainingRecord is a staff member's training on their profile: each
// course, its hours and certificate, and the hours in all.
type trainingRecord struct {
	Total   string
	Courses []trainingRecordRow
}

type trainingRecordRow struct {
	training.Record
	Dates, Hours string
}

// shareTrainingRecord lends the training-record partial, defined with the
// account page, to the admin's member page, which shows the record too.
// Each page parses its own file only, so the partial is copied into the
// page's set at start-up (a copy: html/template escapes a tree in place).
func (s *Server) shareTrainingRecord() error {
	src := s.templates["account"].Lookup("training-record")
	if src == nil {
		return errors.New("newsroom: newsroom-account.html defines no training-record")
	}
	_, err := s.templates["admin-form"].AddParseTree("training-record", src.Tree.Copy())
	return err
}

func (s *Server) trainingRecord(ctx context.Context, staffID int64) (*trainingRecord, error) {
	records, total, err := s.trainingService().Hours(ctx, staffID)
	if err != nil {
		return nil, err
	}
	tr := &trainingRecord{Total: training.FormatHours(total)}
	for _, rec := range records {
		tr.Courses = append(tr.Courses, trainingRecordRow{Record: rec, Dates: courseDates(rec.Course), Hours: training.FormatHours(rec.Minutes)})
	}
	return tr, nil
}
