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
