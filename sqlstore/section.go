package sqlstore

import (
	"context"

	"github.com/heraldnews/herald"
)

// CreateColumn adds a site section.
func (s *Store) CreateColumn(ctx context.Context, c *herald.Column, ev herald.Event) error {
	if err := c.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		c.CreatedAt, c.UpdatedAt = ev.At, ev.At
		id, err := tx.insert(`INSERT INTO columns (slug, name, name_en, review_levels, position, checklist, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			c.Slug, c.Name, c.NameEn, c.ReviewLevels, c.Position, checklistText(c.Checklist), s.t(c.CreatedAt), s.t(c.UpdatedAt))
		if err != nil {
			return err
		}
		c.ID = id
		ev.Entity, ev.EntityID, ev.Action = herald.EntityColumn, id, "create"
		return tx.insertEvent(ev)
	})
}

// UpdateColumn changes a column.
func (s *Store) UpdateColumn(ctx context.Context, id int64, upd herald.ColumnUpdate, ev herald.Event) (*herald.Column, error) {
	var c *herald.Column
	err := s.write(ctx, func(tx *Tx) error {
		cols, err := tx.findColumns(id)
		if err != nil {
			return err
		} else if len(cols) == 0 {
			return herald.Errorf(herald.ENOTFOUND, "Column %d not found.", id)
		}
		c = cols[0]
		upd.Apply(c)
		if err := c.Validate(); err != nil {
			return err
		}
		c.UpdatedAt = ev.At
		if _, err := tx.exec(`UPDATE columns SET name = ?, name_en = ?, review_levels = ?, position = ?, checklist = ?, updated_at = ? WHERE id = ?`,
			c.Name, c.NameEn, c.ReviewLevels, c.Position, checklistText(c.Checklist), s.t(c.UpdatedAt), id); err != nil {
			return err
		}
		ev.Entity, ev.EntityID, ev.Action = herald.EntityColumn, id, "update"
		return tx.insertEvent(ev)
	})
	return c, err
}

// FindColumns lists every column in display order.
func (s *Store) FindColumns(ctx context.Context) (cols []*herald.Column, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		cols, err = tx.findColumns(0)
		return err
	})
	return cols, err
}

func (tx *Tx) findColumns(id int64) ([]*herald.Column, error) {
	q, args := `SELECT id, slug, name, name_en, review_levels, position, checklist, created_at, updated_at FROM columns`, []any{}
	if id != 0 {
		q, args = q+" WHERE id = ?", append(args, id)
	}
	rows, err := tx.query(q+" ORDER BY position, id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []*herald.Column
	for rows.Next() {
		var c herald.Column
		if err := rows.Scan(&c.ID, &c.Slug, &c.Name, &c.NameEn, &c.ReviewLevels, &c.Position, jsonScan{&c.Checklist}, timeScan{&c.CreatedAt}, timeScan{&c.UpdatedAt}); err != nil {
			return nil, err
		}
		cols = append(cols, &c)
	}
	return cols, rows.Err()
}

// CreateTheme adds a central-work theme.
func (s *Store) CreateTheme(ctx context.Context, t *herald.Theme, ev herald.Event) error {
	if err := t.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		t.CreatedAt, t.UpdatedAt = ev.At, ev.At
		id, err := tx.insert(`INSERT INTO themes (slug, name, name_en, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			t.Slug, t.Name, t.NameEn, t.Description, s.t(t.CreatedAt), s.t(t.UpdatedAt))
		if err != nil {
			return err
		}
		t.ID = id
		ev.Entity, ev.EntityID, ev.Action = herald.EntityTheme, id, "create"
		return tx.insertEvent(ev)
	})
}

// UpdateTheme changes a theme.
func (s *Store) UpdateTheme(ctx context.Context, id int64, upd herald.ThemeUpdate, ev herald.Event) (*herald.Theme, error) {
	var t *herald.Theme
	err := s.write(ctx, func(tx *Tx) error {
		themes, err := tx.findThemes(id)
		if err != nil {
			return err
		} else if len(themes) == 0 {
			return herald.Errorf(herald.ENOTFOUND, "Theme %d not found.", id)
		}
		t = themes[0]
		upd.Apply(t)
		if err := t.Validate(); err != nil {
			return err
		}
		t.UpdatedAt = ev.At
		if _, err := tx.exec(`UPDATE themes SET name = ?, name_en = ?, description = ?, updated_at = ? WHERE id = ?`,
			t.Name, t.NameEn, t.Description, s.t(t.UpdatedAt), id); err != nil {
			return err
		}
		ev.Entity, ev.EntityID, ev.Action = herald.EntityTheme, id, "update"
		return tx.insertEvent(ev)
	})
	return t, err
}

// FindThemes lists every theme.
func (s *Store) FindThemes(ctx context.Context) (themes []*herald.Theme, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		themes, err = tx.findThemes(0)
		return err
	})
	return themes, err
}

func (tx *Tx) findThemes(id int64) ([]*herald.Theme, error) {
	q, args := `SELECT id, slug, name, name_en, description, created_at, updated_at FROM themes`, []any{}
	if id != 0 {
		q, args = q+" WHERE id = ?", append(args, id)
	}
	rows, err := tx.query(q+" ORDER BY id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var themes []*herald.Theme
	for rows.Next() {
		var t herald.Theme
		if err := rows.Scan(&t.ID, &t.Slug, &t.Name, &t.NameEn, &t.Description, timeScan{&t.CreatedAt}, timeScan{&t.UpdatedAt}); err != nil {
			return nil, err
		}
		themes = append(themes, &t)
	}
	return themes, rows.Err()
}

// checklistText stores a column's checklist, "{}" when it has none.
func checklistText(c map[string]string) string {
	if c == nil {
		return "{}"
	}
	return jsonText(c)
}
