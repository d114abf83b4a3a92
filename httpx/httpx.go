// Package httpx holds what every Herald HTTP surface shares: the one table that
// maps error codes to statuses, request IDs, access logs, panic recovery and
// security headers.
package httpx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/heraldnews/herald"
)

// statuses maps error codes to HTTP statuses.
var statuses = map[string]int{
	herald.EINVALID:      http.StatusBadRequest,
	herald.EUNAUTHORIZED: http.StatusUnauthorized,
	herald.EFORBIDDEN:    http.StatusForbidden,
	herald.ENOTFOUND:     http.StatusNotFound,
	herald.ECONFLICT:     http.StatusConflict,
	herald.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	herald.ERATELIMITED:  http.StatusTooManyRequests,
	herald.EMETHOD:       http.StatusMethodNotAllowed,
	herald.EUNAVAILABLE:  http.StatusServiceUnavailable,
	herald.EINTERNAL:     http.StatusInternalServerError,
}

// Status returns the HTTP status for err's code.
func Status(err error) int {
	if s, ok := statuses[herald.ErrorCode(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// LogFailure logs a request's failure once, where the server is at fault:
// internal errors at error level, a part that is away (the database, the
// video storage) at warning level with its cause. Errors of the client's
// making are not logged.
func LogFailure(log *slog.Logger, r *http.Request, err error) {
	if log == nil { // a server built bare, in tests
		return
	}
	switch herald.ErrorCode(err) {
	case herald.EINTERNAL:
		log.Error("internal error", "request_id", RequestID(r.Context()), "method", r.Method, "path", r.URL.Path, "error", err)
	case herald.EUNAVAILABLE:
		log.Warn("unavailable", "request_id", RequestID(r.Context()), "method", r.Method, "path", r.URL.Path, "error", err)
	}
}

type ctxKey int

const (
	requestIDKey ctxKey = iota
	quietKey            // *atomic.Bool: set by Quiet to leave the request out of the access log
)

// RequestID returns the ID of the request ctx belongs to.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// requestIDs are a random per-process prefix and a counter: unique, and cheap
// enough for every request.
var (
	requestIDPrefix = func() string {
		b := make([]byte, 4)
		rand.Read(b)
		return hex.EncodeToString(b)
	}()
	requestCounter atomic.Uint64
)

func nextRequestID() string {
	return requestIDPrefix + strconv.FormatUint(requestCounter.Add(1), 36)
}

// statusRecorder remembers the status and size of a response.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Middleware gives each request an ID (echoed in X-Request-Id; a trusted
// proxy's own ID is kept), recovers from
// panics with a 500, sets security headers and writes one access-log line
// (unless the handler called Quiet).
func Middleware(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := forwardedRequestID(r)
		if id == "" {
			id = nextRequestID()
		}
		h := w.Header()
		h.Set("X-Request-Id", id)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "SAMEORIGIN")
		rec := &statusRecorder{ResponseWriter: w}
		quiet := new(atomic.Bool)
		ctx := context.WithValue(context.WithValue(r.Context(), requestIDKey, id), quietKey, quiet)
		r = r.WithContext(ctx)
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.Error("panic", "request_id", id, "panic", p, "stack", string(debug.Stack()))
				if rec.status == 0 {
					http.Error(rec, "Internal Server Error", http.StatusInternalServerError)
				}
			}
			if !quiet.Load() && log.Enabled(r.Context(), slog.LevelInfo) {
				log.Info("request", "request_id", id, "method", r.Method, "path", r.URL.Path, "status", rec.status,
					"bytes", rec.bytes, "duration_ms", float64(time.Since(start).Microseconds())/1000, "client", ClientIP(r))
			}
		}()
		next.ServeHTTP(rec, r)
	})
}
