package httpx

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// Quiet leaves the request out of the access log. Probes (health checks,
// metrics scrapes) call it when they succeed: they come every few seconds and
// would drown the requests of people, while a failing probe is still logged.
func Quiet(r *http.Request) {
	if q, ok := r.Context().Value(quietKey).(*atomic.Bool); ok {
		q.Store(true)
	}
}

// Live answers 200 "ok" as long as the process serves requests: it depends
// on nothing, so that an orchestrator restarts the process only when it is
// stuck, not when the database is away.
func Live() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		probeHeaders(w)
		Quiet(r)
		w.Write([]byte("ok\n"))
	})
}

// Check is one dependency the server needs to be ready: Run returns nil when
// it answers. Name is shown to the prober, so it says what failed without
// the details of how (those go to the log).
type Check struct {
	Name string
	Run  func(ctx context.Context) error
}

// Ready answers 200 "ready" when every check passes within timeout, and 503
// naming the checks that failed otherwise. The checks run at once, each in
// its own goroutine, so that one hanging (a stuck network file system) costs
// the prober timeout, not more; a check that ignores its context is left to
// finish in the background.
func Ready(log *slog.Logger, timeout time.Duration, checks ...Check) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		probeHeaders(w)
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		errs := make([]chan error, len(checks))
		for i, c := range checks {
			errs[i] = make(chan error, 1)
			go func() { errs[i] <- c.Run(ctx) }()
		}
		var failed []string
		for i, c := range checks {
			var err error
			select {
			case err = <-errs[i]:
			case <-ctx.Done():
				err = ctx.Err()
			}
			if err != nil {
				failed = append(failed, c.Name)
				log.Warn("not ready", "request_id", RequestID(r.Context()), "check", c.Name, "error", err)
			}
		}
		if len(failed) > 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("not ready: " + strings.Join(failed, ", ") + " unreachable\n"))
			return
		}
		Quiet(r)
		w.Write([]byte("ready\n"))
	})
}

// probeHeaders keeps the answers of probes out of every cache: they are about
// this moment.
func probeHeaders(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
}
