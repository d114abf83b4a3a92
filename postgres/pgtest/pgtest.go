// Package pgtest gives tests a fresh PostgreSQL store in a schema of its own, on
// the server named by HERALD_TEST_POSTGRES. Without it, tests skip, except in CI
// (CI=true), where they fail: CI must test both engines.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/heraldnews/herald/postgres"
	"github.com/heraldnews/herald/sqlstore"
)

// DSN returns the test server's DSN, skipping (or failing in CI) without one.
func DSN(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv("HERALD_TEST_POSTGRES")
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("HERALD_TEST_POSTGRES is not set; CI must run the PostgreSQL tests")
		}
		tb.Skip("HERALD_TEST_POSTGRES is not set; skipping PostgreSQL tests (set it to postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	}
	return dsn
}

// SchemaDSN creates an empty schema that is dropped when the test ends and
// returns a DSN whose connections use it.
func SchemaDSN(tb testing.TB) string {
	tb.Helper()
	dsn := DSN(tb)
	b := make([]byte, 6)
	rand.Read(b)
	schema := "herald_test_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		admin.Close()
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		admin.Close()
	})
	u, err := url.Parse(dsn)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// MustOpen opens a migrated store in a fresh schema.
func MustOpen(tb testing.TB) *sqlstore.Store {
	tb.Helper()
	s, err := postgres.Open(context.Background(), SchemaDSN(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}
