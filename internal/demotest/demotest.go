// Package demotest gives each test the demo province in a SQLite database of
// its own. The demo is seeded once per test binary and clock, which takes
// seconds; each test then gets a copy of the file, which takes milliseconds.
package demotest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/heraldnews/herald/demo"
	"github.com/heraldnews/herald/sqlite"
	"github.com/heraldnews/herald/sqlstore"
)

// Store opens a private copy of the demo seeded at now, with its year of
// history or without it (demo.WithoutHistory); it is closed when the test ends.
func Store(tb testing.TB, now time.Time, history bool) *sqlstore.Store {
	tb.Helper()
	data, err := seeded(now, history)
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "demo.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		tb.Fatal(err)
	}
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

type key struct {
	now     int64 // Unix nanoseconds
	history bool
}

type image struct {
	once sync.Once
	data []byte
	err  error
}

var images sync.Map // key → *image

func seeded(now time.Time, history bool) ([]byte, error) {
	v, _ := images.LoadOrStore(key{now.UnixNano(), history}, new(image))
	im := v.(*image)
	im.once.Do(func() { im.data, im.err = seed(now, history) })
	return im.data, im.err
}

// seed fills a new database and returns it as one self-contained file.
func seed(now time.Time, history bool) ([]byte, error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "herald-demo-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	s, err := sqlite.Open(ctx, filepath.Join(dir, "seed.db"))
	if err != nil {
		return nil, err
	}
	defer s.Close()
	var opts []demo.Option
	if !history {
		opts = append(opts, demo.WithoutHistory())
	}
	if err := sqlite.Unsynced(ctx, s, func() error { _, err := demo.Seed(ctx, s, now, opts...); return err }); err != nil {
		return nil, fmt.Errorf("seed the demo: %w", err)
	}
	// VACUUM INTO writes the database, WAL included, into a single file.
	file := filepath.Join(dir, "image.db")
	if _, err := s.DB().ExecContext(ctx, `VACUUM INTO ?`, file); err != nil {
		return nil, fmt.Errorf("copy the seeded demo: %w", err)
	}
	return os.ReadFile(file)
}
