package sqlstore

import (
	"context"
	"strings"

	"github.com/heraldnews/herald"
)

// CreateStaff adds a staff member to an existing unit.
func (s *Store) CreateStaff(ctx context.Context, st *herald.Staff, ev herald.Event) error {
	st.Normalize()
	if err := st.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		if _, err := tx.findUnitByID(st.UnitID); err != nil {
			return herald.Invalid("unit_id", "no unit has ID %d", st.UnitID)
		}
		st.CreatedAt, st.UpdatedAt = ev.At, ev.At
		id, err := tx.insert(`INSERT INTO staff (username, name, name_en, staff_code, unit_id, skills, password_hash, language, totp_secret, email, disabled_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			st.Username, st.Name, st.NameEn, st.StaffCode, st.UnitID, jsonText(st.Skills), st.PasswordHash, st.Language, st.TOTPSecret, st.Email,
			s.nt(st.DisabledAt), s.t(st.CreatedAt), s.t(st.UpdatedAt))
		if err != nil {
			return err
		}
		st.ID = id
		if err := tx.writeRoles(st); err != nil {
			return err
		}
		ev.Entity, ev.EntityID, ev.Action = herald.EntityStaff, id, "create"
		return tx.insertEvent(ev)
	})
}

func (tx *Tx) writeRoles(st *herald.Staff) error {
	if _, err := tx.exec(`DELETE FROM staff_roles WHERE staff_id = ?`, st.ID); err != nil {
		return err
	}
	for _, r := range st.Roles {
		if _, err := tx.exec(`INSERT INTO staff_roles (staff_id, role) VALUES (?, ?)`, st.ID, r); err != nil {
			return err
		}
	}
	return nil
}

// UpdateStaff changes a staff member. ev.Action should say what kind of change it
// is ("update", "disable", "password"…); it defaults to "update".
func (s *Store) UpdateStaff(ctx context.Context, id int64, upd herald.StaffUpdate, ev herald.Event) (*herald.Staff, error) {
	var st *herald.Staff
	err := s.write(ctx, func(tx *Tx) (err error) {
		if st, err = tx.findStaffByID(id); err != nil {
			return err
		}
		upd.Apply(st, ev.At)
		st.Normalize()
		if err := st.Validate(); err != nil {
			return err
		}
		if _, err := tx.findUnitByID(st.UnitID); err != nil {
			return herald.Invalid("unit_id", "no unit has ID %d", st.UnitID)
		}
		st.UpdatedAt = ev.At
		if _, err := tx.exec(`UPDATE staff SET name = ?, name_en = ?, staff_code = ?, unit_id = ?, skills = ?, password_hash = ?,
			language = ?, totp_secret = ?, email = ?, disabled_at = ?, updated_at = ? WHERE id = ?`,
			st.Name, st.NameEn, st.StaffCode, st.UnitID, jsonText(st.Skills), st.PasswordHash, st.Language, st.TOTPSecret, st.Email, s.nt(st.DisabledAt), s.t(st.UpdatedAt), id); err != nil {
			return s.mapError(err)
		}
		if upd.Roles != nil {
			if err := tx.writeRoles(st); err != nil {
				return err
			}
		}
		if upd.PasswordHash != nil || st.DisabledAt != nil {
			// A new password or a disabled account ends every session, in the
			// same transaction, so that no session outlives the change.
			if _, err := tx.exec(`DELETE FROM sessions WHERE staff_id = ?`, id); err != nil {
				return err
			}
		}
		ev.Entity, ev.EntityID = herald.EntityStaff, id
		if ev.Action == "" {
			ev.Action = "update"
		}
		return tx.insertEvent(ev)
	})
	return st, err
}

// FindStaff lists staff by username.
func (s *Store) FindStaff(ctx context.Context, f herald.StaffFilter) (staff []*herald.Staff, total int, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		staff, total, err = tx.findStaff(f)
		return err
	})
	return staff, total, err
}

// FindStaffByID returns one staff member.
func (s *Store) FindStaffByID(ctx context.Context, id int64) (st *herald.Staff, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		st, err = tx.findStaffByID(id)
		return err
	})
	return st, err
}

func (tx *Tx) findStaffByID(id int64) (*herald.Staff, error) {
	staff, _, err := tx.findStaff(herald.StaffFilter{ID: id})
	if err != nil {
		return nil, err
	} else if len(staff) == 0 {
		return nil, herald.Errorf(herald.ENOTFOUND, "Staff member %d not found.", id)
	}
	return staff[0], nil
}

func (tx *Tx) findStaff(f herald.StaffFilter) ([]*herald.Staff, int, error) {
	var where []string
	var args []any
	if f.ID != 0 {
		where, args = append(where, "id = ?"), append(args, f.ID)
	}
	if f.Username != "" {
		where, args = append(where, "username = ?"), append(args, f.Username)
	}
	if f.IDs != nil {
		if len(f.IDs) == 0 {
			return nil, 0, nil
		}
		where, args = append(where, "id IN ("+placeholders(len(f.IDs))+")"), append(args, anyArgs(f.IDs)...)
	}
	if f.UnitID != 0 {
		where, args = append(where, "unit_id = ?"), append(args, f.UnitID)
	}
	if f.Role != "" {
		where, args = append(where, "id IN (SELECT staff_id FROM staff_roles WHERE role = ?)"), append(args, f.Role)
	}
	q := `SELECT id, username, name, name_en, staff_code, unit_id, skills, password_hash, language, totp_secret, email, disabled_at, created_at, updated_at, COUNT(*) OVER ()
		FROM staff`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := tx.query(q+" ORDER BY username"+limitClause(f.Limit, f.Offset), args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var staff []*herald.Staff
	byID := map[int64]*herald.Staff{}
	total := 0
	for rows.Next() {
		var st herald.Staff
		if err := rows.Scan(&st.ID, &st.Username, &st.Name, &st.NameEn, &st.StaffCode, &st.UnitID, jsonScan{&st.Skills},
			&st.PasswordHash, &st.Language, &st.TOTPSecret, &st.Email, nullTimeScan{&st.DisabledAt}, timeScan{&st.CreatedAt}, timeScan{&st.UpdatedAt}, &total); err != nil {
			return nil, 0, err
		}
		st.Roles = []herald.Role{}
		staff = append(staff, &st)
		byID[st.ID] = &st
	}
	if err := rows.Err(); err != nil || len(staff) == 0 {
		return staff, total, err
	}
	ids := make([]int64, len(staff))
	for i, st := range staff {
		ids[i] = st.ID
	}
	rrows, err := tx.query(`SELECT staff_id, role FROM staff_roles WHERE staff_id IN (`+placeholders(len(ids))+`) ORDER BY staff_id, role`, anyArgs(ids)...)
	if err != nil {
		return nil, 0, err
	}
	defer rrows.Close()
	for rrows.Next() {
		var id int64
		var r herald.Role
		if err := rrows.Scan(&id, &r); err != nil {
			return nil, 0, err
		}
		byID[id].Roles = append(byID[id].Roles, r)
	}
	return staff, total, rrows.Err()
}
