package syndication_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/internal/channeltest"
	"github.com/heraldnews/herald/internal/iptctest"
	"github.com/heraldnews/herald/storetest"
	"github.com/heraldnews/herald/syndication"
	"github.com/heraldnews/herald/workflow"
)

// push is one request a partner's server received.
type push struct {
	action, delivery, contentType, signature string
	body                                     []byte
	verified                                 error
}

// receiver is a partner's web server: it checks each push's signature with
// the partner's token, as the partner would, and answers with status.
type receiver struct {
	mu     sync.Mutex
	token  string
	status int
	got    []push
	now    func() time.Time
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, push{
		action: req.Header.Get(syndication.HeaderAction), delivery: req.Header.Get(syndication.HeaderDelivery),
		contentType: req.Header.Get("Content-Type"), signature: req.Header.Get(syndication.HeaderSignature), body: body,
		verified: syndication.Verify(r.token, req.Header.Get(syndication.HeaderSignature), body, r.now(), 5*time.Minute),
	})
	w.WriteHeader(r.status)
}

func (r *receiver) take() []push {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.got
	r.got = nil
	return out
}

type env struct {
	*channeltest.Env
	svc *syndication.Service
}

func setup(t *testing.T) *env {
	t.Helper()
	e := &env{Env: channeltest.New(t, nil)}
	e.svc = syndication.New(e.Store, e.Clock, "https://news.example.gov.cn", e.Log)
	e.Delivery.Register(e.svc)
	return e
}

// published publishes an article through the workflow, for the given channels.
func (e *env) published(t *testing.T, title, lang string, channels ...herald.Channel) *herald.Article {
	t.Helper()
	c := storetest.Content(e.World.Local, title)
	c.Language, c.Channels = lang, channels
	return e.Published(t, workflow.Draft{ArticleContent: c})
}

func (e *env) partner(t testing.TB, slug, format, pushURL string, languages ...string) (*herald.Partner, string) {
	t.Helper()
	p := &herald.Partner{Slug: slug, Name: "河北法制报 " + slug, Kind: herald.KindNewspaper, Level: herald.LevelProvincial,
		Format: format, PushURL: pushURL, Languages: languages}
	token, err := e.svc.CreatePartner(e.Ctx, e.World.Chief, p)
	if err != nil {
		t.Fatal(err)
	}
	return p, token
}

func TestPublicationCorrectionAndRetractionArePushedSigned(t *testing.T) {
	e := setup(t)
	rcv := &receiver{status: http.StatusAccepted, now: func() time.Time { return e.Now }}
	srv := httptest.NewServer(rcv)
	t.Cleanup(srv.Close)
	ninjsPartner, token := e.partner(t, "legal-daily", herald.FormatNINJS, srv.URL+"/herald")
	rcv.token = token
	e.partner(t, "pull-only", herald.FormatNINJS, "")
	e.partner(t, "english-only", herald.FormatNINJS, srv.URL+"/en", "en")

	a := e.published(t, "全省法律援助工作推进会召开", "zh-CN", herald.ChannelPrint)
	e.Runner.RunDue(e.Ctx)
	got := rcv.take()
	if len(got) != 1 || got[0].action != herald.ActionCreate || got[0].verified != nil || got[0].contentType != "application/json" {
		t.Fatalf("pushes after publishing = %+v", got)
	}
	iptctest.ValidateNINJS(t, got[0].body)
	var doc struct {
		URI, PubStatus string
		Headlines      []struct{ Value string }
	}
	json.Unmarshal(got[0].body, &doc)
	if doc.PubStatus != "usable" || doc.Headlines[0].Value != a.Title || !strings.HasSuffix(doc.URI, herald.ArticlePath(a.ID)) {
		t.Fatalf("pushed %s", got[0].body)
	}
	firstDelivery := got[0].delivery

	// a website-only story goes to no partner
	e.published(t, "只在网站发布", "zh-CN")
	e.Runner.RunDue(e.Ctx)
	if got := rcv.take(); len(got) != 0 {
		t.Fatalf("a website-only story was pushed: %+v", got)
	}

	e.Now = e.Now.Add(time.Hour)
	fixed := a.ArticleContent.Clone()
	fixed.Title = "全省法律援助工作推进会在石家庄召开"
	a = e.Do(t, e.World.Chief, a.ID, workflow.ActCorrect, workflow.Request{Content: &fixed, Comment: "补充地点"})
	e.Runner.RunDue(e.Ctx)
	got = rcv.take()
	if len(got) != 1 || got[0].action != herald.ActionUpdate || got[0].verified != nil || !strings.Contains(string(got[0].body), fixed.Title) ||
		got[0].delivery == firstDelivery {
		t.Fatalf("pushes after the correction = %+v", got)
	}
	e.Now = e.Now.Add(time.Hour)
	e.Do(t, e.World.Chief, a.ID, workflow.ActRetract, workflow.Request{Comment: "撤稿"})
	e.Runner.RunDue(e.Ctx)
	got = rcv.take()
	if len(got) != 1 || got[0].action != herald.ActionDelete || got[0].verified != nil || !strings.Contains(string(got[0].body), `"pubstatus": "canceled"`) {
		t.Fatalf("pushes after the retraction = %+v", got)
	}
	ds, _, _ := e.Store.FindDeliveries(e.Ctx, herald.DeliveryFilter{ArticleID: a.ID, Channel: herald.ChannelPrint})
	if len(ds) != 1 || ds[0].Target != "partner:"+ninjsPartner.Slug || ds[0].Status != herald.DeliverySent || ds[0].Action != herald.ActionDelete {
		t.Fatalf("deliveries = %+v", ds)
	}

	// another token, a changed body or a replay later do not verify
	if err := syndication.Verify("hrp_other", got[0].signature, got[0].body, e.Now, time.Minute); err == nil {
		t.Error("a signature verified with the wrong token")
	}
	if err := syndication.Verify(token, got[0].signature, append(got[0].body, ' '), e.Now, time.Minute); err == nil {
		t.Error("a signature verified a changed body")
	}
	if err := syndication.Verify(token, got[0].signature, got[0].body, e.Now.Add(time.Hour), time.Minute); err == nil {
		t.Error("a signature verified an hour later")
	}
}

func TestRefusedAndFailingPushes(t *testing.T) {
	e := setup(t)
	rcv := &receiver{status: http.StatusServiceUnavailable, now: func() time.Time { return e.Now }}
	srv := httptest.NewServer(rcv)
	t.Cleanup(srv.Close)
	_, token := e.partner(t, "newsml", herald.FormatNewsML, srv.URL)
	rcv.token = token

	a := e.published(t, "石家庄开展普法进社区", "zh-CN", herald.ChannelPrint)
	e.Runner.RunDue(e.Ctx)
	got := rcv.take()
	if len(got) != 1 || got[0].contentType != "application/vnd.iptc.g2.newsmessage+xml" || got[0].verified != nil {
		t.Fatalf("pushes = %+v", got)
	}
	iptctest.ValidateNewsMLDoc(t, got[0].body)
	ds, _, _ := e.Store.FindDeliveries(e.Ctx, herald.DeliveryFilter{ArticleID: a.ID})
	if len(ds) != 1 || ds[0].Status != herald.DeliveryRetrying || !strings.Contains(ds[0].LastError, "503") {
		t.Fatalf("after a 503: %+v", ds)
	}
	// the partner mends its server: the retry goes through, with the same delivery header
	rcv.mu.Lock()
	rcv.status = http.StatusOK
	rcv.mu.Unlock()
	e.Now = e.Now.Add(2 * time.Minute)
	e.Runner.RunDue(e.Ctx)
	again := rcv.take()
	if len(again) != 1 || again[0].delivery != got[0].delivery {
		t.Fatalf("the retry = %+v, first %+v", again, got)
	}
	ds, _, _ = e.Store.FindDeliveries(e.Ctx, herald.DeliveryFilter{ArticleID: a.ID})
	if ds[0].Status != herald.DeliverySent || ds[0].Attempts != 2 {
		t.Fatalf("after the retry: %+v", ds[0])
	}

	// a refusal (4xx) is final
	rcv.mu.Lock()
	rcv.status = http.StatusUnprocessableEntity
	rcv.mu.Unlock()
	b := e.published(t, "第二篇稿件", "zh-CN", herald.ChannelPrint)
	e.Runner.RunDue(e.Ctx)
	ds, _, _ = e.Store.FindDeliveries(e.Ctx, herald.DeliveryFilter{ArticleID: b.ID})
	if len(ds) != 1 || ds[0].Status != herald.DeliveryFailed || !strings.Contains(ds[0].LastError, "refused") {
		t.Fatalf("after a 422: %+v", ds)
	}
}

func TestPartnersAreManagedByTheEditorInChief(t *testing.T) {
	e := setup(t)
	p := &herald.Partner{Slug: "x", Name: "某报", Kind: herald.KindNewspaper, Level: herald.LevelCity}
	if _, err := e.svc.CreatePartner(e.Ctx, e.World.Editor, p); herald.ErrorCode(err) != herald.EFORBIDDEN {
		t.Fatalf("an editor made a partner: %v", err)
	}
	token, err := e.svc.CreatePartner(e.Ctx, e.World.Chief, p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Authenticate(e.Ctx, token); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "hrd_" + token[4:], token + "x", strings.Repeat("hrp_", 30)} {
		if _, err := e.svc.Authenticate(e.Ctx, bad); herald.ErrorCode(err) != herald.EUNAUTHORIZED {
			t.Fatalf("%q: %v", bad, err)
		}
	}
	level := herald.OutletLevel("planetary")
	if _, err := e.svc.UpdatePartner(e.Ctx, e.World.Chief, p.ID, herald.PartnerUpdate{Version: p.Version, Level: &level}); herald.ErrorCode(err) != herald.EINVALID {
		t.Fatalf("a bad level: %v", err)
	}
	stale := p.Version + 1
	if _, _, err := e.svc.RotateToken(e.Ctx, e.World.Chief, p.ID, stale); herald.ErrorCode(err) != herald.ECONFLICT {
		t.Fatalf("a stale rotation: %v", err)
	}
}

// BenchmarkPullPage pulls a page of 50 stories and renders them as NINJS and
// as one NewsML-G2 message, as the pull endpoint does.
func BenchmarkPullPage(b *testing.B) {
	e := &env{Env: channeltest.New(b, nil)}
	e.svc = syndication.New(e.Store, e.Clock, "https://news.example.gov.cn", e.Log)
	body := strings.Repeat("<p>全省司法行政系统认真贯彻落实法治宣传教育工作部署，推进公共法律服务体系建设。</p>", 30)
	for i := range 200 {
		c := storetest.Content(e.World.Local, fmt.Sprintf("第%d篇稿件", i))
		c.Body, c.Channels = body, []herald.Channel{herald.ChannelWebsite, herald.ChannelPrint}
		at := e.Now.Add(-time.Duration(200-i) * time.Minute)
		a := &herald.Article{ArticleContent: c, UnitID: e.World.Center.ID, CreatedBy: e.World.Editor.ID, Status: herald.StatusPublished, PublishedAt: &at, Version: 1}
		if err := e.Store.CreateArticle(e.Ctx, a, herald.Event{At: at}); err != nil {
			b.Fatal(err)
		}
	}
	p, _ := e.partner(b, "bench", herald.FormatNINJS, "")
	win := syndication.Window{Since: e.Now.Add(-4 * time.Hour), Limit: 50}
	b.Run("ninjs", func(b *testing.B) {
		for b.Loop() {
			page, err := e.svc.Pull(e.Ctx, p, win)
			if err != nil || len(page.Articles) != 50 {
				b.Fatal(err)
			}
			if _, err := e.svc.NINJS(e.Ctx, page.Articles); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("newsml", func(b *testing.B) {
		for b.Loop() {
			page, err := e.svc.Pull(e.Ctx, p, win)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := e.svc.NewsMessage(e.Ctx, page.Articles); err != nil {
				b.Fatal(err)
			}
		}
	})
}
