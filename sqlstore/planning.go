package sqlstore

import (
	"context"
	"database/sql"
	"strconv"

	"github.com/heraldnews/herald"
)

// Topic plans, assignments and calendar feeds. Plan days are kept as
// YYYY-MM-DD text (CST), like the other days of the schema; a plan's units
// are rows of topic_plan_units so that a unit's plans are found by index.

const planColumns = `id, title, theme_id, occasion, brief, channels, start_day, end_day, created_by, created_at, updated_at, version`

type scanner = interface{ Scan(...any) error }

func scanPlan(sc scanner) (*herald.TopicPlan, error) {
	var p herald.TopicPlan
	var start, end string
	err := sc.Scan(&p.ID, &p.Title, &p.ThemeID, &p.Occasion, &p.Brief, jsonScan{&p.Channels}, &start, &end, &p.CreatedBy,
		timeScan{&p.CreatedAt}, timeScan{&p.UpdatedAt}, &p.Version)
	if err != nil {
		return nil, err
	}
	if p.Start, err = herald.ParseDay(start); err != nil {
		return nil, err
	}
	p.End, err = herald.ParseDay(end)
	return &p, err
}

// exists reports whether table has a row of that ID.
func (tx *Tx) exists(table string, id int64) (bool, error) {
	var n int
	err := tx.queryRow(`SELECT COUNT(*) FROM `+table+` WHERE id = ?`, id).Scan(&n)
	return n > 0, err
}

// checkPlanRefs names the field of a theme or unit that does not exist.
func (tx *Tx) checkPlanRefs(p *herald.TopicPlan) error {
	var pr herald.Problems
	if ok, err := tx.exists("themes", p.ThemeID); err != nil {
		return err
	} else if !ok {
		pr.Add("theme_id", "no theme has ID %d", p.ThemeID)
	}
	for _, id := range p.UnitIDs {
		if ok, err := tx.exists("units", id); err != nil {
			return err
		} else if !ok {
			pr.Add("unit_ids", "no unit has ID %d", id)
		}
	}
	return pr.Err()
}

// writePlanUnits replaces the plan's units.
func (tx *Tx) writePlanUnits(p *herald.TopicPlan) error {
	if _, err := tx.exec(`DELETE FROM topic_plan_units WHERE plan_id = ?`, p.ID); err != nil {
		return err
	}
	for _, id := range p.UnitIDs {
		if _, err := tx.exec(`INSERT INTO topic_plan_units (plan_id, unit_id) VALUES (?, ?)`, p.ID, id); err != nil {
			return err
		}
	}
	return nil
}

// planUnits fills in the units of plans, in one query.
func (tx *Tx) planUnits(plans []*herald.TopicPlan) error {
	if len(plans) == 0 {
		return nil
	}
	byID := make(map[int64]*herald.TopicPlan, len(plans))
	ids := make([]int64, len(plans))
	for i, p := range plans {
		p.UnitIDs = []int64{}
		byID[p.ID], ids[i] = p, p.ID
	}
	return tx.eachRow(`SELECT plan_id, unit_id FROM topic_plan_units WHERE plan_id IN (`+placeholders(len(ids))+`) ORDER BY plan_id, unit_id`, ids, func(rows *sql.Rows) error {
		var planID, unitID int64
		if err := rows.Scan(&planID, &unitID); err != nil {
			return err
		}
		p := byID[planID]
		p.UnitIDs = append(p.UnitIDs, unitID)
		return nil
	})
}

// CreatePlan stores a new plan, version 1.
func (s *Store) CreatePlan(ctx context.Context, p *herald.TopicPlan, ev herald.Event) error {
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		if err := tx.checkPlanRefs(p); err != nil {
			return err
		}
		p.CreatedAt, p.UpdatedAt, p.Version = ev.At, ev.At, 1
		id, err := tx.insert(`INSERT INTO topic_plans (title, theme_id, occasion, brief, channels, start_day, end_day, created_by, created_at, updated_at, version)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.Title, p.ThemeID, p.Occasion, p.Brief, jsonText(p.Channels),
			herald.DayString(p.Start), herald.DayString(p.End), p.CreatedBy, s.t(p.CreatedAt), s.t(p.UpdatedAt), p.Version)
		if err != nil {
			return err
		}
		p.ID = id
		if err := tx.writePlanUnits(p); err != nil {
			return err
		}
		ev.Entity, ev.EntityID, ev.Action = herald.EntityTopicPlan, id, "create"
		return tx.insertEvent(ev)
	})
}

// UpdatePlan saves a plan over the stored one of the same version.
func (s *Store) UpdatePlan(ctx context.Context, p *herald.TopicPlan, ev herald.Event) error {
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		old, err := scanPlan(tx.queryRow(`SELECT `+planColumns+` FROM topic_plans WHERE id = ?`+tx.s.d.ForUpdate, p.ID))
		if err != nil {
			return notFound(err, "Plan not found.")
		}
		if old.Version != p.Version {
			return herald.Errorf(herald.ECONFLICT, "The plan was changed by someone else (version %d, you had %d); reload it and try again.", old.Version, p.Version)
		}
		if err := tx.checkPlanRefs(p); err != nil {
			return err
		}
		p.CreatedBy, p.CreatedAt, p.UpdatedAt, p.Version = old.CreatedBy, old.CreatedAt, ev.At, old.Version+1
		if _, err := tx.exec(`UPDATE topic_plans SET title = ?, theme_id = ?, occasion = ?, brief = ?, channels = ?, start_day = ?, end_day = ?,
			updated_at = ?, version = ? WHERE id = ?`, p.Title, p.ThemeID, p.Occasion, p.Brief, jsonText(p.Channels),
			herald.DayString(p.Start), herald.DayString(p.End), s.t(p.UpdatedAt), p.Version, p.ID); err != nil {
			return err
		}
		if err := tx.writePlanUnits(p); err != nil {
			return err
		}
		ev.Entity, ev.EntityID, ev.Action = herald.EntityTopicPlan, p.ID, "update"
		return tx.insertEvent(ev)
	})
}

// FindPlans lists plans, the latest start first.
func (s *Store) FindPlans(ctx context.Context, f herald.PlanFilter) ([]*herald.TopicPlan, int, error) {
	var c conds
	c.addIn("id IN (%s)", f.IDs)
	c.add(f.ThemeID != 0, "theme_id = ?", f.ThemeID)
	c.addIn("id IN (SELECT plan_id FROM topic_plan_units WHERE unit_id IN (%s))", f.UnitIDs)
	if f.ActiveOn != nil {
		day := herald.DayString(*f.ActiveOn)
		c.add(true, "start_day <= ? AND end_day >= ?", day, day)
	}
	q := `SELECT ` + planColumns + `, COUNT(*) OVER () FROM topic_plans` + c.clause() + ` ORDER BY start_day DESC, id DESC` + limitClause(f.Limit, f.Offset)
	var plans []*herald.TopicPlan
	var total int
	err := s.read(ctx, func(tx *Tx) error {
		rows, err := tx.query(q, c.args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			p, err := scanPlan(withTotal{rows, &total})
			if err != nil {
				rows.Close()
				return err
			}
			plans = append(plans, p)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return tx.planUnits(plans)
	})
	return plans, total, err
}

// FindPlanByID returns one plan.
func (s *Store) FindPlanByID(ctx context.Context, id int64) (p *herald.TopicPlan, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		if p, err = scanPlan(tx.queryRow(`SELECT `+planColumns+` FROM topic_plans WHERE id = ?`, id)); err != nil {
			return notFound(err, "Plan not found.")
		}
		return tx.planUnits([]*herald.TopicPlan{p})
	})
	return p, err
}

const assignmentColumns = `id, plan_id, title, brief, unit_id, assignee_id, due, status, article_id, decline_reason, created_by, created_at, updated_at, version`

func scanAssignment(sc scanner) (*herald.Assignment, error) {
	var a herald.Assignment
	err := sc.Scan(&a.ID, nullIDScan{&a.PlanID}, &a.Title, &a.Brief, &a.UnitID, nullIDScan{&a.AssigneeID}, timeScan{&a.Due}, &a.Status,
		nullIDScan{&a.ArticleID}, &a.DeclineReason, &a.CreatedBy, timeScan{&a.CreatedAt}, timeScan{&a.UpdatedAt}, &a.Version)
	return &a, err
}

// checkAssignmentRefs names the field of a plan, unit, staff member or
// article that does not exist.
func (tx *Tx) checkAssignmentRefs(a *herald.Assignment) error {
	var pr herald.Problems
	refs := []struct {
		field, table, what string
		id                 int64
	}{
		{"plan_id", "topic_plans", "plan", a.PlanID},
		{"unit_id", "units", "unit", a.UnitID},
		{"assignee_id", "staff", "staff member", a.AssigneeID},
		{"article_id", "articles", "article", a.ArticleID},
		{"created_by", "staff", "staff member", a.CreatedBy},
	}
	for _, r := range refs {
		if r.id == 0 {
			continue
		}
		if ok, err := tx.exists(r.table, r.id); err != nil {
			return err
		} else if !ok {
			pr.Add(r.field, "no %s has ID %d", r.what, r.id)
		}
	}
	return pr.Err()
}

// CreateAssignments stores new assignments, version 1, each with an
// "assign" event.
func (s *Store) CreateAssignments(ctx context.Context, as []*herald.Assignment, ev herald.Event) error {
	for _, a := range as {
		a.Normalize()
		if err := a.Validate(); err != nil {
			return err
		}
	}
	return s.write(ctx, func(tx *Tx) error {
		for _, a := range as {
			if err := tx.checkAssignmentRefs(a); err != nil {
				return err
			}
			a.CreatedAt, a.UpdatedAt, a.Version = ev.At, ev.At, 1
			id, err := tx.insert(`INSERT INTO assignments (plan_id, title, brief, unit_id, assignee_id, due, status, article_id, decline_reason,
				created_by, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				nullID(a.PlanID), a.Title, a.Brief, a.UnitID, nullID(a.AssigneeID), s.t(a.Due), a.Status, nullID(a.ArticleID), a.DeclineReason,
				a.CreatedBy, s.t(a.CreatedAt), s.t(a.UpdatedAt), a.Version)
			if err != nil {
				return err
			}
			a.ID = id
			e := ev
			e.Entity, e.EntityID, e.Action, e.ToStatus = herald.EntityAssignment, id, herald.ActionAssign, string(a.Status)
			if err := tx.insertEvent(e); err != nil {
				return err
			}
		}
		return nil
	})
}

// UpdateAssignment saves an assignment over the stored one of the same
// version. ev names its action; the store fills in the states.
func (s *Store) UpdateAssignment(ctx context.Context, a *herald.Assignment, ev herald.Event) error {
	a.Normalize()
	if err := a.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		old, err := scanAssignment(tx.queryRow(`SELECT `+assignmentColumns+` FROM assignments WHERE id = ?`+tx.s.d.ForUpdate, a.ID))
		if err != nil {
			return notFound(err, "Assignment not found.")
		}
		if old.Version != a.Version {
			return herald.Errorf(herald.ECONFLICT, "The assignment was changed meanwhile (version %d, you had %d); reload it and try again.", old.Version, a.Version)
		}
		if err := tx.checkAssignmentRefs(a); err != nil {
			return err
		}
		a.CreatedBy, a.CreatedAt, a.UpdatedAt, a.Version = old.CreatedBy, old.CreatedAt, ev.At, old.Version+1
		if _, err := tx.exec(`UPDATE assignments SET plan_id = ?, title = ?, brief = ?, unit_id = ?, assignee_id = ?, due = ?, status = ?,
			article_id = ?, decline_reason = ?, updated_at = ?, version = ? WHERE id = ?`,
			nullID(a.PlanID), a.Title, a.Brief, a.UnitID, nullID(a.AssigneeID), s.t(a.Due), a.Status, nullID(a.ArticleID), a.DeclineReason,
			s.t(a.UpdatedAt), a.Version, a.ID); err != nil {
			return err
		}
		ev.Entity, ev.EntityID = herald.EntityAssignment, a.ID
		ev.FromStatus, ev.ToStatus = string(old.Status), string(a.Status)
		return tx.insertEvent(ev)
	})
}

// FindAssignments lists assignments, the soonest due first.
func (s *Store) FindAssignments(ctx context.Context, f herald.AssignmentFilter) ([]*herald.Assignment, int, error) {
	var c conds
	c.addIn("id IN (%s)", f.IDs)
	c.add(f.PlanID != 0, "plan_id = ?", f.PlanID)
	c.addIn("plan_id IN (%s)", f.PlanIDs)
	c.addIn("unit_id IN (%s)", f.UnitIDs)
	c.add(f.AssigneeID != 0, "assignee_id = ?", f.AssigneeID)
	if f.Statuses != nil {
		c.add(len(f.Statuses) == 0, "1 = 0")
		c.add(len(f.Statuses) > 0, "status IN ("+placeholders(len(f.Statuses))+")", anyArgs(f.Statuses)...)
	}
	c.add(f.DueBefore != nil, "due < ?", s.nt(f.DueBefore))
	c.add(f.DueAfter != nil, "due >= ?", s.nt(f.DueAfter))
	c.add(f.ArticleID != 0, "article_id = ?", f.ArticleID)
	c.add(f.CreatedBy != 0, "created_by = ?", f.CreatedBy)
	if p := f.For; p != nil {
		mine, args := "assignee_id = ? OR unit_id = ? AND assignee_id IS NULL", []any{p.StaffID, p.UnitID}
		if p.Given {
			mine, args = mine+" OR created_by = ?", append(args, p.StaffID)
		}
		c.add(true, "("+mine+")", args...)
	}
	q := `SELECT ` + assignmentColumns + `, COUNT(*) OVER () FROM assignments` + c.clause() + ` ORDER BY due, id` + limitClause(f.Limit, f.Offset)
	return findPage(ctx, s, q, c.args, scanAssignment)
}

// FindAssignmentByID returns one assignment.
func (s *Store) FindAssignmentByID(ctx context.Context, id int64) (a *herald.Assignment, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		a, err = scanAssignment(tx.queryRow(`SELECT `+assignmentColumns+` FROM assignments WHERE id = ?`, id))
		return notFound(err, "Assignment not found.")
	})
	return a, err
}

const feedColumns = `id, staff_id, unit_id, hash, created_by, created_at`

func scanFeed(sc scanner) (*herald.CalendarFeed, error) {
	var f herald.CalendarFeed
	err := sc.Scan(&f.ID, nullIDScan{&f.StaffID}, nullIDScan{&f.UnitID}, &f.Hash, &f.CreatedBy, timeScan{&f.CreatedAt})
	return &f, err
}

// ResetCalendarFeed replaces the owner's feed with f.
func (s *Store) ResetCalendarFeed(ctx context.Context, f *herald.CalendarFeed, ev herald.Event) error {
	if err := f.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		owner, id := "staff_id", f.StaffID
		if f.UnitID != 0 {
			owner, id = "unit_id", f.UnitID
		}
		table := map[string]string{"staff_id": "staff", "unit_id": "units"}[owner]
		if ok, err := tx.exists(table, id); err != nil {
			return err
		} else if !ok {
			return herald.Invalid(owner, "no %s has ID %d", table, id)
		}
		if _, err := tx.exec(`DELETE FROM calendar_feeds WHERE `+owner+` = ?`, id); err != nil {
			return err
		}
		f.CreatedBy, f.CreatedAt = ev.ActorID, ev.At
		fid, err := tx.insert(`INSERT INTO calendar_feeds (staff_id, unit_id, hash, created_by, created_at) VALUES (?, ?, ?, ?, ?)`,
			nullID(f.StaffID), nullID(f.UnitID), f.Hash, f.CreatedBy, s.t(f.CreatedAt))
		if err != nil {
			return err
		}
		f.ID = fid
		ev.Entity, ev.EntityID, ev.Action = herald.EntityCalendarFeed, fid, "reset"
		ev.Comment = owner + " " + strconv.FormatInt(id, 10)
		return tx.insertEvent(ev)
	})
}

// FindCalendarFeed returns the feed of a staff member or a unit.
func (s *Store) FindCalendarFeed(ctx context.Context, staffID, unitID int64) (f *herald.CalendarFeed, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		if staffID != 0 {
			f, err = scanFeed(tx.queryRow(`SELECT `+feedColumns+` FROM calendar_feeds WHERE staff_id = ?`, staffID))
		} else {
			f, err = scanFeed(tx.queryRow(`SELECT `+feedColumns+` FROM calendar_feeds WHERE unit_id = ?`, unitID))
		}
		return notFound(err, "Calendar feed not found.")
	})
	return f, err
}

// FindCalendarFeedByHash returns the feed whose secret hashes to hash.
func (s *Store) FindCalendarFeedByHash(ctx context.Context, hash string) (f *herald.CalendarFeed, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		f, err = scanFeed(tx.queryRow(`SELECT `+feedColumns+` FROM calendar_feeds WHERE hash = ?`, hash))
		return notFound(err, "Calendar feed not found.")
	})
	return f, err
}
