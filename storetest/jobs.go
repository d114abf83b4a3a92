package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/heraldnews/herald"
)

func testJobs(t *testing.T, s herald.Store) {
	ctx := context.Background()
	lease := time.Minute
	kinds := []string{"deliver", "publish"}

	t.Run("enqueue is idempotent by key", func(t *testing.T) {
		a := &herald.Job{Kind: "deliver", Key: "k/1", Payload: []byte(`{"delivery":1}`)}
		must(t, s.EnqueueJobs(ctx, T0, a, &herald.Job{Kind: "deliver", Key: "k/2", RunAt: T0.Add(30 * time.Second)}))
		if a.ID == 0 || a.Status != herald.JobQueued || a.MaxAttempts != herald.DefaultMaxAttempts || !a.RunAt.Equal(T0) {
			t.Fatalf("queued job = %+v", a)
		}
		again := &herald.Job{Kind: "deliver", Key: "k/1", Payload: []byte(`{"delivery":99}`)}
		must(t, s.EnqueueJobs(ctx, T0, again))
		if again.ID != 0 {
			t.Fatalf("a second job with key k/1 was queued: %+v", again)
		}
		got, err := s.FindJobByID(ctx, a.ID)
		must(t, err)
		if string(got.Payload) != `{"delivery":1}` {
			t.Fatalf("payload = %s: the first job should stay as it was", got.Payload)
		}
		wantCode(t, s.EnqueueJobs(ctx, T0, &herald.Job{Kind: "deliver", Key: "bad", Payload: []byte("{")}), herald.EINVALID, "payload")
		wantCode(t, s.EnqueueJobs(ctx, T0, &herald.Job{Kind: "", Key: "x"}), herald.EINVALID, "kind")
		// a bad job in a batch keeps the good ones out too
		wantCode(t, s.EnqueueJobs(ctx, T0, &herald.Job{Kind: "deliver", Key: "k/3"}, &herald.Job{Kind: "deliver"}), herald.EINVALID, "key")
		if _, n, _ := s.FindJobs(ctx, herald.JobFilter{}); n != 2 {
			t.Fatalf("%d jobs, want 2", n)
		}
	})

	t.Run("claim takes due jobs in order and counts attempts", func(t *testing.T) {
		j, err := s.ClaimJob(ctx, "w1", kinds, T0, lease)
		must(t, err)
		if j == nil || j.Key != "k/1" || j.Status != herald.JobRunning || j.Attempts != 1 || j.Worker != "w1" || !j.LeaseUntil.Equal(T0.Add(lease)) {
			t.Fatalf("claimed %+v", j)
		}
		if j2, err := s.ClaimJob(ctx, "w2", kinds, T0, lease); err != nil || j2 != nil {
			t.Fatalf("w2 claimed %+v (%v): the other job is not due yet", j2, err)
		}
		if j2, _ := s.ClaimJob(ctx, "w2", []string{"mail"}, T0.Add(2*time.Hour), lease); j2 != nil {
			t.Fatalf("a worker for mail claimed a %s job", j2.Kind)
		}
		// the second job is due later; once due, another worker takes it
		j2, err := s.ClaimJob(ctx, "w2", kinds, T0.Add(30*time.Second), lease)
		must(t, err)
		if j2 == nil || j2.Key != "k/2" {
			t.Fatalf("claimed %+v, want k/2", j2)
		}
		// a failure that may pass puts it back with its next time
		retry := T0.Add(2 * time.Hour)
		must(t, s.FinishJob(ctx, j2.ID, "w2", herald.JobOutcome{At: T0.Add(30 * time.Second), Err: "connection refused", RetryAt: &retry}))
		got, _ := s.FindJobByID(ctx, j2.ID)
		if got.Status != herald.JobQueued || !got.RunAt.Equal(retry) || got.LastError != "connection refused" || got.Worker != "" || got.LeaseUntil != nil {
			t.Fatalf("after a retryable failure: %+v", got)
		}
		// the first worker stops answering: its lease runs out and w3 takes the job over
		j3, err := s.ClaimJob(ctx, "w3", kinds, T0.Add(lease+time.Second), lease)
		must(t, err)
		if j3 == nil || j3.ID != j.ID || j3.Attempts != 2 || j3.Worker != "w3" {
			t.Fatalf("after the lease ran out, w3 claimed %+v", j3)
		}
		// w1 comes back: it holds nothing any more
		wantCode(t, s.FinishJob(ctx, j.ID, "w1", herald.JobOutcome{At: T0.Add(2 * lease)}), herald.ECONFLICT, "")
		wantCode(t, s.ExtendJob(ctx, j.ID, "w1", T0.Add(3*lease)), herald.ECONFLICT, "")
		must(t, s.ExtendJob(ctx, j.ID, "w3", T0.Add(3*lease)))
		must(t, s.FinishJob(ctx, j.ID, "w3", herald.JobOutcome{At: T0.Add(2 * lease)}))
		got, _ = s.FindJobByID(ctx, j.ID)
		if got.Status != herald.JobDone || got.FinishedAt == nil || got.LastError != "" {
			t.Fatalf("done job = %+v", got)
		}
		// a failure for good
		j4, _ := s.ClaimJob(ctx, "w1", kinds, retry, lease)
		if j4 == nil || j4.ID != j2.ID || j4.Attempts != 2 {
			t.Fatalf("claimed %+v, want k/2 again", j4)
		}
		must(t, s.FinishJob(ctx, j4.ID, "w1", herald.JobOutcome{At: retry, Err: "550 no such user"}))
		if j5, _ := s.ClaimJob(ctx, "w1", kinds, retry.Add(24*time.Hour), lease); j5 != nil {
			t.Fatalf("claimed %+v: nothing is due", j5)
		}
		counts, err := s.CountJobs(ctx)
		must(t, err)
		if counts[herald.JobDone] != 1 || counts[herald.JobFailed] != 1 {
			t.Fatalf("counts = %v", counts)
		}
		failed, n, err := s.FindJobs(ctx, herald.JobFilter{Statuses: []herald.JobStatus{herald.JobFailed}})
		must(t, err)
		if n != 1 || failed[0].Key != "k/2" || failed[0].LastError != "550 no such user" {
			t.Fatalf("failed jobs = %d %+v", n, failed)
		}
	})

	t.Run("editors retry and cancel, audited", func(t *testing.T) {
		failed, _, _ := s.FindJobs(ctx, herald.JobFilter{Statuses: []herald.JobStatus{herald.JobFailed}})
		id := failed[0].ID
		at := T0.Add(48 * time.Hour)
		j, err := s.RetryJob(ctx, id, herald.Event{At: at, ActorID: 0, Comment: ""})
		must(t, err)
		if j.Status != herald.JobQueued || j.Attempts != 0 || !j.RunAt.Equal(at) || j.FinishedAt != nil {
			t.Fatalf("retried job = %+v", j)
		}
		_, err = s.RetryJob(ctx, id, herald.Event{At: at})
		wantCode(t, err, herald.ECONFLICT, "")
		j, err = s.CancelJob(ctx, id, herald.Event{At: at})
		must(t, err)
		if j.Status != herald.JobCancelled {
			t.Fatalf("cancelled job = %+v", j)
		}
		if j, _ := s.ClaimJob(ctx, "w1", kinds, at.Add(time.Hour), lease); j != nil {
			t.Fatalf("a cancelled job was claimed: %+v", j)
		}
		_, err = s.CancelJob(ctx, 999999, herald.Event{At: at})
		wantCode(t, err, herald.ENOTFOUND, "")
		evs, err := s.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityJob, EntityID: id})
		must(t, err)
		if len(evs) != 2 || evs[0].Action != "retry" || evs[0].FromStatus != "failed" || evs[0].ToStatus != "queued" || evs[1].Action != "cancel" {
			t.Fatalf("events = %+v", evs)
		}
	})

	t.Run("concurrent workers never share a job", func(t *testing.T) {
		const n, workers = 60, 6
		var jobs []*herald.Job
		for i := range n {
			jobs = append(jobs, &herald.Job{Kind: "publish", Key: fmt.Sprintf("c/%d", i), RunAt: T0})
		}
		must(t, s.EnqueueJobs(ctx, T0, jobs...))
		var mu sync.Mutex
		taken := map[int64]string{}
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for w := range workers {
			worker := fmt.Sprintf("cw%d", w)
			wg.Go(func() {
				for {
					j, err := s.ClaimJob(ctx, worker, []string{"publish"}, T0.Add(time.Hour), lease)
					if err != nil {
						errs <- err
						return
					}
					if j == nil {
						return
					}
					mu.Lock()
					prev, dup := taken[j.ID]
					taken[j.ID] = worker
					mu.Unlock()
					if dup {
						errs <- fmt.Errorf("job %d claimed by %s and %s", j.ID, prev, worker)
						return
					}
					if err := s.FinishJob(ctx, j.ID, worker, herald.JobOutcome{At: T0.Add(time.Hour)}); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if len(taken) != n {
			t.Fatalf("%d jobs ran, want %d", len(taken), n)
		}
	})
}

func testDeliveries(t *testing.T, s herald.Store) {
	ctx := context.Background()
	w := NewWorld(t, s)
	a := &herald.Article{ArticleContent: Content(w.News, "省司法厅召开新闻发布会"), UnitID: w.Center.ID, CreatedBy: w.Editor.ID, Status: herald.StatusPublished}
	must(t, s.CreateArticle(ctx, a, ev(w.Editor.ID)))
	job := func(d *herald.Delivery) *herald.Job {
		return &herald.Job{Kind: "deliver", Key: fmt.Sprintf("deliver/%d/%s/%d", d.ID, d.Action, d.Version), Payload: []byte(fmt.Sprintf(`{"delivery":%d}`, d.ID))}
	}
	plan := func(action string, version int, at time.Time) *herald.Delivery {
		t.Helper()
		d, err := s.PlanDelivery(ctx, &herald.Delivery{ArticleID: a.ID, Channel: herald.ChannelMicroblog, Target: "site", Action: action, Version: version, UpdatedAt: at}, job)
		must(t, err)
		return d
	}
	d := plan(herald.ActionCreate, 2, T0)
	if d.ID == 0 || d.Status != herald.DeliveryPending || d.Action != herald.ActionCreate {
		t.Fatalf("planned %+v", d)
	}
	if again := plan(herald.ActionCreate, 2, T0.Add(time.Second)); again.ID != d.ID || !again.UpdatedAt.Equal(T0) {
		t.Fatalf("planning the same action twice changed it: %+v", again)
	}
	_, err := s.UpdateDelivery(ctx, d.ID, func(d *herald.Delivery) error {
		sent := T0.Add(time.Minute)
		d.Status, d.Attempts, d.ExternalID, d.SentAt, d.UpdatedAt = herald.DeliverySent, 1, "https://example.org/notes/1", &sent, sent
		return nil
	})
	must(t, err)
	del := plan(herald.ActionDelete, 4, T0.Add(time.Hour))
	if del.ID != d.ID || del.Action != herald.ActionDelete || del.Status != herald.DeliveryPending || del.Attempts != 0 || del.ExternalID != "https://example.org/notes/1" {
		t.Fatalf("re-aimed delivery = %+v (the external ID must stay for the delete)", del)
	}
	// a late correction, older than the retraction, changes nothing
	if late := plan(herald.ActionUpdate, 3, T0.Add(2*time.Hour)); late.Action != herald.ActionDelete || late.Version != 4 {
		t.Fatalf("an older update overtook the delete: %+v", late)
	}
	jobs, n, err := s.FindJobs(ctx, herald.JobFilter{Kind: "deliver"})
	must(t, err)
	if n != 2 || jobs[0].Key != fmt.Sprintf("deliver/%d/delete/4", d.ID) || jobs[1].Key != fmt.Sprintf("deliver/%d/create/2", d.ID) {
		t.Fatalf("jobs = %d, %+v", n, jobs)
	}
	_, err = s.PlanDelivery(ctx, &herald.Delivery{ArticleID: a.ID, Channel: "fax", Target: "", Action: "shout", UpdatedAt: T0}, job)
	wantCode(t, err, herald.EINVALID, "channel")
	wantCode(t, err, herald.EINVALID, "target")
	wantCode(t, err, herald.EINVALID, "action")
	_, err = s.UpdateDelivery(ctx, d.ID, func(d *herald.Delivery) error { d.Status = "lost"; return nil })
	wantCode(t, err, herald.EINVALID, "status")
	ds, n, err := s.FindDeliveries(ctx, herald.DeliveryFilter{ArticleID: a.ID, Statuses: []herald.DeliveryStatus{herald.DeliveryPending}})
	must(t, err)
	if n != 1 || ds[0].ID != d.ID {
		t.Fatalf("deliveries = %d %+v", n, ds)
	}
	_, err = s.PlanDelivery(ctx, &herald.Delivery{ArticleID: a.ID, Channel: herald.ChannelMicroblog, Target: "news", Action: herald.ActionCreate, Version: 4, UpdatedAt: T0}, job)
	must(t, err)
	for target, want := range map[string]int{"site": 1, "news": 1, "other": 0, "": 2} {
		if _, n, err := s.FindDeliveries(ctx, herald.DeliveryFilter{Channel: herald.ChannelMicroblog, Target: target}); err != nil || n != want {
			t.Fatalf("deliveries to %q: %d (%v), want %d", target, n, err, want)
		}
	}
	if _, err := s.FindDeliveryByID(ctx, 424242); herald.ErrorCode(err) != herald.ENOTFOUND {
		t.Fatalf("missing delivery: %v", err)
	}
}
