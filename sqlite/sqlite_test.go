package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/sqlite"
	"github.com/heraldnews/herald/storetest"
)

// MustOpen opens a new store in the test's temporary folder.
func MustOpen(tb testing.TB) herald.Store {
	tb.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "herald.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, MustOpen)
}

func TestMigrationsFromEmpty(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "empty.db")
	s, err := sqlite.OpenNoMigrate(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	applied, err := s.Migrate(ctx, sqlite.Migrations())
	if err != nil || len(applied) == 0 || applied[0] != "0001_foundation.sql" {
		t.Fatalf("first migration: %v, %v", applied, err)
	}
	again, err := s.Migrate(ctx, sqlite.Migrations())
	if err != nil || len(again) != 0 {
		t.Fatalf("second migration applied %v, %v", again, err)
	}
	v, err := s.SchemaVersion(ctx)
	if err != nil || v != applied[len(applied)-1] {
		t.Fatalf("schema version %q, %v", v, err)
	}
	var mode, fk string
	s.DB().QueryRow(`PRAGMA journal_mode`).Scan(&mode)
	s.DB().QueryRow(`PRAGMA foreign_keys`).Scan(&fk)
	if mode != "wal" || fk != "1" {
		t.Fatalf("journal_mode=%s foreign_keys=%s", mode, fk)
	}
}

func BenchmarkStore(b *testing.B) { storetest.Bench(b, MustOpen) }
