package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/delivery"
	"github.com/heraldnews/herald/jobs"
	"github.com/heraldnews/herald/sqlite"
	"github.com/heraldnews/herald/storetest"
	"github.com/heraldnews/herald/workflow"
)

// recorder is a channel that records what it is asked to do; fail makes an
// attempt fail.
type recorder struct {
	mu    sync.Mutex
	name  herald.Channel
	calls []string
	fail  func(d *herald.Delivery) error
}

func (r *recorder) Name() herald.Channel { return r.name }

func (r *recorder) Targets(ctx context.Context, a *herald.Article) ([]string, error) {
	return []string{"site", fmt.Sprintf("column:%d", a.ColumnID)}, nil
}

func (r *recorder) Supports(action string) bool { return true }

func (r *recorder) Deliver(ctx context.Context, d *herald.Delivery, a *herald.Article) (delivery.Result, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		if err := r.fail(d); err != nil {
			return delivery.Result{}, err
		}
	}
	r.calls = append(r.calls, fmt.Sprintf("%s %s v%d %s", d.Action, d.Target, d.Version, a.Title))
	return delivery.Result{ExternalID: fmt.Sprintf("https://peer.example/%s/%d", d.Target, a.ID)}, nil
}

func (r *recorder) taken() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.calls
	r.calls = nil
	return out
}

type env struct {
	ctx     context.Context
	store   herald.Store
	world   *storetest.World
	now     time.Time
	flow    *workflow.Service
	runner  *jobs.Runner
	svc     *delivery.Service
	channel *recorder
}

func setup(t *testing.T) *env {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e := &env{ctx: context.Background(), store: s, world: storetest.NewWorld(t, s), now: storetest.T0}
	clock := func() time.Time { return e.now }
	e.flow = workflow.NewService(s, clock)
	e.flow.Follow = delivery.Follow
	svc := delivery.New(s, clock)
	e.svc = svc
	e.channel = &recorder{name: herald.ChannelMicroblog}
	svc.Register(e.channel)
	e.runner = jobs.New(s, clock, slog.New(slog.NewTextHandler(io.Discard, nil)))
	e.runner.Backoff = func(int) time.Duration { return time.Minute }
	e.runner.Handle(workflow.KindPublish, e.flow.RunPublishJob)
	svc.RegisterJobs(e.runner)
	return e
}

func (e *env) do(t *testing.T, actor *herald.Staff, id int64, act workflow.Action, req workflow.Request) *herald.Article {
	t.Helper()
	a, err := e.flow.Do(e.ctx, actor, id, act, req)
	if err != nil {
		t.Fatalf("%s: %v", act, err)
	}
	return a
}

// approved returns an article approved for publication on the website and the microblog.
func (e *env) approved(t *testing.T, title string) *herald.Article {
	t.Helper()
	c := storetest.Content(e.world.Local, title)
	c.Channels = []herald.Channel{herald.ChannelMicroblog}
	a, err := e.flow.Create(e.ctx, e.world.Writer, workflow.Draft{ArticleContent: c})
	if err != nil {
		t.Fatal(err)
	}
	e.do(t, e.world.Writer, a.ID, workflow.ActSubmit, workflow.Request{})
	return e.do(t, e.world.Chief, a.ID, workflow.ActApprove, workflow.Request{})
}

func (e *env) deliveries(t *testing.T, id int64) map[string]*herald.Delivery {
	t.Helper()
	ds, _, err := e.store.FindDeliveries(e.ctx, herald.DeliveryFilter{ArticleID: id})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*herald.Delivery{}
	for _, d := range ds {
		out[d.Target] = d
	}
	return out
}

func TestPublicationCorrectionRetractionFollowEachOther(t *testing.T) {
	e := setup(t)
	a := e.approved(t, "全省法律援助工作推进会召开")
	a = e.do(t, e.world.Chief, a.ID, workflow.ActPublish, workflow.Request{})
	// the plan job was queued with the publication; running the queue carries it out
	if n, err := e.runner.RunDue(e.ctx); err != nil || n != 3 {
		t.Fatalf("ran %d jobs (%v), want the plan and two deliveries", n, err)
	}
	column := fmt.Sprintf("column:%d", a.ColumnID)
	calls := func(action, title string) []string {
		return []string{fmt.Sprintf("%s %s v%d %s", action, column, a.Version, title), fmt.Sprintf("%s site v%d %s", action, a.Version, title)}
	}
	taken := func() []string { got := e.channel.taken(); slices.Sort(got); return got }
	if got, want := taken(), calls("create", a.Title); !slices.Equal(got, want) {
		t.Fatalf("channel calls = %q, want %q", got, want)
	}
	ds := e.deliveries(t, a.ID)
	for _, target := range []string{"site", column} {
		d := ds[target]
		if d == nil || d.Status != herald.DeliverySent || d.Action != herald.ActionCreate || d.Attempts != 1 || d.SentAt == nil ||
			d.ExternalID != fmt.Sprintf("https://peer.example/%s/%d", target, a.ID) {
			t.Fatalf("delivery to %s = %+v", target, d)
		}
	}

	e.now = e.now.Add(time.Hour)
	fixed := a.ArticleContent.Clone()
	fixed.Title = "全省法律援助工作推进会在石家庄召开"
	a = e.do(t, e.world.Chief, a.ID, workflow.ActCorrect, workflow.Request{Content: &fixed, Comment: "补充地点"})
	e.runner.RunDue(e.ctx)
	if got, want := taken(), calls("update", fixed.Title); !slices.Equal(got, want) {
		t.Fatalf("after the correction: %q, want %q", got, want)
	}
	e.now = e.now.Add(time.Hour)
	a = e.do(t, e.world.Chief, a.ID, workflow.ActRetract, workflow.Request{Comment: "撤稿"})
	e.runner.RunDue(e.ctx)
	if got, want := taken(), calls("delete", fixed.Title); !slices.Equal(got, want) {
		t.Fatalf("after the retraction: %q", got)
	}
	for target, d := range e.deliveries(t, a.ID) {
		if d.Action != herald.ActionDelete || d.Status != herald.DeliverySent || d.Version != a.Version {
			t.Fatalf("delivery to %s after the retraction = %+v", target, d)
		}
	}
	// every job ran once and nothing is left
	counts, _ := e.store.CountJobs(e.ctx)
	if counts[herald.JobDone] != 9 || len(counts) != 1 {
		t.Fatalf("jobs = %v, want 9 done (three plans, six deliveries)", counts)
	}
}

func TestFailuresRetryThenGiveUp(t *testing.T) {
	e := setup(t)
	a := e.approved(t, "市司法局开展宪法宣传周活动")
	attempts := 0
	e.channel.fail = func(d *herald.Delivery) error {
		if d.Target != "site" {
			return jobs.Permanent(errors.New("403 forbidden by the column's peer"))
		}
		attempts++
		if attempts < 3 {
			return errors.New("503 service unavailable")
		}
		return nil
	}
	e.do(t, e.world.Chief, a.ID, workflow.ActPublish, workflow.Request{})
	e.runner.RunDue(e.ctx)
	ds := e.deliveries(t, a.ID)
	site, column := ds["site"], ds[fmt.Sprintf("column:%d", a.ColumnID)]
	if site.Status != herald.DeliveryRetrying || site.LastError != "503 service unavailable" || site.Attempts != 1 {
		t.Fatalf("site after one failure: %+v", site)
	}
	if column.Status != herald.DeliveryFailed || column.LastError == "" {
		t.Fatalf("a permanent failure should fail the delivery: %+v", column)
	}
	for range 2 {
		e.now = e.now.Add(time.Minute)
		e.runner.RunDue(e.ctx)
	}
	if site = e.deliveries(t, a.ID)["site"]; site.Status != herald.DeliverySent || site.Attempts != 3 || site.LastError != "" {
		t.Fatalf("site after the third attempt: %+v", site)
	}
	failed, n, _ := e.store.FindJobs(e.ctx, herald.JobFilter{Statuses: []herald.JobStatus{herald.JobFailed}})
	if n != 1 || failed[0].Kind != delivery.KindDeliver {
		t.Fatalf("failed jobs = %+v", failed)
	}
	// an editor cancels the failed job: the delivery is called off …
	columnTarget := fmt.Sprintf("column:%d", a.ColumnID)
	change := func(j *herald.Job, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.JobChanged(e.ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	change(e.store.CancelJob(e.ctx, failed[0].ID, herald.Event{At: e.now, ActorID: e.world.Chief.ID}))
	if d := e.deliveries(t, a.ID)[columnTarget]; d.Status != herald.DeliveryCancelled {
		t.Fatalf("after the job was cancelled: %+v", d)
	}
	// … and, once the peer is mended, retries it: pending, then sent
	e.channel.fail = nil
	change(e.store.RetryJob(e.ctx, failed[0].ID, herald.Event{At: e.now, ActorID: e.world.Chief.ID}))
	if d := e.deliveries(t, a.ID)[columnTarget]; d.Status != herald.DeliveryPending {
		t.Fatalf("after the job was retried: %+v", d)
	}
	e.runner.RunDue(e.ctx)
	if d := e.deliveries(t, a.ID)[columnTarget]; d.Status != herald.DeliverySent {
		t.Fatalf("after the retried job ran: %+v", d)
	}
}

func TestADeliveryRunAgainSendsNothingTwice(t *testing.T) {
	e := setup(t)
	a := e.approved(t, "正定县公证处延时服务")
	e.do(t, e.world.Chief, a.ID, workflow.ActPublish, workflow.Request{})
	e.runner.RunDue(e.ctx)
	e.channel.taken()
	// the same deliver jobs again, as after a crash between the work and its record
	done, _, _ := e.store.FindJobs(e.ctx, herald.JobFilter{Kind: delivery.KindDeliver})
	for _, j := range done {
		if _, err := e.store.RetryJob(e.ctx, j.ID, herald.Event{At: e.now, ActorID: e.world.Chief.ID}); err == nil {
			t.Fatalf("a done job should not be retried by hand: %+v", j)
		}
	}
	again := &herald.Job{Kind: delivery.KindDeliver, Key: "replay", Payload: done[0].Payload}
	if err := e.store.EnqueueJobs(e.ctx, e.now, again); err != nil {
		t.Fatal(err)
	}
	e.runner.RunDue(e.ctx)
	if got := e.channel.taken(); len(got) != 0 {
		t.Fatalf("a replayed job delivered again: %q", got)
	}
	// a plan replayed plans nothing new
	plans, _, _ := e.store.FindJobs(e.ctx, herald.JobFilter{Kind: delivery.KindPlan})
	replay := &herald.Job{Kind: delivery.KindPlan, Key: "replay-plan", Payload: plans[0].Payload}
	e.store.EnqueueJobs(e.ctx, e.now, replay)
	e.runner.RunDue(e.ctx)
	if got := e.channel.taken(); len(got) != 0 {
		t.Fatalf("a replayed plan delivered again: %q", got)
	}
}

func TestScheduledPublicationIsAJob(t *testing.T) {
	e := setup(t)
	a := e.approved(t, "全省司法行政系统宣传培训班开班")
	at := e.now.Add(2 * time.Hour)
	a = e.do(t, e.world.Chief, a.ID, workflow.ActPublish, workflow.Request{At: &at})
	if a.Status != herald.StatusScheduled {
		t.Fatalf("status %s", a.Status)
	}
	if n, _ := e.runner.RunDue(e.ctx); n != 0 {
		t.Fatalf("%d jobs ran two hours early", n)
	}
	// rescheduled to an hour later: the first job finds nothing to do
	later := at.Add(time.Hour)
	e.do(t, e.world.Chief, a.ID, workflow.ActSchedule, workflow.Request{At: &later})
	e.now = at
	e.runner.RunDue(e.ctx)
	if got, _ := e.store.FindArticleByID(e.ctx, a.ID); got.Status != herald.StatusScheduled {
		t.Fatalf("published at the old time: %s", got.Status)
	}
	e.now = later
	e.runner.RunDue(e.ctx) // publishes, then plans and delivers
	got, _ := e.store.FindArticleByID(e.ctx, a.ID)
	if got.Status != herald.StatusPublished || !got.PublishedAt.Equal(later) {
		t.Fatalf("at its time: %s %v", got.Status, got.PublishedAt)
	}
	if calls := e.channel.taken(); len(calls) != 2 {
		t.Fatalf("the scheduled publication reached the channel %d times, want 2", len(calls))
	}
	// queueing every scheduled article again queues nothing twice
	if n, err := e.flow.QueueScheduled(e.ctx); err != nil || n != 0 {
		t.Fatalf("QueueScheduled = %d, %v", n, err)
	}
}

func TestACorrectionThatChangesChannelsAddsOrTakesBack(t *testing.T) {
	e := setup(t)
	a := e.approved(t, "市司法局发布十大典型案例")
	a = e.do(t, e.world.Chief, a.ID, workflow.ActPublish, workflow.Request{})
	e.runner.RunDue(e.ctx)
	e.channel.taken()
	// the editor takes the microblog off: what was posted there is deleted
	off := a.ArticleContent.Clone()
	off.Channels = []herald.Channel{herald.ChannelWebsite}
	a = e.do(t, e.world.Chief, a.ID, workflow.ActCorrect, workflow.Request{Content: &off, Comment: "不再发微博"})
	e.runner.RunDue(e.ctx)
	if got := e.channel.taken(); len(got) != 2 || !strings.HasPrefix(got[0], "delete") || !strings.HasPrefix(got[1], "delete") {
		t.Fatalf("taking the channel off: %q, want two deletes", got)
	}
	// and puts it back: posted again
	on := a.ArticleContent.Clone()
	on.Channels = []herald.Channel{herald.ChannelMicroblog}
	e.do(t, e.world.Chief, a.ID, workflow.ActCorrect, workflow.Request{Content: &on, Comment: "恢复微博"})
	e.runner.RunDue(e.ctx)
	if got := e.channel.taken(); len(got) != 2 || !strings.HasPrefix(got[0], "create") {
		t.Fatalf("putting the channel back: %q, want two creates", got)
	}
}
