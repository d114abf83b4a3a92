package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"github.com/heraldnews/herald/config"
	"github.com/heraldnews/herald/sqlstore"
)

func cmdBackup(ctx context.Context, e env, args []string) error {
	return withStore(ctx, e, "backup", args, nil, func(s *sqlstore.Store, _ *config.Config, rest []string) error {
		if len(rest) != 1 {
			return errors.New("backup: name the FILE to write, e.g. herald backup herald-2026-11-25.backup")
		}
		path := rest[0]
		// Write beside the target and rename when complete and synced, so that a
		// failed backup never leaves a half-written file under the final name.
		tmp, err := os.CreateTemp(filepath.Dir(path), ".herald-backup-*")
		if err != nil {
			return err
		}
		defer os.Remove(tmp.Name())
		if err := s.Dump(ctx, tmp); err != nil {
			tmp.Close()
			return fmt.Errorf("backup: %w", err)
		}
		if err := tmp.Sync(); err != nil {
			tmp.Close()
			return err
		}
		if err := tmp.Close(); err != nil {
			return err
		}
		if err := os.Rename(tmp.Name(), path); err != nil {
			return err
		}
		info, _ := os.Stat(path)
		fmt.Fprintf(e.stdout, "Backed up the %s database to %s (%d bytes).\n", s.Engine(), path, info.Size())
		return nil
	})
}

func cmdRestore(ctx context.Context, e env, args []string) error {
	return withStore(ctx, e, "restore", args, nil, func(s *sqlstore.Store, c *config.Config, rest []string) error {
		if len(rest) != 1 {
			return errors.New("restore: name the backup FILE; the database (--db) must be new and empty")
		}
		f, err := os.Open(rest[0])
		if err != nil {
			return err
		}
		defer f.Close()
		if err := s.Load(ctx, f); err != nil {
			return fmt.Errorf("restore: %w", describe(err))
		}
		fmt.Fprintf(e.stdout, "Restored %s into the %s database %s.\n", rest[0], s.Engine(), redact(c.DB()))
		return nil
	})
}

// redact hides a password in a database URL.
func redact(db string) string {
	if !isPostgres(db) {
		return db
	}
	if u, err := url.Parse(db); err == nil {
		return u.Redacted()
	}
	return "(PostgreSQL)"
}
