package httpx

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestLiveAnswersOK(t *testing.T) {
	w := httptest.NewRecorder()
	Live().ServeHTTP(w, httptest.NewRequest("GET", "/healthz", nil))
	if w.Code != 200 || w.Body.String() != "ok\n" || w.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("%d %q %v", w.Code, w.Body.String(), w.Header())
	}
}

func TestReady(t *testing.T) {
	pass := Check{"database", func(context.Context) error { return nil }}
	fail := Check{"video storage", func(context.Context) error { return errors.New("read-only file system /secret/path") }}
	hang := Check{"database", func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }}
	for _, c := range []struct {
		name   string
		checks []Check
		code   int
		body   string
	}{
		{"all pass", []Check{pass}, 200, "ready\n"},
		{"one fails", []Check{pass, fail}, 503, "not ready: video storage unreachable\n"},
		{"timeout", []Check{hang, fail}, 503, "not ready: database, video storage unreachable\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			Ready(slog.New(slog.DiscardHandler), 50*time.Millisecond, c.checks...).ServeHTTP(w, httptest.NewRequest("GET", "/readyz", nil))
			if w.Code != c.code || w.Body.String() != c.body {
				t.Errorf("got %d %q, want %d %q", w.Code, w.Body.String(), c.code, c.body)
			}
			if strings.Contains(w.Body.String(), "/secret") {
				t.Error("the reason shows the error's details")
			}
		})
	}
}

func TestProbesStayOutOfTheAccessLog(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	mux := http.NewServeMux()
	mux.Handle("GET /healthz", Live())
	mux.Handle("GET /readyz", Ready(log, time.Second, Check{"database", func(context.Context) error { return errors.New("down") }}))
	mux.HandleFunc("GET /page", func(w http.ResponseWriter, _ *http.Request) {})
	h := Middleware(log, mux)
	for _, path := range []string{"/healthz", "/readyz", "/page"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
	}
	out := logs.String()
	if strings.Contains(out, `"path":"/healthz"`) {
		t.Errorf("successful probe logged:\n%s", out)
	}
	if !strings.Contains(out, `"path":"/readyz"`) || !strings.Contains(out, `"path":"/page"`) {
		t.Errorf("failed probe or page not logged:\n%s", out)
	}
}
