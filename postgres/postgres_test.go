package postgres_test

import (
	"context"
	"testing"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/postgres"
	"github.com/heraldnews/herald/postgres/pgtest"
	"github.com/heraldnews/herald/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) herald.Store { return pgtest.MustOpen(tb) })
}

func TestMigrateTwiceIsANoOp(t *testing.T) {
	s := pgtest.MustOpen(t)
	applied, err := s.Migrate(context.Background(), postgres.Migrations())
	if err != nil || len(applied) != 0 {
		t.Fatalf("second migration applied %v, %v", applied, err)
	}
}

func TestMigrationsFromEmpty(t *testing.T) {
	ctx := context.Background()
	s, err := postgres.OpenNoMigrate(ctx, pgtest.SchemaDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	applied, err := s.Migrate(ctx, postgres.Migrations())
	if err != nil || len(applied) == 0 || applied[0] != "0001_foundation.sql" {
		t.Fatalf("first migration: %v, %v", applied, err)
	}
	v, err := s.SchemaVersion(ctx)
	if err != nil || v != applied[len(applied)-1] {
		t.Fatalf("schema version %q, %v", v, err)
	}
}

func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(tb testing.TB) herald.Store { return pgtest.MustOpen(tb) })
}
