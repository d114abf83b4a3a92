// Package channeltest is the newsroom that channel tests publish through: a
// real SQLite store holding the small province of storetest, the editorial
// workflow, the delivery engine and the job queue, on a clock the test moves.
// A test registers its channel on Delivery and runs the queue with
// Runner.RunDue.
package channeltest

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/delivery"
	"github.com/heraldnews/herald/jobs"
	"github.com/heraldnews/herald/sqlite"
	"github.com/heraldnews/herald/storetest"
	"github.com/heraldnews/herald/workflow"
)

// Env is a newsroom with its delivery engine.
type Env struct {
	Ctx      context.Context
	Store    herald.Store
	World    *storetest.World
	Now      time.Time // the clock; tests move it
	Clock    herald.Clock
	Flow     *workflow.Service
	Delivery *delivery.Service
	Runner   *jobs.Runner // retries a minute after a failure
	Log      *slog.Logger
}

// New opens a store in a temporary directory and sets the newsroom up on
// it, logging to log (nil discards).
func New(t testing.TB, log *slog.Logger) *Env {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	e := &Env{Ctx: context.Background(), Store: s, World: storetest.NewWorld(t, s), Now: storetest.T0, Log: log}
	e.Clock = func() time.Time { return e.Now }
	e.Flow = workflow.NewService(s, e.Clock)
	e.Flow.Follow = delivery.Follow
	e.Delivery = delivery.New(s, e.Clock)
	e.Runner = jobs.New(s, e.Clock, log)
	e.Runner.Backoff = func(int) time.Duration { return time.Minute }
	e.Runner.Handle(workflow.KindPublish, e.Flow.RunPublishJob)
	e.Delivery.RegisterJobs(e.Runner)
	return e
}

// Do takes a workflow action, failing the test if it is refused.
func (e *Env) Do(t testing.TB, actor *herald.Staff, id int64, act workflow.Action, req workflow.Request) *herald.Article {
	t.Helper()
	a, err := e.Flow.Do(e.Ctx, actor, id, act, req)
	if err != nil {
		t.Fatalf("%s: %v", act, err)
	}
	return a
}

// Approved has the world's writer write d and submit it, and the
// editor-in-chief approve it.
func (e *Env) Approved(t testing.TB, d workflow.Draft) *herald.Article {
	t.Helper()
	a, err := e.Flow.Create(e.Ctx, e.World.Writer, d)
	if err != nil {
		t.Fatal(err)
	}
	e.Do(t, e.World.Writer, a.ID, workflow.ActSubmit, workflow.Request{})
	return e.Do(t, e.World.Chief, a.ID, workflow.ActApprove, workflow.Request{})
}

// Published approves d and has the editor-in-chief publish it at once.
func (e *Env) Published(t testing.TB, d workflow.Draft) *herald.Article {
	t.Helper()
	a := e.Approved(t, d)
	return e.Do(t, e.World.Chief, a.ID, workflow.ActPublish, workflow.Request{})
}
