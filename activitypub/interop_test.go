package activitypub_test

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/activitypub"
	"github.com/heraldnews/herald/internal/fedifytest"
)

// keys are generated once per test binary: RSA key generation is slow.
var (
	keysMu sync.Mutex
	keys   = map[string]*rsa.PrivateKey{}
)

func testKey(t testing.TB, name string) *rsa.PrivateKey {
	t.Helper()
	keysMu.Lock()
	defer keysMu.Unlock()
	if k, ok := keys[name]; ok {
		return k
	}
	k, err := activitypub.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	keys[name] = k
	return k
}

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// statusRecorder remembers the status a handler answered.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

// TestFedifyInterop proves the protocol against a real ActivityPub server,
// Fedify: WebFinger and actor discovery, a signed Follow verified by the
// inbox, the Accept, a Create(Note) and a Delete(Tombstone) delivered with
// the Client and verified by Fedify, likes, boosts and replies, a language's
// account (acct:site_en@…) followed and posting its note in English, an
// Undo, and that unsigned and forged deliveries are refused without being
// recorded.
func TestFedifyInterop(t *testing.T) {
	tlsConfig, cert := fedifytest.SelfSigned(t)
	srv := httptest.NewUnstartedServer(nil)
	srv.TLS = tlsConfig
	urls := activitypub.URLs{Base: "https://" + srv.Listener.Addr().String()}

	siteKey := testKey(t, "site")
	backend := newMemBackend()
	backend.addActor(t, "site", siteKey, urls.Base+"/")
	site := activitypub.SigningKey{KeyID: urls.KeyID("site"), Key: siteKey}

	roots := x509.NewCertPool()
	roots.AddCert(cert)
	client := activitypub.NewClient(activitypub.ClientConfig{
		UserAgent:    "Herald-test",
		AllowPrivate: true, // the peer is on 127.0.0.1
		TLSConfig:    &tls.Config{RootCAs: roots},
	})
	remote := activitypub.NewActorCache(client, &site, time.Minute, 100, nil)
	handler := activitypub.NewHandler(activitypub.Config{URLs: urls, Backend: backend, Remote: remote, Log: testLogger(t)})

	// Count what the inboxes refused, to see Fedify's double-knock.
	var refusedRFC9421, acceptedCavage atomic.Int32
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w}
		handler.ServeHTTP(rec, r)
		if r.Method == http.MethodPost {
			switch {
			case r.Header.Get("Signature-Input") != "" && rec.status == http.StatusUnauthorized:
				refusedRFC9421.Add(1)
			case r.Header.Get("Signature-Input") == "" && rec.status == http.StatusAccepted:
				acceptedCavage.Add(1)
			}
		}
	})
	srv.StartTLS()
	t.Cleanup(srv.Close)

	peer := fedifytest.Start(t, fedifytest.Options{Trust: []*x509.Certificate{cert}})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	// The peer resolves the handle with WebFinger over HTTPS, fetches the
	// actor and delivers a signed Follow to its inbox.
	follow, err := peer.Follow(ctx, "acct:site@"+urls.Host())
	if err != nil {
		t.Fatalf("peer follows site: %v", err)
	}
	if follow.Actor != urls.Actor("site") {
		t.Fatalf("peer resolved the handle to %s, want %s", follow.Actor, urls.Actor("site"))
	}
	got := backend.find(follow.ID)
	if got == nil || got.Action != activitypub.ActionFollow || got.Target != "site" || got.Actor.ID != peer.Actor {
		t.Fatalf("the Follow was not recorded as a follow of site by the peer: %+v", got)
	}
	follower := backend.follower("site", peer.Actor)
	if follower == nil || follower.SharedInbox != peer.SharedInbox || follower.Inbox != peer.Inbox {
		t.Fatalf("follower = %+v, want the peer with inbox %s and shared inbox %s", follower, peer.Inbox, peer.SharedInbox)
	}
	// Fedify signs with RFC 9421 first; the inbox refuses that with 401 and
	// Fedify falls back to draft-cavage, which it verifies.
	if refusedRFC9421.Load() == 0 || acceptedCavage.Load() == 0 {
		t.Errorf("RFC 9421 knocks refused: %d, draft-cavage deliveries accepted: %d; want both > 0",
			refusedRFC9421.Load(), acceptedCavage.Load())
	}

	// The Accept the backend queued reaches the peer, which verifies it.
	queued := backend.deliveries()
	if len(queued) != 1 || queued[0].Actor != "site" || queued[0].Inbox != peer.Inbox {
		t.Fatalf("queued deliveries = %+v, want one Accept from site to %s", queued, peer.Inbox)
	}
	if err := client.Deliver(ctx, queued[0].Inbox, queued[0].Activity, site); err != nil {
		t.Fatalf("deliver the Accept: %v", err)
	}
	accept, err := peer.WaitFor(ctx, func(r fedifytest.Received) bool { return r.Type == "Accept" })
	if err != nil {
		t.Fatal(err)
	}
	if !accept.Verified || accept.Actor != urls.Actor("site") || accept.Object != follow.ID {
		t.Fatalf("the peer received Accept %+v; want one verified, by site, of %s", accept, follow.ID)
	}

	// A published article goes out as Create(Note) to the shared inbox.
	published := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	article := &herald.Article{ID: 42, Version: 3, PublishedAt: &published, ArticleContent: herald.ArticleContent{
		Title:      "省司法厅发布2026年法治宣传教育工作要点",
		Summary:    "全面推进“八五”普法规划实施，深入开展宪法宣传教育 & 民法典进社区活动。",
		CoverImage: "/media/cover.jpg",
		Language:   "zh-CN",
		Tags:       []string{"法治宣传", "普法"},
	}}
	articleURL := urls.Base + "/articles/42"
	note, err := activitypub.NoteOf(article, activitypub.NoteOptions{
		ID: articleURL + "?v=3", ActorID: urls.Actor("site"), Followers: urls.Followers("site"),
		URL: articleURL, BaseURL: urls.Base, TagURL: func(tag string) string { return urls.Base + "/tags/" + tag },
	})
	if err != nil {
		t.Fatal(err)
	}
	create, err := activitypub.Marshal(activitypub.NewCreate(note.ID+"#create", note))
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Deliver(ctx, follower.DeliveryInbox(), create, site); err != nil {
		t.Fatalf("deliver the Create: %v", err)
	}
	created, err := peer.WaitFor(ctx, func(r fedifytest.Received) bool { return r.Type == "Create" })
	if err != nil {
		t.Fatal(err)
	}
	if !created.Verified || !created.Shared || created.Object != note.ID || created.ObjectType != "Note" {
		t.Fatalf("the peer received Create %+v; want one verified, at the shared inbox, of note %s", created, note.ID)
	}
	var sent struct {
		Object struct {
			Content string `json:"content"`
			Tag     []struct{ Name string }
		} `json:"object"`
	}
	if err := json.Unmarshal(created.JSON, &sent); err != nil || sent.Object.Content != note.Content ||
		len(sent.Object.Tag) != 2 || sent.Object.Tag[0].Name != "#法治宣传" {
		t.Fatalf("the peer got content %q with tags %v (%v); want %q with #法治宣传 first", sent.Object.Content, sent.Object.Tag, err, note.Content)
	}

	// A correction goes out as Update(Note), with the note's updated time.
	corrected := published.Add(30 * time.Minute)
	article.CorrectedAt = &corrected
	article.Summary = "更正：" + article.Summary
	correction, err := activitypub.NoteOf(article, activitypub.NoteOptions{
		ID: note.ID, ActorID: urls.Actor("site"), Followers: urls.Followers("site"), URL: articleURL, BaseURL: urls.Base,
	})
	if err != nil {
		t.Fatal(err)
	}
	update, err := activitypub.Marshal(activitypub.NewUpdate(note.ID+"#update-1", correction))
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Deliver(ctx, follower.DeliveryInbox(), update, site); err != nil {
		t.Fatalf("deliver the Update: %v", err)
	}
	updated, err := peer.WaitFor(ctx, func(r fedifytest.Received) bool { return r.Type == "Update" })
	if err != nil {
		t.Fatal(err)
	}
	if !updated.Verified || updated.Object != note.ID || !strings.Contains(string(updated.JSON), "更正：") {
		t.Fatalf("the peer received Update %+v; want one verified, of note %s, with the corrected summary", updated, note.ID)
	}

	// The peer likes, boosts and replies to it; the inbox records each.
	handle := "acct:site@" + urls.Host()
	likeID, err := peer.Like(ctx, note.ID, handle)
	if err != nil {
		t.Fatal(err)
	}
	announceID, err := peer.Announce(ctx, note.ID, handle)
	if err != nil {
		t.Fatal(err)
	}
	replyID, err := peer.Reply(ctx, note.ID, handle, "<p>请问何时开展？</p>")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct{ id, typ string }{{likeID, "Like"}, {announceID, "Announce"}, {replyID, "Create"}} {
		r := backend.find(want.id)
		if r == nil || r.Activity.Type != want.typ || r.Action != activitypub.ActionRecord || r.Actor.ID != peer.Actor {
			t.Errorf("%s %s: recorded %+v", want.typ, want.id, r)
		}
	}
	if r := backend.find(replyID); r != nil && (r.Activity.Embedded == nil || r.Activity.Embedded.InReplyTo != note.ID) {
		t.Errorf("the reply was recorded as %+v, want one in reply to %s", r.Activity.Embedded, note.ID)
	}

	// A retraction goes out as Delete(Tombstone).
	del, err := activitypub.Marshal(activitypub.NewDelete(note.ID+"#delete", urls.Actor("site"), note.ID,
		urls.Followers("site"), published.Add(time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Deliver(ctx, follower.DeliveryInbox(), del, site); err != nil {
		t.Fatalf("deliver the Delete: %v", err)
	}
	deleted, err := peer.WaitFor(ctx, func(r fedifytest.Received) bool { return r.Type == "Delete" })
	if err != nil {
		t.Fatal(err)
	}
	if !deleted.Verified || deleted.Object != note.ID || deleted.ObjectType != "Tombstone" {
		t.Fatalf("the peer received Delete %+v; want one verified, of a Tombstone for %s", deleted, note.ID)
	}

	// The English account: the peer follows acct:site_en@…, and verifies
	// its Accept and the English note's Create with site_en's own key.
	enKey := testKey(t, "site_en")
	backend.addActor(t, "site_en", enKey, urls.Base+"/en/")
	siteEn := activitypub.SigningKey{KeyID: urls.KeyID("site_en"), Key: enKey}
	followEn, err := peer.Follow(ctx, "acct:site_en@"+urls.Host())
	if err != nil {
		t.Fatalf("peer follows site_en: %v", err)
	}
	if followEn.Actor != urls.Actor("site_en") {
		t.Fatalf("peer resolved acct:site_en to %s, want %s", followEn.Actor, urls.Actor("site_en"))
	}
	followerEn := backend.follower("site_en", peer.Actor)
	queued = backend.deliveries()
	if followerEn == nil || len(queued) != 2 || queued[1].Actor != "site_en" {
		t.Fatalf("follower of site_en %+v, queued deliveries %+v; want the peer, and an Accept from site_en", followerEn, queued)
	}
	if err := client.Deliver(ctx, queued[1].Inbox, queued[1].Activity, siteEn); err != nil {
		t.Fatalf("deliver site_en's Accept: %v", err)
	}
	acceptEn, err := peer.WaitFor(ctx, func(r fedifytest.Received) bool { return r.Type == "Accept" && r.Actor == urls.Actor("site_en") })
	if err != nil {
		t.Fatal(err)
	}
	if !acceptEn.Verified || acceptEn.Object != followEn.ID {
		t.Fatalf("the peer received Accept %+v; want one verified, of %s", acceptEn, followEn.ID)
	}
	english := &herald.Article{ID: 43, Version: 2, TranslationOf: article.ID, PublishedAt: &published, ArticleContent: herald.ArticleContent{
		Title:    "Provincial Department of Justice Issues Key Points for Legal Publicity in 2026",
		Summary:  "The plan carries the Eighth Five-Year Plan for legal publicity forward, with constitutional education & the Civil Code in communities.",
		Language: "en",
	}}
	englishURL := urls.Base + "/articles/43.html"
	noteEn, err := activitypub.NoteOf(english, activitypub.NoteOptions{
		ID: urls.Object("notes/site_en/43"), ActorID: urls.Actor("site_en"), Followers: urls.Followers("site_en"),
		URL: englishURL, BaseURL: urls.Base,
	})
	if err != nil {
		t.Fatal(err)
	}
	createEn, err := activitypub.Marshal(activitypub.NewCreate(urls.Object("activities/site_en/43/create/2"), noteEn))
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Deliver(ctx, followerEn.DeliveryInbox(), createEn, siteEn); err != nil {
		t.Fatalf("deliver the English Create: %v", err)
	}
	createdEn, err := peer.WaitFor(ctx, func(r fedifytest.Received) bool { return r.Type == "Create" && r.Actor == urls.Actor("site_en") })
	if err != nil {
		t.Fatal(err)
	}
	var sentEn struct {
		Object struct {
			AttributedTo string            `json:"attributedTo"`
			ContentMap   map[string]string `json:"contentMap"`
		} `json:"object"`
	}
	if err := json.Unmarshal(createdEn.JSON, &sentEn); err != nil || !createdEn.Verified || createdEn.Object != noteEn.ID ||
		sentEn.Object.AttributedTo != urls.Actor("site_en") || sentEn.Object.ContentMap["en"] != noteEn.Content {
		t.Fatalf("the peer received Create %+v (%v); want one verified, of note %s by site_en, its content in contentMap.en",
			createdEn, err, noteEn.ID)
	}

	// Every delivery to the peer was draft-cavage-signed and accepted.
	if _, posts, err := peer.Received(ctx); err != nil || len(posts) != 6 {
		t.Errorf("the peer got %d deliveries (%v), want the Accept, Create, Update and Delete, and site_en's Accept and Create", len(posts), err)
	} else {
		for _, p := range posts {
			if p.Signature != "draft-cavage" || p.Status != http.StatusAccepted {
				t.Errorf("delivery to the peer's %s: %s signature, status %d", p.Path, p.Signature, p.Status)
			}
		}
	}

	// Unsigned and forged deliveries are refused and leave no trace.
	t.Run("refused", func(t *testing.T) {
		inbox := urls.Inbox("site")
		peerKey, err := remote.Actor(ctx, peer.Actor)
		if err != nil || len(peerKey.PublicKeys) == 0 {
			t.Fatalf("the peer's actor: %+v, %v", peerKey, err)
		}
		post := func(t *testing.T, body []byte, sign func(*http.Request)) int {
			t.Helper()
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, inbox, bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", activitypub.ContentType)
			if sign != nil {
				sign(req)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		signWith := func(key *rsa.PrivateKey, keyID string, signed []byte) func(*http.Request) {
			return func(req *http.Request) {
				if err := activitypub.Sign(req, signed, keyID, key, time.Now()); err != nil {
					t.Fatal(err)
				}
			}
		}
		fromPeer := []byte(`{"@context":"https://www.w3.org/ns/activitystreams","id":"` + peer.URL + `/forged/1",` +
			`"type":"Follow","actor":"` + peer.Actor + `","object":"` + urls.Actor("site") + `"}`)
		fromSite := []byte(`{"@context":"https://www.w3.org/ns/activitystreams","id":"` + urls.Base + `/likes/1",` +
			`"type":"Like","actor":"` + urls.Actor("site") + `","object":"` + note.ID + `"}`)
		altered := bytes.Replace(fromSite, []byte("likes/1"), []byte("likes/2"), 1)
		for _, c := range []struct {
			name string
			body []byte
			sign func(*http.Request)
			want int
		}{
			{"unsigned", fromPeer, nil, http.StatusUnauthorized},
			{"wrong key", fromPeer, signWith(testKey(t, "mallory"), peerKey.PublicKeys[0].ID, fromPeer), http.StatusUnauthorized},
			{"altered body", altered, signWith(siteKey, site.KeyID, fromSite), http.StatusUnauthorized},
			{"another actor's activity", fromPeer, signWith(siteKey, site.KeyID, fromPeer), http.StatusUnauthorized},
			// The same request signed properly is accepted: the refusals
			// above are the signatures' doing.
			{"control: signed properly", fromSite, signWith(siteKey, site.KeyID, fromSite), http.StatusAccepted},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := backend.receivedCount()
				if got := post(t, c.body, c.sign); got != c.want {
					t.Fatalf("status %d, want %d", got, c.want)
				}
				recorded := backend.receivedCount() - before
				if want := map[bool]int{true: 1, false: 0}[c.want == http.StatusAccepted]; recorded != want {
					t.Fatalf("%d activities recorded, want %d", recorded, want)
				}
			})
		}
	})

	// Undo of the Follow removes the follower.
	if _, err := peer.Undo(ctx, follow.ID); err != nil {
		t.Fatal(err)
	}
	if f := backend.follower("site", peer.Actor); f != nil {
		t.Errorf("the peer still follows site after Undo")
	}
}
