package sqlstore

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/heraldnews/herald"
)

// backupTable is one table of a backup, in an order that respects foreign keys.
type backupTable struct {
	name    string
	orderBy string
	// selfRef names a column referring to the same table; it is loaded as NULL
	// first and filled in once every row exists.
	selfRef string
}

var backupTables = []backupTable{
	{name: "units", orderBy: "id", selfRef: "parent_id"},
	{name: "staff", orderBy: "id"},
	{name: "staff_roles", orderBy: "staff_id, role"},
	{name: "columns", orderBy: "id"},
	{name: "themes", orderBy: "id"},
	{name: "articles", orderBy: "id"},
	{name: "article_authors", orderBy: "article_id, position"},
	{name: "article_themes", orderBy: "article_id, theme_id"},
	{name: "article_tags", orderBy: "article_id, tag"},
	{name: "revisions", orderBy: "article_id, number"},
	{name: "tokens", orderBy: "id"},
	{name: "events", orderBy: "id"},
	{name: "site_settings", orderBy: "id"},
	{name: "article_views", orderBy: "article_id, hour, channel"},
	// readership; reader_keys and reader_salts stay out: they live two days
	// and would only let a backup link readers' visits (rate_events, the rate
	// limits' counts of the last day, stay out too)
	{name: "article_reads", orderBy: "article_id, day, channel"},
	{name: "article_referrers", orderBy: "article_id, day, host"},
	{name: "article_readers", orderBy: "article_id, day"},
	{name: "site_readers", orderBy: "day"},
	{name: "tips", orderBy: "id"},
	{name: "tip_attachments", orderBy: "id"},
	{name: "sessions", orderBy: "id"},
	{name: "media", orderBy: "id"},
	{name: "media_renditions", orderBy: "media_id, name"},
	{name: "autosaves", orderBy: "article_id, staff_id"},
	{name: "sensitive_words", orderBy: "id"},
	{name: "jobs", orderBy: "id"},
	{name: "deliveries", orderBy: "id"},
	{name: "local_actors", orderBy: "name"},
	{name: "followers", orderBy: "id"},
	{name: "engagements", orderBy: "id"},
	{name: "subscribers", orderBy: "id"},
	{name: "mailings", orderBy: "id"},
	{name: "mailing_articles", orderBy: "mailing_id, article_id"},
	{name: "newsletter_keys", orderBy: "name"},
	{name: "outbox", orderBy: "id"},
	{name: "periodicals", orderBy: "id"},
	{name: "issues", orderBy: "id"},
	{name: "issue_articles", orderBy: "issue_id, position"},
	{name: "partners", orderBy: "id"},
	{name: "placements", orderBy: "id"},
	{name: "recognitions", orderBy: "id"},
	{name: "unit_quotas", orderBy: "unit_id, month"},
	{name: "scoring_rules", orderBy: "version"},
	{name: "ledger_entries", orderBy: "id"}, // reversals refer to earlier IDs: no self-reference pass, which would update them
	{name: "read_spikes", orderBy: "id"},
	// training
	{name: "training_courses", orderBy: "id"},
	{name: "training_quotas", orderBy: "course_id, unit_id"},
	{name: "training_sessions", orderBy: "id"},
	{name: "enrolments", orderBy: "id"},
	{name: "training_attendance", orderBy: "session_id, staff_id"},
	{name: "training_materials", orderBy: "id"},
	{name: "training_feedback", orderBy: "course_id, staff_id"},
	{name: "training_certificates", orderBy: "id"},
	{name: "training_keys", orderBy: "name"},
	{name: "notifications", orderBy: "id"},
	{name: "notification_prefs", orderBy: "staff_id, kind"},
	// notifier_cursor stays out: a restored database reads the audit log again,
	// and the notifications restored with it keep anyone from being told twice
	// special topics and the films' records (their bytes are files, outside the backup)
	{name: "video_files", orderBy: "id"},
	{name: "topics", orderBy: "id"},
	{name: "topic_sections", orderBy: "topic_id, position"},
	{name: "topic_items", orderBy: "topic_id, section, position"},
	// work coordination (planning)
	{name: "topic_plans", orderBy: "id"},
	{name: "topic_plan_units", orderBy: "plan_id, unit_id"},
	{name: "assignments", orderBy: "id"},
	{name: "calendar_feeds", orderBy: "id"},
}

// backupHeader opens a backup.
type backupHeader struct {
	Format    string    `json:"format"`
	Version   int       `json:"version"`
	Engine    string    `json:"engine"`
	Schema    string    `json:"schema"`
	CreatedAt time.Time `json:"created_at"`
}

// backupSection opens a table, or (with End set) closes the backup.
type backupSection struct {
	Table   string   `json:"table,omitempty"`
	Columns []string `json:"columns,omitempty"`
	Rows    int      `json:"rows"` // the rows that follow; with End, the rows of all tables
	End     bool     `json:"end,omitempty"`
}

const backupFormat = "herald-backup"

// Dump writes a gzip-compressed JSON-lines backup of every table, read in one
// snapshot transaction while the store stays in use. Times are written in one
// fixed UTC form, so a dump reads the same whichever engine wrote it.
func (s *Store) Dump(ctx context.Context, w io.Writer) error {
	schema, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	zw := gzip.NewWriter(w)
	enc := json.NewEncoder(zw)
	if err := enc.Encode(backupHeader{Format: backupFormat, Version: 1, Engine: s.d.Name, Schema: schema, CreatedAt: time.Now().UTC()}); err != nil {
		return err
	}
	total := 0
	err = s.read(ctx, func(tx *Tx) error {
		for _, t := range backupTables {
			n, err := tx.dumpTable(enc, t)
			if err != nil {
				return fmt.Errorf("dump %s: %w", t.name, err)
			}
			total += n
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := enc.Encode(backupSection{End: true, Rows: total}); err != nil {
		return err
	}
	return zw.Close()
}

func (tx *Tx) dumpTable(enc *json.Encoder, t backupTable) (int, error) {
	var count int
	if err := tx.queryRow(`SELECT COUNT(*) FROM ` + t.name).Scan(&count); err != nil {
		return 0, err
	}
	rows, err := tx.query(`SELECT * FROM ` + t.name + ` ORDER BY ` + t.orderBy)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	if err := enc.Encode(backupSection{Table: t.name, Columns: cols, Rows: count}); err != nil {
		return 0, err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		for i, v := range vals {
			switch x := v.(type) {
			case time.Time:
				vals[i] = x.UTC().Format(timeLayout)
			case []byte:
				// Binary columns (attachments) travel as base64 in an object, so
				// that they cannot be mistaken for text.
				vals[i] = map[string]string{"base64": base64.StdEncoding.EncodeToString(x)}
			}
		}
		if err := enc.Encode(vals); err != nil {
			return n, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	if n != count {
		return n, fmt.Errorf("counted %d rows but read %d", count, n)
	}
	return n, nil
}

// Load fills an empty, migrated store from a backup made by Dump, in one
// transaction: it loads all of it or nothing.
func (s *Store) Load(ctx context.Context, r io.Reader) error {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return herald.Errorf(herald.EINVALID, "Not a Herald backup: %v.", err)
	}
	dec := json.NewDecoder(bufio.NewReader(zr))
	dec.UseNumber()
	var h backupHeader
	if err := dec.Decode(&h); err != nil || h.Format != backupFormat {
		return herald.Errorf(herald.EINVALID, "Not a Herald backup.")
	}
	schema, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if h.Schema != schema {
		return herald.Errorf(herald.EINVALID, "The backup has schema %s but this database has %s; restore with the Herald version that made it, then upgrade.", h.Schema, schema)
	}
	return s.write(ctx, func(tx *Tx) error {
		var n int
		if err := tx.queryRow(`SELECT (SELECT COUNT(*) FROM units) + (SELECT COUNT(*) FROM articles) + (SELECT COUNT(*) FROM events)`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return herald.Errorf(herald.ECONFLICT, "The database is not empty; restore into a new database.")
		}
		loaded, want := 0, -1
		var names []string
		for want < 0 {
			var sec backupSection
			if err := dec.Decode(&sec); err != nil {
				return herald.Errorf(herald.EINVALID, "The backup is truncated or damaged: %v.", err)
			}
			if sec.End {
				want = sec.Rows
				break
			}
			t, ok := findBackupTable(sec.Table)
			if !ok {
				return herald.Errorf(herald.EINVALID, "The backup has an unknown table %q.", sec.Table)
			}
			n, err := tx.loadTable(dec, t, sec.Columns, sec.Rows)
			if err != nil {
				return fmt.Errorf("load %s: %w", t.name, err)
			}
			loaded += n
			names = append(names, t.name)
		}
		if loaded != want {
			return herald.Errorf(herald.EINVALID, "The backup is damaged: it announces %d rows but holds %d.", want, loaded)
		}
		if s.d.AfterLoad != nil {
			return s.d.AfterLoad(ctx, tx.Tx, names)
		}
		return nil
	})
}

func findBackupTable(name string) (backupTable, bool) {
	for _, t := range backupTables {
		if t.name == name {
			return t, true
		}
	}
	return backupTable{}, false
}

// loadTable inserts the count rows that follow a section line.
func (tx *Tx) loadTable(dec *json.Decoder, t backupTable, cols []string, count int) (int, error) {
	for _, c := range cols {
		if strings.ContainsFunc(c, func(r rune) bool { return !(r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') }) {
			return 0, herald.Errorf(herald.EINVALID, "The backup has a bad column name %q.", c)
		}
	}
	insert := `INSERT INTO ` + t.name + ` (` + strings.Join(cols, ", ") + `) VALUES (` + placeholders(len(cols)) + `)`
	selfRef := -1
	for i, c := range cols {
		if c == t.selfRef {
			selfRef = i
		}
	}
	type link struct{ id, ref any }
	var links []link
	n := 0
	for ; n < count; n++ {
		var vals []any
		if err := dec.Decode(&vals); err != nil || len(vals) != len(cols) {
			return n, herald.Errorf(herald.EINVALID, "The backup has a bad row %d in %s.", n+1, t.name)
		}
		for i, v := range vals {
			if obj, ok := v.(map[string]any); ok {
				b64, _ := obj["base64"].(string)
				data, err := base64.StdEncoding.DecodeString(b64)
				if err != nil {
					return n, herald.Errorf(herald.EINVALID, "The backup has bad binary data in %s.", t.name)
				}
				vals[i] = data
			}
			if num, ok := v.(json.Number); ok {
				if whole, err := num.Int64(); err == nil {
					vals[i] = whole
				} else {
					vals[i], _ = num.Float64()
				}
			}
		}
		if selfRef >= 0 && vals[selfRef] != nil {
			links = append(links, link{vals[0], vals[selfRef]})
			vals[selfRef] = nil
		}
		if _, err := tx.exec(insert, vals...); err != nil {
			return n, err
		}
	}
	for _, l := range links {
		if _, err := tx.exec(`UPDATE `+t.name+` SET `+t.selfRef+` = ? WHERE id = ?`, l.ref, l.id); err != nil {
			return n, err
		}
	}
	return n, nil
}
