// Package postgres opens Herald's store on PostgreSQL, for deployments where
// several herald processes share one database.
package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/heraldnews/herald/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations returns the embedded schema migrations.
func Migrations() fs.FS {
	sub, _ := fs.Sub(migrations, "migrations")
	return sub
}

// Open connects to the database at dsn (postgres://…) and brings its schema up to date.
func Open(ctx context.Context, dsn string) (*sqlstore.Store, error) {
	s, err := OpenNoMigrate(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if _, err := s.Migrate(ctx, Migrations()); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// ConnectTimeout bounds opening a connection when the DSN sets no
// connect_timeout: while the database is away, requests fail within it.
const ConnectTimeout = 5 * time.Second

// PoolSize is the most connections one herald process opens to
// PostgreSQL; `herald doctor` compares it with the server's max_connections.
const PoolSize = 20

// OpenNoMigrate connects without touching the schema.
func OpenNoMigrate(ctx context.Context, dsn string) (*sqlstore.Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	if cfg.ConnectTimeout == 0 { // without connect_timeout, an unreachable host holds requests for minutes
		cfg.ConnectTimeout = ConnectTimeout
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(PoolSize)
	db.SetMaxIdleConns(PoolSize / 2)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	return sqlstore.New(db, db, Dialect), nil
}

// Dialect is PostgreSQL's side of the shared SQL.
var Dialect = sqlstore.Dialect{
	Name:           "postgres",
	NumberedParams: true,
	ForUpdate:      " FOR UPDATE",
	SkipLocked:     " FOR UPDATE SKIP LOCKED",
	// Processes starting together migrate one at a time; the lock ends with the transaction.
	MigrationLock: "SELECT pg_advisory_xact_lock(7243011)",
	UniqueViolation: func(err error) (string, bool) {
		var e *pgconn.PgError
		if !errors.As(err, &e) || e.Code != "23505" {
			return "", false
		}
		// Constraint names are <table>_<column>_key.
		col, ok := strings.CutPrefix(e.ConstraintName, e.TableName+"_")
		if col, found := strings.CutSuffix(col, "_key"); ok && found {
			return col, true
		}
		return "", true
	},
	Unreachable: unreachable,
	AfterLoad: func(ctx context.Context, tx *sql.Tx, tables []string) error {
		for _, t := range tables {
			var hasID bool
			if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM information_schema.columns
				WHERE table_schema = current_schema() AND table_name = $1 AND column_name = 'id' AND is_identity = 'YES')`, t).Scan(&hasID); err != nil {
				return err
			}
			if hasID {
				if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence($1, 'id'), COALESCE((SELECT MAX(id) FROM `+t+`), 0) + 1, false)`, t); err != nil {
					return err
				}
			}
		}
		return nil
	},
}

// unreachable reports whether err comes from a database that cannot be
// reached: a refused or timed-out connection, a connection lost mid-way, or a
// server shutting down, crashed or still starting (SQLSTATE class 08, 57P01–03).
func unreachable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) ||
		pgconn.SafeToRetry(err) || strings.Contains(err.Error(), "conn closed")
}
