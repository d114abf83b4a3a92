package main

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"net"
	"net/http"
	"runtime"
	"strings"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/httpx"
	"github.com/heraldnews/herald/jobs"
	"github.com/heraldnews/herald/metrics"
)

// readyTimeout bounds a readiness probe: a database slower than this to say
// "1" is as good as away for the requests the server would take.
const readyTimeout = 2 * time.Second

// observability registers the probes (/healthz, /readyz) and the metrics
// (/metrics) on mux, and returns the wrapper that measures requests: it goes
// right around mux, where the matched pattern is known.
func (a *app) observability(mux *http.ServeMux, metricsToken string, storage func(context.Context) error) func(http.Handler) http.Handler {
	mux.Handle("GET /healthz", httpx.Live())
	mux.Handle("GET /readyz", httpx.Ready(a.log, readyTimeout,
		httpx.Check{Name: "database", Run: a.pingStore},
		httpx.Check{Name: "video storage", Run: storage}))

	reg := metrics.NewRegistry()
	requests := metrics.NewHTTP(reg)
	reg.Gauge("herald_build_info", "Version of Herald and of Go it was built with; always 1.", "version", "go").
		With(Version, runtime.Version()).Set(1)
	queued := reg.Gauge("herald_jobs_queued", "Jobs waiting in the durable queue (due or not).")
	failed := reg.Gauge("herald_jobs_failed", "Jobs that used all their attempts and wait for an editor.")
	reg.OnScrape(func(ctx context.Context) {
		queued.Reset()
		failed.Reset()
		counts, err := a.store.CountJobs(ctx)
		if err != nil { // left out rather than stale; a scrape of a sick server still shows its HTTP metrics
			a.log.Warn("metrics: count jobs", "error", err)
			return
		}
		queued.With().Set(float64(counts[herald.JobQueued]))
		failed.With().Set(float64(counts[herald.JobFailed]))
	})
	if pools, ok := a.store.(interface{ PoolStats() map[string]sql.DBStats }); ok {
		open := reg.Gauge("herald_db_open_connections", "Connections open in the pool, in use or idle.", "pool")
		inUse := reg.Gauge("herald_db_in_use_connections", "Connections of the pool in use.", "pool")
		idle := reg.Gauge("herald_db_idle_connections", "Idle connections of the pool.", "pool")
		waits := reg.Gauge("herald_db_wait_count", "Connections waited for since start (grows like a counter).", "pool")
		reg.OnScrape(func(context.Context) {
			for pool, s := range pools.PoolStats() {
				open.With(pool).Set(float64(s.OpenConnections))
				inUse.With(pool).Set(float64(s.InUse))
				idle.With(pool).Set(float64(s.Idle))
				waits.With(pool).Set(float64(s.WaitCount))
			}
		})
	}
	a.serviceMetrics(reg)
	metrics.RegisterRuntime(reg) // go_*, process_*: a soak test watches memory and goroutines stay flat
	mux.Handle("GET /metrics", metricsAccess(metricsToken, reg.Handler()))
	return requests.Wrap
}

// serviceMetrics counts what the portal, the job runner and the delivery
// engine report through their hooks; those packages know nothing of metrics.
// Every series whose labels are known in advance starts at 0, so that a rate
// over the first scrapes is not lost to a series that appears with its first
// event. Labels stay bounded: results are two, job kinds those with a
// handler (the only ones the runner claims), channels the registered ones.
func (a *app) serviceMetrics(reg *metrics.Registry) {
	lookups := reg.Counter("herald_portal_cache_requests_total",
		"Portal page requests by whether the page cache had the page (hit) or it was rendered (miss).", "result")
	hit, miss := lookups.With("hit"), lookups.With("miss") // looked up once: this runs on every page request
	a.portal.CacheLookup = func(found bool) {
		if found {
			hit.Inc()
		} else {
			miss.Inc()
		}
	}
	reg.GaugeFunc("herald_portal_cache_pages", "Pages the portal's page cache holds.", func() (float64, bool) {
		pages, _ := a.portal.CacheSize()
		return float64(pages), true
	})
	reg.GaugeFunc("herald_portal_cache_bytes", "Size of the pages the portal's page cache holds, plain and compressed.", func() (float64, bool) {
		_, bytes := a.portal.CacheSize()
		return float64(bytes), true
	})

	runs := reg.Counter("herald_jobs_runs_total",
		"Attempts at jobs by kind and outcome: done, retry (tried again later) or failed (for good).", "kind", "outcome")
	for _, kind := range a.jobs.Kinds() {
		for _, outcome := range []string{jobs.OutcomeDone, jobs.OutcomeRetry, jobs.OutcomeFailed} {
			runs.With(kind, outcome)
		}
	}
	a.jobs.Ran = func(kind, outcome string) { runs.With(kind, outcome).Inc() }

	deliveries := reg.Counter("herald_deliveries_total",
		"Attempts at deliveries by channel and outcome: sent, retrying (tried again later) or failed (for good).", "channel", "outcome")
	for _, channel := range a.delivery.Channels() {
		for _, outcome := range []herald.DeliveryStatus{herald.DeliverySent, herald.DeliveryRetrying, herald.DeliveryFailed} {
			deliveries.With(string(channel), string(outcome))
		}
	}
	a.delivery.Attempted = func(channel herald.Channel, outcome herald.DeliveryStatus) {
		deliveries.With(string(channel), string(outcome)).Inc()
	}
}

// pingStore asks the database for a trivial answer.
func (a *app) pingStore(ctx context.Context) error {
	if p, ok := a.store.(interface{ Ping(context.Context) error }); ok {
		return p.Ping(ctx)
	}
	_, err := a.store.CountJobs(ctx) // any store can count its jobs
	return err
}

// metricsAccess guards /metrics. With a token, a scraper must send it as a
// bearer token, from anywhere. Without one, only loopback peers are served,
// and only when the request carries no forwarding header: behind a reverse
// proxy on the same host every request comes from loopback, and the metrics
// (routes, queue depths, the version) are not for the public. Refusals answer
// 404 without a token configured, so that /metrics does not announce itself.
func metricsAccess(token string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token != "" {
			got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
				http.Error(w, "Unauthorized", http.StatusUnauthorized)
				return
			}
		} else if !directLoopback(r) {
			http.NotFound(w, r)
			return
		}
		httpx.Quiet(r) // scrapes come every few seconds; refused ones are still logged
		next.ServeHTTP(w, r)
	})
}

// directLoopback reports whether r comes from this host and not through a
// proxy (which would add a forwarding header).
func directLoopback(r *http.Request) bool {
	ip := net.ParseIP(httpx.ClientIP(r))
	if ip == nil || !ip.IsLoopback() {
		return false
	}
	for _, h := range []string{"Forwarded", "X-Forwarded-For", "X-Real-Ip"} {
		if r.Header.Get(h) != "" {
			return false
		}
	}
	return true
}
