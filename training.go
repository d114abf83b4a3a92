package herald

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Entities of training's events.
const (
	EntityCourse          = "course"
	EntityTrainingSession = "training_session"
	EntityEnrolment       = "enrolment"
	EntityAttendance      = "attendance"
	EntityMaterial        = "material"
	EntityFeedback        = "feedback"
	EntityCertificate     = "certificate"
)

// SessionKind is what a session of a course is.
type SessionKind string

// Session kinds.
const (
	SessionMobilization SessionKind = "mobilization" // 动员讲话: a leader opens the course
	SessionLecture      SessionKind = "lecture"      // 专题讲座
	SessionWorkshop     SessionKind = "workshop"     // 研讨交流
)

// SessionKinds lists the kinds in display order.
var SessionKinds = []SessionKind{SessionMobilization, SessionLecture, SessionWorkshop}

// Valid reports whether k is a known kind.
func (k SessionKind) Valid() bool { return slices.Contains(SessionKinds, k) }

// CourseQuota is how many places of a course a target unit may fill with
// its own staff and those of the units under it.
type CourseQuota struct {
	UnitID int64 `json:"unit_id"`
	Places int   `json:"places"`
}

// Course is a training course (培训班): who organises it, when and where,
// which units send whom. Capacity bounds the approved participants; the units'
// quotas bound their nominations and may add up to more than the capacity,
// for the organisers expect some nominations to fall through.
type Course struct {
	ID          int64         `json:"id"`
	Title       string        `json:"title"`
	OrganiserID int64         `json:"organiser_id"` // the organising unit
	Place       string        `json:"place"`
	StartDay    time.Time     `json:"start_day"` // CST
	EndDay      time.Time     `json:"end_day"`   // CST, inclusive
	Description string        `json:"description,omitempty"`
	Capacity    int           `json:"capacity"`
	Quotas      []CourseQuota `json:"quotas"`
	// Version counts the course's edits; an edit based on an older one is
	// refused, so that two organisers never overwrite each other unseen.
	Version int `json:"version"`
	// ArticleID is the course's report on the site, once published.
	ArticleID int64     `json:"article_id,omitempty"`
	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Quota returns the places of a target unit; ok is false for a unit the
// course does not target.
func (c *Course) Quota(unitID int64) (places int, ok bool) {
	for _, q := range c.Quotas {
		if q.UnitID == unitID {
			return q.Places, true
		}
	}
	return 0, false
}

// Validate checks a course's own fields.
func (c *Course) Validate() error {
	var p Problems
	checkName(&p, "title", c.Title, true)
	checkName(&p, "place", c.Place, true)
	if c.OrganiserID <= 0 {
		p.Add("organiser_id", "is required")
	}
	switch {
	case c.StartDay.IsZero():
		p.Add("start_day", "is required")
	case c.EndDay.IsZero():
		p.Add("end_day", "is required")
	case c.EndDay.Before(c.StartDay):
		p.Add("end_day", "is before the first day")
	case c.EndDay.Sub(c.StartDay) > 92*24*time.Hour:
		p.Add("end_day", "is more than three months after the first day")
	}
	if !utf8.ValidString(c.Description) || utf8.RuneCountInString(c.Description) > 4000 {
		p.Add("description", "must be text of at most 4000 characters")
	}
	if c.Capacity < 1 || c.Capacity > 10000 {
		p.Add("capacity", "must be from 1 to 10000 participants")
	}
	if len(c.Quotas) == 0 {
		p.Add("quotas", "name at least one target unit and its places")
	}
	seen := map[int64]bool{}
	for _, q := range c.Quotas {
		switch {
		case q.UnitID <= 0:
			p.Add("quotas", "each quota needs a unit")
		case seen[q.UnitID]:
			p.Add("quotas", "unit %d has two quotas", q.UnitID)
		case q.Places < 1 || q.Places > 1000:
			p.Add("quotas", "a unit's places must be from 1 to 1000")
		}
		seen[q.UnitID] = true
	}
	if c.ArticleID < 0 {
		p.Add("article_id", "must be an article ID")
	}
	return p.Err()
}

// TrainingSession is one session of a course: a speech, a lecture or a
// workshop, its time and who gives it. Check-in is open from CheckinMargin
// before it starts to CheckinMargin after it ends, and besides until
// CheckinUntil when an organiser opened it on demand.
type TrainingSession struct {
	ID           int64       `json:"id"`
	CourseID     int64       `json:"course_id"`
	Kind         SessionKind `json:"kind"`
	Topic        string      `json:"topic"`
	Lecturer     string      `json:"lecturer"`
	LecturerOrg  string      `json:"lecturer_org,omitempty"` // the lecturer's organisation: 省委党校
	StartsAt     time.Time   `json:"starts_at"`
	EndsAt       time.Time   `json:"ends_at"`
	CheckinUntil *time.Time  `json:"checkin_until,omitempty"`
	CreatedAt    time.Time   `json:"created_at"`
}

// CheckinMargin is how long before a session starts and after it ends
// participants may check in: they arrive early and the code stays on the
// screen through the break.
const CheckinMargin = 30 * time.Minute

// Duration is how long the session lasts.
func (s *TrainingSession) Duration() time.Duration { return s.EndsAt.Sub(s.StartsAt) }

// CheckinOpen reports whether participants may check in at now.
func (s *TrainingSession) CheckinOpen(now time.Time) bool {
	if s.CheckinUntil != nil && !now.After(*s.CheckinUntil) {
		return true
	}
	return !now.Before(s.StartsAt.Add(-CheckinMargin)) && !now.After(s.EndsAt.Add(CheckinMargin))
}

// Validate checks a session's own fields.
func (s *TrainingSession) Validate() error {
	var p Problems
	if !s.Kind.Valid() {
		p.Add("kind", "must be one of %s", joinTypes(SessionKinds))
	}
	checkName(&p, "topic", s.Topic, true)
	checkName(&p, "lecturer", s.Lecturer, true)
	checkName(&p, "lecturer_org", s.LecturerOrg, false)
	switch {
	case s.StartsAt.IsZero():
		p.Add("starts_at", "is required")
	case s.EndsAt.IsZero():
		p.Add("ends_at", "is required")
	case !s.EndsAt.After(s.StartsAt):
		p.Add("ends_at", "must be after the start")
	case s.EndsAt.Sub(s.StartsAt) > 12*time.Hour:
		p.Add("ends_at", "a session lasts at most 12 hours")
	}
	return p.Err()
}

// CheckSession checks that a session fits its course: within the course's
// days (CST) and overlapping none of the course's other sessions, for a
// participant attends one at a time and an overlap would count the same
// hours twice. others may include s itself (an edit), which is skipped.
func (c *Course) CheckSession(s *TrainingSession, others []*TrainingSession) error {
	if s.StartsAt.IsZero() || s.EndsAt.IsZero() || !s.EndsAt.After(s.StartsAt) {
		return nil // Validate names these
	}
	first, after := CSTDay(c.StartDay), CSTDay(c.EndDay).AddDate(0, 0, 1)
	switch {
	case s.StartsAt.Before(first) || !s.StartsAt.Before(after):
		return Invalid("starts_at", "must fall within the course's days, %s to %s", DayString(c.StartDay), DayString(c.EndDay))
	case s.EndsAt.After(after):
		return Invalid("ends_at", "must fall within the course's days, %s to %s", DayString(c.StartDay), DayString(c.EndDay))
	}
	for _, o := range others {
		if o.ID != 0 && o.ID == s.ID {
			continue
		}
		if s.StartsAt.Before(o.EndsAt) && o.StartsAt.Before(s.EndsAt) {
			return Invalid("starts_at", "overlaps the session %q, %s–%s", o.Topic,
				o.StartsAt.In(CST).Format("2006-01-02 15:04"), o.EndsAt.In(CST).Format("15:04"))
		}
	}
	return nil
}

// EnrolmentStatus is where a nomination stands.
type EnrolmentStatus string

// Enrolment states. A unit nominates; an organiser approves it (a place),
// puts it on the waiting list (the course is full) or rejects it; an
// approved or waiting participant may withdraw; a waiting one is approved
// when a place frees.
const (
	EnrolmentNominated  EnrolmentStatus = "nominated"
	EnrolmentApproved   EnrolmentStatus = "approved"
	EnrolmentWaitlisted EnrolmentStatus = "waitlisted"
	EnrolmentRejected   EnrolmentStatus = "rejected"
	EnrolmentWithdrawn  EnrolmentStatus = "withdrawn"
)

// EnrolmentStatuses lists the states in display order.
var EnrolmentStatuses = []EnrolmentStatus{EnrolmentNominated, EnrolmentApproved, EnrolmentWaitlisted, EnrolmentRejected, EnrolmentWithdrawn}

// enrolmentMoves are the allowed transitions; rejected and withdrawn are final
// (a unit nominates someone else instead).
var enrolmentMoves = map[EnrolmentStatus][]EnrolmentStatus{
	EnrolmentNominated:  {EnrolmentApproved, EnrolmentWaitlisted, EnrolmentRejected, EnrolmentWithdrawn},
	EnrolmentWaitlisted: {EnrolmentApproved, EnrolmentWithdrawn, EnrolmentRejected},
	EnrolmentApproved:   {EnrolmentWithdrawn},
}

// CanMove reports whether an enrolment may go from one state to another.
func (from EnrolmentStatus) CanMove(to EnrolmentStatus) bool {
	return slices.Contains(enrolmentMoves[from], to)
}

// HoldsPlace reports whether the enrolment counts against its unit's quota:
// a nomination waiting for a decision, an approval or a place on the
// waiting list.
func (s EnrolmentStatus) HoldsPlace() bool {
	return s == EnrolmentNominated || s == EnrolmentApproved || s == EnrolmentWaitlisted
}

// Enrolment is a staff member's place on a course, nominated by a target
// unit (UnitID: the quota it counts against).
type Enrolment struct {
	ID          int64           `json:"id"`
	CourseID    int64           `json:"course_id"`
	StaffID     int64           `json:"staff_id"`
	UnitID      int64           `json:"unit_id"`
	Status      EnrolmentStatus `json:"status"`
	NominatedBy int64           `json:"nominated_by"`
	NominatedAt time.Time       `json:"nominated_at"`
	DecidedBy   int64           `json:"decided_by,omitempty"` // who last moved it
	DecidedAt   *time.Time      `json:"decided_at,omitempty"`
	Note        string          `json:"note,omitempty"` // a reason given with the last move
}

// EnrolmentFilter selects enrolments, oldest nomination first; zero fields
// do not filter.
type EnrolmentFilter struct {
	CourseID int64
	StaffID  int64
	UnitID   int64
	Statuses []EnrolmentStatus
}

// AttendanceMethod is how attendance was recorded.
type AttendanceMethod string

// Attendance methods.
const (
	AttendanceQR     AttendanceMethod = "qr"     // the participant scanned the session's code
	AttendanceManual AttendanceMethod = "manual" // an organiser marked it
)

// Attendance records that a participant attended a session.
type Attendance struct {
	SessionID  int64            `json:"session_id"`
	StaffID    int64            `json:"staff_id"`
	At         time.Time        `json:"at"`
	Method     AttendanceMethod `json:"method"`
	RecordedBy int64            `json:"recorded_by"`
	// CourseID and Minutes are the session's course and length in whole
	// minutes, filled in by FindAttendance so that training hours are summed
	// without loading the sessions; they are not part of the record.
	CourseID int64 `json:"-"`
	Minutes  int   `json:"-"`
}

// AttendanceFilter selects attendance, by session then time; zero fields do
// not filter.
type AttendanceFilter struct {
	CourseID  int64
	SessionID int64
	StaffID   int64
}

// Material is a file handed out with a session: slides, a document. Data
// is loaded only by FindMaterialFile.
type Material struct {
	ID          int64     `json:"id"`
	SessionID   int64     `json:"session_id"`
	Title       string    `json:"title"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int       `json:"size"`
	SHA256      string    `json:"sha256"`
	UploadedBy  int64     `json:"uploaded_by"`
	CreatedAt   time.Time `json:"created_at"`
	Data        []byte    `json:"-"`
}

// MaxMaterialBytes bounds a material's file: a lecture's slides with photos.
const MaxMaterialBytes = 30 << 20

// Validate checks a material's fields.
func (m *Material) Validate() error {
	var p Problems
	if m.SessionID <= 0 {
		p.Add("session_id", "is required")
	}
	checkName(&p, "title", m.Title, true)
	if m.Filename == "" || len(m.Filename) > 200 || strings.ContainsAny(m.Filename, "/\\\x00\r\n") || !utf8.ValidString(m.Filename) {
		p.Add("file", "needs a file name without slashes, of at most 200 bytes")
	}
	switch {
	case len(m.Data) == 0:
		p.Add("file", "is empty")
	case len(m.Data) > MaxMaterialBytes:
		p.Add("file", "is larger than %d MiB", MaxMaterialBytes>>20)
	}
	if m.ContentType == "" {
		p.Add("file", "has no known type")
	}
	return p.Err()
}

// FeedbackCriteria are what participants rate a course on, 1 to 5 each.
var FeedbackCriteria = []string{"content", "lecturers", "organisation", "usefulness"}

// Feedback is one participant's rating of a course, given once.
type Feedback struct {
	CourseID  int64          `json:"course_id"`
	StaffID   int64          `json:"staff_id"`
	Ratings   map[string]int `json:"ratings"`
	Comment   string         `json:"comment,omitempty"`
	CreatedAt time.Time      `json:"created_at"`
}

// Validate checks that every criterion is rated 1 to 5 and the comment is short.
func (f *Feedback) Validate() error {
	var p Problems
	for _, c := range FeedbackCriteria {
		if r, ok := f.Ratings[c]; !ok || r < 1 || r > 5 {
			p.Add("ratings."+c, "must be rated from 1 to 5")
		}
	}
	for k := range f.Ratings {
		if !slices.Contains(FeedbackCriteria, k) {
			p.Add("ratings", "%q is not a criterion; they are %s", k, strings.Join(FeedbackCriteria, ", "))
			break
		}
	}
	if !utf8.ValidString(f.Comment) || utf8.RuneCountInString(f.Comment) > 2000 {
		p.Add("comment", "must be text of at most 2000 characters")
	}
	return p.Err()
}

// Certificate is a completion certificate (结业证书) issued to a participant.
// Its number runs per course in the order of issue.
type Certificate struct {
	ID       int64     `json:"id"`
	CourseID int64     `json:"course_id"`
	StaffID  int64     `json:"staff_id"`
	Number   string    `json:"number"`  // PX2019-001-007
	Minutes  int       `json:"minutes"` // attended, when issued
	IssuedBy int64     `json:"issued_by"`
	IssuedAt time.Time `json:"issued_at"`
}

// CertificateNumber is the number of a course's seq-th certificate: the
// course's year and ID and the sequence, so numbers never repeat.
func CertificateNumber(c *Course, seq int) string {
	return fmt.Sprintf("PX%d-%03d-%03d", c.StartDay.In(CST).Year(), c.ID, seq)
}

// CertificateFilter selects certificates, in the order of issue; zero
// fields do not filter.
type CertificateFilter struct {
	CourseID int64
	StaffID  int64
}

// TrainingStore keeps courses, their sessions, enrolments, attendance,
// materials, feedback and certificates. Errors: EINVALID naming the field,
// ECONFLICT (a transition the enrolment's state forbids; a nomination past
// the unit's quota or of someone enrolled already; an approval past the
// capacity; attendance or feedback recorded already), ENOTFOUND.
type TrainingStore interface {
	CreateCourse(ctx context.Context, c *Course, ev Event) error
	// UpdateCourse loads a course in a write transaction, lets fn change it,
	// and saves it with its quotas as the next version. A change that would
	// leave a unit's quota below the places its nominations hold, drop a
	// target unit that holds some, bring the capacity below the approved
	// participants or leave a session outside the course's days is refused
	// (EINVALID naming the field).
	UpdateCourse(ctx context.Context, id int64, ev Event, fn func(c *Course) error) (*Course, error)
	FindCourseByID(ctx context.Context, id int64) (*Course, error)
	// FindCourses lists the courses, the latest first.
	FindCourses(ctx context.Context) ([]*Course, error)

	// CreateTrainingSession adds a session, refused (EINVALID) when it does
	// not fit its course (Course.CheckSession).
	CreateTrainingSession(ctx context.Context, s *TrainingSession, ev Event) error
	// UpdateTrainingSession loads a session in a write transaction, lets fn
	// change its kind, topic, lecturer and times, and saves it if it still
	// fits its course.
	UpdateTrainingSession(ctx context.Context, id int64, ev Event, fn func(s *TrainingSession) error) (*TrainingSession, error)
	// DeleteTrainingSession removes a session, refused (ECONFLICT) once
	// attendance or materials are recorded for it.
	DeleteTrainingSession(ctx context.Context, id int64, ev Event) (*TrainingSession, error)
	// OpenCheckin lets participants check in to a session until until,
	// whatever its times: for a session moved at short notice.
	OpenCheckin(ctx context.Context, sessionID int64, until time.Time, ev Event) (*TrainingSession, error)
	FindTrainingSessionByID(ctx context.Context, id int64) (*TrainingSession, error)
	// FindTrainingSessions lists a course's sessions in time order.
	FindTrainingSessions(ctx context.Context, courseID int64) ([]*TrainingSession, error)

	// Nominate records a nomination, refused (ECONFLICT) when the unit's
	// nominations holding places have reached its quota or the staff member
	// is enrolled already.
	Nominate(ctx context.Context, e *Enrolment, ev Event) error
	// MoveEnrolment moves an enrolment to another state, if the state
	// machine allows it; an approval past the course's capacity is refused.
	// A withdrawal that frees an approved place approves the longest
	// waiting enrolment in the same transaction, which it returns.
	MoveEnrolment(ctx context.Context, id int64, to EnrolmentStatus, note string, ev Event) (moved, promoted *Enrolment, err error)
	FindEnrolmentByID(ctx context.Context, id int64) (*Enrolment, error)
	FindEnrolments(ctx context.Context, f EnrolmentFilter) ([]*Enrolment, error)

	// RecordAttendance records attendance once per session and person; a
	// second record is ECONFLICT.
	RecordAttendance(ctx context.Context, a *Attendance, ev Event) error
	// FindAttendance lists attendance with each session's course and minutes.
	FindAttendance(ctx context.Context, f AttendanceFilter) ([]*Attendance, error)

	CreateMaterial(ctx context.Context, m *Material, ev Event) error
	// FindMaterials lists a course's materials without their data.
	FindMaterials(ctx context.Context, courseID int64) ([]*Material, error)
	// FindMaterialFile returns a material with its data.
	FindMaterialFile(ctx context.Context, id int64) (*Material, error)

	// SubmitFeedback records a participant's feedback, once (ECONFLICT after).
	SubmitFeedback(ctx context.Context, f *Feedback, ev Event) error
	FindFeedback(ctx context.Context, courseID int64) ([]*Feedback, error)

	// IssueCertificates issues the certificates whose holders have none for
	// the course yet, numbering them on from the course's last, and returns
	// how many it issued.
	IssueCertificates(ctx context.Context, certs []*Certificate, ev Event) (int, error)
	FindCertificates(ctx context.Context, f CertificateFilter) ([]*Certificate, error)

	// TrainingKey returns the key that signs check-in codes, storing
	// newKey's the first time.
	TrainingKey(ctx context.Context, at time.Time, newKey func() ([]byte, error)) ([]byte, error)
}
