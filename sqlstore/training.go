package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/heraldnews/herald"
)

const courseColumns = `id, title, organiser_id, place, start_day, end_day, description, capacity, version, article_id, created_by, created_at, updated_at`

func scanCourse(sc interface{ Scan(...any) error }) (*herald.Course, error) {
	var c herald.Course
	var start, end string
	err := sc.Scan(&c.ID, &c.Title, &c.OrganiserID, &c.Place, &start, &end, &c.Description, &c.Capacity, &c.Version, nullIDScan{&c.ArticleID},
		&c.CreatedBy, timeScan{&c.CreatedAt}, timeScan{&c.UpdatedAt})
	if err == nil {
		c.StartDay, err = herald.ParseDay(start)
	}
	if err == nil {
		c.EndDay, err = herald.ParseDay(end)
	}
	return &c, err
}

// checkCourseRefs refuses a course whose organiser, target units or report
// do not exist, naming the field.
func (tx *Tx) checkCourseRefs(c *herald.Course) error {
	var p herald.Problems
	if ok, err := tx.exists("units", c.OrganiserID); err != nil {
		return err
	} else if !ok {
		p.Add("organiser_id", "no unit has ID %d", c.OrganiserID)
	}
	for _, q := range c.Quotas {
		if ok, err := tx.exists("units", q.UnitID); err != nil {
			return err
		} else if !ok {
			p.Add("quotas", "no unit has ID %d", q.UnitID)
		}
	}
	if c.ArticleID != 0 {
		if _, err := tx.findArticleByID(c.ArticleID, false); herald.ErrorCode(err) == herald.ENOTFOUND {
			p.Add("article_id", "no article has ID %d", c.ArticleID)
		} else if err != nil {
			return err
		}
	}
	return p.Err()
}

func (tx *Tx) writeCourseQuotas(c *herald.Course) error {
	if _, err := tx.exec(`DELETE FROM training_quotas WHERE course_id = ?`, c.ID); err != nil {
		return err
	}
	for _, q := range c.Quotas {
		if _, err := tx.exec(`INSERT INTO training_quotas (course_id, unit_id, places) VALUES (?, ?, ?)`, c.ID, q.UnitID, q.Places); err != nil {
			return err
		}
	}
	return nil
}

// CreateCourse stores a course with its quotas.
func (s *Store) CreateCourse(ctx context.Context, c *herald.Course, ev herald.Event) error {
	c.StartDay, c.EndDay = herald.CSTDay(c.StartDay), herald.CSTDay(c.EndDay)
	if err := c.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		if err := tx.checkCourseRefs(c); err != nil {
			return err
		}
		c.CreatedBy, c.CreatedAt, c.UpdatedAt, c.Version = ev.ActorID, ev.At, ev.At, 1
		id, err := tx.insert(`INSERT INTO training_courses (title, organiser_id, place, start_day, end_day, description, capacity, article_id, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.Title, c.OrganiserID, c.Place, herald.DayString(c.StartDay), herald.DayString(c.EndDay),
			c.Description, c.Capacity, nullID(c.ArticleID), c.CreatedBy, s.t(ev.At), s.t(ev.At))
		if err != nil {
			return err
		}
		c.ID = id
		if err := tx.writeCourseQuotas(c); err != nil {
			return err
		}
		ev.Entity, ev.EntityID, ev.Action, ev.Comment = herald.EntityCourse, id, "create", c.Title
		return tx.insertEvent(ev)
	})
}

// UpdateCourse changes a course under a write lock.
func (s *Store) UpdateCourse(ctx context.Context, id int64, ev herald.Event, fn func(c *herald.Course) error) (c *herald.Course, err error) {
	err = s.write(ctx, func(tx *Tx) error {
		if c, err = tx.findCourse(id, true); err != nil {
			return err
		}
		version := c.Version
		if err := fn(c); err != nil {
			return err
		}
		c.ID, c.Version = id, version
		c.StartDay, c.EndDay = herald.CSTDay(c.StartDay), herald.CSTDay(c.EndDay)
		if err := c.Validate(); err != nil {
			return err
		}
		if err := tx.checkCourseRefs(c); err != nil {
			return err
		}
		if err := tx.checkCourseKeeps(c); err != nil {
			return err
		}
		c.UpdatedAt, c.Version = ev.At, version+1
		if _, err := tx.exec(`UPDATE training_courses SET title = ?, organiser_id = ?, place = ?, start_day = ?, end_day = ?, description = ?,
			capacity = ?, version = ?, article_id = ?, updated_at = ? WHERE id = ?`, c.Title, c.OrganiserID, c.Place, herald.DayString(c.StartDay),
			herald.DayString(c.EndDay), c.Description, c.Capacity, c.Version, nullID(c.ArticleID), s.t(ev.At), id); err != nil {
			return err
		}
		if err := tx.writeCourseQuotas(c); err != nil {
			return err
		}
		ev.Entity, ev.EntityID, ev.Action = herald.EntityCourse, id, "update"
		return tx.insertEvent(ev)
	})
	return c, err
}

// checkCourseKeeps refuses a change of a course that would strand what its
// enrolments and sessions hold: a quota below the places its unit's
// nominations hold, a dropped target unit that holds some, a capacity below
// the approved participants, a session outside the new days. The course is
// locked, so nominations and sessions cannot change meanwhile.
func (tx *Tx) checkCourseKeeps(c *herald.Course) error {
	var p herald.Problems
	if approved, err := tx.heldPlaces(c.ID, 0); err != nil {
		return err
	} else if c.Capacity < approved {
		p.Add("capacity", "is below the %d participants approved already", approved)
	}
	held := map[int64]int{}
	err := tx.scanRows(`SELECT unit_id, COUNT(*) FROM enrolments WHERE course_id = ? AND status IN (?, ?, ?) GROUP BY unit_id`,
		[]any{c.ID, herald.EnrolmentNominated, herald.EnrolmentApproved, herald.EnrolmentWaitlisted}, func(rows *sql.Rows) error {
			var unitID int64
			var n int
			err := rows.Scan(&unitID, &n)
			held[unitID] = n
			return err
		})
	if err != nil {
		return err
	}
	units := make([]int64, 0, len(held))
	for unitID := range held {
		units = append(units, unitID)
	}
	slices.Sort(units)
	for _, unitID := range units {
		n := held[unitID]
		places, ok := c.Quota(unitID)
		if ok && places >= n {
			continue
		}
		name := strconv.FormatInt(unitID, 10)
		if u, err := tx.findUnitByID(unitID); err == nil {
			name = u.Name
		}
		if !ok {
			p.Add("quotas", "%s holds %d places already and cannot be dropped: withdraw its nominations first", name, n)
		} else {
			p.Add("quotas", "%s holds %d places already: its quota cannot be less", name, n)
		}
	}
	sessions, err := tx.findTrainingSessions(c.ID)
	if err != nil {
		return err
	}
	for _, ts := range sessions {
		if err := c.CheckSession(ts, nil); err != nil {
			field := "end_day"
			if ts.StartsAt.Before(c.StartDay) {
				field = "start_day"
			}
			p.Add(field, "leaves the session %q (%s) outside the course's days", ts.Topic, ts.StartsAt.In(herald.CST).Format("2006-01-02"))
			break
		}
	}
	return p.Err()
}

func (tx *Tx) findCourse(id int64, forUpdate bool) (*herald.Course, error) {
	lock := ""
	if forUpdate {
		lock = tx.s.d.ForUpdate
	}
	c, err := scanCourse(tx.queryRow(`SELECT `+courseColumns+` FROM training_courses WHERE id = ?`+lock, id))
	if err != nil {
		return nil, notFound(err, "Course not found.")
	}
	return c, tx.attachQuotas([]*herald.Course{c}, false)
}

// attachQuotas fills in the courses' quotas. every says the courses are all
// there are, so the whole table is read rather than each course named.
func (tx *Tx) attachQuotas(courses []*herald.Course, every bool) error {
	byID := map[int64]*herald.Course{}
	var ids []int64
	if !every {
		ids = make([]int64, 0, len(courses))
	}
	for _, c := range courses {
		byID[c.ID], c.Quotas = c, []herald.CourseQuota{}
		if !every {
			ids = append(ids, c.ID)
		}
	}
	var w conds
	w.addIn("course_id IN (%s)", ids)
	return tx.scanRows(`SELECT course_id, unit_id, places FROM training_quotas`+w.clause()+` ORDER BY course_id, unit_id`, w.args, func(rows *sql.Rows) error {
		var courseID int64
		var q herald.CourseQuota
		if err := rows.Scan(&courseID, &q.UnitID, &q.Places); err != nil {
			return err
		}
		if c := byID[courseID]; c != nil {
			c.Quotas = append(c.Quotas, q)
		}
		return nil
	})
}

// FindCourseByID returns a course with its quotas.
func (s *Store) FindCourseByID(ctx context.Context, id int64) (c *herald.Course, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		c, err = tx.findCourse(id, false)
		return err
	})
	return c, err
}

// FindCourses lists every course, the latest first.
func (s *Store) FindCourses(ctx context.Context) (out []*herald.Course, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		err := tx.scanRows(`SELECT `+courseColumns+` FROM training_courses ORDER BY start_day DESC, id DESC`, nil, func(rows *sql.Rows) error {
			c, err := scanCourse(rows)
			out = append(out, c)
			return err
		})
		if err != nil {
			return err
		}
		return tx.attachQuotas(out, true)
	})
	return out, err
}

const sessionColumns = `id, course_id, kind, topic, lecturer, lecturer_org, starts_at, ends_at, checkin_until, created_at`

func scanTrainingSession(sc interface{ Scan(...any) error }) (*herald.TrainingSession, error) {
	var ts herald.TrainingSession
	err := sc.Scan(&ts.ID, &ts.CourseID, &ts.Kind, &ts.Topic, &ts.Lecturer, &ts.LecturerOrg, timeScan{&ts.StartsAt}, timeScan{&ts.EndsAt},
		nullTimeScan{&ts.CheckinUntil}, timeScan{&ts.CreatedAt})
	return &ts, err
}

// CreateTrainingSession adds a session to a course.
func (s *Store) CreateTrainingSession(ctx context.Context, ts *herald.TrainingSession, ev herald.Event) error {
	ts.StartsAt, ts.EndsAt = ts.StartsAt.UTC().Truncate(time.Microsecond), ts.EndsAt.UTC().Truncate(time.Microsecond)
	if err := ts.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		if err := tx.checkSessionFits(ts); err != nil {
			return err
		}
		ts.CreatedAt, ts.CheckinUntil = ev.At, nil
		id, err := tx.insert(`INSERT INTO training_sessions (course_id, kind, topic, lecturer, lecturer_org, starts_at, ends_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, ts.CourseID, ts.Kind, ts.Topic, ts.Lecturer, ts.LecturerOrg, s.t(ts.StartsAt), s.t(ts.EndsAt), s.t(ev.At))
		if err != nil {
			return err
		}
		ts.ID = id
		ev.Entity, ev.EntityID, ev.Action, ev.Comment = herald.EntityTrainingSession, id, "create", ts.Topic
		return tx.insertEvent(ev)
	})
}

// checkSessionFits locks a session's course (sessions of one course are
// written one at a time) and checks that the session fits it.
func (tx *Tx) checkSessionFits(ts *herald.TrainingSession) error {
	c, err := tx.findCourse(ts.CourseID, true)
	if herald.ErrorCode(err) == herald.ENOTFOUND {
		return herald.Invalid("course_id", "no course has ID %d", ts.CourseID)
	} else if err != nil {
		return err
	}
	return tx.sessionFits(c, ts)
}

// sessionFits checks that a session fits its course, locked already.
func (tx *Tx) sessionFits(c *herald.Course, ts *herald.TrainingSession) error {
	others, err := tx.findTrainingSessions(c.ID)
	if err != nil {
		return err
	}
	return c.CheckSession(ts, others)
}

func (tx *Tx) findTrainingSessions(courseID int64) (out []*herald.TrainingSession, err error) {
	err = tx.scanRows(`SELECT `+sessionColumns+` FROM training_sessions WHERE course_id = ? ORDER BY starts_at, id`, []any{courseID},
		func(rows *sql.Rows) error {
			ts, err := scanTrainingSession(rows)
			out = append(out, ts)
			return err
		})
	return out, err
}

// lockSession locks a session and, first, its course, as creating a
// session locks the course: sessions of one course are written one at a time.
// It returns the course too.
func (tx *Tx) lockSession(id int64) (*herald.TrainingSession, *herald.Course, error) {
	var courseID int64
	if err := tx.queryRow(`SELECT course_id FROM training_sessions WHERE id = ?`, id).Scan(&courseID); err != nil {
		return nil, nil, notFound(err, "Session not found.")
	}
	c, err := tx.findCourse(courseID, true)
	if err != nil {
		return nil, nil, err
	}
	ts, err := scanTrainingSession(tx.queryRow(`SELECT `+sessionColumns+` FROM training_sessions WHERE id = ?`+tx.s.d.ForUpdate, id))
	return ts, c, notFound(err, "Session not found.")
}

// UpdateTrainingSession changes a session's fields under its course's lock.
func (s *Store) UpdateTrainingSession(ctx context.Context, id int64, ev herald.Event, fn func(ts *herald.TrainingSession) error) (ts *herald.TrainingSession, err error) {
	err = s.write(ctx, func(tx *Tx) error {
		var c *herald.Course
		if ts, c, err = tx.lockSession(id); err != nil {
			return err
		}
		kept := *ts
		if err := fn(ts); err != nil {
			return err
		}
		// only the session's own fields change; it stays on its course
		ts.ID, ts.CourseID, ts.CheckinUntil, ts.CreatedAt = kept.ID, kept.CourseID, kept.CheckinUntil, kept.CreatedAt
		ts.StartsAt, ts.EndsAt = ts.StartsAt.UTC().Truncate(time.Microsecond), ts.EndsAt.UTC().Truncate(time.Microsecond)
		if err := ts.Validate(); err != nil {
			return err
		}
		if err := tx.sessionFits(c, ts); err != nil {
			return err
		}
		if _, err := tx.exec(`UPDATE training_sessions SET kind = ?, topic = ?, lecturer = ?, lecturer_org = ?, starts_at = ?, ends_at = ? WHERE id = ?`,
			ts.Kind, ts.Topic, ts.Lecturer, ts.LecturerOrg, s.t(ts.StartsAt), s.t(ts.EndsAt), id); err != nil {
			return err
		}
		ev.Entity, ev.EntityID, ev.Action, ev.Comment = herald.EntityTrainingSession, id, "update", ts.Topic
		return tx.insertEvent(ev)
	})
	return ts, err
}

// DeleteTrainingSession removes a session nothing was recorded for.
func (s *Store) DeleteTrainingSession(ctx context.Context, id int64, ev herald.Event) (ts *herald.TrainingSession, err error) {
	err = s.write(ctx, func(tx *Tx) error {
		if ts, _, err = tx.lockSession(id); err != nil {
			return err
		}
		var attended, materials int
		if err := tx.queryRow(`SELECT (SELECT COUNT(*) FROM training_attendance WHERE session_id = ?), (SELECT COUNT(*) FROM training_materials WHERE session_id = ?)`,
			id, id).Scan(&attended, &materials); err != nil {
			return err
		}
		if attended > 0 || materials > 0 {
			// attendance counts towards hours and certificates; materials were handed out
			return herald.Errorf(herald.ECONFLICT, "The session %q has %d attendance records and %d materials: a session that took place stays on the course.",
				ts.Topic, attended, materials)
		}
		if _, err := tx.exec(`DELETE FROM training_sessions WHERE id = ?`, id); err != nil {
			return err
		}
		ev.Entity, ev.EntityID, ev.Action, ev.Comment = herald.EntityTrainingSession, id, "delete", ts.Topic
		return tx.insertEvent(ev)
	})
	return ts, err
}

// OpenCheckin opens a session's check-in until a time.
func (s *Store) OpenCheckin(ctx context.Context, sessionID int64, until time.Time, ev herald.Event) (ts *herald.TrainingSession, err error) {
	if !until.After(ev.At) || until.Sub(ev.At) > 12*time.Hour {
		return nil, herald.Invalid("until", "must be within the next 12 hours")
	}
	err = s.write(ctx, func(tx *Tx) error {
		if ts, err = scanTrainingSession(tx.queryRow(`SELECT `+sessionColumns+` FROM training_sessions WHERE id = ?`+tx.s.d.ForUpdate, sessionID)); err != nil {
			return notFound(err, "Session not found.")
		}
		u := until.UTC().Truncate(time.Microsecond)
		ts.CheckinUntil = &u
		if _, err := tx.exec(`UPDATE training_sessions SET checkin_until = ? WHERE id = ?`, s.t(u), sessionID); err != nil {
			return err
		}
		ev.Entity, ev.EntityID, ev.Action, ev.Comment = herald.EntityTrainingSession, sessionID, "open_checkin", "until "+u.Format(time.RFC3339)
		return tx.insertEvent(ev)
	})
	return ts, err
}

// FindTrainingSessionByID returns one session.
func (s *Store) FindTrainingSessionByID(ctx context.Context, id int64) (ts *herald.TrainingSession, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		ts, err = scanTrainingSession(tx.queryRow(`SELECT `+sessionColumns+` FROM training_sessions WHERE id = ?`, id))
		return notFound(err, "Session not found.")
	})
	return ts, err
}

// FindTrainingSessions lists a course's sessions in time order.
func (s *Store) FindTrainingSessions(ctx context.Context, courseID int64) (out []*herald.TrainingSession, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		out, err = tx.findTrainingSessions(courseID)
		return err
	})
	return out, err
}

const enrolmentColumns = `id, course_id, staff_id, unit_id, status, nominated_by, nominated_at, decided_by, decided_at, note`

func scanEnrolment(sc interface{ Scan(...any) error }) (*herald.Enrolment, error) {
	var e herald.Enrolment
	err := sc.Scan(&e.ID, &e.CourseID, &e.StaffID, &e.UnitID, &e.Status, &e.NominatedBy, timeScan{&e.NominatedAt},
		nullIDScan{&e.DecidedBy}, nullTimeScan{&e.DecidedAt}, &e.Note)
	return &e, err
}

// heldPlaces counts a course's enrolments holding places: of one unit (its
// quota) or, with unitID 0, the approved ones (the capacity).
func (tx *Tx) heldPlaces(courseID, unitID int64) (n int, err error) {
	if unitID == 0 {
		err = tx.queryRow(`SELECT COUNT(*) FROM enrolments WHERE course_id = ? AND status = ?`, courseID, herald.EnrolmentApproved).Scan(&n)
		return n, err
	}
	err = tx.queryRow(`SELECT COUNT(*) FROM enrolments WHERE course_id = ? AND unit_id = ? AND status IN (?, ?, ?)`, courseID, unitID,
		herald.EnrolmentNominated, herald.EnrolmentApproved, herald.EnrolmentWaitlisted).Scan(&n)
	return n, err
}

// Nominate records a unit's nomination within its quota.
func (s *Store) Nominate(ctx context.Context, e *herald.Enrolment, ev herald.Event) error {
	return s.write(ctx, func(tx *Tx) error {
		c, err := tx.findCourse(e.CourseID, true) // locked: nominations of one course queue
		if herald.ErrorCode(err) == herald.ENOTFOUND {
			return herald.Invalid("course_id", "no course has ID %d", e.CourseID)
		} else if err != nil {
			return err
		}
		st, err := tx.findStaffByID(e.StaffID)
		if herald.ErrorCode(err) == herald.ENOTFOUND || err == nil && !st.Active() {
			return herald.Invalid("staff_id", "no active staff member has ID %d", e.StaffID)
		} else if err != nil {
			return err
		}
		places, ok := c.Quota(e.UnitID)
		if !ok {
			return herald.Invalid("unit_id", "the course has no places for unit %d", e.UnitID)
		}
		held, err := tx.heldPlaces(c.ID, e.UnitID)
		if err != nil {
			return err
		}
		if held >= places {
			return herald.Errorf(herald.ECONFLICT, "The unit has used all %d of its places on this course: withdraw a nomination first, or ask the organisers for more places.", places)
		}
		e.Status, e.NominatedBy, e.NominatedAt, e.DecidedBy, e.DecidedAt = herald.EnrolmentNominated, ev.ActorID, ev.At, 0, nil
		id, err := tx.insert(`INSERT INTO enrolments (course_id, staff_id, unit_id, status, nominated_by, nominated_at, note) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			e.CourseID, e.StaffID, e.UnitID, e.Status, e.NominatedBy, s.t(ev.At), e.Note)
		if herald.ErrorCode(err) == herald.ECONFLICT {
			return herald.Errorf(herald.ECONFLICT, "%s is on this course's list already.", st.Name)
		} else if err != nil {
			return err
		}
		e.ID = id
		ev.Entity, ev.EntityID, ev.Action, ev.ToStatus = herald.EntityEnrolment, id, "nominate", string(e.Status)
		ev.Comment = "course " + strconv.FormatInt(c.ID, 10) + ", staff " + strconv.FormatInt(e.StaffID, 10)
		return tx.insertEvent(ev)
	})
}

// MoveEnrolment moves an enrolment along the state machine.
func (s *Store) MoveEnrolment(ctx context.Context, id int64, to herald.EnrolmentStatus, note string, ev herald.Event) (moved, promoted *herald.Enrolment, err error) {
	err = s.write(ctx, func(tx *Tx) error {
		var courseID int64
		if err := tx.queryRow(`SELECT course_id FROM enrolments WHERE id = ?`, id).Scan(&courseID); err != nil {
			return notFound(err, "Enrolment not found.")
		}
		// the course first, as Nominate locks it, so that places are counted
		// by one writer at a time
		c, err := tx.findCourse(courseID, true)
		if err != nil {
			return err
		}
		if moved, err = scanEnrolment(tx.queryRow(`SELECT `+enrolmentColumns+` FROM enrolments WHERE id = ?`+tx.s.d.ForUpdate, id)); err != nil {
			return notFound(err, "Enrolment not found.")
		}
		from := moved.Status
		if !from.CanMove(to) {
			return herald.Errorf(herald.ECONFLICT, "An enrolment that is %s cannot become %s.", from, to)
		}
		if to == herald.EnrolmentApproved {
			approved, err := tx.heldPlaces(c.ID, 0)
			if err != nil {
				return err
			}
			if approved >= c.Capacity {
				return herald.Errorf(herald.ECONFLICT, "The course is full: all %d places are approved. Put the nomination on the waiting list instead.", c.Capacity)
			}
		}
		if err := tx.setEnrolmentStatus(moved, to, note, ev); err != nil {
			return err
		}
		if from != herald.EnrolmentApproved || to != herald.EnrolmentWithdrawn {
			return nil
		}
		// a place freed: the longest waiting takes it
		next, err := scanEnrolment(tx.queryRow(`SELECT `+enrolmentColumns+` FROM enrolments WHERE course_id = ? AND status = ?
			ORDER BY decided_at, id LIMIT 1`+tx.s.d.ForUpdate, c.ID, herald.EnrolmentWaitlisted))
		if isNoRows(err) {
			return nil
		} else if err != nil {
			return err
		}
		promoted = next
		return tx.setEnrolmentStatus(next, herald.EnrolmentApproved, "a place freed", ev)
	})
	return moved, promoted, err
}

func (tx *Tx) setEnrolmentStatus(e *herald.Enrolment, to herald.EnrolmentStatus, note string, ev herald.Event) error {
	from := e.Status
	e.Status, e.DecidedBy, e.DecidedAt, e.Note = to, ev.ActorID, &ev.At, note
	if _, err := tx.exec(`UPDATE enrolments SET status = ?, decided_by = ?, decided_at = ?, note = ? WHERE id = ?`,
		to, nullID(ev.ActorID), tx.s.t(ev.At), note, e.ID); err != nil {
		return err
	}
	ev.Entity, ev.EntityID, ev.Action, ev.FromStatus, ev.ToStatus, ev.Comment = herald.EntityEnrolment, e.ID, "move", string(from), string(to), note
	return tx.insertEvent(ev)
}

// FindEnrolmentByID returns one enrolment.
func (s *Store) FindEnrolmentByID(ctx context.Context, id int64) (e *herald.Enrolment, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		e, err = scanEnrolment(tx.queryRow(`SELECT `+enrolmentColumns+` FROM enrolments WHERE id = ?`, id))
		return notFound(err, "Enrolment not found.")
	})
	return e, err
}

// FindEnrolments lists enrolments, oldest nomination first.
func (s *Store) FindEnrolments(ctx context.Context, f herald.EnrolmentFilter) (out []*herald.Enrolment, err error) {
	var c conds
	c.add(f.CourseID != 0, "course_id = ?", f.CourseID)
	c.add(f.StaffID != 0, "staff_id = ?", f.StaffID)
	c.add(f.UnitID != 0, "unit_id = ?", f.UnitID)
	if f.Statuses != nil {
		c.add(true, "status IN ("+placeholders(len(f.Statuses))+")", anyArgs(f.Statuses)...)
	}
	err = s.read(ctx, func(tx *Tx) error {
		return tx.scanRows(`SELECT `+enrolmentColumns+` FROM enrolments`+c.clause()+` ORDER BY nominated_at, id`, c.args, func(rows *sql.Rows) error {
			e, err := scanEnrolment(rows)
			out = append(out, e)
			return err
		})
	})
	return out, err
}

// RecordAttendance records attendance once.
func (s *Store) RecordAttendance(ctx context.Context, a *herald.Attendance, ev herald.Event) error {
	if a.Method != herald.AttendanceQR && a.Method != herald.AttendanceManual {
		return herald.Invalid("method", "must be qr or manual")
	}
	return s.write(ctx, func(tx *Tx) error {
		if ok, err := tx.exists("training_sessions", a.SessionID); err != nil {
			return err
		} else if !ok {
			return herald.Invalid("session_id", "no session has ID %d", a.SessionID)
		}
		a.At, a.RecordedBy = ev.At, ev.ActorID
		_, err := tx.exec(`INSERT INTO training_attendance (session_id, staff_id, at, method, recorded_by) VALUES (?, ?, ?, ?, ?)`,
			a.SessionID, a.StaffID, s.t(a.At), a.Method, a.RecordedBy)
		if err = s.mapError(err); herald.ErrorCode(err) == herald.ECONFLICT {
			return herald.Errorf(herald.ECONFLICT, "This attendance is recorded already.")
		} else if err != nil {
			return err
		}
		ev.Entity, ev.EntityID, ev.Action = herald.EntityAttendance, a.SessionID, "record"
		ev.Comment = string(a.Method) + " staff " + strconv.FormatInt(a.StaffID, 10)
		return tx.insertEvent(ev)
	})
}

// FindAttendance lists attendance by session, then time.
func (s *Store) FindAttendance(ctx context.Context, f herald.AttendanceFilter) (out []*herald.Attendance, err error) {
	var c conds
	c.add(f.CourseID != 0, "s.course_id = ?", f.CourseID)
	c.add(f.SessionID != 0, "a.session_id = ?", f.SessionID)
	c.add(f.StaffID != 0, "a.staff_id = ?", f.StaffID)
	err = s.read(ctx, func(tx *Tx) error {
		return tx.scanRows(`SELECT a.session_id, a.staff_id, a.at, a.method, a.recorded_by, s.course_id, s.starts_at, s.ends_at FROM training_attendance a
			JOIN training_sessions s ON s.id = a.session_id`+c.clause()+` ORDER BY s.starts_at, a.session_id, a.at, a.staff_id`, c.args,
			func(rows *sql.Rows) error {
				var a herald.Attendance
				var session herald.TrainingSession
				err := rows.Scan(&a.SessionID, &a.StaffID, timeScan{&a.At}, &a.Method, &a.RecordedBy, &a.CourseID,
					timeScan{&session.StartsAt}, timeScan{&session.EndsAt})
				a.Minutes = int(session.Duration() / time.Minute)
				out = append(out, &a)
				return err
			})
	})
	return out, err
}

const materialColumns = `m.id, m.session_id, m.title, m.filename, m.content_type, m.size, m.sha256, m.uploaded_by, m.created_at`

func scanMaterial(sc interface{ Scan(...any) error }, data *[]byte) (*herald.Material, error) {
	var m herald.Material
	dest := []any{&m.ID, &m.SessionID, &m.Title, &m.Filename, &m.ContentType, &m.Size, &m.SHA256, &m.UploadedBy, timeScan{&m.CreatedAt}}
	if data != nil {
		dest = append(dest, &m.Data)
	}
	err := sc.Scan(dest...)
	return &m, err
}

// CreateMaterial stores a session's material with its file.
func (s *Store) CreateMaterial(ctx context.Context, m *herald.Material, ev herald.Event) error {
	m.Size = len(m.Data)
	if err := m.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		if ok, err := tx.exists("training_sessions", m.SessionID); err != nil {
			return err
		} else if !ok {
			return herald.Invalid("session_id", "no session has ID %d", m.SessionID)
		}
		m.UploadedBy, m.CreatedAt = ev.ActorID, ev.At
		id, err := tx.insert(`INSERT INTO training_materials (session_id, title, filename, content_type, size, sha256, data, uploaded_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, m.SessionID, m.Title, m.Filename, m.ContentType, m.Size, m.SHA256, m.Data, m.UploadedBy, s.t(ev.At))
		if err != nil {
			return err
		}
		m.ID = id
		ev.Entity, ev.EntityID, ev.Action, ev.Comment = herald.EntityMaterial, id, "create", m.Title
		return tx.insertEvent(ev)
	})
}

// FindMaterials lists a course's materials by session, without data.
func (s *Store) FindMaterials(ctx context.Context, courseID int64) (out []*herald.Material, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		return tx.scanRows(`SELECT `+materialColumns+` FROM training_materials m JOIN training_sessions s ON s.id = m.session_id
			WHERE s.course_id = ? ORDER BY s.starts_at, m.id`, []any{courseID}, func(rows *sql.Rows) error {
			m, err := scanMaterial(rows, nil)
			out = append(out, m)
			return err
		})
	})
	return out, err
}

// FindMaterialFile returns a material with its data.
func (s *Store) FindMaterialFile(ctx context.Context, id int64) (m *herald.Material, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		var data []byte
		m, err = scanMaterial(tx.queryRow(`SELECT `+materialColumns+`, m.data FROM training_materials m WHERE m.id = ?`, id), &data)
		return notFound(err, "Material not found.")
	})
	return m, err
}

// SubmitFeedback records a participant's feedback once.
func (s *Store) SubmitFeedback(ctx context.Context, f *herald.Feedback, ev herald.Event) error {
	if err := f.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		if _, err := tx.findCourse(f.CourseID, false); herald.ErrorCode(err) == herald.ENOTFOUND {
			return herald.Invalid("course_id", "no course has ID %d", f.CourseID)
		} else if err != nil {
			return err
		}
		f.CreatedAt = ev.At
		_, err := tx.exec(`INSERT INTO training_feedback (course_id, staff_id, ratings, comment, created_at) VALUES (?, ?, ?, ?, ?)`,
			f.CourseID, f.StaffID, jsonText(f.Ratings), f.Comment, s.t(ev.At))
		if err = s.mapError(err); herald.ErrorCode(err) == herald.ECONFLICT {
			return herald.Errorf(herald.ECONFLICT, "Feedback on this course was given already: each participant gives it once.")
		} else if err != nil {
			return err
		}
		ev.Entity, ev.EntityID, ev.Action, ev.Comment = herald.EntityFeedback, f.CourseID, "submit", "staff "+strconv.FormatInt(f.StaffID, 10)
		return tx.insertEvent(ev)
	})
}

// FindFeedback lists a course's feedback in the order given.
func (s *Store) FindFeedback(ctx context.Context, courseID int64) (out []*herald.Feedback, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		return tx.scanRows(`SELECT course_id, staff_id, ratings, comment, created_at FROM training_feedback WHERE course_id = ? ORDER BY created_at, staff_id`,
			[]any{courseID}, func(rows *sql.Rows) error {
				var f herald.Feedback
				err := rows.Scan(&f.CourseID, &f.StaffID, jsonScan{&f.Ratings}, &f.Comment, timeScan{&f.CreatedAt})
				out = append(out, &f)
				return err
			})
	})
	return out, err
}

// IssueCertificates issues the certificates not issued yet, numbered on.
func (s *Store) IssueCertificates(ctx context.Context, certs []*herald.Certificate, ev herald.Event) (issued int, err error) {
	err = s.write(ctx, func(tx *Tx) error {
		// per course, locked: who holds a certificate and the last number,
		// read once and kept up to date as certificates are issued
		type numbering struct {
			c       *herald.Course
			holders map[int64]bool
			seq     int
		}
		courses := map[int64]*numbering{}
		for _, cert := range certs {
			nb := courses[cert.CourseID]
			if nb == nil {
				c, err := tx.findCourse(cert.CourseID, true)
				if herald.ErrorCode(err) == herald.ENOTFOUND {
					return herald.Invalid("course_id", "no course has ID %d", cert.CourseID)
				} else if err != nil {
					return err
				}
				nb = &numbering{c: c, holders: map[int64]bool{}}
				holders, err := column[int64](tx, `SELECT staff_id FROM training_certificates WHERE course_id = ?`, c.ID)
				if err != nil {
					return err
				}
				for _, id := range holders {
					nb.holders[id] = true
				}
				if err := tx.queryRow(`SELECT COALESCE(MAX(seq), 0) FROM training_certificates WHERE course_id = ?`, c.ID).Scan(&nb.seq); err != nil {
					return err
				}
				courses[c.ID] = nb
			}
			if nb.holders[cert.StaffID] {
				continue
			}
			c, seq := nb.c, nb.seq+1
			nb.seq, nb.holders[cert.StaffID] = seq, true
			cert.Number, cert.IssuedBy, cert.IssuedAt = herald.CertificateNumber(c, seq), ev.ActorID, ev.At
			id, err := tx.insert(`INSERT INTO training_certificates (course_id, staff_id, seq, number, minutes, issued_by, issued_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				c.ID, cert.StaffID, seq, cert.Number, cert.Minutes, cert.IssuedBy, s.t(ev.At))
			if err != nil {
				return err
			}
			cert.ID = id
			e := ev
			e.Entity, e.EntityID, e.Action, e.Comment = herald.EntityCertificate, id, "issue", fmt.Sprintf("%s to staff %d", cert.Number, cert.StaffID)
			if err := tx.insertEvent(e); err != nil {
				return err
			}
			issued++
		}
		return nil
	})
	return issued, err
}

// FindCertificates lists certificates in the order of issue.
func (s *Store) FindCertificates(ctx context.Context, f herald.CertificateFilter) (out []*herald.Certificate, err error) {
	var c conds
	c.add(f.CourseID != 0, "course_id = ?", f.CourseID)
	c.add(f.StaffID != 0, "staff_id = ?", f.StaffID)
	err = s.read(ctx, func(tx *Tx) error {
		return tx.scanRows(`SELECT id, course_id, staff_id, number, minutes, issued_by, issued_at FROM training_certificates`+c.clause()+` ORDER BY id`,
			c.args, func(rows *sql.Rows) error {
				var cert herald.Certificate
				err := rows.Scan(&cert.ID, &cert.CourseID, &cert.StaffID, &cert.Number, &cert.Minutes, &cert.IssuedBy, timeScan{&cert.IssuedAt})
				out = append(out, &cert)
				return err
			})
	})
	return out, err
}

// trainingKeyName names the key that signs check-in codes.
const trainingKeyName = "checkin"

// TrainingKey returns the check-in signing key, storing a new one the first time.
func (s *Store) TrainingKey(ctx context.Context, at time.Time, newKey func() ([]byte, error)) ([]byte, error) {
	return s.keptKey(ctx, "training_keys", trainingKeyName, at, newKey)
}
