package activitypub_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldnews/herald/activitypub"
)

func TestPublicAddress(t *testing.T) {
	for addr, want := range map[string]bool{
		"93.184.216.34":    true,
		"2606:4700::1111":  true,
		"127.0.0.1":        false,
		"::1":              false,
		"10.1.2.3":         false,
		"172.16.0.1":       false,
		"192.168.1.1":      false,
		"169.254.169.254":  false, // cloud metadata
		"fe80::1":          false,
		"fd00::1":          false,
		"0.0.0.0":          false,
		"::":               false,
		"100.64.0.1":       false,
		"224.0.0.1":        false,
		"255.255.255.255":  false,
		"::ffff:127.0.0.1": false,
		"::ffff:10.0.0.1":  false,
	} {
		if got := activitypub.PublicAddress(netip.MustParseAddr(addr)); got != want {
			t.Errorf("PublicAddress(%s) = %v, want %v", addr, got, want)
		}
	}
}

// TestClientRefusesPrivateAddresses: without AllowPrivate, a server on
// 127.0.0.1 is never reached, by IP or by a name that resolves to it.
func TestClientRefusesPrivateAddresses(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	client := activitypub.NewClient(activitypub.ClientConfig{})
	key := activitypub.SigningKey{KeyID: "https://herald.example/ap/actors/site#main-key", Key: testKey(t, "site")}
	byName := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	for _, target := range []string{srv.URL + "/inbox", byName + "/inbox"} {
		err := client.Deliver(context.Background(), target, []byte(`{}`), key)
		var ae *activitypub.AddressError
		if !errors.As(err, &ae) || activitypub.Temporary(err) {
			t.Errorf("Deliver to %s: %v; want a permanent AddressError", target, err)
		}
		if _, err := client.FetchActor(context.Background(), target, nil); !errors.As(err, &ae) {
			t.Errorf("FetchActor %s: %v; want an AddressError", target, err)
		}
	}
	if hits.Load() != 0 {
		t.Fatalf("the private server was reached %d times", hits.Load())
	}

	// The same server is reached when the test setting allows it.
	allowed := activitypub.NewClient(activitypub.ClientConfig{AllowPrivate: true})
	if err := allowed.Deliver(context.Background(), srv.URL+"/inbox", []byte(`{}`), key); err != nil || hits.Load() != 1 {
		t.Fatalf("with AllowPrivate: %v, %d hits; want delivered once", err, hits.Load())
	}
}

func TestClientDeliver(t *testing.T) {
	siteKey := testKey(t, "site")
	pem, err := activitypub.EncodePublicKey(&siteKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	const keyID = "https://herald.example/ap/actors/site#main-key"
	keysFn := func(_ context.Context, id string, _ bool) (*activitypub.PublicKey, error) {
		return &activitypub.PublicKey{ID: id, Owner: "https://herald.example/ap/actors/site", PublicKeyPEM: pem}, nil
	}
	var status atomic.Int32
	var verifyErr atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("Content-Type") != activitypub.ContentType || r.Header.Get("User-Agent") != "Herald-test/1" {
			verifyErr.Store("wrong Content-Type or User-Agent: " + r.Header.Get("Content-Type") + " " + r.Header.Get("User-Agent"))
		} else if _, err := activitypub.Verify(r, body, time.Now(), keysFn); err != nil {
			verifyErr.Store(err.Error())
		}
		if s := int(status.Load()); s >= 300 && s < 400 {
			http.Redirect(w, r, "/elsewhere", s)
			return
		}
		w.WriteHeader(int(status.Load()))
	}))
	defer srv.Close()
	client := activitypub.NewClient(activitypub.ClientConfig{AllowPrivate: true, UserAgent: "Herald-test/1"})
	key := activitypub.SigningKey{KeyID: keyID, Key: siteKey}
	for _, c := range []struct {
		status    int
		ok        bool
		temporary bool
	}{
		{http.StatusAccepted, true, false},
		{http.StatusOK, true, false},
		{http.StatusTooManyRequests, false, true},
		{http.StatusInternalServerError, false, true},
		{http.StatusBadGateway, false, true},
		{http.StatusUnauthorized, false, false},
		{http.StatusNotFound, false, false},
		{http.StatusGone, false, false},
		{http.StatusFound, false, false}, // a redirected POST is not followed
	} {
		status.Store(int32(c.status))
		err := client.Deliver(context.Background(), srv.URL+"/inbox", []byte(`{"type":"Create"}`), key)
		if (err == nil) != c.ok || activitypub.Temporary(err) != c.temporary {
			t.Errorf("HTTP %d: err %v (temporary %v); want ok %v, temporary %v", c.status, err, activitypub.Temporary(err), c.ok, c.temporary)
		}
		var re *activitypub.RemoteError
		if err != nil && (!errors.As(err, &re) || re.Status != c.status) {
			t.Errorf("HTTP %d: err %v is not a RemoteError with the status", c.status, err)
		}
	}
	if v := verifyErr.Load(); v != nil {
		t.Fatalf("the inbox could not verify the delivery: %v", v)
	}

	// A refused connection and a cancelled request are worth retrying.
	srv.Close()
	if err := client.Deliver(context.Background(), srv.URL+"/inbox", []byte(`{}`), key); !activitypub.Temporary(err) {
		t.Errorf("a closed server: %v, want a temporary error", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := client.Deliver(ctx, "http://127.0.0.1:1/inbox", []byte(`{}`), key); !activitypub.Temporary(err) {
		t.Errorf("a cancelled request: %v, want a temporary error", err)
	}
}

func TestClientFetchActor(t *testing.T) {
	var doc atomic.Value
	var gotAccept, gotSignature atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAccept.Store(r.Header.Get("Accept"))
		gotSignature.Store(r.Header.Get("Signature"))
		w.Header().Set("Content-Type", `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`)
		io.WriteString(w, strings.ReplaceAll(doc.Load().(string), "ORIGIN", "http://"+r.Host))
	}))
	defer srv.Close()
	client := activitypub.NewClient(activitypub.ClientConfig{AllowPrivate: true, MaxResponseBytes: 4096})
	pem, err := activitypub.EncodePublicKey(&testKey(t, "peer").PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pemJSON := strings.ReplaceAll(pem, "\n", `\n`)

	// Lenient reading: type and url as arrays, publicKey as an array, the
	// shared inbox in endpoints.
	doc.Store(`{"@context":["https://www.w3.org/ns/activitystreams"],"id":"ORIGIN/users/a","type":["Person"],
		"preferredUsername":"a","inbox":"ORIGIN/users/a/inbox","endpoints":{"sharedInbox":"ORIGIN/inbox"},
		"url":[{"type":"Link","href":"ORIGIN/@a"}],
		"publicKey":[{"id":"ORIGIN/users/a#main-key","owner":"ORIGIN/users/a","publicKeyPem":"` + pemJSON + `"}]}`)
	signer := &activitypub.SigningKey{KeyID: "https://herald.example/ap/actors/site#main-key", Key: testKey(t, "site")}
	actor, err := client.FetchActor(context.Background(), srv.URL+"/users/a", signer)
	if err != nil {
		t.Fatal(err)
	}
	if actor.Inbox != srv.URL+"/users/a/inbox" || actor.DeliveryInbox() != srv.URL+"/inbox" || actor.URL != srv.URL+"/@a" ||
		actor.Key(srv.URL+"/users/a#main-key") == nil {
		t.Fatalf("actor %+v", actor)
	}
	if !strings.HasPrefix(gotAccept.Load().(string), "application/activity+json") ||
		!strings.Contains(gotSignature.Load().(string), `headers="(request-target) host date"`) {
		t.Fatalf("Accept %q, Signature %q", gotAccept.Load(), gotSignature.Load())
	}
	key, owner, err := client.FetchKey(context.Background(), srv.URL+"/users/a#main-key", nil)
	if err != nil || key.Owner != owner.ID || owner.ID != srv.URL+"/users/a" {
		t.Fatalf("FetchKey: %+v %+v %v", key, owner, err)
	}

	// An actor claiming to be on another server is refused.
	doc.Store(`{"id":"https://elsewhere.example/users/a","type":"Person","inbox":"https://elsewhere.example/inbox"}`)
	if _, err := client.FetchActor(context.Background(), srv.URL+"/users/a", nil); err == nil || activitypub.Temporary(err) {
		t.Errorf("an actor of another host: %v, want a permanent error", err)
	}
	// So is a document over the size limit.
	doc.Store(`{"id":"ORIGIN/users/a","type":"Person","inbox":"ORIGIN/inbox","summary":"` + strings.Repeat("x", 5000) + `"}`)
	if _, err := client.FetchActor(context.Background(), srv.URL+"/users/a", nil); err == nil || !strings.Contains(err.Error(), "larger than 4096") {
		t.Errorf("a 5 kB document with a 4 kB limit: %v", err)
	}
}

// TestClientRefusesReservedNames: a host under a TLD reserved for
// documentation and tests (the demo's followers live there) is refused before
// any lookup, as a permanent failure, whether or not private addresses are
// allowed; localhost and IP literals are not names of that kind.
func TestClientRefusesReservedNames(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "https://social.example/users/a", http.StatusFound)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	key := activitypub.SigningKey{KeyID: "https://herald.example/ap/actors/site#main-key", Key: testKey(t, "site")}
	for _, allowPrivate := range []bool{false, true} {
		client := activitypub.NewClient(activitypub.ClientConfig{AllowPrivate: allowPrivate, Timeout: 2 * time.Second})
		for _, target := range []string{"https://social.example/inbox", "https://MASTODON.EXAMPLE./inbox", "http://peer.test:8080/inbox",
			"https://gone.invalid/inbox", "https://example/inbox"} {
			err := client.Deliver(context.Background(), target, []byte(`{}`), key)
			var ae *activitypub.AddressError
			if !errors.As(err, &ae) || !ae.ReservedName || activitypub.Temporary(err) || !strings.Contains(err.Error(), "reserved") {
				t.Errorf("AllowPrivate %v: Deliver to %s: %v; want a permanent AddressError for a reserved name", allowPrivate, target, err)
			}
			if _, _, err := client.Fetch(context.Background(), target, nil); !errors.As(err, &ae) || !ae.ReservedName {
				t.Errorf("AllowPrivate %v: Fetch %s: %v; want an AddressError for a reserved name", allowPrivate, target, err)
			}
		}
	}
	// localhost and IP literals are the address policy's to judge, as before.
	allowed := activitypub.NewClient(activitypub.ClientConfig{AllowPrivate: true})
	byName := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	for _, target := range []string{srv.URL + "/inbox", byName + "/inbox"} {
		if err := allowed.Deliver(context.Background(), target, []byte(`{}`), key); err != nil {
			t.Errorf("Deliver to %s with AllowPrivate: %v", target, err)
		}
	}
	if hits.Load() != 2 {
		t.Fatalf("the test server was reached %d times, want 2", hits.Load())
	}
	// A redirect to a reserved name is refused too.
	var ae *activitypub.AddressError
	if _, _, err := allowed.Fetch(context.Background(), srv.URL+"/moved", nil); !errors.As(err, &ae) || !ae.ReservedName || activitypub.Temporary(err) {
		t.Errorf("Fetch redirected to social.example: %v; want a permanent AddressError", err)
	}
}
