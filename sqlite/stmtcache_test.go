package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/heraldnews/herald"
)

// stmtCounts counts the statements the cache prepared and closed.
type stmtCounts struct{ prepared, closed atomic.Int64 }

// countingConnector opens the driver's connections so that a test sees the
// statements the cache prepares and closes; the driver's own Exec and
// Query, which the cache bypasses for some texts, are not counted.
type countingConnector struct {
	driver.Connector
	n *stmtCounts
}

func (c countingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return countingConn{conn.(innerConn), c.n}, nil
}

type countingConn struct {
	innerConn
	n *stmtCounts
}

func (c countingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	st, err := c.innerConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.n.prepared.Add(1)
	return countingStmt{st.(stmtContext), c.n}, nil
}

func (c countingConn) Unwrap() driver.Conn { return c.innerConn }

type countingStmt struct {
	stmtContext
	n *stmtCounts
}

func (s countingStmt) Close() error {
	s.n.closed.Add(1)
	return s.stmtContext.Close()
}

// testDSN is a new database file in the test's folder with the store's pragmas.
func testDSN(t testing.TB) string {
	return "file:" + filepath.Join(t.TempDir(), "t.db") + "?" + pragmas
}

// openCounted opens dsn with a cache of size statements on one connection,
// so that every call meets the same cache.
func openCounted(t testing.TB, dsn string, size int) (*sql.DB, *stmtCounts) {
	t.Helper()
	base, err := sqlite.NewConnector(dsn)
	if err != nil {
		t.Fatal(err)
	}
	n := &stmtCounts{}
	db := sql.OpenDB(cachingConnector{Connector: countingConnector{base, n}, size: size})
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db, n
}

// cached returns how many statements the cache of db's connection holds.
func cached(t testing.TB, db *sql.DB) (n int) {
	t.Helper()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.Raw(func(dc any) error {
		c, ok := dc.(*cachingConn)
		if !ok {
			return fmt.Errorf("connection is a %T", dc)
		}
		n = c.cachedLen()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func exec(t testing.TB, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, q string, args ...any) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func TestStmtCacheReusesStatements(t *testing.T) {
	db, n := openCounted(t, testDSN(t), 8)
	exec(t, db, `CREATE TABLE t (x INTEGER)`)
	for i := range 10 {
		exec(t, db, `INSERT INTO t (x) VALUES (?)`, i)
	}
	for range 5 {
		var sum int
		if err := db.QueryRow(`SELECT SUM(x) FROM t`).Scan(&sum); err != nil || sum != 45 {
			t.Fatalf("sum %d, %v", sum, err)
		}
	}
	if p := n.prepared.Load(); p != 3 {
		t.Errorf("prepared %d statements for 3 texts", p)
	}
	if c := cached(t, db); c != 3 {
		t.Errorf("%d statements cached", c)
	}
}

func TestStmtCacheWiredIntoOpen(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if c := cached(t, s.DB()); c == 0 {
		t.Error("the write pool's connection caches nothing after the migrations")
	}
	conn, err := s.DB().Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if n, err := sqlite.Limit(conn, sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, -1); err != nil || n <= 0 {
		t.Fatalf("sqlite.Limit through the cache: %d, %v", n, err)
	}
}

// A second identical query while the first one's rows are open, on the same
// connection, must not reset the statement under them.
func TestStmtCacheNestedIdenticalQuery(t *testing.T) {
	ctx := context.Background()
	db, n := openCounted(t, testDSN(t), 8)
	exec(t, db, `CREATE TABLE t (x INTEGER)`)
	const rows = 5
	for i := range rows {
		exec(t, db, `INSERT INTO t (x) VALUES (?)`, i)
	}
	const q = `SELECT x FROM t ORDER BY x`
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	readAll := func() []int {
		t.Helper()
		rs, err := tx.QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		defer rs.Close()
		var xs []int
		for rs.Next() {
			var x int
			if err := rs.Scan(&x); err != nil {
				t.Fatal(err)
			}
			xs = append(xs, x)
		}
		if err := rs.Err(); err != nil {
			t.Fatal(err)
		}
		return xs
	}
	readAll() // cached now
	before := n.prepared.Load()
	outer, err := tx.QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var seen []int
	for outer.Next() {
		var x int
		if err := outer.Scan(&x); err != nil {
			t.Fatal(err)
		}
		seen = append(seen, x)
		if inner := readAll(); len(inner) != rows {
			t.Fatalf("inner query read %v", inner)
		}
		if _, err := tx.ExecContext(ctx, q); err != nil { // Exec of the busy text too
			t.Fatal(err)
		}
	}
	if err := outer.Err(); err != nil {
		t.Fatal(err)
	}
	outer.Close()
	if fmt.Sprint(seen) != "[0 1 2 3 4]" {
		t.Fatalf("outer query read %v", seen)
	}
	if p := n.prepared.Load(); p != before {
		t.Errorf("the nested queries prepared %d statements into the cache", p-before)
	}
	// Rows.Close freed the cached statement: it serves the next query
	readAll()
	if p := n.prepared.Load(); p != before {
		t.Errorf("the query after the loop prepared again")
	}
}

// Eviction never closes a statement whose rows are open.
func TestStmtCacheKeepsBusyStatements(t *testing.T) {
	db, n := openCounted(t, testDSN(t), 1)
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rs, err := conn.QueryContext(ctx, `SELECT value FROM json_each('[1,2,3]')`)
	if err != nil {
		t.Fatal(err)
	}
	rs.Next()
	for i := range 3 { // other statements, each evicting the one before
		var x int
		if err := conn.QueryRowContext(ctx, fmt.Sprintf(`SELECT %d`, i)).Scan(&x); err != nil || x != i {
			t.Fatalf("SELECT %d: %d, %v", i, x, err)
		}
	}
	// SELECT 0 and SELECT 1 were evicted; the busy one, if closed, would
	// leave the rows on a finalized statement
	if p, c := n.prepared.Load(), n.closed.Load(); p != 4 || c != 2 {
		t.Fatalf("prepared %d, closed %d", p, c)
	}
	var got []int
	for ok := true; ok; ok = rs.Next() {
		var x int
		if err := rs.Scan(&x); err != nil {
			t.Fatal(err)
		}
		got = append(got, x)
	}
	if err := rs.Close(); err != nil || fmt.Sprint(got) != "[1 2 3]" {
		t.Fatalf("read %v, %v", got, err)
	}
}

func TestStmtCacheBounded(t *testing.T) {
	db, n := openCounted(t, testDSN(t), 16)
	const texts = 200
	for round := range 2 {
		for i := range texts {
			// a LIMIT number in the text, as limitClause writes it
			var x int
			q := fmt.Sprintf(`SELECT ? + %d LIMIT %d`, i, i+1)
			if err := db.QueryRow(q, round).Scan(&x); err != nil || x != i+round {
				t.Fatalf("%s: %d, %v", q, x, err)
			}
		}
		if c := cached(t, db); c != 16 {
			t.Fatalf("%d statements cached", c)
		}
	}
	if p, c := n.prepared.Load(), n.closed.Load(); p != 2*texts || c != p-16 {
		t.Errorf("prepared %d, closed %d", p, c)
	}
	// closing the connection finalizes the statements still cached
	db.Close()
	if p, c := n.prepared.Load(), n.closed.Load(); c != p {
		t.Errorf("prepared %d, closed %d after Close", p, c)
	}
}

func TestStmtCacheMultiStatementTexts(t *testing.T) {
	db, n := openCounted(t, testDSN(t), 8)
	// a migration's text: the driver runs each statement
	exec(t, db, `CREATE TABLE a (x INTEGER);
		CREATE TABLE b (y TEXT);
		INSERT INTO a (x) VALUES (1);
		INSERT INTO b (y) VALUES ('two; and more');
	`)
	if p := n.prepared.Load(); p != 0 {
		t.Errorf("a script prepared %d statements into the cache", p)
	}
	var x int
	var y string
	if err := db.QueryRow(`SELECT x, y FROM a, b;`).Scan(&x, &y); err != nil || x != 1 || y != "two; and more" {
		t.Fatalf("%d %q %v", x, y, err)
	}
	if c := cached(t, db); c != 1 {
		t.Errorf("%d statements cached; want the one SELECT with its final semicolon", c)
	}
	for q, want := range map[string]bool{
		`SELECT 1`:             true,
		"SELECT 1;\n":          true,
		`SELECT 1;;`:           true,
		`SELECT 1; SELECT 2`:   false,
		`SELECT 1; -- comment`: false,
		`SELECT ';' FROM t`:    false, // bypasses, harmlessly
		"CREATE TABLE a (x);\nCREATE TABLE b (y);": false,
	} {
		if got := singleStatement(q); got != want {
			t.Errorf("singleStatement(%q) = %v", q, got)
		}
	}
}

// A cached statement follows the schema: SQLite prepares a statement made by
// sqlite3_prepare_v2 again when the schema changed, whichever connection
// changed it.
func TestStmtCacheSchemaChanges(t *testing.T) {
	dsn := testDSN(t)
	w, wn := openCounted(t, dsn, 8)
	r, _ := openCounted(t, dsn, 8)
	exec(t, w, `CREATE TABLE t (x INTEGER)`)
	exec(t, w, `INSERT INTO t (x) VALUES (1)`)
	columns := func(db *sql.DB) (string, error) {
		rs, err := db.Query(`SELECT * FROM t`)
		if err != nil {
			return "", err
		}
		defer rs.Close()
		cols, _ := rs.Columns()
		var vals []string
		for rs.Next() {
			v := make([]any, len(cols))
			for i := range v {
				v[i] = new(any)
			}
			if err := rs.Scan(v...); err != nil {
				return "", err
			}
			for _, x := range v {
				vals = append(vals, fmt.Sprint(*x.(*any)))
			}
		}
		return strings.Join(cols, ",") + "=" + strings.Join(vals, ","), rs.Err()
	}
	check := func(want string) {
		t.Helper()
		for name, db := range map[string]*sql.DB{"writer": w, "reader": r} {
			if got, err := columns(db); err != nil || got != want {
				t.Errorf("%s: %q, %v; want %q", name, got, err, want)
			}
		}
	}
	check("x=1")
	prepared := wn.prepared.Load()
	exec(t, w, `ALTER TABLE t ADD COLUMN y INTEGER DEFAULT 7`)
	check("x,y=1,7")
	if p := wn.prepared.Load(); p != prepared+1 { // the ALTER only
		t.Errorf("prepared %d statements after the ALTER", p-prepared)
	}

	exec(t, w, `DROP TABLE t`)
	for name, db := range map[string]*sql.DB{"writer": w, "reader": r} {
		if _, err := columns(db); err == nil || !strings.Contains(err.Error(), "no such table: t") {
			t.Errorf("%s, table dropped: %v", name, err)
		}
	}
	exec(t, w, `CREATE TABLE t (z TEXT)`)
	exec(t, w, `INSERT INTO t (z) VALUES ('back')`)
	check("z=back")
}

// An error from a cached statement reaches the caller as the driver's error,
// and the next call runs well.
func TestStmtCacheErrors(t *testing.T) {
	db, _ := openCounted(t, testDSN(t), 8)
	exec(t, db, `CREATE TABLE t (x INTEGER PRIMARY KEY)`)
	const ins = `INSERT INTO t (x) VALUES (?)`
	exec(t, db, ins, 1)
	_, err := db.Exec(ins, 1)
	if col, ok := Dialect.UniqueViolation(err); !ok || col != "x" {
		t.Fatalf("duplicate: %v (%q, %v)", err, col, ok)
	}
	exec(t, db, ins, 2)
	var id int
	if err := db.QueryRow(ins+` RETURNING x`, 1).Scan(&id); err == nil {
		t.Fatal("duplicate with RETURNING: no error")
	}
	if err := db.QueryRow(ins+` RETURNING x`, 3).Scan(&id); err != nil || id != 3 {
		t.Fatalf("RETURNING: %d, %v", id, err)
	}
	if _, err := db.Exec(`SELEKT 1`); err == nil || !strings.Contains(err.Error(), "syntax error") {
		t.Fatalf("syntax error: %v", err)
	}
}

// Canceling the context interrupts a statement run from the cache, both a
// query and an exec, and the pool serves the next call.
func TestStmtCacheCancel(t *testing.T) {
	db, n := openCounted(t, testDSN(t), 8)
	exec(t, db, `CREATE TABLE t (n INTEGER)`)
	const count = `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) SELECT COUNT(*) FROM c`
	run := map[string]func(ctx context.Context, n int) error{
		"query": func(ctx context.Context, n int) error {
			var got int
			if err := db.QueryRowContext(ctx, count, n).Scan(&got); err != nil || got == n {
				return err
			}
			return fmt.Errorf("counted %d", n)
		},
		"exec": func(ctx context.Context, n int) error {
			_, err := db.ExecContext(ctx, `INSERT INTO t (n) `+count, n)
			return err
		},
	}
	for name, run := range run {
		if err := run(context.Background(), 10); err != nil { // cached now
			t.Fatalf("%s: %v", name, err)
		}
		prepared := n.prepared.Load()
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(20*time.Millisecond, cancel) // the statement runs for hours
		if err := run(ctx, 1<<50); !errors.Is(err, context.Canceled) {
			t.Errorf("%s canceled: %v", name, err)
		}
		if p := n.prepared.Load(); p != prepared {
			t.Errorf("%s: the canceled call did not run the cached statement", name)
		}
		if err := run(context.Background(), 3); err != nil {
			t.Errorf("%s after the cancellation: %v", name, err)
		}
		if err := run(ctx, 3); !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a canceled context: %v", name, err)
		}
	}
}

// The wrapper offers exactly the optional interfaces the driver's connection
// does, so that database/sql treats both alike.
func TestStmtCacheForwardsInterfaces(t *testing.T) {
	base, err := sqlite.NewConnector(testDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	inner, err := base.Connect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	wrapped := wrapConn(inner, 8)
	defer wrapped.Close()
	if _, ok := wrapped.(*cachingConn); !ok {
		t.Fatalf("the driver's connection was not wrapped: %T lacks an interface innerConn lists", inner)
	}
	unwrapper := reflect.TypeFor[interface{ Unwrap() driver.Conn }]()
	superseded := map[reflect.Type]bool{ // database/sql uses them only without the context ones
		reflect.TypeFor[driver.Execer]():  true,
		reflect.TypeFor[driver.Queryer](): true,
	}
	for _, iface := range []reflect.Type{
		reflect.TypeFor[driver.ConnBeginTx](),
		reflect.TypeFor[driver.ConnPrepareContext](),
		reflect.TypeFor[driver.ExecerContext](),
		reflect.TypeFor[driver.QueryerContext](),
		reflect.TypeFor[driver.Execer](),
		reflect.TypeFor[driver.Queryer](),
		reflect.TypeFor[driver.Pinger](),
		reflect.TypeFor[driver.SessionResetter](),
		reflect.TypeFor[driver.Validator](),
		reflect.TypeFor[driver.NamedValueChecker](),
		reflect.TypeFor[driver.ColumnConverter](),
		unwrapper,
	} {
		has, wraps := reflect.TypeOf(inner).Implements(iface), reflect.TypeOf(wrapped).Implements(iface)
		if has && !wraps && !superseded[iface] || !has && wraps && iface != unwrapper {
			t.Errorf("%v: driver's connection %v, wrapper %v", iface, has, wraps)
		}
	}

	// a checker the driver might grow is forwarded
	checked := wrapConn(checkerConn{inner.(innerConn)}, 8)
	c, ok := checked.(driver.NamedValueChecker)
	if !ok {
		t.Fatal("NamedValueChecker hidden")
	}
	if err := c.CheckNamedValue(&driver.NamedValue{}); err != errChecked {
		t.Errorf("CheckNamedValue: %v", err)
	}
}

var errChecked = errors.New("checked")

type checkerConn struct{ innerConn }

func (checkerConn) CheckNamedValue(*driver.NamedValue) error { return errChecked }

// The driver's functions that take a *sql.Conn see through the wrapper.
func TestStmtCacheUnwrap(t *testing.T) {
	db, _ := openCounted(t, testDSN(t), 8)
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if n, err := sqlite.Limit(conn, sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, -1); err != nil || n <= 0 {
		t.Fatalf("Limit: %d, %v", n, err)
	}
}

type label string

// Values go in and come out the same with and without the cache: the
// arguments are converted by the same rules and bound by the same driver.
func TestStmtCacheValuesRoundTrip(t *testing.T) {
	dsn := testDSN(t)
	cachedDB, n := openCounted(t, dsn, 8)
	plain, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	plain.SetMaxOpenConns(1)
	exec(t, plain, `CREATE TABLE v (db TEXT, i INTEGER, a, d DATETIME, b BLOB)`)

	shanghai := time.FixedZone("CST", 8*3600)
	values := []any{
		nil, true, false, 0, -1, int64(1) << 62, uint32(7), 1.5, float32(0.25), "",
		"文本", []byte(nil), []byte{}, []byte{0, 1, 255},
		time.Date(2026, 11, 26, 13, 4, 5, 123456789, time.UTC),
		time.Date(2026, 11, 26, 21, 4, 5, 0, shanghai),
		time.Time{},
		json.RawMessage(`{"a":1}`), label("a label"), herald.StatusPublished,
		sql.NullString{}, sql.NullString{String: "x", Valid: true},
		sql.NullTime{Time: time.Date(2020, 1, 2, 3, 4, 5, 6000, time.UTC), Valid: true},
		sql.NullInt64{Int64: 9, Valid: true}, sql.NullBool{Bool: true, Valid: true},
	}
	for name, db := range map[string]*sql.DB{"plain": plain, "cached": cachedDB} {
		for i, v := range values {
			// the same text each time, so the cached side binds a reused statement
			exec(t, db, `INSERT INTO v (db, i, a, d, b) VALUES (?, ?, ?, ?, ?)`, name, i, v, v, v)
		}
	}
	if n.prepared.Load() != 1 {
		t.Errorf("cached side prepared %d statements", n.prepared.Load())
	}
	stored := func(db *sql.DB, name string) []string {
		t.Helper()
		rs, err := db.Query(`SELECT typeof(a), quote(a), typeof(d), quote(d), typeof(b), quote(b), a, d, b FROM v WHERE db = ? ORDER BY i`, name)
		if err != nil {
			t.Fatal(err)
		}
		defer rs.Close()
		var out []string
		for rs.Next() {
			var ta, qa, td, qd, tb, qb string
			var a, d, b any
			if err := rs.Scan(&ta, &qa, &td, &qd, &tb, &qb, &a, &d, &b); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprintf("%s %s | %s %s | %s %s | %#v %#v %#v", ta, qa, td, qd, tb, qb, a, d, b))
		}
		if err := rs.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	// each side's rows read through each side
	want := stored(plain, "plain")
	if len(want) != len(values) {
		t.Fatalf("%d rows", len(want))
	}
	for _, c := range []struct {
		reader *sql.DB
		name   string
	}{{plain, "cached"}, {cachedDB, "plain"}, {cachedDB, "cached"}} {
		got := stored(c.reader, c.name)
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%v (%T):\n plain:  %s\n %s: %s", values[i], values[i], want[i], c.name, got[i])
			}
		}
	}

	// and the column types database/sql reports are the driver's
	types := func(db *sql.DB) string {
		rs, err := db.Query(`SELECT i, a, d, b, db FROM v LIMIT 1`)
		if err != nil {
			t.Fatal(err)
		}
		defer rs.Close()
		cts, err := rs.ColumnTypes()
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, ct := range cts {
			l, lok := ct.Length()
			nl, nok := ct.Nullable()
			p, s, pok := ct.DecimalSize()
			fmt.Fprintf(&b, "%s %s %v %d %v %v %v %d %d %v; ", ct.Name(), ct.DatabaseTypeName(), ct.ScanType(), l, lok, nl, nok, p, s, pok)
		}
		return b.String()
	}
	if p, c := types(plain), types(cachedDB); p != c {
		t.Errorf("column types:\n plain:  %s\n cached: %s", p, c)
	}
}
