package sqlite

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"
	"reflect"
	"strings"
	"sync"

	"modernc.org/sqlite"
)

// stmtCacheSize is how many prepared statements each connection keeps, by
// query text. The modernc driver prepares every statement it is given as
// text and finalizes it afterwards, and database/sql hands it the text on
// every call, so without a cache SQLite parses each statement every time:
// half the time of a write. Herald runs a few hundred distinct texts, most
// of them on the one write connection; dynamic ones (IN lists, LIMIT numbers,
// the remainder chunks of multi-row INSERTs) come and go through the LRU. A
// variable, not a constant, so that tests and benchmarks can compare with 0,
// which opens the driver's connections as they are.
var stmtCacheSize = 256

// newConnector returns a connector for dsn whose connections keep up to size
// prepared statements each; size 0 returns the driver's own connector.
func newConnector(dsn string, size int) (driver.Connector, error) {
	c, err := sqlite.NewConnector(dsn)
	if err != nil || size <= 0 {
		return c, err
	}
	return cachingConnector{Connector: c, size: size}, nil
}

// cachingConnector wraps each connection its inner connector opens in a
// statement cache.
type cachingConnector struct {
	driver.Connector
	size int
}

// Connect opens a connection and wraps it.
func (c cachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return wrapConn(conn, c.size), nil
}

// innerConn is what a connection must offer to be wrapped: the optional
// interfaces database/sql looks for on the modernc driver's connections, so
// that the wrapper forwards every one of them. Hiding one would change
// behaviour quietly: without ConnBeginTx, BeginTx with options fails and a
// canceled transaction discards its connection; without SessionResetter and
// Validator, an interrupted connection goes back into the pool.
type innerConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// stmtContext is what a cached statement must offer: running it with a
// context, so that cancellation keeps interrupting it.
type stmtContext interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

// wrapConn wraps c in a statement cache of size statements. A connection
// lacking one of innerConn's interfaces (another driver version) is
// returned as it is: slower, but not subtly different.
func wrapConn(c driver.Conn, size int) driver.Conn {
	inner, ok := c.(innerConn)
	if !ok {
		return c
	}
	cc := &cachingConn{innerConn: inner, size: size, byQuery: make(map[string]*list.Element)}
	if _, ok := c.(driver.NamedValueChecker); ok {
		// database/sql converts arguments with the connection's checker
		// when it has one, else with the default converter; the modernc
		// driver has none today, but hiding one would store values (times
		// above all) differently.
		return checkingConn{cc}
	}
	return cc
}

// cachingConn is a connection that keeps its prepared statements by query
// text, least recently used dropped first, and runs ExecContext and
// QueryContext on them: a repeated statement is bound and stepped, not
// parsed again. The other methods are the inner connection's.
//
// A statement parsed with sqlite3_prepare_v2, as the driver does, is
// prepared again by SQLite itself when the schema changed since (a
// migration, on this connection or another), so a cached statement never
// runs an outdated plan.
type cachingConn struct {
	innerConn
	size int

	// mu guards the cache. database/sql never calls a connection from two
	// goroutines at once, but Rows.Close may come from the goroutine that
	// watches a query's context, so the bookkeeping takes no chances.
	mu      sync.Mutex
	lru     list.List // of *cachedStmt, most recently used first
	byQuery map[string]*list.Element
	closed  bool
}

// cachedStmt is a prepared statement in a connection's cache.
type cachedStmt struct {
	query string
	stmt  stmtContext
	// busy is set while the statement runs or its Rows are open: running it
	// again then would reset it under those Rows, so a second identical
	// query (a nested loop in one transaction) gets a statement of its own.
	busy bool
}

var (
	_ innerConn                = (*cachingConn)(nil)
	_ driver.NamedValueChecker = checkingConn{}
)

// Unwrap returns the driver's connection, for sqlite.Limit and other
// functions of the driver that take a *sql.Conn.
func (c *cachingConn) Unwrap() driver.Conn { return c.innerConn }

// ExecContext runs query on its cached statement, preparing and caching it
// the first time.
func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	cs, err := c.acquire(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.innerConn.ExecContext(ctx, query, args)
	}
	res, err := cs.stmt.ExecContext(ctx, args)
	c.release(cs, err)
	return res, err
}

// QueryContext runs query on its cached statement, which stays busy until
// the Rows are closed.
func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs, err := c.acquire(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.innerConn.QueryContext(ctx, query, args)
	}
	rows, err := cs.stmt.QueryContext(ctx, args)
	if err != nil {
		c.release(cs, err)
		return nil, err
	}
	return &cachedRows{Rows: rows, c: c, cs: cs}, nil
}

// acquire returns query's cached statement marked busy, preparing it if it
// is not cached yet, or nil when the call should go to the inner connection
// as it is: the text may hold several statements, which the driver runs one
// after the other, or the cached statement is busy.
func (c *cachingConn) acquire(ctx context.Context, query string) (*cachedStmt, error) {
	if !singleStatement(query) {
		return nil, nil
	}
	c.mu.Lock()
	if el, ok := c.byQuery[query]; ok {
		cs := el.Value.(*cachedStmt)
		if cs.busy {
			c.mu.Unlock()
			return nil, nil
		}
		cs.busy = true
		c.lru.MoveToFront(el)
		c.mu.Unlock()
		return cs, nil
	}
	c.mu.Unlock()

	// The driver's own Exec and Query prepare the same way, so a failure
	// here (a syntax error, a missing table, a canceled context) is the
	// error the caller would have had without the cache.
	st, err := c.innerConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	sc, ok := st.(stmtContext)
	if !ok {
		// a statement that cannot take a context could not be canceled:
		// the driver's own path it is, as for a text it does not cache
		return nil, st.Close()
	}
	cs := &cachedStmt{query: query, stmt: sc, busy: true}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byQuery[query]; ok {
		// cached meanwhile by an overlapping call (not one database/sql
		// makes): this one runs once, and release closes it
		return cs, nil
	}
	c.byQuery[query] = c.lru.PushFront(cs)
	c.evictLocked()
	return cs, nil
}

// evictLocked closes the least recently used statements that are not busy
// until the cache holds no more than its size. Busy ones stay, as closing
// them would pull the statement from under open Rows; there are as many as
// Rows open on the connection at most, so the cache stays bounded.
func (c *cachingConn) evictLocked() {
	for el := c.lru.Back(); el != nil && c.lru.Len() > c.size; {
		prev := el.Prev()
		if cs := el.Value.(*cachedStmt); !cs.busy {
			c.lru.Remove(el)
			delete(c.byQuery, cs.query)
			_ = cs.stmt.Close() // finalizing a reset statement does not fail
		}
		el = prev
	}
}

// release marks cs free again. A statement that failed leaves the cache:
// the driver resets a statement after an error, so it could run again, but
// preparing it afresh costs little next to an error and keeps a cached
// statement one whose last run went well. A statement that is not in the
// cache is closed.
func (c *cachingConn) release(cs *cachedStmt, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cs.busy = false
	if c.closed {
		return // Close finalized the cached statements with the connection
	}
	el, cached := c.byQuery[cs.query]
	cached = cached && el.Value == cs
	if cached && err == nil {
		return
	}
	if cached {
		c.lru.Remove(el)
		delete(c.byQuery, cs.query)
	}
	_ = cs.stmt.Close()
}

// Close finalizes the cached statements, then closes the connection; the
// driver's handle is gone afterwards, so this order is the only one.
// database/sql closes a connection only once its Rows are closed.
func (c *cachingConn) Close() error {
	c.mu.Lock()
	var errs []error
	for el := c.lru.Front(); el != nil; el = el.Next() {
		errs = append(errs, el.Value.(*cachedStmt).stmt.Close())
	}
	c.lru.Init()
	clear(c.byQuery)
	c.closed = true
	c.mu.Unlock()
	return errors.Join(append(errs, c.innerConn.Close())...)
}

// cachedLen returns how many statements the cache holds, for tests.
func (c *cachingConn) cachedLen() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

// checkingConn is a cachingConn whose inner connection checks its own
// arguments.
type checkingConn struct{ *cachingConn }

// CheckNamedValue is the inner connection's.
func (c checkingConn) CheckNamedValue(nv *driver.NamedValue) error {
	return c.innerConn.(driver.NamedValueChecker).CheckNamedValue(nv)
}

// singleStatement reports whether query holds at most one statement. A
// semicolon before the end may separate statements (a migration), and the
// driver prepares only the first of a text as its statement, running the
// rest one by one: such texts bypass the cache. A semicolon inside a string
// literal makes a single statement bypass it too, which costs only the
// parse.
func singleStatement(query string) bool {
	return !strings.Contains(strings.TrimRight(query, " \t\r\n;"), ";")
}

// cachedRows are the Rows of a cached statement, which they free when they
// are closed.
type cachedRows struct {
	driver.Rows
	c  *cachingConn
	cs *cachedStmt
}

// Close closes the rows and frees their statement for the next call.
func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	if r.cs != nil {
		r.c.release(r.cs, err)
		r.cs = nil
	}
	return err
}

// The column type methods are the driver's; where its Rows lacked one,
// each answers as database/sql does for Rows without it.

// ColumnTypeDatabaseTypeName is the driver's.
func (r *cachedRows) ColumnTypeDatabaseTypeName(index int) string {
	if x, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return x.ColumnTypeDatabaseTypeName(index)
	}
	return ""
}

// ColumnTypeLength is the driver's.
func (r *cachedRows) ColumnTypeLength(index int) (int64, bool) {
	if x, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return x.ColumnTypeLength(index)
	}
	return 0, false
}

// ColumnTypeNullable is the driver's.
func (r *cachedRows) ColumnTypeNullable(index int) (nullable, ok bool) {
	if x, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return x.ColumnTypeNullable(index)
	}
	return false, false
}

// ColumnTypePrecisionScale is the driver's.
func (r *cachedRows) ColumnTypePrecisionScale(index int) (precision, scale int64, ok bool) {
	if x, ok := r.Rows.(driver.RowsColumnTypePrecisionScale); ok {
		return x.ColumnTypePrecisionScale(index)
	}
	return 0, 0, false
}

// ColumnTypeScanType is the driver's.
func (r *cachedRows) ColumnTypeScanType(index int) reflect.Type {
	if x, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return x.ColumnTypeScanType(index)
	}
	return reflect.TypeFor[any]()
}
