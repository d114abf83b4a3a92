// Package training runs training courses (培训班): organisers set up courses,
// their sessions and the units' quotas; units nominate their staff within
// their quotas; organisers approve, put on the waiting list or reject;
// participants check in to each session by scanning a rotating QR code with
// their phone (or an organiser marks them by hand); those who attended enough
// get a certificate, and every attended session counts towards their training
// hours.
package training

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/heraldnews/herald"
)

// Who may do what with courses.
var (
	// organiserRoles set up courses, decide enrolments, mark attendance and
	// issue certificates.
	organiserRoles = []herald.Role{herald.RoleTrainer, herald.RoleEditorInChief, herald.RoleAdmin}
	// nominatorRoles nominate the staff of their own unit (and the units
	// under it) within its quota.
	nominatorRoles = []herald.Role{herald.RoleEditor, herald.RoleEditorInChief, herald.RoleAdmin, herald.RoleTrainer}
)

// CompletionPercent is the share of a course's hours a participant must
// attend to complete it and earn its certificate: a participant who misses
// one lecture of five still completes, one who came for the opening only
// does not.
const CompletionPercent = 80

// CheckinExtension is how long check-in stays open when an organiser opens
// it on demand.
const CheckinExtension = 2 * time.Hour

// Service applies the rules of training over a store.
type Service struct {
	Store herald.Store
	Clock herald.Clock
	// NewKey makes the check-in signing key the first time one is needed;
	// nil reads 32 random bytes.
	NewKey func() ([]byte, error)
}

// New returns a service over store on clock.
func New(store herald.Store, clock herald.Clock) *Service {
	return &Service{Store: store, Clock: clock}
}

// MayOrganise reports whether st runs courses: trainers, the
// editor-in-chief and admins.
func MayOrganise(st *herald.Staff) bool {
	return st != nil && st.Active() && st.HasRole(organiserRoles...)
}

// MayNominate reports whether st may nominate for a target unit of a
// course: organisers for any, a unit's editors and trainers for their own.
func MayNominate(st *herald.Staff, c *herald.Course, unitID int64) bool {
	if _, ok := c.Quota(unitID); !ok || st == nil || !st.Active() {
		return false
	}
	return MayOrganise(st) || st.UnitID == unitID && st.HasRole(nominatorRoles...)
}

// MaySeeEnrolment reports whether st may see an enrolment, and withdraw it:
// organisers any, the nominators of its unit their unit's, everyone their own.
func MaySeeEnrolment(st *herald.Staff, e *herald.Enrolment) bool {
	if st == nil || !st.Active() {
		return false
	}
	return MayOrganise(st) || st.ID == e.StaffID || st.UnitID == e.UnitID && st.HasRole(nominatorRoles...)
}

func (s *Service) event(actor *herald.Staff) herald.Event {
	return herald.Event{At: s.Clock.Now(), ActorID: actor.ID}
}

func mustOrganise(actor *herald.Staff, what string) error {
	if !MayOrganise(actor) {
		return herald.Errorf(herald.EFORBIDDEN, "Only trainers, the editor-in-chief and admins %s.", what)
	}
	return nil
}

// CreateCourse sets up a course. Errors: EFORBIDDEN, EINVALID.
func (s *Service) CreateCourse(ctx context.Context, actor *herald.Staff, c *herald.Course) error {
	if err := mustOrganise(actor, "set up courses"); err != nil {
		return err
	}
	trimCourse(c)
	return s.Store.CreateCourse(ctx, c, s.event(actor))
}

// UpdateCourse lets fn change a course, if it still is the version the
// organiser edited: an edit based on an older version is refused rather than
// overwriting another organiser's unseen. The store refuses a change that
// strands nominations or sessions. Errors: EFORBIDDEN, EINVALID, ECONFLICT
// (another version), ENOTFOUND.
func (s *Service) UpdateCourse(ctx context.Context, actor *herald.Staff, id int64, version int, fn func(c *herald.Course) error) (*herald.Course, error) {
	if err := mustOrganise(actor, "change courses"); err != nil {
		return nil, err
	}
	return s.Store.UpdateCourse(ctx, id, s.event(actor), func(c *herald.Course) error {
		if c.Version != version {
			return herald.Errorf(herald.ECONFLICT, "The course was changed meanwhile: it is at version %d, the edit was based on version %d. Reload it and edit again.",
				c.Version, version)
		}
		if err := fn(c); err != nil {
			return err
		}
		trimCourse(c)
		return nil
	})
}

func trimCourse(c *herald.Course) {
	c.Title, c.Place, c.Description = strings.TrimSpace(c.Title), strings.TrimSpace(c.Place), strings.TrimSpace(c.Description)
}

func trimSession(ts *herald.TrainingSession) {
	ts.Topic, ts.Lecturer, ts.LecturerOrg = strings.TrimSpace(ts.Topic), strings.TrimSpace(ts.Lecturer), strings.TrimSpace(ts.LecturerOrg)
}

// AddSession adds a session to a course; it must fall within the course's
// days and overlap none of its other sessions (herald.Course.CheckSession,
// applied by the store under the course's lock). Errors: EFORBIDDEN,
// EINVALID.
func (s *Service) AddSession(ctx context.Context, actor *herald.Staff, ts *herald.TrainingSession) error {
	if err := mustOrganise(actor, "add sessions"); err != nil {
		return err
	}
	trimSession(ts)
	return s.Store.CreateTrainingSession(ctx, ts, s.event(actor))
}

// UpdateSession lets fn change a session's kind, topic, lecturer and times;
// it must still fit its course. Attendance already recorded stays and counts
// the session's new length. Errors: EFORBIDDEN, EINVALID, ENOTFOUND.
func (s *Service) UpdateSession(ctx context.Context, actor *herald.Staff, id int64, fn func(ts *herald.TrainingSession) error) (*herald.TrainingSession, error) {
	if err := mustOrganise(actor, "change sessions"); err != nil {
		return nil, err
	}
	return s.Store.UpdateTrainingSession(ctx, id, s.event(actor), func(ts *herald.TrainingSession) error {
		if err := fn(ts); err != nil {
			return err
		}
		trimSession(ts)
		return nil
	})
}

// RemoveSession removes a session that nobody attended and no material was
// handed out with: a session planned by mistake or cancelled. Errors:
// EFORBIDDEN, ECONFLICT (attendance or materials recorded), ENOTFOUND.
func (s *Service) RemoveSession(ctx context.Context, actor *herald.Staff, id int64) (*herald.TrainingSession, error) {
	if err := mustOrganise(actor, "remove sessions"); err != nil {
		return nil, err
	}
	return s.Store.DeleteTrainingSession(ctx, id, s.event(actor))
}

// OpenCheckin opens check-in to a session for CheckinExtension from now,
// whatever its times: for a session moved at short notice, or a rehearsal.
// Errors: EFORBIDDEN, ENOTFOUND.
func (s *Service) OpenCheckin(ctx context.Context, actor *herald.Staff, sessionID int64) (*herald.TrainingSession, error) {
	if err := mustOrganise(actor, "open check-in"); err != nil {
		return nil, err
	}
	ev := s.event(actor)
	return s.Store.OpenCheckin(ctx, sessionID, ev.At.Add(CheckinExtension), ev)
}

// Nominate puts a staff member of unitID (or of a unit under it) on a
// course's list for the organisers to decide. Errors: EFORBIDDEN (not a
// nominator of that unit), EINVALID (someone of another unit), ECONFLICT
// (the quota is used up; enrolled already).
func (s *Service) Nominate(ctx context.Context, actor *herald.Staff, courseID, staffID, unitID int64) (*herald.Enrolment, error) {
	c, err := s.Store.FindCourseByID(ctx, courseID)
	if err != nil {
		return nil, err
	}
	if _, ok := c.Quota(unitID); !ok {
		return nil, herald.Invalid("unit_id", "the course has no places for that unit")
	}
	if !MayNominate(actor, c, unitID) {
		return nil, herald.Errorf(herald.EFORBIDDEN, "Only the unit's editors and the organisers nominate for the unit's places.")
	}
	st, err := s.Store.FindStaffByID(ctx, staffID)
	if herald.ErrorCode(err) == herald.ENOTFOUND {
		return nil, herald.Invalid("staff_id", "no staff member has ID %d", staffID)
	} else if err != nil {
		return nil, err
	}
	units, _, err := s.Store.FindUnits(ctx, herald.UnitFilter{})
	if err != nil {
		return nil, err
	}
	if !herald.NewUnitTree(units).Within(st.UnitID, unitID) {
		return nil, herald.Invalid("staff_id", "%s does not work for that unit or a unit under it", st.Name)
	}
	e := &herald.Enrolment{CourseID: courseID, StaffID: staffID, UnitID: unitID}
	return e, s.Store.Nominate(ctx, e, s.event(actor))
}

// Decide moves an enrolment: organisers approve, waitlist, reject and
// withdraw; the participant and the nominators of its unit may withdraw
// it. A withdrawal that frees a place approves the longest waiting
// (promoted). Errors: EFORBIDDEN, ECONFLICT (the state machine forbids it;
// the course is full), ENOTFOUND.
func (s *Service) Decide(ctx context.Context, actor *herald.Staff, id int64, to herald.EnrolmentStatus, note string) (moved, promoted *herald.Enrolment, err error) {
	if !slices.Contains(herald.EnrolmentStatuses, to) || to == herald.EnrolmentNominated {
		return nil, nil, herald.Invalid("status", "must be approved, waitlisted, rejected or withdrawn")
	}
	e, err := s.Store.FindEnrolmentByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	allowed := MayOrganise(actor) || to == herald.EnrolmentWithdrawn && MaySeeEnrolment(actor, e)
	if !allowed {
		if to == herald.EnrolmentWithdrawn {
			return nil, nil, herald.Errorf(herald.EFORBIDDEN, "Only the participant, their unit's editors and the organisers withdraw an enrolment.")
		}
		return nil, nil, herald.Errorf(herald.EFORBIDDEN, "Only trainers, the editor-in-chief and admins decide enrolments.")
	}
	note = strings.TrimSpace(note)
	if len([]rune(note)) > 500 {
		return nil, nil, herald.Invalid("note", "must be at most 500 characters")
	}
	return s.Store.MoveEnrolment(ctx, id, to, note, s.event(actor))
}

// MarkAttendance records by hand that an approved participant attended a
// session (audited as the organiser's). Errors: EFORBIDDEN, EINVALID (not an
// approved participant), ECONFLICT (recorded already, with when).
func (s *Service) MarkAttendance(ctx context.Context, actor *herald.Staff, sessionID, staffID int64) (*herald.Attendance, error) {
	if err := mustOrganise(actor, "mark attendance"); err != nil {
		return nil, err
	}
	ts, err := s.Store.FindTrainingSessionByID(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	if ok, err := s.approved(ctx, ts.CourseID, staffID); err != nil {
		return nil, err
	} else if !ok {
		return nil, herald.Invalid("staff_id", "is not an approved participant of the course")
	}
	return s.record(ctx, ts, &herald.Attendance{SessionID: sessionID, StaffID: staffID, Method: herald.AttendanceManual}, s.event(actor))
}

// record stores attendance, turning a second record into a message that
// says when the first was.
func (s *Service) record(ctx context.Context, ts *herald.TrainingSession, a *herald.Attendance, ev herald.Event) (*herald.Attendance, error) {
	err := s.Store.RecordAttendance(ctx, a, ev)
	if herald.ErrorCode(err) != herald.ECONFLICT {
		return a, err
	}
	prior, ferr := s.Store.FindAttendance(ctx, herald.AttendanceFilter{SessionID: ts.ID, StaffID: a.StaffID})
	if ferr != nil || len(prior) == 0 {
		return nil, err
	}
	return prior[0], refuse(RefusedAlready, herald.Errorf(herald.ECONFLICT, "Already checked in at %s.", prior[0].At.In(herald.CST).Format("15:04")))
}

// approved reports whether staffID holds an approved place on the course.
func (s *Service) approved(ctx context.Context, courseID, staffID int64) (bool, error) {
	es, err := s.Store.FindEnrolments(ctx, herald.EnrolmentFilter{CourseID: courseID, StaffID: staffID, Statuses: []herald.EnrolmentStatus{herald.EnrolmentApproved}})
	return len(es) > 0, err
}

// AddMaterial hands out a file with a session. Errors: EFORBIDDEN, EINVALID.
func (s *Service) AddMaterial(ctx context.Context, actor *herald.Staff, m *herald.Material) error {
	if err := mustOrganise(actor, "hand out materials"); err != nil {
		return err
	}
	m.Title = strings.TrimSpace(m.Title)
	sum := sha256.Sum256(m.Data)
	m.SHA256 = hex.EncodeToString(sum[:])
	return s.Store.CreateMaterial(ctx, m, s.event(actor))
}

// MayReadMaterials reports whether st may download a course's materials:
// organisers, and the course's approved participants.
func (s *Service) MayReadMaterials(ctx context.Context, st *herald.Staff, courseID int64) (bool, error) {
	if MayOrganise(st) {
		return true, nil
	}
	if st == nil || !st.Active() {
		return false, nil
	}
	return s.approved(ctx, courseID, st.ID)
}

// SubmitFeedback records an approved participant's feedback, once, after
// the course's first session has begun. Errors: EFORBIDDEN, EINVALID,
// ECONFLICT (given already).
func (s *Service) SubmitFeedback(ctx context.Context, actor *herald.Staff, f *herald.Feedback) error {
	if actor == nil || !actor.Active() {
		return herald.Errorf(herald.EFORBIDDEN, "Sign in to give feedback.")
	}
	ok, err := s.approved(ctx, f.CourseID, actor.ID)
	if err != nil {
		return err
	} else if !ok {
		return herald.Errorf(herald.EFORBIDDEN, "Only the course's participants give feedback on it.")
	}
	sessions, err := s.Store.FindTrainingSessions(ctx, f.CourseID)
	if err != nil {
		return err
	}
	if len(sessions) == 0 || s.Clock.Now().Before(sessions[0].StartsAt) {
		return herald.Errorf(herald.ECONFLICT, "Feedback opens when the course has begun.")
	}
	f.StaffID, f.Comment = actor.ID, strings.TrimSpace(f.Comment)
	return s.Store.SubmitFeedback(ctx, f, s.event(actor))
}

// newKey reads a fresh check-in key.
func (s *Service) newKey() ([]byte, error) {
	if s.NewKey != nil {
		return s.NewKey()
	}
	key := make([]byte, 32)
	_, err := rand.Read(key)
	return key, err
}

// describe names a session for messages: its topic and time.
func describe(ts *herald.TrainingSession) string {
	return fmt.Sprintf("%s (%s)", ts.Topic, ts.StartsAt.In(herald.CST).Format("2006-01-02 15:04"))
}
