package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/heraldnews/herald/config"
	"github.com/heraldnews/herald/sqlstore"
)

func cmdExport(ctx context.Context, e env, args []string) error {
	return withStore(ctx, e, "export", args, nil, func(s *sqlstore.Store, c *config.Config, rest []string) error {
		if len(rest) != 1 {
			return errors.New("export: name one folder DIR to write the static site into, after the flags: herald export --db FILE DIR")
		}
		if c.Get("base-url") == "" {
			fmt.Fprintf(e.stderr, "warning: --base-url is not set, so links, feeds and QR codes point at %s\n", c.BaseURL())
		}
		a, err := newApp(c, s, newLogger(c, e), nil)
		if err != nil {
			return err
		}
		last := time.Now()
		stats, err := a.portal.Export(ctx, rest[0], func(done, total int) {
			if time.Since(last) > time.Second || done == total {
				fmt.Fprintf(e.stderr, "\rexporting: %d of %d pages (%d%%)", done, total, done*100/max(total, 1))
				last = time.Now()
			}
		})
		fmt.Fprintln(e.stderr)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Exported %d files (%.1f MB) to %s in %s (%.0f pages/s).\n", stats.Pages, float64(stats.Bytes)/1e6, rest[0],
			stats.Duration.Round(time.Millisecond), float64(stats.Pages)/stats.Duration.Seconds())
		return nil
	})
}
