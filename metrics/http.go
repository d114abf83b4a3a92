package metrics

import (
	"net/http"
	"strconv"
	"time"
)

// HTTP counts requests and their durations by route, method and status.
type HTTP struct {
	Requests  *CounterVec   // route, method, status
	Durations *HistogramVec // route
}

// NewHTTP registers herald_http_requests_total and
// herald_http_request_duration_seconds in r.
func NewHTTP(r *Registry) *HTTP {
	return &HTTP{
		Requests:  r.Counter("herald_http_requests_total", "HTTP requests by route, method and status.", "route", "method", "status"),
		Durations: r.Histogram("herald_http_request_duration_seconds", "Time to serve HTTP requests, by route.", DefaultBuckets, "route"),
	}
}

// Wrap measures the requests next serves. next should be a ServeMux (or pass
// the request on to one unchanged): the route is the pattern the mux matched
// (r.Pattern), never the path, so that the number of series stays bounded
// whatever URLs clients ask for. Requests no pattern matched count as
// "unmatched"; methods other than the usual ones count as "other".
func (m *HTTP) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		observe := func(status int) {
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			m.Requests.With(route, method(r.Method), strconv.Itoa(status)).Inc()
			m.Durations.With(route).Observe(time.Since(start).Seconds())
		}
		defer func() {
			if p := recover(); p != nil {
				observe(http.StatusInternalServerError) // what the recovering middleware outside answers
				panic(p)
			}
		}()
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		observe(rec.status)
	})
}

// method bounds the method label: clients may send any token as a method.
func method(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	}
	return "other"
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 && code >= 200 { // 1xx answers are interim
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the writer underneath (flushes,
// deadlines).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
