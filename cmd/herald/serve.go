package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/heraldnews/herald/config"
	"github.com/heraldnews/herald/sqlstore"
)

func cmdServe(ctx context.Context, e env, args []string) error {
	return withStore(ctx, e, "serve", args, nil, func(store *sqlstore.Store, c *config.Config, _ []string) error {
		a, err := newApp(c, store, newLogger(c, e), nil)
		if err != nil {
			return err
		}
		return a.serve(ctx, c, nil)
	})
}

// serve listens on the configured address until ctx ends, publishing scheduled
// articles as they fall due. ready, if set, is called with the bound address.
func (a *app) serve(ctx context.Context, c *config.Config, ready func(addr string)) error {
	ln, err := net.Listen("tcp", c.Addr())
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	// Background work: the job queue (scheduled publishing, deliveries),
	// view-count flushing, and following changes (cache invalidation, the
	// search index, static export). It stops after the server.
	bgCtx, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	var bg sync.WaitGroup
	bg.Go(func() { a.runJobs(bgCtx) })
	bg.Go(func() { a.views.Run(bgCtx) })
	bg.Go(func() { a.search.Follow(bgCtx, 200*time.Millisecond) })
	exportDir := c.Get("export-dir")
	bg.Go(func() {
		if exportDir != "" {
			// Bring the static site up to date (it may have missed changes while
			// Herald was down), then follow changes; the dynamic site serves meanwhile.
			stats, err := a.portal.Export(bgCtx, exportDir, nil)
			if err != nil {
				a.log.Error("static export", "dir", exportDir, "error", err)
			} else {
				a.log.Info("static export", "dir", exportDir, "pages", stats.Pages, "whole", true, "duration_ms", stats.Duration.Milliseconds())
			}
		}
		a.portal.Watch(bgCtx, 200*time.Millisecond, exportDir)
	})
	errc := make(chan error, 1)
	go func() {
		if cert := c.Get("tls-cert"); cert != "" {
			errc <- srv.ServeTLS(ln, cert, c.Get("tls-key"))
			return
		}
		errc <- srv.Serve(ln)
	}()
	a.log.Info("listening", "addr", ln.Addr().String(), "engine", a.store.Engine())
	if ready != nil {
		ready(ln.Addr().String())
	}
	select {
	case err := <-errc:
		stopBackground()
		bg.Wait()
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), c.Duration("shutdown-timeout"))
	defer cancel()
	err = srv.Shutdown(shutCtx)
	stopBackground() // the view counter flushes what it holds before it returns
	bg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// runJobs publishes what fell due while the server was down and queues the
// publication of every scheduled article (those scheduled before the queue
// existed included), then runs the job queue until ctx ends.
func (a *app) runJobs(ctx context.Context) {
	if n, err := a.workflow.PublishDue(ctx); err != nil {
		a.log.Error("scheduled publishing", "error", err)
	} else if n > 0 {
		a.log.Info("published scheduled articles", "count", n)
	}
	if _, err := a.workflow.QueueScheduled(ctx); err != nil {
		a.log.Error("queue scheduled publications", "error", err)
	}
	if a.newsletter != nil {
		if err := a.newsletter.QueueDigests(ctx); err != nil {
			a.log.Error("queue newsletter digests", "error", err)
		}
	}
	a.queueScoring()
	a.queueNotify()
	a.jobs.Run(ctx)
}

// queueScoring asks for a scoring run soon: at start (which also starts the
// hourly runs) and after each change of an article.
func (a *app) queueScoring() {
	if err := a.scoring.Queue(context.Background()); err != nil {
		a.log.Error("queue scoring", "error", err)
	}
}
