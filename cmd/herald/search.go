package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/config"
	"github.com/heraldnews/herald/search"
	"github.com/heraldnews/herald/sqlstore"
)

// cmdSearch runs `herald search reindex` and `herald search query WORDS`.
func cmdSearch(ctx context.Context, e env, args []string) error {
	if len(args) == 0 {
		return errors.New("search: say reindex or query")
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "reindex":
		return withStore(ctx, e, "search reindex", rest, nil, func(s *sqlstore.Store, _ *config.Config, _ []string) error {
			return reindex(ctx, e, s)
		})
	case "query":
		return withStore(ctx, e, "search query", rest, nil, func(s *sqlstore.Store, _ *config.Config, words []string) error {
			return query(ctx, e, s, strings.Join(words, " "))
		})
	}
	return fmt.Errorf("search: unknown subcommand %q; say reindex or query", sub)
}

// reindex builds the index from the database, which proves every article
// indexes and says how fast, then asks each running server to rebuild its own:
// they do so in the background and swap the new index in when it is complete.
func reindex(ctx context.Context, e env, store herald.Store) error {
	svc := search.NewService(store, nil, slog.New(slog.DiscardHandler))
	stats, err := svc.Build(ctx, func(done int) { fmt.Fprintf(e.stderr, "\rindexed %d articles", done) })
	fmt.Fprintln(e.stderr)
	if err != nil {
		return fmt.Errorf("search reindex: %w", err)
	}
	rate := float64(stats.Articles) / max(stats.Duration.Seconds(), 1e-9)
	fmt.Fprintf(e.stdout, "Indexed %d articles (%d terms) in %s: %.0f articles/s.\n", stats.Articles, stats.Terms, stats.Duration.Round(1e6), rate)
	if err := search.RequestReindex(ctx, store, nil); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "Asked the running servers to rebuild their index; each does so in the background and logs \"search index built\".")
	return nil
}

// query prints the published articles a search finds, for operators checking
// the index from a shell.
func query(ctx context.Context, e env, store herald.Store, q string) error {
	svc := search.NewService(store, nil, slog.New(slog.DiscardHandler))
	if _, err := svc.Build(ctx, nil); err != nil {
		return err
	}
	page, err := svc.Search(ctx, search.Query{Text: q, Limit: 20})
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(e.stdout, "%d found\n", page.Total)
	for _, h := range page.Hits {
		fmt.Fprintf(e.stdout, "%6d  %6.2f  %s\n", h.Article.ID, h.Score, plain(h.Title))
		fmt.Fprintf(e.stdout, "              %s\n", plain(h.Snippet))
	}
	return nil
}

// plain writes spans as text with the matches in 【】.
func plain(spans []search.Span) string {
	var b strings.Builder
	for _, s := range spans {
		if s.Mark {
			b.WriteString("【" + s.Text + "】")
		} else {
			b.WriteString(s.Text)
		}
	}
	return b.String()
}
