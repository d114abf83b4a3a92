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
