// Package sqlstore implements herald.Store over database/sql. The SQL is written
// once, with ? placeholders, in the common dialect of SQLite and PostgreSQL; a
// Dialect supplies what differs (placeholders, row locks, time values, how
// constraint errors look). Packages sqlite and postgres open a Store on their engine.
package sqlstore

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/heraldnews/herald"
)

// Dialect is what differs between the engines.
type Dialect struct {
	// Name is "sqlite" or "postgres".
	Name string
	// NumberedParams makes placeholders $1, $2, … instead of ?.
	NumberedParams bool
	// ForUpdate is appended to a SELECT that reads a row about to be changed.
	ForUpdate string
	// SkipLocked is appended to a SELECT that picks one of many rows to take,
	// so that concurrent takers pass over each other's.
	SkipLocked string
	// TimeText stores times as fixed-width UTC text instead of native timestamps.
	TimeText bool
	// MigrationLock, if set, runs first in the migration transaction so that
	// several processes starting at once migrate one at a time.
	MigrationLock string
	// UniqueViolation reports whether err is a unique-constraint violation and, if
	// it can tell, the column concerned.
	UniqueViolation func(err error) (column string, ok bool)
	// Unreachable reports whether err says the database cannot be reached
	// (refused or lost connections, a server shutting down or starting up):
	// such errors become EUNAVAILABLE, which the HTTP layer answers with 503.
	Unreachable func(err error) bool
	// AfterLoad runs after a backup was loaded (PostgreSQL moves its identity
	// sequences past the loaded IDs).
	AfterLoad func(ctx context.Context, tx *sql.Tx, tables []string) error
}

// Store is a herald.Store on an SQL database. Writes go through w, reads through r;
// on SQLite w is a single connection taking the write lock at BEGIN, so writers
// queue instead of failing, and r is a pool of readers that never block them.
type Store struct {
	w, r    *sql.DB
	d       Dialect
	queries sync.Map // query text -> rebound text
}

var _ herald.Store = (*Store)(nil)

// New returns a Store over the given pools. w and r may be the same pool.
func New(w, r *sql.DB, d Dialect) *Store {
	return &Store{w: w, r: r, d: d}
}

// Engine names the engine.
func (s *Store) Engine() string { return s.d.Name }

// Close closes the pools.
func (s *Store) Close() error {
	err := s.w.Close()
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	return err
}

// DB returns the write pool, for engine-specific tests and tools.
func (s *Store) DB() *sql.DB { return s.w }

// Ping runs a trivial query on each pool, for readiness checks: a pool that
// is closed or cannot reach its database fails it.
func (s *Store) Ping(ctx context.Context) error {
	for _, db := range s.pools() {
		var one int
		if err := db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
			return err
		}
	}
	return nil
}

// PoolStats returns the statistics of the connection pools by name: "write"
// and, when reads have a pool of their own (SQLite), "read".
func (s *Store) PoolStats() map[string]sql.DBStats {
	stats := map[string]sql.DBStats{"write": s.w.Stats()}
	if s.r != s.w {
		stats["read"] = s.r.Stats()
	}
	return stats
}

func (s *Store) pools() []*sql.DB {
	if s.r == s.w {
		return []*sql.DB{s.w}
	}
	return []*sql.DB{s.w, s.r}
}

// Tx is a transaction that rebinds placeholders and converts values for its dialect.
type Tx struct {
	*sql.Tx
	s   *Store
	ctx context.Context
}

func (s *Store) rebind(q string) string {
	if !s.d.NumberedParams {
		return q
	}
	if v, ok := s.queries.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	n, inString := 0, false
	for _, c := range q {
		switch {
		case c == '\'':
			inString = !inString
		case c == '?' && !inString:
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	s.queries.Store(q, b.String())
	return b.String()
}

func (tx *Tx) exec(q string, args ...any) (sql.Result, error) {
	return tx.ExecContext(tx.ctx, tx.s.rebind(q), args...)
}

func (tx *Tx) query(q string, args ...any) (*sql.Rows, error) {
	return tx.QueryContext(tx.ctx, tx.s.rebind(q), args...)
}

func (tx *Tx) queryRow(q string, args ...any) *sql.Row {
	return tx.QueryRowContext(tx.ctx, tx.s.rebind(q), args...)
}

// insert runs an INSERT … RETURNING id and returns the new ID.
func (tx *Tx) insert(q string, args ...any) (int64, error) {
	var id int64
	err := tx.queryRow(q+" RETURNING id", args...).Scan(&id)
	return id, tx.s.mapError(err)
}

// write runs fn in a read-write transaction and commits if fn succeeds.
func (s *Store) write(ctx context.Context, fn func(tx *Tx) error) error {
	return s.inTx(ctx, s.w, nil, fn)
}

// read runs fn in a read-only transaction: a consistent snapshot on both engines.
func (s *Store) read(ctx context.Context, fn func(tx *Tx) error) error {
	var opts *sql.TxOptions // SQLite: a deferred transaction reads one WAL snapshot
	if s.d.Name == "postgres" {
		opts = &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
	}
	return s.inTx(ctx, s.r, opts, fn)
}

func (s *Store) inTx(ctx context.Context, db *sql.DB, opts *sql.TxOptions, fn func(tx *Tx) error) error {
	stx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return s.mapError(fmt.Errorf("begin: %w", err))
	}
	tx := &Tx{Tx: stx, s: s, ctx: ctx}
	if err := fn(tx); err != nil {
		_ = stx.Rollback()
		return s.mapError(err)
	}
	if err := stx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", s.mapError(err))
	}
	return nil
}

// unreachableMessage is the message of a request that found the database away.
const unreachableMessage = "The database cannot be reached just now; try again in a moment."

// mapError turns constraint violations and lost connections into coded errors.
func (s *Store) mapError(err error) error {
	if err == nil || herald.ErrorCode(err) != herald.EINTERNAL {
		return err
	}
	if s.d.Unreachable != nil && s.d.Unreachable(err) {
		return &herald.Error{Code: herald.EUNAVAILABLE, Message: unreachableMessage, Err: err}
	}
	if col, ok := s.d.UniqueViolation(err); ok {
		if col == "" {
			return herald.Errorf(herald.ECONFLICT, "That value is already taken.")
		}
		return &herald.Error{Code: herald.ECONFLICT, Message: col + ": is already taken",
			Fields: []herald.FieldError{{Field: col, Message: "is already taken"}}}
	}
	return err
}

// timeLayout is how SQLite stores times: fixed width, so text order is time order.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// t converts a time to the dialect's value.
func (s *Store) t(t time.Time) any {
	t = t.UTC().Truncate(time.Microsecond)
	if s.d.TimeText {
		return t.Format(timeLayout)
	}
	return t
}

// nt converts an optional time; nil stays NULL.
func (s *Store) nt(t *time.Time) any {
	if t == nil {
		return nil
	}
	return s.t(*t)
}

// nullID stores 0 as NULL, for optional references.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// timeScan scans either engine's time into a time.Time.
type timeScan struct{ t *time.Time }

func (ts timeScan) Scan(v any) error {
	t, err := parseTime(v)
	if err != nil {
		return err
	}
	if t == nil {
		return errors.New("unexpected NULL time")
	}
	*ts.t = *t
	return nil
}

// nullTimeScan scans an optional time.
type nullTimeScan struct{ t **time.Time }

func (ts nullTimeScan) Scan(v any) error {
	t, err := parseTime(v)
	*ts.t = t
	return err
}

func parseTime(v any) (*time.Time, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case time.Time:
		t := v.UTC()
		return &t, nil
	case string:
		t, err := time.Parse(time.RFC3339Nano, v)
		return &t, err
	case []byte:
		t, err := time.Parse(time.RFC3339Nano, string(v))
		return &t, err
	}
	return nil, fmt.Errorf("cannot scan %T as time", v)
}

// nullIDScan scans a nullable reference as 0 when NULL.
type nullIDScan struct{ id *int64 }

func (n nullIDScan) Scan(v any) error {
	var x sql.NullInt64
	if err := x.Scan(v); err != nil {
		return err
	}
	*n.id = x.Int64
	return nil
}

// jsonScan scans a JSON text column into a value.
type jsonScan struct{ v any }

func (j jsonScan) Scan(v any) error {
	switch b := v.(type) {
	case string:
		return json.Unmarshal([]byte(b), j.v)
	case []byte:
		return json.Unmarshal(b, j.v)
	}
	return fmt.Errorf("cannot scan %T as JSON", v)
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only called with plain slices and structs
	}
	return string(b)
}

// limitClause renders LIMIT/OFFSET; a limit of 0 means no limit.
func limitClause(limit, offset int) string {
	var b strings.Builder
	if limit > 0 {
		fmt.Fprintf(&b, " LIMIT %d", limit)
	} else if offset > 0 {
		b.WriteString(" LIMIT 9223372036854775807") // both engines' way to say "no limit" differs
	}
	if offset > 0 {
		fmt.Fprintf(&b, " OFFSET %d", offset)
	}
	return b.String()
}

// placeholders returns "?, ?, ?" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// conds collects the conditions of a WHERE clause and their arguments.
type conds struct {
	where []string
	args  []any
}

// add adds a condition when on is true.
func (c *conds) add(on bool, cond string, args ...any) {
	if on {
		c.where, c.args = append(c.where, cond), append(c.args, args...)
	}
}

// addIn adds the condition format makes of a list of placeholders (its one
// %s) for the values of a list that filters unless it is nil: an empty
// list selects nothing.
func (c *conds) addIn(format string, vals []int64) {
	switch {
	case vals == nil:
	case len(vals) == 0:
		c.add(true, "1 = 0")
	default:
		c.add(true, fmt.Sprintf(format, placeholders(len(vals))), anyArgs(vals)...)
	}
}

// clause renders the WHERE clause, empty without conditions.
func (c *conds) clause() string {
	if len(c.where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(c.where, " AND ")
}

// anyArgs turns values into query arguments.
func anyArgs[T any](vals []T) []any {
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = v
	}
	return args
}

// findPage reads the rows of a query whose last column is COUNT(*) OVER (),
// scanning each with scan, and returns them with that total.
func findPage[T any](ctx context.Context, s *Store, q string, args []any, scan func(interface{ Scan(...any) error }) (T, error)) (items []T, total int, err error) {
	err = s.read(ctx, func(tx *Tx) error {
		rows, err := tx.query(q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			item, err := scan(withTotal{rows, &total})
			if err != nil {
				return err
			}
			items = append(items, item)
		}
		return rows.Err()
	})
	return items, total, err
}

// column reads the one column of a query's rows.
func column[T any](tx *Tx, q string, args ...any) ([]T, error) {
	rows, err := tx.query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// withTotal scans a row that ends with COUNT(*) OVER () into total.
type withTotal struct {
	sc    interface{ Scan(...any) error }
	total *int
}

func (w withTotal) Scan(dest ...any) error { return w.sc.Scan(append(dest, w.total)...) }

// Migrate applies, in name order, each embedded .sql migration not yet applied,
// each in its own transaction together with its record in schema_migrations.
// It returns the names it applied.
func (s *Store) Migrate(ctx context.Context, migrations fs.FS) ([]string, error) {
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	names, err := fs.Glob(migrations, "*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var applied []string
	for _, name := range names {
		done := false
		err := s.write(ctx, func(tx *Tx) error {
			if s.d.MigrationLock != "" {
				if _, err := tx.exec(s.d.MigrationLock); err != nil {
					return err
				}
			}
			var n int
			if err := tx.queryRow(`SELECT COUNT(*) FROM schema_migrations WHERE name = ?`, name).Scan(&n); err != nil || n > 0 {
				done = n > 0
				return err
			}
			body, err := fs.ReadFile(migrations, name)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return fmt.Errorf("migration %s: %w", name, err)
			}
			_, err = tx.exec(`INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`, name, time.Now().UTC().Format(timeLayout))
			return err
		})
		if err != nil {
			return applied, err
		}
		if !done {
			applied = append(applied, name)
		}
	}
	return applied, nil
}

// SchemaVersion returns the name of the newest applied migration.
func (s *Store) SchemaVersion(ctx context.Context) (string, error) {
	var name sql.NullString
	err := s.r.QueryRowContext(ctx, `SELECT MAX(name) FROM schema_migrations`).Scan(&name)
	return name.String, err
}

// notFound turns sql.ErrNoRows into an ENOTFOUND error with msg.
func notFound(err error, msg string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return herald.Errorf(herald.ENOTFOUND, "%s", msg)
	}
	return err
}

// keptKey returns the secret key of that name in a table of keys (name,
// secret, created_at), storing newKey's the first time; when two processes
// race, both get the one stored first.
func (s *Store) keptKey(ctx context.Context, table, name string, at time.Time, newKey func() ([]byte, error)) ([]byte, error) {
	find := func() (key []byte, err error) {
		err = s.read(ctx, func(tx *Tx) error {
			var secret string
			if err := tx.queryRow(`SELECT secret FROM `+table+` WHERE name = ?`, name).Scan(&secret); err != nil {
				return notFound(err, "No key yet.")
			}
			key, err = hex.DecodeString(secret)
			return err
		})
		return key, err
	}
	key, err := find()
	if herald.ErrorCode(err) != herald.ENOTFOUND {
		return key, err
	}
	if key, err = newKey(); err != nil {
		return nil, err
	}
	if len(key) < 32 {
		return nil, herald.Invalid("key", "must be at least 32 bytes")
	}
	err = s.write(ctx, func(tx *Tx) error {
		_, err := tx.exec(`INSERT INTO `+table+` (name, secret, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING`,
			name, hex.EncodeToString(key), s.t(at))
		return err
	})
	if err != nil {
		return nil, err
	}
	return find()
}
