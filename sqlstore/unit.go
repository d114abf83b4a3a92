package sqlstore

import (
	"context"
	"strings"

	"github.com/heraldnews/herald"
)

const unitColumns = `id, parent_id, code, name, name_en, type, created_at, updated_at`

// CreateUnit adds a unit under an existing parent (or as the root, when the tree
// is empty).
func (s *Store) CreateUnit(ctx context.Context, u *herald.Unit, ev herald.Event) error {
	if err := u.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		if err := tx.checkUnitParent(u.ID, u.ParentID); err != nil {
			return err
		}
		u.CreatedAt, u.UpdatedAt = ev.At, ev.At
		id, err := tx.insert(`INSERT INTO units (parent_id, code, name, name_en, type, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			nullID(u.ParentID), u.Code, u.Name, u.NameEn, u.Type, s.t(u.CreatedAt), s.t(u.UpdatedAt))
		if err != nil {
			return err
		}
		u.ID = id
		ev.Entity, ev.EntityID, ev.Action = herald.EntityUnit, id, "create"
		return tx.insertEvent(ev)
	})
}

// checkUnitParent makes sure the tree keeps one root and no cycles.
func (tx *Tx) checkUnitParent(id, parentID int64) error {
	units, _, err := tx.findUnits(herald.UnitFilter{})
	if err != nil {
		return err
	}
	tree := herald.NewUnitTree(units)
	switch {
	case parentID == 0 && len(units) > 0 && !(len(units) == 1 && units[0].ID == id):
		if u := tree.Unit(id); u == nil || u.ParentID != 0 {
			return herald.Invalid("parent_id", "is required: the unit tree has one root")
		}
	case parentID != 0 && tree.Unit(parentID) == nil:
		return herald.Invalid("parent_id", "no unit has ID %d", parentID)
	case parentID != 0 && id != 0 && tree.Within(parentID, id):
		return herald.Invalid("parent_id", "a unit cannot be placed under itself or its own sub-units")
	}
	return nil
}

// UpdateUnit changes a unit's name, type or place in the tree.
func (s *Store) UpdateUnit(ctx context.Context, id int64, upd herald.UnitUpdate, ev herald.Event) (*herald.Unit, error) {
	var u *herald.Unit
	err := s.write(ctx, func(tx *Tx) (err error) {
		if u, err = tx.findUnitByID(id); err != nil {
			return err
		}
		upd.Apply(u)
		if err := u.Validate(); err != nil {
			return err
		}
		if upd.ParentID != nil {
			if err := tx.checkUnitParent(id, u.ParentID); err != nil {
				return err
			}
		}
		u.UpdatedAt = ev.At
		if _, err := tx.exec(`UPDATE units SET parent_id = ?, name = ?, name_en = ?, type = ?, updated_at = ? WHERE id = ?`,
			nullID(u.ParentID), u.Name, u.NameEn, u.Type, s.t(u.UpdatedAt), id); err != nil {
			return err
		}
		ev.Entity, ev.EntityID, ev.Action = herald.EntityUnit, id, "update"
		return tx.insertEvent(ev)
	})
	return u, err
}

// FindUnits lists units by code.
func (s *Store) FindUnits(ctx context.Context, f herald.UnitFilter) (units []*herald.Unit, total int, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		units, total, err = tx.findUnits(f)
		return err
	})
	return units, total, err
}

// FindUnitByID returns one unit.
func (s *Store) FindUnitByID(ctx context.Context, id int64) (u *herald.Unit, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		u, err = tx.findUnitByID(id)
		return err
	})
	return u, err
}

func (tx *Tx) findUnitByID(id int64) (*herald.Unit, error) {
	units, _, err := tx.findUnits(herald.UnitFilter{ID: id})
	if err != nil {
		return nil, err
	} else if len(units) == 0 {
		return nil, herald.Errorf(herald.ENOTFOUND, "Unit %d not found.", id)
	}
	return units[0], nil
}

func unitWhere(f herald.UnitFilter) (string, []any) {
	var where []string
	var args []any
	if f.ID != 0 {
		where, args = append(where, "id = ?"), append(args, f.ID)
	}
	if f.Code != "" {
		where, args = append(where, "code = ?"), append(args, f.Code)
	}
	if f.ParentID != 0 {
		where, args = append(where, "parent_id = ?"), append(args, f.ParentID)
	}
	if len(where) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(where, " AND "), args
}

func (tx *Tx) findUnits(f herald.UnitFilter) ([]*herald.Unit, int, error) {
	where, args := unitWhere(f)
	rows, err := tx.query(`SELECT `+unitColumns+`, COUNT(*) OVER () FROM units`+where+` ORDER BY code`+limitClause(f.Limit, f.Offset), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var units []*herald.Unit
	total := 0
	for rows.Next() {
		var u herald.Unit
		if err := rows.Scan(&u.ID, nullIDScan{&u.ParentID}, &u.Code, &u.Name, &u.NameEn, &u.Type,
			timeScan{&u.CreatedAt}, timeScan{&u.UpdatedAt}, &total); err != nil {
			return nil, 0, err
		}
		units = append(units, &u)
	}
	return units, total, rows.Err()
}
