package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/config"
	"github.com/heraldnews/herald/demo"
	"github.com/heraldnews/herald/media"
	"github.com/heraldnews/herald/sqlite"
)

func cmdDemo(ctx context.Context, e env, args []string) error {
	fs, resolve := flags(e, "demo")
	extra := fs.Int("articles", 0, "also generate this many synthetic published articles (for benchmarks)")
	seedOnly := fs.Bool("seed-only", false, "seed the database, print the summary and exit without serving")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c, err := resolve()
	if err != nil {
		return err
	}
	if *extra < 0 || *extra > 10_000_000 {
		return fmt.Errorf("--articles must be from 0 to 10000000")
	}
	if c.DB() == defaultOption("db") {
		dir, err := os.MkdirTemp("", "herald-demo-")
		if err != nil {
			return err
		}
		c.Set("db", filepath.Join(dir, "herald.db"))
	}
	if c.Get("video-dir") == defaultOption("video-dir") {
		// the demo's films go with its database: beside a SQLite file, or in
		// a folder of their own for PostgreSQL, never into the working folder
		dir := filepath.Dir(c.DB())
		if strings.Contains(c.DB(), "://") {
			if dir, err = os.MkdirTemp("", "herald-demo-videos-"); err != nil {
				return err
			}
		}
		c.Set("video-dir", filepath.Join(dir, "videos"))
	}
	store, err := openStore(ctx, c.DB())
	if err != nil {
		return err
	}
	defer store.Close()
	log := newLogger(c, e)
	units, _, err := store.FindUnits(ctx, herald.UnitFilter{Limit: 1})
	if err != nil {
		return err
	}
	now := time.Now()
	if len(units) > 0 {
		fmt.Fprintf(e.stdout, "The database %s already holds data; serving it as it is.\n", c.DB())
	} else {
		start := time.Now()
		var seeded *demo.Seeded
		var opts []demo.Option
		opts = append(opts, demo.WithVideoFiles(media.Dir(c.Get("video-dir"))))
		if c.Get("smtp-addr") != "" {
			// every publication would mail the demo's fictional subscribers
			// (and the next digests too): with a relay, there are none
			opts = append(opts, demo.WithoutSubscribers())
		}
		fill := func() (err error) {
			if seeded, err = demo.Seed(ctx, store, now, opts...); err != nil {
				return fmt.Errorf("demo data: %w", err)
			}
			if *extra > 0 {
				if err := demo.Synthesize(ctx, store, *extra, now, uint64(now.UnixNano())); err != nil {
					return fmt.Errorf("synthetic articles: %w", err)
				}
			}
			return nil
		}
		if !isPostgres(c.DB()) {
			// a new file: a crash while filling it means starting again
			err = sqlite.Unsynced(ctx, store, fill)
		} else {
			err = fill()
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Demo province loaded in %s: %d units, %d staff, %d articles and a year of history before them (%d pieces) (+%d synthetic).\n",
			time.Since(start).Round(time.Millisecond), countUnits(ctx, store), len(seeded.Staff), seeded.Articles, seeded.History, *extra)
	}
	if *seedOnly {
		return nil
	}
	a, err := newApp(c, store, log, nil)
	if err != nil {
		return err
	}
	return a.serve(ctx, c, func(addr string) { printDemoWelcome(ctx, e, store, c, addr) })
}

func defaultOption(name string) string {
	for _, o := range config.Options {
		if o.Name == name {
			return o.Default
		}
	}
	return ""
}

func countUnits(ctx context.Context, s herald.Store) int {
	_, n, _ := s.FindUnits(ctx, herald.UnitFilter{})
	return n
}

// printDemoWelcome prints where to go and how to sign in as each role.
func printDemoWelcome(ctx context.Context, e env, s herald.Store, c *config.Config, addr string) {
	url := "http://" + addr
	if c.Get("base-url") != "" {
		url = c.BaseURL()
	}
	fmt.Fprintf(e.stdout, "\nHerald demo is running.\n  Portal:   %s/\n  Newsroom: %s/newsroom/\n  API:      %s/api/v1  (OpenAPI: %s/api/openapi.json)\n  Database: %s\n\n", url, url, url, url, c.DB())
	fmt.Fprintf(e.stdout, "Sign in as any of these (password %q):\n", demo.Password)
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  ROLE\tUSERNAME\tNAME\tUNIT")
	for _, role := range herald.Roles {
		staff, _, err := s.FindStaff(ctx, herald.StaffFilter{Role: role})
		if err != nil || len(staff) == 0 {
			continue
		}
		st := staff[0] // prefer someone for whom this is the only role
		for _, x := range staff {
			if len(x.Roles) < len(st.Roles) {
				st = x
			}
		}
		if role == herald.RoleEditorInChief {
			if w, _, _ := s.FindStaff(ctx, herald.StaffFilter{Username: "wangyalan"}); len(w) == 1 {
				st = w[0]
			}
		}
		unit := ""
		if u, err := s.FindUnitByID(ctx, st.UnitID); err == nil {
			unit = u.Name
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", role, st.Username, st.Byline(), unit)
	}
	tw.Flush()
	fmt.Fprintf(e.stdout, "\nTry the API:\n  curl -s -X POST %s/api/v1/tokens -d '{\"username\":\"wangyalan\",\"password\":\"%s\"}'\n", url, demo.Password)
	fmt.Fprintf(e.stdout, "As the partner newspaper 河北法制报, pull today's stories (IPTC NINJS; format=newsml for NewsML-G2):\n  curl -s -H 'Authorization: Bearer %s' %s/api/v1/syndication/items\n\nPress Ctrl+C to stop.\n", demo.PartnerToken, url)
}
