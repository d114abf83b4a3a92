package newsletter_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/delivery"
	"github.com/heraldnews/herald/internal/mailpittest"
	"github.com/heraldnews/herald/jobs"
	"github.com/heraldnews/herald/mail"
	"github.com/heraldnews/herald/newsletter"
	"github.com/heraldnews/herald/portal"
	"github.com/heraldnews/herald/sqlite"
	"github.com/heraldnews/herald/storetest"
	"github.com/heraldnews/herald/workflow"
)

const (
	base     = "https://news.example.gov.cn"
	siteName = "河北司法行政网"
	domain   = "sft.example.gov.cn"
)

// env is a province with the workflow, the delivery engine with the
// newsletter as its public account channel, the job runner, a real mailpit
// and the portal's subscription pages, on a clock the test moves.
type env struct {
	ctx    context.Context
	store  herald.Store
	world  *storetest.World
	other  *herald.Column // a second one-level column
	now    time.Time
	flow   *workflow.Service
	runner *jobs.Runner
	nl     *newsletter.Service
	mp     *mailpittest.Server
	portal *portal.Portal
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
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	must(t, s.UpdateSettings(e.ctx, &herald.SiteSettings{SiteName: siteName, SiteNameEn: "Hebei Justice"}, herald.Event{At: e.now}))
	e.other = &herald.Column{Slug: "notices", Name: "通知公告", NameEn: "Notices", ReviewLevels: 1, Position: 3}
	must(t, s.CreateColumn(e.ctx, e.other, herald.Event{At: e.now}))
	e.mp = mailpittest.Start(t, mailpittest.Options{Chaos: true})
	e.nl, err = newsletter.New(s, clock, log, newsletter.Config{SMTPAddr: e.mp.SMTPAddr, TLS: mail.TLSOff, HeloName: "herald.test",
		FromAddress: "news@" + domain, BaseURL: base, RatePerSecond: 1000})
	must(t, err)
	e.flow = workflow.NewService(s, clock)
	e.flow.Follow = delivery.Follow
	svc := delivery.New(s, clock)
	svc.Register(e.nl)
	e.runner = jobs.New(s, clock, log)
	e.runner.Backoff = func(int) time.Duration { return time.Minute }
	e.runner.Handle(workflow.KindPublish, e.flow.RunPublishJob)
	svc.RegisterJobs(e.runner)
	e.nl.RegisterJobs(e.runner)
	e.portal, err = portal.New(s, nil, clock, log, base)
	must(t, err)
	e.portal.Newsletter = e.nl
	return e
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantField(t testing.TB, err error, code, field, msg string) {
	t.Helper()
	if herald.ErrorCode(err) != code {
		t.Fatalf("error %v: code %q, want %q", err, herald.ErrorCode(err), code)
	}
	for _, f := range herald.ErrorFields(err) {
		if f.Field == field && (msg == "" || f.Message == msg) {
			return
		}
	}
	t.Fatalf("error %v does not say %s: %q", err, field, msg)
}

// run runs every due job.
func (e *env) run(t *testing.T) {
	t.Helper()
	if _, err := e.runner.RunDue(e.ctx); err != nil {
		t.Fatal(err)
	}
}

func prefs(f herald.Frequency, columns ...int64) herald.SubscriptionPrefs {
	return herald.SubscriptionPrefs{Frequency: f, ColumnIDs: columns, Language: "zh-CN"}
}

func (e *env) subscribe(t *testing.T, email string, p herald.SubscriptionPrefs) {
	t.Helper()
	must(t, e.nl.Subscribe(e.ctx, herald.SubscriptionRequest{Email: email, SubscriptionPrefs: p, ClientHash: "client-" + email}))
}

// mailsTo lists the messages that arrived for an address, oldest first.
func (e *env) mailsTo(t *testing.T, addr string) []mailpittest.Summary {
	t.Helper()
	var out []mailpittest.Summary
	for _, m := range e.mp.Messages(t) {
		if len(m.To) == 1 && m.To[0].Address == addr {
			out = append(out, m)
		}
	}
	slices.Reverse(out)
	return out
}

// waitMails waits until total messages arrived in all and returns those to addr.
func (e *env) waitMails(t *testing.T, total int, addr string) []mailpittest.Summary {
	t.Helper()
	if got := e.mp.WaitForMessages(t, total); len(got) != total {
		t.Fatalf("%d messages arrived, want %d", len(got), total)
	}
	return e.mailsTo(t, addr)
}

var confirmLink = regexp.MustCompile(`https://news\.example\.gov\.cn/subscribe/confirm\?token=[^\s"<>&]+`)

// linkIn returns the confirmation link in a message's text.
func (e *env) linkIn(t *testing.T, id string) string {
	t.Helper()
	link := confirmLink.FindString(e.mp.Message(t, id).Text)
	if link == "" {
		t.Fatalf("no confirmation link in message %s", id)
	}
	return link
}

func tokenOf(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	must(t, err)
	return u.Query().Get("token")
}

// subscribed subscribes and confirms an address the way a reader does.
func (e *env) subscribed(t *testing.T, email string, p herald.SubscriptionPrefs) *herald.Subscriber {
	t.Helper()
	before := len(e.mp.Messages(t))
	e.subscribe(t, email, p)
	e.run(t)
	got := e.waitMails(t, before+1, email)
	sub, err := e.nl.Confirm(e.ctx, tokenOf(t, e.linkIn(t, got[len(got)-1].ID)))
	must(t, err)
	if sub.Status != herald.SubscriberActive {
		t.Fatalf("after confirming: %+v", sub)
	}
	return sub
}

// publish publishes a story on the public account channel through the workflow.
func (e *env) publish(t *testing.T, title string, col *herald.Column) *herald.Article {
	t.Helper()
	c := storetest.Content(col, title)
	c.Channels = []herald.Channel{herald.ChannelPublicAccount}
	a, err := e.flow.Create(e.ctx, e.world.Writer, workflow.Draft{ArticleContent: c})
	must(t, err)
	e.act(t, e.world.Writer, a.ID, workflow.ActSubmit, workflow.Request{})
	e.act(t, e.world.Chief, a.ID, workflow.ActApprove, workflow.Request{})
	return e.act(t, e.world.Chief, a.ID, workflow.ActPublish, workflow.Request{})
}

func (e *env) act(t *testing.T, who *herald.Staff, id int64, act workflow.Action, req workflow.Request) *herald.Article {
	t.Helper()
	a, err := e.flow.Do(e.ctx, who, id, act, req)
	if err != nil {
		t.Fatalf("%s: %v", act, err)
	}
	return a
}

// serve sends a request to the portal.
func (e *env) serve(method, target, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	w := httptest.NewRecorder()
	e.portal.ServeHTTP(w, r)
	return w
}

func (e *env) subscriber(t *testing.T, email string) *herald.Subscriber {
	t.Helper()
	sub, err := e.store.FindSubscriberByEmail(e.ctx, email)
	must(t, err)
	return sub
}

func TestSubscribeConfirmPublishRetractUnsubscribe(t *testing.T) {
	e := setup(t)
	e.subscribe(t, "  Reader@Example.CN ", herald.SubscriptionPrefs{Name: "李明", Frequency: herald.FrequencyEach, Language: "zh-CN"})
	e.subscribe(t, "pending@example.cn", prefs(herald.FrequencyEach))
	e.run(t)
	mails := e.waitMails(t, 2, "reader@example.cn")
	if len(mails) != 1 || mails[0].Subject != "请确认订阅"+siteName+"的邮件推送" {
		t.Fatalf("mails to the reader = %+v, want exactly one confirmation", mails)
	}
	confirmation := e.mp.Message(t, mails[0].ID)
	link := e.linkIn(t, mails[0].ID)
	if !strings.Contains(confirmation.HTML, strings.ReplaceAll(link, "&", "&amp;")) || confirmation.ListUnsubscribe.Header != "" ||
		!strings.Contains(confirmation.Text, "每篇新稿件发布时") || confirmation.To[0].Name != "李明" {
		t.Fatalf("confirmation mail: html has link %v, list-unsubscribe %q, text %q",
			strings.Contains(confirmation.HTML, link), confirmation.ListUnsubscribe.Header, confirmation.Text)
	}

	// the link's page only asks (mail scanners fetch links); the button confirms
	w := e.serve(http.MethodGet, link, "")
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `method="post"`) || !strings.Contains(w.Body.String(), "r*****@example.cn") ||
		w.Header().Get("Cache-Control") != "private, no-store" || w.Header().Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("GET %s: %d %v\n%s", link, w.Code, w.Header(), w.Body)
	}
	if sub := e.subscriber(t, "reader@example.cn"); sub.Status != herald.SubscriberPending {
		t.Fatalf("a GET confirmed the subscription: %s", sub.Status)
	}
	w = e.serve(http.MethodPost, "/subscribe/confirm", url.Values{"token": {tokenOf(t, link)}}.Encode())
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "订阅成功") {
		t.Fatalf("POST confirm: %d\n%s", w.Code, w.Body)
	}
	reader := e.subscriber(t, "reader@example.cn")
	if reader.Status != herald.SubscriberActive || reader.ConfirmedAt == nil {
		t.Fatalf("after confirming: %+v", reader)
	}

	// a story published on the channel reaches the reader, not the pending address
	e.now = e.now.Add(time.Hour)
	title := "全省法律援助工作推进会在石家庄召开"
	a := e.publish(t, title, e.world.Local)
	e.run(t)
	mails = e.waitMails(t, 3, "reader@example.cn")
	if len(mails) != 2 || mails[1].Subject != title {
		t.Fatalf("mails to the reader = %+v, want the story titled %q", mails, title)
	}
	story := e.mp.Message(t, mails[1].ID)
	if story.MessageID != fmt.Sprintf("herald.story.%d.%d@%s", a.ID, reader.ID, domain) || story.From.Name != siteName ||
		story.From.Address != "news@"+domain || story.To[0].Name != "李明" {
		t.Errorf("story envelope: %q from %+v to %+v", story.MessageID, story.From, story.To)
	}
	articleURL := fmt.Sprintf("%s/articles/%d.html", base, a.ID)
	for part, body := range map[string]string{"text": story.Text, "html": story.HTML} {
		for _, want := range []string{title, "全市法律援助中心当天受理咨询一百二十件", articleURL, "/unsubscribe?token="} {
			if !strings.Contains(body, want) {
				t.Errorf("the %s part lacks %q:\n%s", part, want, body)
			}
		}
	}
	lu := story.ListUnsubscribe
	if lu.Errors != "" || lu.HeaderPost != "List-Unsubscribe=One-Click" || len(lu.Links) != 1 || !strings.HasPrefix(lu.Links[0], base+"/unsubscribe?token=") {
		t.Fatalf("List-Unsubscribe as mailpit reads it = %+v", lu)
	}
	if h := e.mp.Headers(t, mails[1].ID); len(h["List-Id"]) != 1 || h["List-Id"][0] != "<newsletter."+domain+">" {
		t.Errorf("List-Id = %q", h["List-Id"])
	}
	if got := e.mailsTo(t, "pending@example.cn"); len(got) != 1 {
		t.Fatalf("the pending address got %d mails, want only its confirmation", len(got))
	}
	logged, _, err := e.store.FindMailings(e.ctx, herald.MailingFilter{SubscriberID: reader.ID})
	must(t, err)
	if len(logged) != 2 || logged[0].Kind != herald.MailStory || logged[0].Status != herald.MailingSent || logged[0].ArticleID != a.ID ||
		logged[0].MessageID != story.MessageID || logged[1].Kind != herald.MailConfirmation {
		t.Fatalf("delivery log = %+v", logged)
	}

	// retracting it sends the retraction notice to the same reader
	e.now = e.now.Add(time.Hour)
	e.act(t, e.world.Chief, a.ID, workflow.ActRetract, workflow.Request{Comment: "内容有误"})
	e.run(t)
	mails = e.waitMails(t, 4, "reader@example.cn")
	if len(mails) != 3 || mails[2].Subject != "撤稿："+title {
		t.Fatalf("mails to the reader = %+v, want the retraction notice", mails)
	}
	if notice := e.mp.Message(t, mails[2].ID); !strings.Contains(notice.Text, "已经撤回") || strings.Contains(notice.Text, articleURL) {
		t.Errorf("retraction notice text = %q", notice.Text)
	}

	// the one-click unsubscribe URL from the story mail works, without more
	w = e.serve(http.MethodPost, lu.Links[0], "List-Unsubscribe=One-Click")
	if w.Code != http.StatusOK {
		t.Fatalf("one-click unsubscribe: %d\n%s", w.Code, w.Body)
	}
	if reader = e.subscriber(t, "reader@example.cn"); reader.Status != herald.SubscriberUnsubscribed || reader.UnsubscribedAt == nil {
		t.Fatalf("after the one-click unsubscribe: %+v", reader)
	}
	evs, _ := e.store.FindEvents(e.ctx, herald.EventFilter{Entity: herald.EntitySubscriber, EntityID: reader.ID})
	var actions []string
	for _, ev := range evs {
		actions = append(actions, ev.Action+":"+ev.ToStatus)
	}
	if !slices.Equal(actions, []string{"subscribe:pending", "confirm:active", "unsubscribe:unsubscribed"}) {
		t.Fatalf("audit trail = %q", actions)
	}
	e.now = e.now.Add(time.Hour)
	e.publish(t, "市司法局开展宪法宣传周活动", e.world.Local)
	e.run(t)
	if got := e.mailsTo(t, "reader@example.cn"); len(got) != 3 {
		t.Fatalf("an unsubscribed reader got %d mails, want still 3", len(got))
	}
}

func TestCorrectionNoticeGoesToThoseWhoGotTheStory(t *testing.T) {
	e := setup(t)
	li := e.subscribed(t, "li@example.cn", prefs(herald.FrequencyEach, e.world.Local.ID))
	e.subscribed(t, "wang@example.cn", prefs(herald.FrequencyEach, e.other.ID))
	a := e.publish(t, "正定县公证处推出延时服务", e.world.Local)
	e.run(t)
	if got := e.waitMails(t, 3, "wang@example.cn"); len(got) != 1 {
		t.Fatalf("wang, who picked another column, got %d mails, want his confirmation only", len(got))
	}
	e.now = e.now.Add(time.Hour)
	fixed := a.ArticleContent.Clone()
	fixed.Title = "正定县公证处推出周末延时服务"
	a = e.act(t, e.world.Chief, a.ID, workflow.ActCorrect, workflow.Request{Content: &fixed, Comment: "服务时间为周末"})
	e.run(t)
	mails := e.waitMails(t, 4, "li@example.cn")
	if len(mails) != 3 || mails[2].Subject != "更正："+fixed.Title {
		t.Fatalf("mails to li = %+v, want the correction notice", mails)
	}
	notice := e.mp.Message(t, mails[2].ID)
	if !strings.Contains(notice.Text, "服务时间为周末") || !strings.Contains(notice.HTML, "服务时间为周末") ||
		notice.MessageID != fmt.Sprintf("herald.correction.%d.%d.%d@%s", a.ID, a.Version, li.ID, domain) {
		t.Fatalf("correction notice %q:\n%s", notice.MessageID, notice.Text)
	}
	if got := e.mailsTo(t, "wang@example.cn"); len(got) != 1 {
		t.Fatalf("wang, who never got the story, got %d mails", len(got))
	}
}

func TestTemporaryFailureIsRetriedAndArrivesOnce(t *testing.T) {
	e := setup(t)
	sub := e.subscribed(t, "reader@example.cn", prefs(herald.FrequencyEach))
	e.mp.RefuseRecipients(t, 451)
	a := e.publish(t, "全省司法行政系统宣传培训班开班", e.world.Local)
	e.run(t)
	key := fmt.Sprintf("%s/story/%d/%d", newsletter.KindMail, a.ID, sub.ID)
	job := findJob(t, e, key)
	if job.Status != herald.JobQueued || job.Attempts != 1 || !strings.Contains(job.LastError, "451") {
		t.Fatalf("after a 451 the job is %+v, want it queued for another attempt", job)
	}
	if ms, _, _ := e.store.FindMailings(e.ctx, herald.MailingFilter{Kind: herald.MailStory}); len(ms) != 0 {
		t.Fatalf("a temporary failure was logged as an outcome: %+v", ms)
	}
	e.mp.ResetChaos(t)
	e.now = e.now.Add(2 * time.Minute)
	e.run(t)
	if mails := e.waitMails(t, 2, "reader@example.cn"); len(mails) != 2 || mails[1].Subject != a.Title {
		t.Fatalf("mails = %+v, want the story after the retry", mails)
	}
	if job = findJob(t, e, key); job.Status != herald.JobDone || job.Attempts != 2 {
		t.Fatalf("job after the retry = %+v", job)
	}
	// the same job once more (a crash before its outcome was recorded) sends nothing twice
	must(t, e.store.EnqueueJobs(e.ctx, e.now, &herald.Job{Kind: newsletter.KindMail, Key: "replay", Payload: job.Payload}))
	e.run(t)
	if mails := e.mailsTo(t, "reader@example.cn"); len(mails) != 2 {
		t.Fatalf("a replayed job sent again: %d mails", len(mails))
	}
	if ms, _, _ := e.store.FindMailings(e.ctx, herald.MailingFilter{Kind: herald.MailStory}); len(ms) != 1 || ms[0].Status != herald.MailingSent {
		t.Fatalf("delivery log = %+v", ms)
	}
}

func findJob(t *testing.T, e *env, key string) *herald.Job {
	t.Helper()
	all, _, err := e.store.FindJobs(e.ctx, herald.JobFilter{Kind: newsletter.KindMail})
	must(t, err)
	for _, j := range all {
		if j.Key == key {
			return j
		}
	}
	t.Fatalf("no job %s", key)
	return nil
}

func TestPermanentRefusalBouncesTheAddress(t *testing.T) {
	e := setup(t)
	sub := e.subscribed(t, "gone@example.cn", prefs(herald.FrequencyEach))
	e.mp.RefuseRecipients(t, 550)
	a := e.publish(t, "全省人民调解工作会议召开", e.world.Local)
	e.run(t)
	got := e.subscriber(t, "gone@example.cn")
	if got.Status != herald.SubscriberBounced || got.BouncedAt == nil {
		t.Fatalf("after a 550: %+v", got)
	}
	ms, _, _ := e.store.FindMailings(e.ctx, herald.MailingFilter{SubscriberID: sub.ID, Kind: herald.MailStory})
	if len(ms) != 1 || ms[0].Status != herald.MailingFailed || ms[0].SMTPCode != 550 || ms[0].ArticleID != a.ID || ms[0].SMTPText == "" {
		t.Fatalf("delivery log = %+v", ms)
	}
	evs, _ := e.store.FindEvents(e.ctx, herald.EventFilter{Entity: herald.EntitySubscriber, EntityID: sub.ID, Action: "bounce"})
	if len(evs) != 1 || evs[0].FromStatus != "active" || !strings.HasPrefix(evs[0].Comment, "550") {
		t.Fatalf("bounce events = %+v", evs)
	}
	if counts, _ := e.store.CountJobs(e.ctx); counts[herald.JobFailed] != 0 || counts[herald.JobQueued] != 0 {
		t.Fatalf("jobs = %v: a bounce is an outcome, not a job to retry", counts)
	}
	e.mp.ResetChaos(t)
	e.publish(t, "市司法局开展法律进社区活动", e.world.Local)
	e.run(t)
	if mails := e.mailsTo(t, "gone@example.cn"); len(mails) != 1 {
		t.Fatalf("a bounced address got %d mails, want only its old confirmation", len(mails))
	}
}

func TestLinksAreSignedAndExpire(t *testing.T) {
	e := setup(t)
	e.subscribe(t, "reader@example.cn", prefs(herald.FrequencyEach))
	e.subscribe(t, "other@example.cn", prefs(herald.FrequencyEach))
	e.run(t)
	e.waitMails(t, 2, "")
	tok := tokenOf(t, e.linkIn(t, e.mailsTo(t, "reader@example.cn")[0].ID))
	otherTok := tokenOf(t, e.linkIn(t, e.mailsTo(t, "other@example.cn")[0].ID))
	parts := strings.Split(tok, ".")
	otherParts := strings.Split(otherTok, ".")
	flip := map[byte]string{'A': "B"}[parts[3][0]]
	if flip == "" {
		flip = "A"
	}
	for name, forged := range map[string]string{
		"changed signature":     strings.Join([]string{parts[0], parts[1], parts[2], flip + parts[3][1:]}, "."),
		"another subscriber":    strings.Join([]string{parts[0], otherParts[1], parts[2], parts[3]}, "."),
		"a later expiry":        strings.Join([]string{parts[0], parts[1], parts[2] + "0", parts[3]}, "."),
		"unsubscribe purpose":   "u" + tok[1:],
		"not a token":           "abc",
		"no signature":          strings.Join(parts[:3], "."),
		"an unknown subscriber": strings.Join([]string{parts[0], "999", parts[2], parts[3]}, "."),
	} {
		_, err := e.nl.Confirm(e.ctx, forged)
		wantField(t, err, herald.EINVALID, "token", herald.LinkInvalid)
		if name == "unsubscribe purpose" {
			_, err = e.nl.Unsubscribe(e.ctx, forged)
			wantField(t, err, herald.EINVALID, "token", herald.LinkInvalid)
		}
	}
	forged := strings.Join([]string{parts[0], parts[1], parts[2], flip + parts[3][1:]}, ".")
	w := e.serve(http.MethodPost, "/subscribe/confirm", url.Values{"token": {forged}}.Encode())
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "链接无效") {
		t.Fatalf("a forged link: %d\n%s", w.Code, w.Body)
	}

	// a request made after a link was mailed replaces it
	e.now = e.now.Add(11 * time.Minute)
	e.subscribe(t, "other@example.cn", prefs(herald.FrequencyDaily))
	e.run(t)
	mails := e.waitMails(t, 3, "other@example.cn")
	_, err := e.nl.Confirm(e.ctx, otherTok)
	wantField(t, err, herald.EINVALID, "token", herald.LinkReplaced)
	sub, err := e.nl.Confirm(e.ctx, tokenOf(t, e.linkIn(t, mails[1].ID)))
	must(t, err)
	if sub.Status != herald.SubscriberActive || sub.Frequency != herald.FrequencyDaily {
		t.Fatalf("the newer link confirmed %+v", sub)
	}
	// following it again changes nothing
	if _, err := e.nl.Confirm(e.ctx, tokenOf(t, e.linkIn(t, mails[1].ID))); err != nil {
		t.Fatalf("a second click: %v", err)
	}
	if evs, _ := e.store.FindEvents(e.ctx, herald.EventFilter{Entity: herald.EntitySubscriber, EntityID: sub.ID, Action: "confirm"}); len(evs) != 1 {
		t.Fatalf("%d confirm events, want 1", len(evs))
	}
	// a link of a cancelled subscription no longer confirms it
	_, err = e.store.UpdateSubscriber(e.ctx, sub.ID, func(s *herald.Subscriber) (herald.SubscriberChange, error) {
		s.Status = herald.SubscriberUnsubscribed
		return herald.SubscriberChange{Event: herald.Event{At: e.now, Action: "unsubscribe"}}, nil
	})
	must(t, err)
	w = e.serve(http.MethodPost, "/subscribe/confirm", url.Values{"token": {tokenOf(t, e.linkIn(t, mails[1].ID))}}.Encode())
	if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "这个订阅已经取消") {
		t.Fatalf("confirming a cancelled subscription: %d\n%s", w.Code, w.Body)
	}

	// links expire
	e.now = e.now.Add(newsletter.ConfirmLinkTTL)
	_, err = e.nl.Confirm(e.ctx, tok)
	wantField(t, err, herald.EINVALID, "token", herald.LinkExpired)
	w = e.serve(http.MethodGet, "/subscribe/confirm?token="+url.QueryEscape(tok), "")
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "确认链接已过期") {
		t.Fatalf("an expired link: %d\n%s", w.Code, w.Body)
	}
	if got := e.subscriber(t, "reader@example.cn"); got.Status != herald.SubscriberPending {
		t.Fatalf("refused links changed the subscriber: %s", got.Status)
	}
}

func TestMailBombLimits(t *testing.T) {
	e := setup(t)
	ask := func(email, client string) error {
		return e.nl.Subscribe(e.ctx, herald.SubscriptionRequest{Email: email, SubscriptionPrefs: prefs(herald.FrequencyEach), ClientHash: client})
	}
	start := e.now
	t.Run("per address", func(t *testing.T) {
		must(t, ask("victim@example.cn", "a"))
		wantField(t, ask("victim@example.cn", "b"), herald.ERATELIMITED, "email", herald.LimitRecent)
		e.now = start.Add(10 * time.Minute)
		must(t, ask("victim@example.cn", "c"))
		e.now = start.Add(20 * time.Minute)
		must(t, ask("victim@example.cn", "d"))
		e.now = start.Add(23 * time.Hour)
		wantField(t, ask("victim@example.cn", "e"), herald.ERATELIMITED, "email", herald.LimitDaily)
		e.run(t) // only the newest request's confirmation is still worth sending
		if got := e.waitMails(t, 1, "victim@example.cn"); len(got) != 1 {
			t.Fatalf("%d confirmation mails, want 1", len(got))
		}
		e.now = start.Add(24 * time.Hour)
		must(t, ask("victim@example.cn", "f"))
		e.run(t)
		if got := e.waitMails(t, 2, "victim@example.cn"); len(got) != 2 {
			t.Fatalf("%d confirmation mails after a day, want 2", len(got))
		}
		jobs, n, _ := e.store.FindJobs(e.ctx, herald.JobFilter{Kind: newsletter.KindMail})
		if n != 4 {
			t.Fatalf("%d mail jobs queued, want one per accepted request (4): %+v", n, jobs)
		}
	})
	t.Run("per client", func(t *testing.T) {
		for i := range newsletter.RequestsPerClientHour {
			must(t, ask(fmt.Sprintf("reader%d@example.cn", i), "flood"))
		}
		wantField(t, ask("one-more@example.cn", "flood"), herald.ERATELIMITED, "client", herald.LimitClient)
		if _, err := e.store.FindSubscriberByEmail(e.ctx, "one-more@example.cn"); herald.ErrorCode(err) != herald.ENOTFOUND {
			t.Fatalf("a refused request made a subscriber: %v", err)
		}
		must(t, ask("one-more@example.cn", "someone else"))
		e.now = e.now.Add(time.Hour)
		must(t, ask("again@example.cn", "flood"))
	})
	t.Run("bad input names each field and changes nothing", func(t *testing.T) {
		err := e.nl.Subscribe(e.ctx, herald.SubscriptionRequest{Email: "not an address",
			SubscriptionPrefs: herald.SubscriptionPrefs{Frequency: "hourly", Language: "fr", ColumnIDs: []int64{-1}}})
		for _, f := range []string{"email", "frequency", "language", "column_ids"} {
			wantField(t, err, herald.EINVALID, f, "")
		}
		err = ask("", "x")
		wantField(t, err, herald.EINVALID, "email", "is required")
		err = e.nl.Subscribe(e.ctx, herald.SubscriptionRequest{Email: "new@example.cn", SubscriptionPrefs: prefs(herald.FrequencyEach, 9999)})
		wantField(t, err, herald.EINVALID, "column_ids", "")
		if _, err := e.store.FindSubscriberByEmail(e.ctx, "new@example.cn"); herald.ErrorCode(err) != herald.ENOTFOUND {
			t.Fatalf("a refused request made a subscriber: %v", err)
		}
	})
}

func TestAStrangerCannotChangeAnActiveSubscription(t *testing.T) {
	e := setup(t)
	e.subscribed(t, "reader@example.cn", prefs(herald.FrequencyEach))
	e.now = e.now.Add(time.Hour)
	// someone who knows the address asks for weekly digests of one column
	must(t, e.nl.Subscribe(e.ctx, herald.SubscriptionRequest{Email: "reader@example.cn", ClientHash: "stranger",
		SubscriptionPrefs: herald.SubscriptionPrefs{Frequency: herald.FrequencyWeekly, ColumnIDs: []int64{e.other.ID}, Language: "en"}}))
	got := e.subscriber(t, "reader@example.cn")
	if got.Status != herald.SubscriberActive || got.Frequency != herald.FrequencyEach || len(got.ColumnIDs) != 0 ||
		got.Pending == nil || got.Pending.Frequency != herald.FrequencyWeekly {
		t.Fatalf("the request changed the subscription at once: %+v", got)
	}
	e.run(t)
	mails := e.waitMails(t, 2, "reader@example.cn")
	change := e.mp.Message(t, mails[1].ID)
	if change.Subject != "Please confirm your subscription to Hebei Justice" || !strings.Contains(change.Text, "asked to change") ||
		!strings.Contains(change.Text, "Notices") || !strings.Contains(change.Text, "&lang=en") {
		t.Fatalf("the change's confirmation (in the language asked for): %q\n%s", change.Subject, change.Text)
	}
	// until the mailbox confirms, the reader keeps getting each story
	a := e.publish(t, "省司法厅发布法治政府建设年度报告", e.world.Local)
	e.run(t)
	if mails = e.waitMails(t, 3, "reader@example.cn"); mails[2].Subject != a.Title {
		t.Fatalf("mails = %+v", mails)
	}
	w := e.serve(http.MethodPost, "/subscribe/confirm?lang=en", url.Values{"token": {tokenOf(t, e.linkIn(t, mails[1].ID))}, "lang": {"en"}}.Encode())
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "You are subscribed") {
		t.Fatalf("confirming the change: %d\n%s", w.Code, w.Body)
	}
	got = e.subscriber(t, "reader@example.cn")
	if got.Frequency != herald.FrequencyWeekly || !slices.Equal(got.ColumnIDs, []int64{e.other.ID}) || got.Language != "en" || got.Pending != nil {
		t.Fatalf("after confirming the change: %+v", got)
	}
}

func TestDigests(t *testing.T) {
	e := setup(t)
	cst := func(month time.Month, day, hour int) time.Time {
		return time.Date(2026, month, day, hour, 0, 0, 0, herald.CST)
	}
	daily := e.subscribed(t, "daily@example.cn", prefs(herald.FrequencyDaily, e.world.Local.ID))
	weekly := e.subscribed(t, "weekly@example.cn", prefs(herald.FrequencyWeekly))
	e.subscribed(t, "each@example.cn", prefs(herald.FrequencyEach, e.other.ID))
	must(t, e.nl.QueueDigests(e.ctx))
	must(t, e.nl.QueueDigests(e.ctx)) // once is enough
	digests, n, _ := e.store.FindJobs(e.ctx, herald.JobFilter{Kind: newsletter.KindDigest})
	if n != 2 || digests[1].Key != newsletter.KindDigest+"/daily/2026-11-26" || !digests[1].RunAt.Equal(cst(11, 26, 7)) ||
		digests[0].Key != newsletter.KindDigest+"/weekly/2026-11-30" || !digests[0].RunAt.Equal(cst(11, 30, 7)) {
		t.Fatalf("digest jobs = %+v", digests)
	}
	// Wednesday 16:00 and 17:00 CST
	a := e.publish(t, "基层法律服务所开展义务咨询", e.world.Local)
	e.now = e.now.Add(time.Hour)
	b := e.publish(t, "关于公开招聘人民调解员的通知", e.other)
	e.run(t)
	if got := e.waitMails(t, 4, "each@example.cn"); len(got) != 2 || got[1].Subject != b.Title {
		t.Fatalf("mails to each@ = %+v, want b's story", got)
	}
	if got := e.mailsTo(t, "daily@example.cn"); len(got) != 1 {
		t.Fatalf("a digest subscriber got a story by itself: %+v", got)
	}

	// Thursday morning: the daily digest, with the matching story only
	e.now = cst(11, 26, 7)
	e.run(t)
	mails := e.waitMails(t, 5, "daily@example.cn")
	if len(mails) != 2 || mails[1].Subject != siteName+"每日要闻（2026年11月26日）" {
		t.Fatalf("mails to daily@ = %+v", mails)
	}
	digest := e.mp.Message(t, mails[1].ID)
	if !strings.Contains(digest.Text, a.Title) || strings.Contains(digest.Text, b.Title) || !strings.Contains(digest.HTML, a.Title) ||
		digest.ListUnsubscribe.HeaderPost != "List-Unsubscribe=One-Click" ||
		digest.MessageID != fmt.Sprintf("herald.digest.daily.2026-11-26.%d@%s", daily.ID, domain) {
		t.Fatalf("daily digest %q:\n%s", digest.MessageID, digest.Text)
	}
	if got := e.mailsTo(t, "weekly@example.cn"); len(got) != 1 {
		t.Fatalf("the weekly subscriber got mail on a Thursday: %+v", got)
	}
	findJobKey(t, e, newsletter.KindDigest+"/daily/2026-11-27")

	// another story, then the servers are down until Monday morning: the
	// missed daily digests are skipped, the weekly one carries the week
	e.now = cst(11, 26, 8)
	c := e.publish(t, "全省律师行业党建工作会议召开", e.world.Local)
	e.run(t)
	e.now = cst(11, 30, 7)
	e.run(t)
	mails = e.waitMails(t, 6, "weekly@example.cn")
	if len(mails) != 2 || mails[1].Subject != siteName+"每周要闻（2026年11月30日）" {
		t.Fatalf("mails to weekly@ = %+v", mails)
	}
	week := e.mp.Message(t, mails[1].ID)
	for _, x := range []*herald.Article{a, b, c} {
		if !strings.Contains(week.Text, x.Title) {
			t.Errorf("the weekly digest lacks %q", x.Title)
		}
	}
	if got := e.mailsTo(t, "daily@example.cn"); len(got) != 2 {
		t.Fatalf("daily@ got %d mails: stale digests should be skipped", len(got))
	}
	findJobKey(t, e, newsletter.KindDigest+"/daily/2026-12-01")
	findJobKey(t, e, newsletter.KindDigest+"/weekly/2026-12-07")

	// retracting a story that went out in digests notifies their readers
	e.act(t, e.world.Chief, a.ID, workflow.ActRetract, workflow.Request{Comment: "重复发布"})
	e.run(t)
	e.waitMails(t, 8, "")
	for _, sub := range []*herald.Subscriber{daily, weekly} {
		got := e.mailsTo(t, sub.Email)
		if last := got[len(got)-1]; last.Subject != "撤稿："+a.Title {
			t.Errorf("%s's last mail = %q, want the retraction notice", sub.Email, last.Subject)
		}
	}
}

func findJobKey(t *testing.T, e *env, key string) {
	t.Helper()
	all, _, err := e.store.FindJobs(e.ctx, herald.JobFilter{Kind: newsletter.KindDigest})
	must(t, err)
	for _, j := range all {
		if j.Key == key {
			return
		}
	}
	var keys []string
	for _, j := range all {
		keys = append(keys, j.Key)
	}
	t.Fatalf("no job %s among %q", key, keys)
}

func TestConfigNamesBadFields(t *testing.T) {
	_, err := newsletter.New(nil, nil, nil, newsletter.Config{SMTPAddr: "nohost", FromAddress: "x", BaseURL: "http://news.example.gov.cn",
		RatePerSecond: -1, TLS: "sometimes"})
	for _, f := range []string{"smtp_addr", "from_address", "base_url", "rate_per_second", "tls"} {
		wantField(t, err, herald.EINVALID, f, "")
	}
	_, err = newsletter.New(nil, nil, nil, newsletter.Config{SMTPAddr: "smtp.example.gov.cn:587", FromAddress: "news@example.gov.cn",
		BaseURL: base, Username: "news", Password: "secret", TLS: mail.TLSOpportunistic})
	wantField(t, err, herald.EINVALID, "tls", "")
	if _, err := newsletter.New(nil, nil, nil, newsletter.Config{SMTPAddr: "127.0.0.1:25", FromAddress: "news@example.gov.cn",
		BaseURL: "http://127.0.0.1:8080/"}); err != nil {
		t.Fatalf("a loopback demo set-up: %v", err)
	}
}

// The payloads are JSON the queue keeps; an unreadable one fails its job at once.
func TestABadMailJobFailsForGood(t *testing.T) {
	e := setup(t)
	must(t, e.store.EnqueueJobs(e.ctx, e.now, &herald.Job{Kind: newsletter.KindMail, Key: "bad", Payload: json.RawMessage(`{"kind":"fax"}`)}))
	e.run(t)
	if counts, _ := e.store.CountJobs(e.ctx); counts[herald.JobFailed] != 1 {
		t.Fatalf("jobs = %v", counts)
	}
}

func TestDeliveryGoesThroughEverySubscriberOnce(t *testing.T) {
	e := setup(t)
	const n = 1201 // more than two pages
	for i := range n {
		col := e.world.Local.ID
		if i%3 == 0 {
			col = e.other.ID
		}
		_, err := e.store.UpdateSubscriberByEmail(e.ctx, fmt.Sprintf("r%d@example.cn", i), func(s *herald.Subscriber) (herald.SubscriberChange, error) {
			s.SubscriptionPrefs, s.Status = prefs(herald.FrequencyEach, col), herald.SubscriberActive
			return herald.SubscriberChange{Event: herald.Event{At: e.now, Action: "confirm"}}, nil
		})
		must(t, err)
	}
	c := storetest.Content(e.world.Local, "全省公共法律服务工作会议召开")
	a := &herald.Article{ArticleContent: c, UnitID: e.world.Center.ID, CreatedBy: e.world.Editor.ID, Status: herald.StatusPublished, PublishedAt: &e.now}
	must(t, e.store.CreateArticle(e.ctx, a, herald.Event{At: e.now}))
	d := &herald.Delivery{ArticleID: a.ID, Channel: herald.ChannelPublicAccount, Target: newsletter.Target, Action: herald.ActionCreate, Version: 1}
	for range 2 { // a deliver job run again after a crash queues nothing twice
		_, err := e.nl.Deliver(e.ctx, d, a)
		must(t, err)
	}
	if _, total, _ := e.store.FindJobs(e.ctx, herald.JobFilter{Kind: newsletter.KindMail}); total != n-(n+2)/3 {
		t.Fatalf("%d story jobs, want one per subscriber of the column (%d)", total, n-(n+2)/3)
	}
}
