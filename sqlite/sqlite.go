// Package sqlite opens Herald's store on an embedded SQLite database (the pure-Go
// modernc.org/sqlite driver, so CGO_ENABLED=0 builds work), in WAL mode with
// foreign keys on, a busy timeout, and full fsync on commit.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/heraldnews/herald/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations returns the embedded schema migrations.
func Migrations() fs.FS {
	sub, _ := fs.Sub(migrations, "migrations")
	return sub
}

// pragmas run on every connection. synchronous=FULL makes each commit durable
// before it is acknowledged, also across a power cut, not only a process crash.
// cache_size gives each connection 32 MB of page cache (the default is 2 MB).
const pragmas = "_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(FULL)&_pragma=cache_size(-32000)"

// Open opens (creating it if need be) the database file at path and brings its
// schema up to date.
func Open(ctx context.Context, path string) (*sqlstore.Store, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create database folder: %w", err)
		}
	}
	s, err := OpenNoMigrate(path)
	if err != nil {
		return nil, err
	}
	if _, err := s.Migrate(ctx, Migrations()); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// OpenNoMigrate opens the database without touching its schema. Each
// connection keeps its prepared statements (see stmtCacheSize), as the
// driver parses every statement again otherwise.
func OpenNoMigrate(path string) (*sqlstore.Store, error) {
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + pragmas
	wc, err := newConnector(dsn+"&_txlock=immediate", stmtCacheSize)
	if err != nil {
		return nil, err
	}
	rc, err := newConnector(dsn+"&_pragma=query_only(1)", stmtCacheSize)
	if err != nil {
		return nil, err
	}
	w := sql.OpenDB(wc)
	w.SetMaxOpenConns(1) // one writer; the others wait in the pool, not on SQLITE_BUSY
	r := sql.OpenDB(rc)
	r.SetMaxOpenConns(8)
	if err := w.Ping(); err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return sqlstore.New(w, r, Dialect), nil
}

var uniqueColumn = regexp.MustCompile(`UNIQUE constraint failed: \w+\.(\w+)`)

// Dialect is SQLite's side of the shared SQL.
var Dialect = sqlstore.Dialect{
	Name:     "sqlite",
	TimeText: true,
	UniqueViolation: func(err error) (string, bool) {
		var e *sqlite.Error
		if !errors.As(err, &e) || e.Code() != sqlite3.SQLITE_CONSTRAINT_UNIQUE && e.Code() != sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY {
			return "", false
		}
		if m := uniqueColumn.FindStringSubmatch(e.Error()); m != nil {
			return m[1], true
		}
		return "", true
	},
}

// Unsynced runs fn with commits that do not wait for the disk
// (synchronous=OFF), then makes commits durable again: for filling a new
// database in bulk, such as the demo's, where a crash means starting over.
// WAL mode keeps the file consistent either way.
func Unsynced(ctx context.Context, s *sqlstore.Store, fn func() error) error {
	if _, err := s.DB().ExecContext(ctx, `PRAGMA synchronous = OFF`); err != nil {
		return err
	}
	ferr := fn()
	if _, err := s.DB().ExecContext(ctx, `PRAGMA synchronous = FULL`); err != nil && ferr == nil {
		ferr = err
	}
	return ferr
}
