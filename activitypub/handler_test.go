package activitypub_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldnews/herald/activitypub"
)

// fixture is a Herald handler and a remote actor, both on plain HTTP.
type fixture struct {
	backend *memBackend
	urls    activitypub.URLs
	herald  *httptest.Server
	remote  *httptest.Server
	actor   string // the remote actor's ID
	keyID   string
	fetches atomic.Int32 // requests the remote server got
}

func newFixture(t *testing.T) *fixture {
	f := &fixture{backend: newMemBackend()}
	pem, err := activitypub.EncodePublicKey(&testKey(t, "peer").PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	f.remote = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.fetches.Add(1)
		if r.URL.Path != "/users/a" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", activitypub.ContentType)
		json.NewEncoder(w).Encode(map[string]any{
			"id": f.actor, "type": "Person", "preferredUsername": "a", "inbox": f.actor + "/inbox",
			"endpoints": map[string]string{"sharedInbox": f.remote.URL + "/inbox"},
			"publicKey": map[string]string{"id": f.keyID, "owner": f.actor, "publicKeyPem": pem},
		})
	}))
	t.Cleanup(f.remote.Close)
	f.actor = f.remote.URL + "/users/a"
	f.keyID = f.actor + "#main-key"

	f.herald = httptest.NewUnstartedServer(nil)
	f.urls = activitypub.URLs{Base: "http://" + f.herald.Listener.Addr().String()}
	f.backend.addActor(t, "site", testKey(t, "site"), f.urls.Base+"/about")
	f.backend.addActor(t, "rule-of-law", testKey(t, "site"), "")
	client := activitypub.NewClient(activitypub.ClientConfig{AllowPrivate: true})
	h := activitypub.NewHandler(activitypub.Config{
		URLs: f.urls, Backend: f.backend, Log: testLogger(t), NodeName: "省司法厅",
		Remote:        activitypub.NewActorCache(client, nil, time.Minute, 10, nil),
		Software:      activitypub.NodeInfoSoftware{Name: "herald", Version: "0.1.0"},
		MaxInboxBytes: 4096,
	})
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<html>page</html>") })
	mux := http.NewServeMux()
	h.Register(mux)
	mux.Handle("/articles/", h.Negotiate(page))
	f.herald.Config.Handler = mux
	f.herald.Start()
	t.Cleanup(f.herald.Close)
	return f
}

// post delivers body to path signed by the remote actor (unless sign is
// false) and returns the status.
func (f *fixture) post(t *testing.T, path, contentType string, body []byte, sign bool) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.urls.Base+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if sign {
		if err := activitypub.Sign(req, body, f.keyID, testKey(t, "peer"), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func (f *fixture) get(t *testing.T, path, accept string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, f.urls.Base+path, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

func (f *fixture) activity(id, typ, object string) []byte {
	b, _ := json.Marshal(map[string]any{"@context": activitypub.ActivityStreamsContext,
		"id": f.remote.URL + "/activities/" + id, "type": typ, "actor": f.actor, "object": object})
	return b
}

func TestInbox(t *testing.T) {
	f := newFixture(t)
	follow := f.activity("follow-1", "Follow", f.urls.Actor("site"))

	for _, c := range []struct {
		name        string
		path, ctype string
		body        []byte
		sign        bool
		want        int
	}{
		{"wrong content type", "/ap/inbox", "text/plain", follow, true, http.StatusUnsupportedMediaType},
		{"too large", "/ap/inbox", activitypub.ContentType, append(follow[:len(follow)-1], []byte(`,"x":"`+strings.Repeat("x", 5000)+`"}`)...), true, http.StatusRequestEntityTooLarge},
		{"not an activity", "/ap/inbox", activitypub.ContentType, []byte(`{"type":"Follow"}`), true, http.StatusBadRequest},
		{"unsigned", "/ap/inbox", activitypub.ContentType, follow, false, http.StatusUnauthorized},
		{"unknown local actor", "/ap/actors/nobody/inbox", activitypub.ContentType, follow, true, http.StatusNotFound},
		{"id on another server", "/ap/inbox", activitypub.ContentType,
			bytes.Replace(follow, []byte(f.remote.URL+"/activities"), []byte("https://elsewhere.example/activities"), 1), true, http.StatusBadRequest},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := f.post(t, c.path, c.ctype, c.body, c.sign); got != c.want {
				t.Fatalf("status %d, want %d", got, c.want)
			}
			if n := f.backend.receivedCount(); n != 0 {
				t.Fatalf("%d activities recorded, want none", n)
			}
		})
	}

	t.Run("follow, twice", func(t *testing.T) {
		for range 2 { // a sender's retry changes nothing
			if got := f.post(t, "/ap/actors/site/inbox", `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`, follow, true); got != http.StatusAccepted {
				t.Fatalf("status %d, want 202", got)
			}
		}
		if n, q := f.backend.receivedCount(), len(f.backend.deliveries()); n != 1 || q != 1 {
			t.Fatalf("%d recorded, %d Accepts queued; want 1 and 1", n, q)
		}
		d := f.backend.deliveries()[0]
		var accept struct {
			ID, Type, Actor string
			Object          struct{ ID, Type, Actor, Object string }
		}
		if err := json.Unmarshal(d.Activity, &accept); err != nil {
			t.Fatal(err)
		}
		if d.Inbox != f.actor+"/inbox" || d.Actor != "site" || accept.Type != "Accept" || accept.Actor != f.urls.Actor("site") ||
			accept.Object.ID != f.remote.URL+"/activities/follow-1" || accept.Object.Type != "Follow" || accept.Object.Actor != f.actor ||
			!strings.HasPrefix(accept.ID, f.urls.Actor("site")+"#accepts/") {
			t.Fatalf("delivery to %s by %s: %s", d.Inbox, d.Actor, d.Activity)
		}
		if f.backend.follower("site", f.actor) == nil {
			t.Fatal("no follower recorded")
		}
	})

	t.Run("unknown type is accepted and dropped", func(t *testing.T) {
		before := f.backend.receivedCount()
		if got := f.post(t, "/ap/inbox", activitypub.ContentType, f.activity("block-1", "Block", f.urls.Actor("site")), true); got != http.StatusAccepted {
			t.Fatalf("status %d, want 202", got)
		}
		if f.backend.receivedCount() != before {
			t.Fatal("a Block was recorded")
		}
	})

	t.Run("undo follow with embedded follow", func(t *testing.T) {
		undo, _ := json.Marshal(map[string]any{"id": f.remote.URL + "/activities/undo-1", "type": "Undo", "actor": map[string]string{"id": f.actor},
			"object": map[string]any{"id": f.remote.URL + "/activities/follow-1", "type": "Follow", "actor": f.actor, "object": f.urls.Actor("site")}})
		if got := f.post(t, "/ap/inbox", activitypub.ContentType, undo, true); got != http.StatusAccepted {
			t.Fatalf("status %d, want 202", got)
		}
		if r := f.backend.find(f.remote.URL + "/activities/undo-1"); r == nil || r.Action != activitypub.ActionUnfollow || r.Target != "site" {
			t.Fatalf("recorded %+v", r)
		}
		if f.backend.follower("site", f.actor) != nil {
			t.Fatal("still a follower")
		}
	})

	t.Run("blocked domain is refused before its key is fetched", func(t *testing.T) {
		host := strings.Split(strings.TrimPrefix(f.remote.URL, "http://"), ":")[0]
		f.backend.mu.Lock()
		f.backend.blocked[host] = true
		f.backend.mu.Unlock()
		defer func() { f.backend.mu.Lock(); delete(f.backend.blocked, host); f.backend.mu.Unlock() }()
		before, fetches := f.backend.receivedCount(), f.fetches.Load()
		if got := f.post(t, "/ap/inbox", activitypub.ContentType, f.activity("like-1", "Like", f.urls.Base+"/articles/1"), true); got != http.StatusForbidden {
			t.Fatalf("status %d, want 403", got)
		}
		if f.backend.receivedCount() != before || f.fetches.Load() != fetches {
			t.Fatal("a blocked server's activity was recorded or its key fetched")
		}
	})

	t.Run("deleted actor whose key is gone", func(t *testing.T) {
		gone := f.remote.URL + "/users/gone"
		body, _ := json.Marshal(map[string]any{"id": gone + "#delete", "type": "Delete", "actor": gone, "object": gone})
		req, _ := http.NewRequest(http.MethodPost, f.urls.SharedInbox(), bytes.NewReader(body))
		req.Header.Set("Content-Type", activitypub.ContentType)
		activitypub.Sign(req, body, gone+"#main-key", testKey(t, "peer"), time.Now())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted || f.backend.find(gone+"#delete") != nil {
			t.Fatalf("status %d; want 202 and nothing recorded", resp.StatusCode)
		}
	})
}

func TestWebFingerAndActor(t *testing.T) {
	f := newFixture(t)
	host := f.urls.Host()
	for _, c := range []struct {
		resource string
		want     int
	}{
		{"acct:site@" + host, http.StatusOK},
		{"acct:SITE@" + host, http.StatusOK},
		{f.urls.Actor("site"), http.StatusOK},
		{"acct:rule-of-law@" + host, http.StatusOK},
		{"acct:nobody@" + host, http.StatusNotFound},
		{"acct:site@elsewhere.example", http.StatusNotFound},
		{"", http.StatusBadRequest},
	} {
		resp, body := f.get(t, "/.well-known/webfinger?resource="+url.QueryEscape(c.resource), "")
		if resp.StatusCode != c.want {
			t.Errorf("%q: status %d, want %d", c.resource, resp.StatusCode, c.want)
			continue
		}
		if c.want != http.StatusOK {
			continue
		}
		var jrd activitypub.JRD
		json.Unmarshal(body, &jrd)
		if resp.Header.Get("Content-Type") != "application/jrd+json" || !strings.HasPrefix(jrd.Subject, "acct:") ||
			jrd.Links[0].Rel != "self" || jrd.Links[0].Type != activitypub.ContentType || !strings.HasPrefix(jrd.Links[0].Href, f.urls.Base+"/ap/actors/") {
			t.Errorf("%q: %s %s", c.resource, resp.Header.Get("Content-Type"), body)
		}
	}

	// JSON for ActivityPub clients, the profile page for browsers.
	for _, accept := range []string{activitypub.ContentType, activitypub.LDContentType} {
		resp, body := f.get(t, "/ap/actors/site", accept)
		var actor activitypub.Actor
		if err := json.Unmarshal(body, &actor); err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != activitypub.ContentType {
			t.Fatalf("Accept %s: %d %s", accept, resp.StatusCode, body)
		}
		pub, err := activitypub.DecodePublicKey(actor.PublicKey.PublicKeyPEM)
		if err != nil || !pub.Equal(&testKey(t, "site").PublicKey) || actor.PublicKey.ID != f.urls.KeyID("site") ||
			actor.Type != "Service" || actor.Inbox != f.urls.Inbox("site") || actor.Endpoints.SharedInbox != f.urls.SharedInbox() ||
			!strings.Contains(string(body), `"Hashtag":"as:Hashtag"`) {
			t.Fatalf("actor document %s", body)
		}
	}
	resp, _ := f.get(t, "/ap/actors/site", "text/html,application/xhtml+xml,*/*;q=0.8")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != f.urls.Base+"/about" {
		t.Fatalf("browser: %d to %q, want 303 to the profile page", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestCollectionsObjectsNodeInfo(t *testing.T) {
	f := newFixture(t)
	f.backend.mu.Lock()
	for i := range 25 {
		f.backend.outbox["site"] = append(f.backend.outbox["site"], json.RawMessage(`{"type":"Create","n":`+string(rune('0'+i%10))+`}`))
	}
	f.backend.followers["site"] = map[string]*activitypub.RemoteActor{"https://a.example/u/1": {}, "https://b.example/u/2": {}}
	noteID := f.urls.Base + "/articles/9"
	f.backend.objects[noteID] = json.RawMessage(`{"id":"` + noteID + `","type":"Note"}`)
	f.backend.objects[f.urls.Object("notes/gone")] = json.RawMessage(`{"id":"x","type":"Tombstone"}`)
	f.backend.mu.Unlock()

	var coll activitypub.OrderedCollection
	_, body := f.get(t, "/ap/actors/site/outbox", activitypub.ContentType)
	if json.Unmarshal(body, &coll); coll.TotalItems != 25 || coll.First != f.urls.Outbox("site")+"?page=1" {
		t.Fatalf("outbox %s", body)
	}
	var page activitypub.OrderedCollectionPage
	_, body = f.get(t, "/ap/actors/site/outbox?page=2", activitypub.ContentType)
	if json.Unmarshal(body, &page); len(page.OrderedItems) != 5 || page.Next != "" || page.Prev != f.urls.Outbox("site")+"?page=1" {
		t.Fatalf("outbox page 2: %s", body)
	}
	_, body = f.get(t, "/ap/actors/site/followers", activitypub.ContentType)
	if coll = (activitypub.OrderedCollection{}); json.Unmarshal(body, &coll) != nil || coll.TotalItems != 2 || coll.First != "" {
		t.Fatalf("followers %s: want the count without the list", body)
	}

	// An article page serves its note to peers and stays a page for people.
	resp, body := f.get(t, "/articles/9", activitypub.ContentType)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"type":"Note"`) {
		t.Fatalf("note: %d %s", resp.StatusCode, body)
	}
	if _, body := f.get(t, "/articles/9", "text/html"); string(body) != "<html>page</html>" {
		t.Fatalf("page: %s", body)
	}
	if _, body := f.get(t, "/articles/10", activitypub.ContentType); string(body) != "<html>page</html>" {
		t.Fatalf("an article without a note: %s", body)
	}
	if resp, _ := f.get(t, "/ap/objects/notes/gone", activitypub.ContentType); resp.StatusCode != http.StatusGone {
		t.Fatalf("tombstone: %d, want 410", resp.StatusCode)
	}

	var links activitypub.NodeInfoLinks
	_, body = f.get(t, "/.well-known/nodeinfo", "")
	if json.Unmarshal(body, &links); len(links.Links) != 1 || links.Links[0].Href != f.urls.Base+"/nodeinfo/2.1" {
		t.Fatalf("nodeinfo links %s", body)
	}
	var ni activitypub.NodeInfo
	resp, body = f.get(t, "/nodeinfo/2.1", "")
	if json.Unmarshal(body, &ni); ni.Version != "2.1" || ni.Software.Name != "herald" || ni.Protocols[0] != "activitypub" ||
		ni.Usage.Users.Total != 2 || ni.Usage.LocalPosts != 25 || ni.Metadata["nodeName"] != "省司法厅" ||
		!strings.Contains(resp.Header.Get("Content-Type"), "schema/2.1") {
		t.Fatalf("nodeinfo %s %s", resp.Header.Get("Content-Type"), body)
	}
}

func TestParseActivityLenient(t *testing.T) {
	in, err := activitypub.ParseActivity([]byte(`{"id":"https://a.example/1","type":["Create"],
		"actor":{"id":"https://a.example/u","type":"Person"},
		"object":[{"id":"https://a.example/n/1","type":"Note","inReplyTo":{"id":"https://h.example/articles/1"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if in.Type != "Create" || in.Actor != "https://a.example/u" || in.Object != "https://a.example/n/1" ||
		in.Embedded == nil || in.Embedded.Type != "Note" || in.Embedded.InReplyTo != "https://h.example/articles/1" {
		t.Fatalf("%+v / %+v", in, in.Embedded)
	}
	in, err = activitypub.ParseActivity([]byte(`{"id":"https://a.example/2","type":"Like","actor":"https://a.example/u","object":"https://h.example/n"}`))
	if err != nil || in.Object != "https://h.example/n" || in.Embedded != nil {
		t.Fatalf("%+v %v", in, err)
	}
	for _, bad := range []string{`[]`, `{"type":"Like"}`, `{"id":"https://a.example/3","type":"Like","actor":"javascript:x"}`} {
		if _, err := activitypub.ParseActivity([]byte(bad)); err == nil {
			t.Errorf("ParseActivity(%s) succeeded", bad)
		}
	}
}
