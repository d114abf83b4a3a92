package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/delivery"
	"github.com/heraldnews/herald/internal/channeltest"
	"github.com/heraldnews/herald/jobs"
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
	*channeltest.Env
	svc     *delivery.Service
	channel *recorder
}

func setup(t *testing.T) *env {
	t.Helper()
	e := &env{Env: channeltest.New(t, nil), channel: &recorder{name: herald.ChannelMicroblog}}
	e.svc = e.Delivery
	e.svc.Register(e.channel)
	return e
}

// approved returns an article approved for publication on the website and the microblog.
func (e *env) approved(t *testing.T, title string) *herald.Article {
	t.Helper()
	c := storetest.Content(e.World.Local, title)
	c.Channels = []herald.Channel{herald.ChannelMicroblog}
	return e.Approved(t, workflow.Draft{ArticleContent: c})
}

func (e *env) deliveries(t *testing.T, id int64) map[string]*herald.Delivery {
	t.Helper()
	ds, _, err := e.Store.FindDeliveries(e.Ctx, herald.DeliveryFilter{ArticleID: id})
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
	a = e.Do(t, e.World.Chief, a.ID, workflow.ActPublish, workflow.Request{})
	// the plan job was queued with the publication; running the queue carries it out
	if n, err := e.Runner.RunDue(e.Ctx); err != nil || n != 3 {
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

	e.Now = e.Now.Add(time.Hour)
	fixed := a.ArticleContent.Clone()
	fixed.Title = "全省法律援助工作推进会在石家庄召开"
	a = e.Do(t, e.World.Chief, a.ID, workflow.ActCorrect, workflow.Request{Content: &fixed, Comment: "补充地点"})
	e.Runner.RunDue(e.Ctx)
	if got, want := taken(), calls("update", fixed.Title); !slices.Equal(got, want) {
		t.Fatalf("after the correction: %q, want %q", got, want)
	}
	e.Now = e.Now.Add(time.Hour)
	a = e.Do(t, e.World.Chief, a.ID, workflow.ActRetract, workflow.Request{Comment: "撤稿"})
	e.Runner.RunDue(e.Ctx)
	if got, want := taken(), calls("delete", fixed.Title); !slices.Equal(got, want) {
		t.Fatalf("after the retraction: %q", got)
	}
	for target, d := range e.deliveries(t, a.ID) {
		if d.Action != herald.ActionDelete || d.Status != herald.DeliverySent || d.Version != a.Version {
			t.Fatalf("delivery to %s after the retraction = %+v", target, d)
		}
	}
	// every job ran once and nothing is left
	counts, _ := e.Store.CountJobs(e.Ctx)
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
	e.Do(t, e.World.Chief, a.ID, workflow.ActPublish, workflow.Request{})
	e.Runner.RunDue(e.Ctx)
	ds := e.deliveries(t, a.ID)
	site, column := ds["site"], ds[fmt.Sprintf("column:%d", a.ColumnID)]
	if site.Status != herald.DeliveryRetrying || site.LastError != "503 service unavailable" || site.Attempts != 1 {
		t.Fatalf("site after one failure: %+v", site)
	}
	if column.Status != herald.DeliveryFailed || column.LastError == "" {
		t.Fatalf("a permanent failure should fail the delivery: %+v", column)
	}
	for range 2 {
		e.Now = e.Now.Add(time.Minute)
		e.Runner.RunDue(e.Ctx)
	}
	if site = e.deliveries(t, a.ID)["site"]; site.Status != herald.DeliverySent || site.Attempts != 3 || site.LastError != "" {
		t.Fatalf("site after the third attempt: %+v", site)
	}
	failed, n, _ := e.Store.FindJobs(e.Ctx, herald.JobFilter{Statuses: []herald.JobStatus{herald.JobFailed}})
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
		if err := e.svc.JobChanged(e.Ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	change(e.Store.CancelJob(e.Ctx, failed[0].ID, herald.Event{At: e.Now, ActorID: e.World.Chief.ID}))
	if d := e.deliveries(t, a.ID)[columnTarget]; d.Status != herald.DeliveryCancelled {
		t.Fatalf("after the job was cancelled: %+v", d)
	}
	// … and, once the peer is mended, retries it: pending, then sent
	e.channel.fail = nil
	change(e.Store.RetryJob(e.Ctx, failed[0].ID, herald.Event{At: e.Now, ActorID: e.World.Chief.ID}))
	if d := e.deliveries(t, a.ID)[columnTarget]; d.Status != herald.DeliveryPending {
		t.Fatalf("after the job was retried: %+v", d)
	}
	e.Runner.RunDue(e.Ctx)
	if d := e.deliveries(t, a.ID)[columnTarget]; d.Status != herald.DeliverySent {
		t.Fatalf("after the retried job ran: %+v", d)
	}
}

// TestAttemptedCountsByChannelAndOutcome publishes to two channels, one of
// which fails once at one target and for good at the other, and checks what
// Attempted was told; a replayed job, which sends nothing, is not counted.
func TestAttemptedCountsByChannelAndOutcome(t *testing.T) {
	e := setup(t)
	printer := &recorder{name: herald.ChannelPrint}
	e.svc.Register(printer)
	var mu sync.Mutex
	counts := map[string]int{} // "channel outcome"
	e.svc.Attempted = func(channel herald.Channel, outcome herald.DeliveryStatus) {
		mu.Lock()
		defer mu.Unlock()
		counts[string(channel)+" "+string(outcome)]++
	}
	failedOnce := false
	e.channel.fail = func(d *herald.Delivery) error {
		if d.Target != "site" {
			return jobs.Permanent(errors.New("403 forbidden by the column's peer"))
		}
		if !failedOnce {
			failedOnce = true
			return errors.New("503 service unavailable")
		}
		return nil
	}
	c := storetest.Content(e.World.Local, "全省普法工作会议召开")
	c.Channels = []herald.Channel{herald.ChannelMicroblog, herald.ChannelPrint}
	a := e.Approved(t, workflow.Draft{ArticleContent: c})
	e.Do(t, e.World.Chief, a.ID, workflow.ActPublish, workflow.Request{})
	e.Runner.RunDue(e.Ctx)
	e.Now = e.Now.Add(time.Minute)
	e.Runner.RunDue(e.Ctx)
	want := map[string]int{
		"microblog sent":     1, // the site, on its second attempt
		"microblog retrying": 1, // the site's first
		"microblog failed":   1, // the column's peer refused
		"print sent":         2, // both targets
	}
	if fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Fatalf("Attempted was told %v, want %v", counts, want)
	}
	done, _, _ := e.Store.FindJobs(e.Ctx, herald.JobFilter{Kind: delivery.KindDeliver, Statuses: []herald.JobStatus{herald.JobDone}})
	if err := e.Store.EnqueueJobs(e.Ctx, e.Now, &herald.Job{Kind: delivery.KindDeliver, Key: "replay", Payload: done[0].Payload}); err != nil {
		t.Fatal(err)
	}
	e.Runner.RunDue(e.Ctx)
	if fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Errorf("after a replayed job that sent nothing: %v, want %v", counts, want)
	}
}

func TestADeliveryRunAgainSendsNothingTwice(t *testing.T) {
	e := setup(t)
	a := e.approved(t, "正定县公证处延时服务")
	e.Do(t, e.World.Chief, a.ID, workflow.ActPublish, workflow.Request{})
	e.Runner.RunDue(e.Ctx)
	e.channel.taken()
	// the same deliver jobs again, as after a crash between the work and its record
	done, _, _ := e.Store.FindJobs(e.Ctx, herald.JobFilter{Kind: delivery.KindDeliver})
	for _, j := range done {
		if _, err := e.Store.RetryJob(e.Ctx, j.ID, herald.Event{At: e.Now, ActorID: e.World.Chief.ID}); err == nil {
			t.Fatalf("a done job should not be retried by hand: %+v", j)
		}
	}
	again := &herald.Job{Kind: delivery.KindDeliver, Key: "replay", Payload: done[0].Payload}
	if err := e.Store.EnqueueJobs(e.Ctx, e.Now, again); err != nil {
		t.Fatal(err)
	}
	e.Runner.RunDue(e.Ctx)
	if got := e.channel.taken(); len(got) != 0 {
		t.Fatalf("a replayed job delivered again: %q", got)
	}
	// a plan replayed plans nothing new
	plans, _, _ := e.Store.FindJobs(e.Ctx, herald.JobFilter{Kind: delivery.KindPlan})
	replay := &herald.Job{Kind: delivery.KindPlan, Key: "replay-plan", Payload: plans[0].Payload}
	e.Store.EnqueueJobs(e.Ctx, e.Now, replay)
	e.Runner.RunDue(e.Ctx)
	if got := e.channel.taken(); len(got) != 0 {
		t.Fatalf("a replayed plan delivered again: %q", got)
	}
}

func TestScheduledPublicationIsAJob(t *testing.T) {
	e := setup(t)
	a := e.approved(t, "全省司法行政系统宣传培训班开班")
	at := e.Now.Add(2 * time.Hour)
	a = e.Do(t, e.World.Chief, a.ID, workflow.ActPublish, workflow.Request{At: &at})
	if a.Status != herald.StatusScheduled {
		t.Fatalf("status %s", a.Status)
	}
	if n, _ := e.Runner.RunDue(e.Ctx); n != 0 {
		t.Fatalf("%d jobs ran two hours early", n)
	}
	// rescheduled to an hour later: the first job finds nothing to do
	later := at.Add(time.Hour)
	e.Do(t, e.World.Chief, a.ID, workflow.ActSchedule, workflow.Request{At: &later})
	e.Now = at
	e.Runner.RunDue(e.Ctx)
	if got, _ := e.Store.FindArticleByID(e.Ctx, a.ID); got.Status != herald.StatusScheduled {
		t.Fatalf("published at the old time: %s", got.Status)
	}
	e.Now = later
	e.Runner.RunDue(e.Ctx) // publishes, then plans and delivers
	got, _ := e.Store.FindArticleByID(e.Ctx, a.ID)
	if got.Status != herald.StatusPublished || !got.PublishedAt.Equal(later) {
		t.Fatalf("at its time: %s %v", got.Status, got.PublishedAt)
	}
	if calls := e.channel.taken(); len(calls) != 2 {
		t.Fatalf("the scheduled publication reached the channel %d times, want 2", len(calls))
	}
	// queueing every scheduled article again queues nothing twice
	if n, err := e.Flow.QueueScheduled(e.Ctx); err != nil || n != 0 {
		t.Fatalf("QueueScheduled = %d, %v", n, err)
	}
}

func TestACorrectionThatChangesChannelsAddsOrTakesBack(t *testing.T) {
	e := setup(t)
	a := e.approved(t, "市司法局发布十大典型案例")
	a = e.Do(t, e.World.Chief, a.ID, workflow.ActPublish, workflow.Request{})
	e.Runner.RunDue(e.Ctx)
	e.channel.taken()
	// the editor takes the microblog off: what was posted there is deleted
	off := a.ArticleContent.Clone()
	off.Channels = []herald.Channel{herald.ChannelWebsite}
	a = e.Do(t, e.World.Chief, a.ID, workflow.ActCorrect, workflow.Request{Content: &off, Comment: "不再发微博"})
	e.Runner.RunDue(e.Ctx)
	if got := e.channel.taken(); len(got) != 2 || !strings.HasPrefix(got[0], "delete") || !strings.HasPrefix(got[1], "delete") {
		t.Fatalf("taking the channel off: %q, want two deletes", got)
	}
	// and puts it back: posted again
	on := a.ArticleContent.Clone()
	on.Channels = []herald.Channel{herald.ChannelMicroblog}
	e.Do(t, e.World.Chief, a.ID, workflow.ActCorrect, workflow.Request{Content: &on, Comment: "恢复微博"})
	e.Runner.RunDue(e.Ctx)
	if got := e.channel.taken(); len(got) != 2 || !strings.HasPrefix(got[0], "create") {
		t.Fatalf("putting the channel back: %q, want two creates", got)
	}
}
