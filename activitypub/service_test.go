package activitypub_test

import (
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/activitypub"
	"github.com/heraldnews/herald/internal/channeltest"
	"github.com/heraldnews/herald/storetest"
	"github.com/heraldnews/herald/workflow"
)

// inboxRecorder is a follower's server that accepts every delivery and
// keeps it.
type inboxRecorder struct {
	mu       sync.Mutex
	received []sent
}

// sent is one delivery an inboxRecorder got.
type sent struct {
	Path  string
	KeyID string // the key that signed it
	Type  string
	Actor string
	Note  struct {
		ID, Type, AttributedTo, Content, URL string
		ContentMap                           map[string]string
		Cc                                   []string
	}
}

var keyIDParam = regexp.MustCompile(`keyId="([^"]+)"`)

func (r *inboxRecorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	var s sent
	var act struct {
		Type, Actor string
		Object      json.RawMessage
	}
	json.Unmarshal(body, &act)
	s.Path, s.Type, s.Actor = req.URL.Path, act.Type, act.Actor
	if m := keyIDParam.FindStringSubmatch(req.Header.Get("Signature")); m != nil {
		s.KeyID = m[1]
	}
	json.Unmarshal(act.Object, &s.Note)
	r.mu.Lock()
	r.received = append(r.received, s)
	r.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

// take returns what arrived since the last call.
func (r *inboxRecorder) take() []sent {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.received
	r.received = nil
	return out
}

// microblog is the microblog over a real store, published to through the
// workflow and the delivery engine, with followers' inboxes on a recorder.
type microblog struct {
	*channeltest.Env
	svc     *activitypub.Service
	handler *activitypub.Handler
	urls    activitypub.URLs
	inboxes *inboxRecorder
	peer    *httptest.Server
}

func newMicroblog(t *testing.T) *microblog {
	t.Helper()
	m := &microblog{Env: channeltest.New(t, testLogger(t)), urls: activitypub.URLs{Base: "https://sft.example.gov.cn"}, inboxes: &inboxRecorder{}}
	if err := m.Store.UpdateSettings(m.Ctx, &herald.SiteSettings{SiteName: "省司法厅", Description: "法治新闻"},
		herald.Event{At: m.Now, ActorID: m.World.Admin.ID}); err != nil {
		t.Fatal(err)
	}
	m.peer = httptest.NewServer(m.inboxes)
	t.Cleanup(m.peer.Close)

	client := activitypub.NewClient(activitypub.ClientConfig{AllowPrivate: true, Clock: m.Clock})
	m.svc = activitypub.NewService(m.Store, m.urls, client, m.Clock, m.Log)
	m.svc.ColumnActors = true
	m.svc.ArticleURL = func(a *herald.Article) string { return m.urls.Base + herald.ArticlePath(a.ID) }
	m.svc.SectionURL = func(subtag string) string { return m.urls.Base + "/" + subtag + "/" }
	m.handler = activitypub.NewHandler(activitypub.Config{URLs: m.urls, Backend: m.svc, Clock: m.Clock, Log: m.Log,
		Remote: activitypub.NewActorCache(client, nil, time.Minute, 10, m.Clock)})
	m.Delivery.Register(m.svc)
	m.svc.RegisterJobs(m.Runner)
	return m
}

// publish writes, approves and publishes an article for the microblog in
// language lang, a translation of translationOf unless that is 0, and runs
// the jobs that follow.
func (m *microblog) publish(t *testing.T, title, lang string, translationOf int64) *herald.Article {
	t.Helper()
	c := storetest.Content(m.World.Local, title)
	c.Language, c.Channels = lang, []herald.Channel{herald.ChannelMicroblog}
	a := m.Published(t, workflow.Draft{ArticleContent: c, TranslationOf: translationOf})
	m.runJobs(t)
	return a
}

// runJobs runs every due job and fails the test if one failed.
func (m *microblog) runJobs(t *testing.T) {
	t.Helper()
	if _, err := m.Runner.RunDue(m.Ctx); err != nil {
		t.Fatal(err)
	}
	failed, n, err := m.Store.FindJobs(m.Ctx, herald.JobFilter{Statuses: []herald.JobStatus{herald.JobFailed, herald.JobQueued}})
	if err != nil || n != 0 {
		for _, j := range failed {
			t.Errorf("job %s %s: %s", j.Kind, j.Key, j.LastError)
		}
		t.Fatalf("%d jobs failed or wait to retry (%v)", n, err)
	}
}

// follow makes a follower of the local actor whose inbox is on the recorder
// at /inbox/<actor>.
func (m *microblog) follow(t *testing.T, actor string) {
	t.Helper()
	account := m.peer.URL + "/users/" + actor + "-reader"
	if _, err := m.Store.AddFollower(m.Ctx, &herald.Follower{Actor: actor, Account: account, Inbox: m.peer.URL + "/inbox/" + actor,
		FollowID: account + "#follow", CreatedAt: m.Now}, nil); err != nil {
		t.Fatal(err)
	}
}

// get serves a GET of path by the handler.
func (m *microblog) get(t *testing.T, path string) (int, []byte) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, m.urls.Base+path, nil)
	req.Header.Set("Accept", activitypub.ContentType)
	rec := httptest.NewRecorder()
	m.handler.ServeHTTP(rec, req)
	return rec.Code, rec.Body.Bytes()
}

func (m *microblog) targets(t *testing.T) map[int64][]string {
	t.Helper()
	ds, _, err := m.Store.FindDeliveries(m.Ctx, herald.DeliveryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64][]string{}
	for _, d := range ds {
		if d.Channel == herald.ChannelMicroblog {
			out[d.ArticleID] = append(out[d.ArticleID], d.Target)
		}
	}
	for _, ts := range out {
		slices.Sort(ts)
	}
	return out
}

func TestTargetsByLanguage(t *testing.T) {
	m := newMicroblog(t)
	column := m.World.Local.Slug
	for _, c := range []struct {
		name          string
		lang          string
		translationOf int64
		columnActors  bool
		want          []string
	}{
		{"original in the site's language", "zh-CN", 0, false, []string{"site"}},
		{"original with column actors", "zh-CN", 0, true, []string{"site", column}},
		{"another variant of the site's language", "zh-TW", 0, true, []string{"site", column}},
		{"English translation", "en", 7, true, []string{"site_en"}},
		{"British English translation", "en-GB", 7, false, []string{"site_en"}},
		{"French original", "fr", 0, true, []string{"site_fr"}},
		{"upper-case tag", "RU", 0, true, []string{"site_ru"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m.svc.ColumnActors = c.columnActors
			a := &herald.Article{ID: 8, TranslationOf: c.translationOf, ArticleContent: herald.ArticleContent{Language: c.lang, ColumnID: m.World.Local.ID}}
			got, err := m.svc.Targets(m.Ctx, a)
			if err != nil || !slices.Equal(got, c.want) {
				t.Fatalf("targets of an article in %s = %q (%v), want %q", c.lang, got, err, c.want)
			}
		})
	}

	t.Run("a site whose language is English", func(t *testing.T) {
		m.svc.Language = "en"
		defer func() { m.svc.Language = "" }()
		for lang, want := range map[string]string{"en-US": "site", "zh-CN": "site_zh"} {
			got, err := m.svc.Targets(m.Ctx, &herald.Article{ArticleContent: herald.ArticleContent{Language: lang, ColumnID: m.World.Local.ID}})
			if err != nil || got[0] != want {
				t.Errorf("targets of an article in %s = %q (%v), want %s first", lang, got, err, want)
			}
		}
	})
}

func TestLanguageActorExistsWithItsArticles(t *testing.T) {
	m := newMicroblog(t)
	webfinger := func(acct string) (int, activitypub.JRD) {
		t.Helper()
		status, body := m.get(t, "/.well-known/webfinger?resource="+acct)
		var jrd activitypub.JRD
		if status == http.StatusOK {
			if err := json.Unmarshal(body, &jrd); err != nil {
				t.Fatal(err)
			}
		}
		return status, jrd
	}
	host := m.urls.Host()
	if status, _ := webfinger("acct:site_en@" + host); status != http.StatusNotFound {
		t.Fatalf("WebFinger of site_en before any English article: %d, want 404", status)
	}
	original := m.publish(t, "全省司法行政系统宣传培训班在石家庄举办", "zh-CN", 0)
	if status, _ := webfinger("acct:site_en@" + host); status != http.StatusNotFound {
		t.Fatalf("WebFinger of site_en with Chinese articles only: %d, want 404", status)
	}
	m.publish(t, "Provincial Publicity Training Course Held in Shijiazhuang", "en", original.ID)

	status, jrd := webfinger("acct:SITE_EN@" + host)
	if status != http.StatusOK || jrd.Subject != "acct:site_en@"+host || len(jrd.Links) == 0 ||
		jrd.Links[0].Href != m.urls.Actor("site_en") || !slices.Contains(jrd.Aliases, m.urls.Base+"/en/") {
		t.Fatalf("WebFinger of site_en: %d %+v", status, jrd)
	}
	status, body := m.get(t, "/ap/actors/site_en")
	var actor activitypub.Actor
	if err := json.Unmarshal(body, &actor); status != http.StatusOK || err != nil {
		t.Fatalf("actor site_en: %d %s", status, body)
	}
	if actor.ID != m.urls.Actor("site_en") || actor.PreferredUsername != "site_en" || actor.Name != "省司法厅 · English" ||
		actor.URL != m.urls.Base+"/en/" || actor.Inbox != m.urls.Inbox("site_en") || actor.Outbox != m.urls.Outbox("site_en") ||
		actor.Followers != m.urls.Followers("site_en") || actor.PublicKey == nil ||
		actor.PublicKey.Owner != actor.ID || !strings.Contains(actor.PublicKey.PublicKeyPEM, "PUBLIC KEY") {
		t.Fatalf("actor site_en = %s", body)
	}
	for _, path := range []string{"/ap/actors/site_en/outbox", "/ap/actors/site_en/outbox?page=1", "/ap/actors/site_en/followers"} {
		if status, body := m.get(t, path); status != http.StatusOK {
			t.Errorf("%s: %d %s", path, status, body)
		}
	}
	// its inbox is there: an unsigned delivery is refused as unsigned, not
	// as sent to nobody
	post := func(path string) int {
		req := httptest.NewRequest(http.MethodPost, m.urls.Base+path, strings.NewReader(
			`{"id":"https://peer.example/1","type":"Follow","actor":"https://peer.example/a","object":"`+m.urls.Actor("site_en")+`"}`))
		req.Header.Set("Content-Type", activitypub.ContentType)
		rec := httptest.NewRecorder()
		m.handler.ServeHTTP(rec, req)
		return rec.Code
	}
	if got := post("/ap/actors/site_en/inbox"); got != http.StatusUnauthorized {
		t.Errorf("unsigned POST to site_en's inbox: %d, want 401", got)
	}
	if got := post("/ap/actors/site_fr/inbox"); got != http.StatusNotFound {
		t.Errorf("POST to site_fr's inbox: %d, want 404", got)
	}

	for _, name := range []string{
		"site_fr",      // no French article
		"site_zh",      // the site's own language is the site's
		"site_",        // no language
		"site_e1",      // not a language subtag
		"site_english", // nor this
		"site_en-gb",   // languages go by their primary subtag
		"site_EN",      // names are lower case
	} {
		if status, body := m.get(t, "/ap/actors/"+name); status != http.StatusNotFound {
			t.Errorf("actor %s: %d %s, want 404", name, status, body)
		}
		if status, _ := webfinger("acct:" + name + "@" + host); status != http.StatusNotFound && name != "site_EN" {
			t.Errorf("WebFinger of %s: %d, want 404", name, status)
		}
	}

	// NodeInfo counts it beside the site and the columns
	status, body = m.get(t, "/nodeinfo/2.1")
	var info activitypub.NodeInfo
	if err := json.Unmarshal(body, &info); status != http.StatusOK || err != nil || info.Usage.Users.Total != 4 {
		t.Fatalf("NodeInfo: %d %s, want 4 users (site, two columns, site_en)", status, body)
	}
}

// TestLanguageActorPostsTheTranslation follows one article and its English
// translation through the delivery engine: the original goes out from the
// site and its column, the translation from site_en alone, with its
// language; its correction and retraction follow it to site_en, and site_en
// stays after its last article is retracted.
func TestLanguageActorPostsTheTranslation(t *testing.T) {
	m := newMicroblog(t)
	column := m.World.Local.Slug
	for _, actor := range []string{"site", column, "site_en"} {
		m.follow(t, actor)
	}

	original := m.publish(t, "全省司法行政系统宣传培训班在石家庄举办", "zh-CN", 0)
	got := m.inboxes.take()
	slices.SortFunc(got, func(a, b sent) int { return strings.Compare(a.Path, b.Path) })
	if len(got) != 2 || got[0].Path != "/inbox/"+column || got[1].Path != "/inbox/site" ||
		got[1].Type != "Create" || got[1].KeyID != m.urls.KeyID("site") || got[1].Note.ContentMap["zh-CN"] == "" {
		t.Fatalf("the original reached %+v; want a Create from site and one from %s", got, column)
	}

	en := m.publish(t, "Provincial Publicity Training Course Held in Shijiazhuang", "en", original.ID)
	if want := map[int64][]string{original.ID: {column, "site"}, en.ID: {"site_en"}}; !maps.EqualFunc(m.targets(t), want, slices.Equal) {
		t.Fatalf("deliveries = %v, want %v", m.targets(t), want)
	}
	got = m.inboxes.take()
	if len(got) != 1 {
		t.Fatalf("the translation reached %+v; want site_en's follower only", got)
	}
	note := got[0].Note
	articleURL := m.urls.Base + herald.ArticlePath(en.ID)
	if c := got[0]; c.Path != "/inbox/site_en" || c.Type != "Create" || c.Actor != m.urls.Actor("site_en") || c.KeyID != m.urls.KeyID("site_en") {
		t.Fatalf("the translation went out as %+v; want a Create by site_en, signed with its key", c)
	}
	if note.Type != "Note" || note.ID != m.urls.Object("notes/site_en/"+strconv.FormatInt(en.ID, 10)) || note.AttributedTo != m.urls.Actor("site_en") ||
		note.URL != articleURL || !strings.Contains(note.Content, `href="`+articleURL+`"`) ||
		len(note.ContentMap) != 1 || note.ContentMap["en"] != note.Content || !slices.Equal(note.Cc, []string{m.urls.Followers("site_en")}) {
		t.Fatalf("the note = %+v; want site_en's, linking to %s, in English", note, articleURL)
	}
	if status, body := m.get(t, "/ap/actors/site_en/outbox?page=1"); status != http.StatusOK || !strings.Contains(string(body), note.ID) {
		t.Fatalf("site_en's outbox: %d %s", status, body)
	}

	// a correction and a retraction follow it to site_en
	m.Now = m.Now.Add(time.Hour)
	fixed := en.ArticleContent.Clone()
	fixed.Title = "Provincial Publicity Training Course Opens in Shijiazhuang"
	en = m.Do(t, m.World.Chief, en.ID, workflow.ActCorrect, workflow.Request{Content: &fixed, Comment: "title"})
	m.runJobs(t)
	if got := m.inboxes.take(); len(got) != 1 || got[0].Path != "/inbox/site_en" || got[0].Type != "Update" ||
		got[0].KeyID != m.urls.KeyID("site_en") || got[0].Note.ID != note.ID || !strings.Contains(got[0].Note.Content, "Opens") ||
		got[0].Note.ContentMap["en"] == "" {
		t.Fatalf("the correction reached %+v; want an Update of %s from site_en", got, note.ID)
	}
	m.Now = m.Now.Add(time.Hour)
	m.Do(t, m.World.Chief, en.ID, workflow.ActRetract, workflow.Request{Comment: "withdrawn"})
	m.runJobs(t)
	if got := m.inboxes.take(); len(got) != 1 || got[0].Path != "/inbox/site_en" || got[0].Type != "Delete" ||
		got[0].KeyID != m.urls.KeyID("site_en") {
		t.Fatalf("the retraction reached %+v; want a Delete from site_en", got)
	}
	if want := map[int64][]string{original.ID: {column, "site"}, en.ID: {"site_en"}}; !maps.EqualFunc(m.targets(t), want, slices.Equal) {
		t.Fatalf("deliveries after the correction and retraction = %v, want %v", m.targets(t), want)
	}
	// peers verifying the Delete can still fetch the key that signed it
	if status, body := m.get(t, "/ap/actors/site_en"); status != http.StatusOK {
		t.Fatalf("site_en after its only article was retracted: %d %s", status, body)
	}
	if status, body := m.get(t, "/ap/objects/notes/site_en/"+strconv.FormatInt(en.ID, 10)); status != http.StatusGone {
		t.Fatalf("the retracted note: %d %s, want 410", status, body)
	}
}

// TestADeletedAccountStopsFollowingTheLanguageActor: a remote account that
// deletes itself is forgotten by site_en too.
func TestADeletedAccountStopsFollowingTheLanguageActor(t *testing.T) {
	m := newMicroblog(t)
	m.publish(t, "Provincial Publicity Training Course Held in Shijiazhuang", "en", 0)
	m.follow(t, "site_en")
	account := m.peer.URL + "/users/site_en-reader"
	err := m.svc.Receive(m.Ctx, &activitypub.Received{Action: activitypub.ActionRemoveActor, At: m.Now,
		Activity: &activitypub.Incoming{ID: account + "#delete", Type: "Delete", Actor: account, Object: account},
		Actor:    &activitypub.RemoteActor{ID: account}})
	if err != nil {
		t.Fatal(err)
	}
	if _, n, err := m.Store.FindFollowers(m.Ctx, "site_en", 10, 0); err != nil || n != 0 {
		t.Fatalf("site_en has %d followers (%v) after its follower deleted itself", n, err)
	}
}

// A follower on a server under a reserved name (the demo's fictional ones)
// gets no send job: a delivery there could only fail, and every publication
// would leave a failed job behind. Followers elsewhere are reached as ever.
func TestNoSendsToReservedNames(t *testing.T) {
	m := newMicroblog(t)
	m.follow(t, "site")
	if _, err := m.Store.AddFollower(m.Ctx, &herald.Follower{Actor: "site", Account: "https://social.example/users/reader",
		Inbox: "https://social.example/users/reader/inbox", SharedInbox: "https://social.example/inbox",
		FollowID: "https://social.example/follows/1", CreatedAt: m.Now}, nil); err != nil {
		t.Fatal(err)
	}
	m.publish(t, "全省公共法律服务平台上线", "zh-CN", 0) // fails the test if a job failed
	if got := m.inboxes.take(); len(got) != 1 || got[0].Path != "/inbox/site" {
		t.Fatalf("the note reached %+v; want the reachable follower only", got)
	}
	sends, n, err := m.Store.FindJobs(m.Ctx, herald.JobFilter{Kind: activitypub.KindSend})
	if err != nil || n != 1 || !strings.HasSuffix(sends[0].Key, m.peer.URL+"/inbox/site") {
		t.Fatalf("send jobs = %d (%v), want one, to the reachable inbox", n, err)
	}
}
