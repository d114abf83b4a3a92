package newsroom_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/delivery"
	"github.com/heraldnews/herald/jobs"
	"github.com/heraldnews/herald/workflow"
)

// microblog is a microblog channel whose peer refuses, for good, whatever is
// sent to the target "down", with a long error.
type microblog struct{}

func (microblog) Name() herald.Channel { return herald.ChannelMicroblog }

func (microblog) Targets(context.Context, *herald.Article) ([]string, error) {
	return []string{"site", "down"}, nil
}

func (microblog) Supports(string) bool { return true }

// refusal is the error of the target "down": longer than the jobs page shows
// before folding it, with an end to look for.
var refusal = "peer refused the post: 403 Forbidden: " + strings.Repeat("the instance blocks this server; ", 6) + "END-OF-ERROR"

func (microblog) Deliver(_ context.Context, d *herald.Delivery, a *herald.Article) (delivery.Result, error) {
	if d.Target == "down" {
		return delivery.Result{}, jobs.Permanent(errors.New(refusal))
	}
	return delivery.Result{ExternalID: fmt.Sprintf("note-%d", a.ID), ExternalURL: fmt.Sprintf("https://social.example/@herald/%d", a.ID)}, nil
}

// queueState is what the jobs tests start from: a published article whose
// microblog deliveries went out, one sent and one failed for good, and a
// scheduled publication of another article waiting in the queue.
type queueState struct {
	article      *herald.Article
	sent, failed *herald.Delivery
	sentJob      *herald.Job
	failedJob    *herald.Job
	publishJob   *herald.Job
}

// deliverJob is the job the delivery package queues for a delivery: its kind,
// key and payload.
func deliverJob(d *herald.Delivery) *herald.Job {
	p, _ := json.Marshal(map[string]any{"delivery": d.ID, "action": d.Action, "version": d.Version})
	return &herald.Job{Kind: delivery.KindDeliver, Key: fmt.Sprintf("%s/%d/%d/%s", delivery.KindDeliver, d.ID, d.Version, d.Action), Payload: p}
}

// planned is when runDeliveries plans its deliveries: before any job the
// demo queues is due, so that the runner takes them first and leaves those.
var planned = time.Date(2019, 1, 1, 8, 0, 0, 0, time.UTC)

// runDeliveries plans the microblog deliveries of article a and runs them
// with the delivery package's own handler.
func runDeliveries(t *testing.T, store herald.Store, clock herald.Clock, a *herald.Article) map[string]*herald.Job {
	t.Helper()
	ctx := context.Background()
	queued := map[string]*herald.Job{}
	for _, target := range []string{"site", "down"} {
		want := &herald.Delivery{ArticleID: a.ID, Channel: herald.ChannelMicroblog, Target: target, Action: herald.ActionCreate,
			Version: a.Version, UpdatedAt: planned}
		if _, err := store.PlanDelivery(ctx, want, func(d *herald.Delivery) *herald.Job {
			queued[target] = deliverJob(d)
			return queued[target]
		}); err != nil {
			t.Fatal(err)
		}
	}
	runner := jobs.New(store, clock, slog.New(slog.NewTextHandler(io.Discard, nil)))
	svc := delivery.New(store, clock)
	svc.Register(microblog{})
	svc.RegisterJobs(runner)
	for range 2 {
		if ran, err := runner.RunOne(ctx); err != nil || !ran {
			t.Fatalf("run a delivery: %v %v", ran, err)
		}
	}
	return queued
}

func fillQueue(t *testing.T, f *fixture) *queueState {
	t.Helper()
	return fillStore(t, f.store, func() time.Time { return *f.now })
}

// fillStore fills the job queue of store as fillQueue does.
func fillStore(t *testing.T, store herald.Store, clock herald.Clock) *queueState {
	t.Helper()
	ctx := context.Background()
	published, _, err := store.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusPublished}, Order: herald.ByPublished, Limit: 2})
	if err != nil || len(published) < 2 {
		t.Fatalf("published demo articles: %d, %v", len(published), err)
	}
	q := &queueState{article: published[0]}
	queued := runDeliveries(t, store, clock, q.article)
	ds, _, err := store.FindDeliveries(ctx, herald.DeliveryFilter{ArticleID: q.article.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		switch d.Target {
		case "site":
			q.sent = d
		case "down":
			q.failed = d
		}
	}
	if q.sent == nil || q.sent.Status != herald.DeliverySent || q.failed == nil || q.failed.Status != herald.DeliveryFailed {
		t.Fatalf("deliveries after running them: %+v %+v", q.sent, q.failed)
	}
	if q.sentJob, err = store.FindJobByID(ctx, queued["site"].ID); err != nil {
		t.Fatal(err)
	}
	if q.failedJob, err = store.FindJobByID(ctx, queued["down"].ID); err != nil || q.failedJob.Status != herald.JobFailed {
		t.Fatalf("the failed delivery's job: %+v, %v", q.failedJob, err)
	}
	other := published[1]
	at := clock.Now().Add(time.Hour)
	q.publishJob = &herald.Job{Kind: workflow.KindPublish, Key: fmt.Sprintf("%s/%d/%d", workflow.KindPublish, other.ID, at.UnixMicro()),
		Payload: []byte(fmt.Sprintf(`{"article":%d,"at":%d}`, other.ID, at.UnixMicro())), RunAt: at}
	if err := store.EnqueueJobs(ctx, clock.Now(), q.publishJob); err != nil {
		t.Fatal(err)
	}
	return q
}

func TestJobsPageListsFailedJobsFirst(t *testing.T) {
	f := newFixture(t)
	q := fillQueue(t, f)
	b := f.browser(t)
	b.login("guoting") // an editor
	code, page := b.get("/newsroom/jobs")
	if code != http.StatusOK {
		t.Fatalf("jobs page: %d", code)
	}
	if !strings.Contains(page, `<a href="/newsroom/jobs">后台任务</a>`) {
		t.Error("the navigation has no link to the jobs page for an editor")
	}
	// The failed job comes first, then the queued ones, newest first.
	failedAt := strings.Index(page, fmt.Sprintf(`action="/newsroom/jobs/%d/retry"`, q.failedJob.ID))
	queuedAt := strings.Index(page, fmt.Sprintf(`action="/newsroom/jobs/%d/cancel"`, q.publishJob.ID))
	if failedAt < 0 || queuedAt < 0 || failedAt > queuedAt || strings.Index(page, `<span class="badge job-queued">`) < failedAt {
		t.Fatalf("the list does not show the failed job, then the queued ones: %d %d", failedAt, queuedAt)
	}
	if strings.Contains(page, fmt.Sprintf(`/newsroom/jobs/%d/retry"`, q.publishJob.ID)) {
		t.Error("a queued job offers a retry")
	}
	_, done := b.get("/newsroom/jobs?status=done")
	if !strings.Contains(done, fmt.Sprintf("#%d</span>", q.sentJob.ID)) || strings.Contains(done, fmt.Sprintf(`/newsroom/jobs/%d/`, q.sentJob.ID)) {
		t.Error("the done job is not listed under done, or offers an action")
	}
	if !strings.Contains(page, fmt.Sprintf(`action="/newsroom/jobs/%d/cancel"`, q.failedJob.ID)) {
		t.Error("the failed job cannot be cancelled")
	}
	for _, want := range []string{
		"投递", "定时发布", "1/12", html.EscapeString(q.failedJob.Key),
		html.EscapeString(refusal), // the whole error, folded
		fmt.Sprintf(`<a href="/newsroom/articles/%d">%s</a> · 官方微博 · down`, q.article.ID, html.EscapeString(q.article.Title)),
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the jobs page lacks %q", want)
		}
	}
	content := page[strings.Index(page, "<main"):] // past the header's menu
	if preview := content[strings.Index(content, "<summary>"):strings.Index(content, "</summary>")]; strings.Contains(preview, "END-OF-ERROR") || !strings.Contains(preview, "peer refused the post") {
		t.Errorf("the error's preview is %q, want its start only", preview)
	}
	// The chart counts each state, the longest bar the fullest; the list can
	// be filtered to one state.
	counts, _ := f.store.CountJobs(context.Background())
	longest := 0
	for _, n := range counts {
		longest = max(longest, n)
	}
	for _, st := range herald.JobStatuses {
		bar := fmt.Sprintf(`<rect width="%d" height="10"></rect></svg><span class="job-chart-count">%d</span>`, counts[st]*100/longest, counts[st])
		_, li, _ := strings.Cut(page, `<li class="job-`+string(st)+`">`)
		if li, _, _ = strings.Cut(li, "</li>"); !strings.Contains(li, bar) {
			t.Errorf("the chart's %s bar is not %s", st, bar)
		}
	}
	if counts[herald.JobFailed] != 1 {
		t.Errorf("%d failed jobs", counts[herald.JobFailed])
	}
	_, failedOnly := b.get("/newsroom/jobs?status=failed")
	if !strings.Contains(failedOnly, html.EscapeString(q.failedJob.Key)) || strings.Contains(failedOnly, html.EscapeString(q.publishJob.Key)) {
		t.Error("the failed filter does not list exactly the failed jobs")
	}
	if code, _ := b.get("/newsroom/jobs?status=stuck"); code != http.StatusBadRequest {
		t.Errorf("an unknown status filter: %d", code)
	}
	b.get("/newsroom/lang/en")
	if _, en := b.get("/newsroom/jobs"); !strings.Contains(en, "Scheduled publication") || !strings.Contains(en, "Background jobs") {
		t.Error("the jobs page is not in English after choosing it")
	}
}

func TestJobsPagePages(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var queued []*herald.Job
	for i := range 30 {
		queued = append(queued, &herald.Job{Kind: "mail.send", Key: fmt.Sprintf("mail/%02d", i), RunAt: f.now.Add(time.Hour)})
	}
	if err := f.store.EnqueueJobs(ctx, *f.now, queued...); err != nil {
		t.Fatal(err)
	}
	// one failed job, which comes first although it is the newest
	if err := f.store.EnqueueJobs(ctx, *f.now, &herald.Job{Kind: "mail.send", Key: "mail/failing", MaxAttempts: 1}); err != nil {
		t.Fatal(err)
	}
	j, err := f.store.ClaimJob(ctx, "w1", []string{"mail.send"}, *f.now, time.Minute)
	if err != nil || j == nil || j.Key != "mail/failing" {
		t.Fatalf("claim: %+v %v", j, err)
	}
	if err := f.store.FinishJob(ctx, j.ID, "w1", herald.JobOutcome{At: *f.now, Err: "smtp: 550 mailbox unavailable"}); err != nil {
		t.Fatal(err)
	}
	all, total, err := f.store.FindJobs(ctx, herald.JobFilter{})
	if err != nil || total < 31 {
		t.Fatalf("%d jobs: %v", total, err)
	}
	b := f.browser(t)
	b.login("wangyalan") // the editor-in-chief
	pages := (total + 24) / 25
	seen := map[string]int{}
	for n := 1; n <= pages; n++ {
		_, p := b.get(fmt.Sprintf("/newsroom/jobs?page=%d", n))
		if !strings.Contains(p, fmt.Sprintf("第 %d 页，共 %d 页", n, pages)) {
			t.Errorf("page %d does not say it is page %d of %d", n, n, pages)
		}
		if n == 1 && strings.Index(p, "<code>mail/failing</code>") != strings.Index(p, "<code>") {
			t.Error("the first page does not start with the failed job")
		}
		if (n > 1) != strings.Contains(p, `rel="prev"`) || (n < pages) != strings.Contains(p, fmt.Sprintf(`href="/newsroom/jobs?status=&amp;page=%d" rel="next"`, n+1)) {
			t.Errorf("page %d does not link to exactly its neighbours", n)
		}
		for _, job := range all {
			if strings.Contains(p, "<code>"+html.EscapeString(job.Key)+"</code>") {
				seen[job.Key]++
			}
		}
	}
	if len(seen) != total {
		t.Errorf("the pages show %d of the %d jobs", len(seen), total)
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("%s is on %d pages", k, n)
		}
	}
}

func TestRetryAndCancelJobs(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	q := fillQueue(t, f)
	b := f.browser(t)
	b.login("guoting")
	me, _, _ := f.store.FindStaff(ctx, herald.StaffFilter{Username: "guoting"})
	_, page := b.get("/newsroom/jobs?status=failed")
	csrf := b.csrf(page)
	retry := fmt.Sprintf("/newsroom/jobs/%d/retry", q.failedJob.ID)

	if code, _, _ := b.post(retry, url.Values{"back": {"/newsroom/jobs?status=failed"}}); code != http.StatusForbidden {
		t.Fatalf("retry without a CSRF token: %d", code)
	}
	if j, _ := f.store.FindJobByID(ctx, q.failedJob.ID); j.Status != herald.JobFailed {
		t.Fatalf("a forged retry changed the job to %s", j.Status)
	}
	*f.now = f.now.Add(time.Minute)
	code, loc, _ := b.post(retry, url.Values{"csrf": {csrf}, "back": {"/newsroom/jobs?status=failed"}})
	if code != http.StatusSeeOther || loc != "/newsroom/jobs?done=job_retried&status=failed" {
		t.Fatalf("retry: %d %s", code, loc)
	}
	j, _ := f.store.FindJobByID(ctx, q.failedJob.ID)
	if j.Status != herald.JobQueued || j.Attempts != 0 || !j.RunAt.Equal(*f.now) {
		t.Fatalf("after the retry the job is %s, %d attempts, due %s", j.Status, j.Attempts, j.RunAt)
	}
	events, _ := f.store.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityJob, EntityID: j.ID})
	if len(events) != 1 || events[0].Action != "retry" || events[0].ActorID != me[0].ID || events[0].FromStatus != "failed" || events[0].ToStatus != "queued" {
		t.Fatalf("audit events of the retry: %+v", events)
	}
	if _, back := b.get(loc); !strings.Contains(back, `<p class="flash" role="status">任务已重新排队，稍后将再次执行。</p>`) {
		t.Error("the jobs page does not say the job was queued again")
	}
	// Again: it is queued now, which the message says.
	if code, _, body := b.post(retry, url.Values{"csrf": {csrf}}); code != http.StatusConflict ||
		!strings.Contains(body, fmt.Sprintf("无法重试：任务 #%d 现在的状态是“排队中”", j.ID)) {
		t.Fatalf("retrying a queued job: %d", code)
	}

	cancel := fmt.Sprintf("/newsroom/jobs/%d/cancel", q.publishJob.ID)
	if code, loc, _ := b.post(cancel, url.Values{"csrf": {csrf}}); code != http.StatusSeeOther || loc != "/newsroom/jobs?done=job_cancelled" {
		t.Fatalf("cancel: %d %s", code, loc)
	}
	if j, _ := f.store.FindJobByID(ctx, q.publishJob.ID); j.Status != herald.JobCancelled {
		t.Fatalf("after cancelling the job is %s", j.Status)
	}
	events, _ = f.store.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityJob, EntityID: q.publishJob.ID})
	if len(events) != 1 || events[0].Action != "cancel" || events[0].ActorID != me[0].ID {
		t.Fatalf("audit events of the cancellation: %+v", events)
	}
	if code, _, body := b.post(cancel, url.Values{"csrf": {csrf}}); code != http.StatusConflict || !strings.Contains(body, "现在的状态是“已取消”") {
		t.Fatalf("cancelling a cancelled job: %d", code)
	}
	if code, _, body := b.post(fmt.Sprintf("/newsroom/jobs/%d/cancel", q.sentJob.ID), url.Values{"csrf": {csrf}}); code != http.StatusConflict || !strings.Contains(body, "“已完成”") {
		t.Fatalf("cancelling a done job: %d", code)
	}
	if code, _, body := b.post("/newsroom/jobs/99999/retry", url.Values{"csrf": {csrf}}); code != http.StatusNotFound || !strings.Contains(body, "没有这个任务") {
		t.Fatalf("retrying a job that does not exist: %d", code)
	}
	// A redirect never leaves the newsroom.
	if code, loc, _ := b.post(fmt.Sprintf("/newsroom/jobs/%d/retry", q.publishJob.ID), url.Values{"csrf": {csrf}, "back": {"https://evil.example/"}}); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/newsroom/") {
		t.Fatalf("retry with a foreign back address: %d %s", code, loc)
	}
}

func TestJobsAreForEditorsOnly(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	q := fillQueue(t, f)
	for _, user := range []string{"baiyonggang", "zhoulixin", "majianguo"} { // a correspondent, a viewer, a trainer
		b := f.browser(t)
		b.login(user)
		_, desk := b.get("/newsroom/")
		if strings.Contains(desk, `href="/newsroom/jobs"`) {
			t.Errorf("%s: the navigation links to the jobs page", user)
		}
		if code, body := b.get("/newsroom/jobs"); code != http.StatusForbidden || !strings.Contains(body, "只有编辑、总编辑和管理员") {
			t.Errorf("%s: jobs page %d", user, code)
		}
		csrf := b.csrf(desk)
		for _, path := range []string{fmt.Sprintf("/newsroom/jobs/%d/retry", q.failedJob.ID), fmt.Sprintf("/newsroom/jobs/%d/cancel", q.failedJob.ID),
			fmt.Sprintf("/newsroom/articles/%d/deliveries/%d/retry", q.article.ID, q.failed.ID)} {
			if code, _, _ := b.post(path, url.Values{"csrf": {csrf}}); code != http.StatusForbidden {
				t.Errorf("%s: POST %s: %d", user, path, code)
			}
		}
	}
	if j, _ := f.store.FindJobByID(ctx, q.failedJob.ID); j.Status != herald.JobFailed {
		t.Fatalf("refused requests changed the job to %s", j.Status)
	}
	admin := f.browser(t)
	admin.login("zhaojun")
	if code, _ := admin.get("/newsroom/jobs"); code != http.StatusOK {
		t.Errorf("an admin's jobs page: %d", code)
	}
}

func TestArticlePageShowsDeliveries(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	q := fillQueue(t, f)
	path := "/newsroom/articles/" + itoa(q.article.ID)
	retry := fmt.Sprintf("%s/deliveries/%d/retry", path, q.failed.ID)

	viewer := f.browser(t)
	viewer.login("zhoulixin")
	_, page := viewer.get(path)
	for _, want := range []string{
		`<h2 id="deliveries-h">渠道投递</h2>`,
		`<span class="badge delivery-sent">已投递</span> <strong>官方微博</strong> <span class="meta">site</span>`,
		`<span class="badge delivery-failed">失败</span> <strong>官方微博</strong> <span class="meta">down</span>`,
		`<a href="https://social.example/@herald/` + itoa(q.article.ID) + `"`,
		html.EscapeString(refusal),
		`<a href="/newsroom/articles/` + itoa(q.article.ID) + `/wechat">微信公众号版本</a>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the article page lacks %q", want)
		}
	}
	if strings.Contains(page, retry) {
		t.Error("a viewer is offered to retry a delivery")
	}

	b := f.browser(t)
	b.login("guoting")
	_, page = b.get(path)
	if !strings.Contains(page, `action="`+retry+`"`) || strings.Contains(page, fmt.Sprintf("/deliveries/%d/retry", q.sent.ID)) {
		t.Fatal("the editor is not offered to retry exactly the failed delivery")
	}
	csrf := b.csrf(page)
	if code, _, _ := b.post(retry, nil); code != http.StatusForbidden {
		t.Fatalf("retry without a CSRF token: %d", code)
	}
	code, loc, _ := b.post(retry, url.Values{"csrf": {csrf}})
	if code != http.StatusSeeOther || loc != path+"?done=delivery_retried" {
		t.Fatalf("retry the delivery: %d %s", code, loc)
	}
	if j, _ := f.store.FindJobByID(ctx, q.failedJob.ID); j.Status != herald.JobQueued {
		t.Fatalf("after retrying the delivery its job is %s", j.Status)
	}
	events, _ := f.store.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityJob, EntityID: q.failedJob.ID})
	if me, _, _ := f.store.FindStaff(ctx, herald.StaffFilter{Username: "guoting"}); len(events) != 1 || events[0].ActorID != me[0].ID {
		t.Fatalf("audit events of the retry: %+v", events)
	}
	_, page = b.get(loc)
	if !strings.Contains(page, "投递已重新排队，稍后将再次尝试。") || !strings.Contains(page, "已重新排队，等待执行。") || strings.Contains(page, `action="`+retry+`"`) {
		t.Error("after the retry the page does not say the delivery is queued again, or still offers the retry")
	}
	if code, _, body := b.post(retry, url.Values{"csrf": {csrf}}); code != http.StatusConflict || !strings.Contains(body, "任务 #"+itoa(q.failedJob.ID)) {
		t.Errorf("retrying a delivery whose job is queued: %d", code)
	}
	if code, _, body := b.post(fmt.Sprintf("%s/deliveries/%d/retry", path, q.sent.ID), url.Values{"csrf": {csrf}}); code != http.StatusConflict || !strings.Contains(body, "“已投递”") {
		t.Errorf("retrying a sent delivery: %d", code)
	}
	for _, wrong := range []string{fmt.Sprintf("/newsroom/articles/%d/deliveries/%d/retry", q.article.ID+1, q.failed.ID), path + "/deliveries/x/retry", path + "/deliveries/99999/retry"} {
		if code, _, _ := b.post(wrong, url.Values{"csrf": {csrf}}); code != http.StatusNotFound {
			t.Errorf("POST %s: %d, want 404", wrong, code)
		}
	}
	// The job list links the delivery's jobs to the article.
	_, jobsPage := b.get("/newsroom/jobs")
	if !strings.Contains(jobsPage, `<a href="/newsroom/articles/`+itoa(q.article.ID)+`">`) {
		t.Error("the jobs page does not link the delivery jobs to their article")
	}
}
