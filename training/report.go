package training

import (
	"context"
	"maps"
	"strconv"
	"time"

	"github.com/heraldnews/herald"
)

// Report is a course's attendance: each approved participant, the sessions
// they attended, their minutes and whether they completed the course.
type Report struct {
	Course       *herald.Course
	Sessions     []*herald.TrainingSession
	Rows         []ReportRow
	TotalMinutes int // of all the sessions
}

// ReportRow is one participant of the report.
type ReportRow struct {
	Enrolment   *herald.Enrolment
	Staff       *herald.Staff
	Unit        *herald.Unit                 // the staff member's own unit
	ByID        map[int64]*herald.Attendance // attendance by session ID
	Minutes     int
	Complete    bool
	Certificate *herald.Certificate
}

// minutes is a session's length in whole minutes.
func minutes(ts *herald.TrainingSession) int { return int(ts.Duration() / time.Minute) }

// Completes reports whether attended minutes out of total complete a
// course: at least CompletionPercent of them.
func Completes(attended, total int) bool {
	return total > 0 && attended*100 >= total*CompletionPercent
}

// Report builds a course's attendance report. Errors: ENOTFOUND.
func (s *Service) Report(ctx context.Context, courseID int64) (*Report, error) {
	c, err := s.Store.FindCourseByID(ctx, courseID)
	if err != nil {
		return nil, err
	}
	return s.CourseReport(ctx, c, nil, nil)
}

// CourseReport builds the attendance report of a course loaded already.
// staff (by ID) and units are the caller's, when it has them loaded; the
// participants staff lacks, and units when nil, are loaded.
func (s *Service) CourseReport(ctx context.Context, c *herald.Course, staff map[int64]*herald.Staff, units *herald.UnitTree) (*Report, error) {
	courseID := c.ID
	r := &Report{Course: c}
	var err error
	if r.Sessions, err = s.Store.FindTrainingSessions(ctx, courseID); err != nil {
		return nil, err
	}
	length := map[int64]int{}
	for _, ts := range r.Sessions {
		length[ts.ID] = minutes(ts)
		r.TotalMinutes += length[ts.ID]
	}
	enrolled, err := s.Store.FindEnrolments(ctx, herald.EnrolmentFilter{CourseID: courseID, Statuses: []herald.EnrolmentStatus{herald.EnrolmentApproved}})
	if err != nil {
		return nil, err
	}
	attendance, err := s.Store.FindAttendance(ctx, herald.AttendanceFilter{CourseID: courseID})
	if err != nil {
		return nil, err
	}
	certs, err := s.Store.FindCertificates(ctx, herald.CertificateFilter{CourseID: courseID})
	if err != nil {
		return nil, err
	}
	var missing []int64
	for _, e := range enrolled {
		if staff[e.StaffID] == nil {
			missing = append(missing, e.StaffID)
		}
	}
	if len(missing) > 0 {
		found, _, err := s.Store.FindStaff(ctx, herald.StaffFilter{IDs: missing})
		if err != nil {
			return nil, err
		}
		known := staff
		staff = make(map[int64]*herald.Staff, len(known)+len(found))
		maps.Copy(staff, known)
		for _, st := range found {
			staff[st.ID] = st
		}
	}
	if units == nil {
		all, _, err := s.Store.FindUnits(ctx, herald.UnitFilter{})
		if err != nil {
			return nil, err
		}
		units = herald.NewUnitTree(all)
	}
	rows := map[int64]*ReportRow{}
	for _, e := range enrolled {
		st := staff[e.StaffID]
		row := &ReportRow{Enrolment: e, Staff: st, ByID: map[int64]*herald.Attendance{}}
		if st != nil {
			row.Unit = units.Unit(st.UnitID)
		}
		rows[e.StaffID] = row
	}
	for _, a := range attendance {
		if row := rows[a.StaffID]; row != nil {
			row.ByID[a.SessionID] = a
			row.Minutes += length[a.SessionID]
		}
	}
	for _, cert := range certs {
		if row := rows[cert.StaffID]; row != nil {
			row.Certificate = cert
		}
	}
	for _, e := range enrolled {
		row := rows[e.StaffID]
		row.Complete = Completes(row.Minutes, r.TotalMinutes)
		r.Rows = append(r.Rows, *row)
	}
	return r, nil
}

// IssueCertificates issues a certificate to each participant who completed
// the course and has none yet, and returns how many it issued. Errors:
// EFORBIDDEN, ECONFLICT (nobody completed it).
func (s *Service) IssueCertificates(ctx context.Context, actor *herald.Staff, courseID int64) (int, error) {
	if err := mustOrganise(actor, "issue certificates"); err != nil {
		return 0, err
	}
	r, err := s.Report(ctx, courseID)
	if err != nil {
		return 0, err
	}
	var certs []*herald.Certificate
	for _, row := range r.Rows {
		if row.Complete && row.Certificate == nil {
			certs = append(certs, &herald.Certificate{CourseID: courseID, StaffID: row.Enrolment.StaffID, Minutes: row.Minutes})
		}
	}
	if len(certs) == 0 {
		return 0, herald.Errorf(herald.ECONFLICT, "Nobody is due a certificate: those who attended %d%% of the course's hours have theirs already, or nobody has yet.", CompletionPercent)
	}
	return s.Store.IssueCertificates(ctx, certs, s.event(actor))
}

// Record is one course on a staff member's training record.
type Record struct {
	Course      *herald.Course
	Status      herald.EnrolmentStatus
	Sessions    int // attended
	Minutes     int // attended
	Certificate *herald.Certificate
}

// Hours is a staff member's training record, the latest course first, and
// their training hours in minutes: the sum of the sessions they attended.
func (s *Service) Hours(ctx context.Context, staffID int64) ([]Record, int, error) {
	enrolled, err := s.Store.FindEnrolments(ctx, herald.EnrolmentFilter{StaffID: staffID})
	if err != nil {
		return nil, 0, err
	}
	attendance, err := s.Store.FindAttendance(ctx, herald.AttendanceFilter{StaffID: staffID})
	if err != nil {
		return nil, 0, err
	}
	certs, err := s.Store.FindCertificates(ctx, herald.CertificateFilter{StaffID: staffID})
	if err != nil {
		return nil, 0, err
	}
	// the attended sessions' count and minutes by course, from the sessions
	// the attendance names
	sessionsIn, minutesIn := map[int64]int{}, map[int64]int{}
	for _, a := range attendance {
		sessionsIn[a.CourseID]++
		minutesIn[a.CourseID] += a.Minutes
	}
	var out []Record
	total := 0
	for i := len(enrolled) - 1; i >= 0; i-- {
		e := enrolled[i]
		// one enrolment per course, so each course is loaded once
		c, err := s.Store.FindCourseByID(ctx, e.CourseID)
		if err != nil {
			return nil, 0, err
		}
		rec := Record{Course: c, Status: e.Status, Sessions: sessionsIn[c.ID], Minutes: minutesIn[c.ID]}
		for _, cert := range certs {
			if cert.CourseID == c.ID {
				rec.Certificate = cert
			}
		}
		total += rec.Minutes
		out = append(out, rec)
	}
	return out, total, nil
}

// FormatHours writes minutes as hours with one decimal: 390 is "6.5".
func FormatHours(minutes int) string {
	tenths := (minutes*10 + 30) / 60
	if tenths%10 == 0 {
		return strconv.Itoa(tenths / 10)
	}
	return strconv.Itoa(tenths/10) + "." + strconv.Itoa(tenths%10)
}
