package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/internal/fedifytest"
	"github.com/heraldnews/herald/internal/mailpittest"
	"github.com/heraldnews/herald/internal/testenv"
)

// TestOneStoryReachesEveryChannel runs the demo over HTTPS with a real Fedify
// server and a real SMTP server (mailpit) beside it. The peer finds the site's
// account by its handle and follows it; a reader subscribes on the portal and
// confirms by the link mailed to them. Publishing an article with the
// microblog and public-account channels delivers a Create of its note, which
// Fedify verifies, and mails the story; retracting it delivers a Delete and
// mails the retraction notice.
func TestOneStoryReachesEveryChannel(t *testing.T) {
	serverTLS, cert := fedifytest.SelfSigned(t)
	peer := fedifytest.Start(t, fedifytest.Options{Trust: []*x509.Certificate{cert}})
	mailpit := mailpittest.Start(t, mailpittest.Options{})
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writePEM(t, serverTLS.Certificates[0], certFile, keyFile)

	addr := fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t))
	base := "https://" + addr
	db := filepath.Join(dir, "herald.db")
	startServer(t, "demo", db, "--addr", addr, "--base-url", base, "--tls-cert", certFile, "--tls-key", keyFile,
		"--fediverse-allow-private", "true", "--scheduler-interval", "100ms",
		"--smtp-addr", mailpit.SMTPAddr, "--smtp-tls", "off", "--mail-from", "news@example.gov.cn")
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	follow, err := peer.Follow(ctx, "acct:site@"+addr)
	if err != nil {
		t.Fatalf("the peer could not follow acct:site@%s: %v", addr, err)
	}
	if follow.Actor != base+"/ap/actors/site" {
		t.Fatalf("the handle resolved to %s", follow.Actor)
	}
	if _, err := peer.WaitFor(ctx, func(r fedifytest.Received) bool { return r.Type == "Accept" && r.Verified }); err != nil {
		t.Fatalf("no verified Accept of the follow: %v", err)
	}

	// a reader subscribes to every story and confirms by the mailed link; only
	// the reader's mail counts, as the demo's staff may be mailed notifications
	// of the seeded review work of the last days too
	const reader = "reader@example.cn"
	res, err := client.PostForm(base+"/subscribe", url.Values{"email": {reader}, "frequency": {"each"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("subscribe: %d", res.StatusCode)
	}
	confirmation := mailpit.WaitForMessagesTo(t, reader, 1)[0]
	link := regexp.MustCompile(regexp.QuoteMeta(base) + `/subscribe/confirm\?token=([^\s"<>&]+)`).FindStringSubmatch(mailpit.Message(t, confirmation.ID).Text)
	if link == nil {
		t.Fatalf("no confirmation link in %q", mailpit.Message(t, confirmation.ID).Text)
	}
	if res, err = client.PostForm(base+"/subscribe/confirm", url.Values{"token": {link[1]}}); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("confirm: %d", res.StatusCode)
	}

	store := openDB(t, db)
	token := loginWith(t, client, base, "wangyalan", "herald-demo-2026")
	approved, _, err := store.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusApproved}, Limit: 1})
	if err != nil || len(approved) == 0 {
		t.Fatalf("no approved article in the demo: %v", err)
	}
	a := approved[0]
	call := func(method, path, body string) {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if res.StatusCode != 200 {
			var p map[string]any
			json.NewDecoder(res.Body).Decode(&p)
			t.Fatalf("%s %s: %d %v", method, path, res.StatusCode, p)
		}
	}
	call("PATCH", fmt.Sprintf("/api/v1/articles/%d", a.ID), fmt.Sprintf(`{"version":%d,"channels":["website","microblog","public_account"]}`, a.Version))
	published := time.Now()
	call("POST", fmt.Sprintf("/api/v1/articles/%d/publish", a.ID), `{}`)
	note := fmt.Sprintf("%s/ap/objects/notes/site/%d", base, a.ID)
	create, err := peer.WaitFor(ctx, func(r fedifytest.Received) bool { return r.Type == "Create" && r.Object == note })
	if err != nil {
		t.Fatalf("the peer did not receive the Create of %s: %v", note, err)
	}
	t.Logf("publish → the peer has the Create: %s", time.Since(published).Round(time.Millisecond))
	if !create.Verified || !create.Shared || !strings.Contains(string(create.JSON), fmt.Sprintf("/articles/%d.html", a.ID)) {
		t.Fatalf("Create: verified %v, shared inbox %v, %s", create.Verified, create.Shared, create.JSON)
	}
	story := mailpit.WaitForMessagesTo(t, reader, 2)[0]
	t.Logf("publish → the subscriber has the mail: %s", time.Since(published).Round(time.Millisecond))
	if story.Subject != a.Title || len(story.To) != 1 || story.To[0].Address != reader {
		t.Fatalf("the story mail: %q to %+v, want %q to the reader", story.Subject, story.To, a.Title)
	}
	if m := mailpit.Message(t, story.ID); m.ListUnsubscribe.HeaderPost != "List-Unsubscribe=One-Click" || !strings.Contains(m.Text, fmt.Sprintf("/articles/%d.html", a.ID)) {
		t.Fatalf("the story mail lacks one-click unsubscribe or the link: %+v", m.ListUnsubscribe)
	}
	// the peer likes the note: Herald records it against the article
	like, err := peer.Like(ctx, note, base+"/ap/actors/site")
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		es, err := store.FindEngagement(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(es) == 1 && es[0].ActivityID == like && es[0].Kind == herald.EngagementLike {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the like was not recorded: %+v", es)
		}
	}
	// a correction follows as an Update of the same note
	current, _ := store.FindArticleByID(ctx, a.ID)
	call("POST", fmt.Sprintf("/api/v1/articles/%d/correct", a.ID), fmt.Sprintf(`{"version":%d,"comment":"更正标题","title":%q}`, current.Version, a.Title+"（更正）"))
	update, err := peer.WaitFor(ctx, func(r fedifytest.Received) bool { return r.Type == "Update" && r.Object == note })
	if err != nil || !update.Verified || !strings.Contains(string(update.JSON), "（更正）") {
		t.Fatalf("the peer did not receive a verified Update with the corrected title: %+v %v", update, err)
	}
	call("POST", fmt.Sprintf("/api/v1/articles/%d/retract", a.ID), `{"comment":"内容有误，撤回"}`)
	del, err := peer.WaitFor(ctx, func(r fedifytest.Received) bool { return r.Type == "Delete" && r.Object == note })
	if err != nil || !del.Verified {
		t.Fatalf("the peer did not receive a verified Delete of %s: %+v %v", note, del, err)
	}
	// the correction notice, then the retraction notice (newest first)
	notices := mailpit.WaitForMessagesTo(t, reader, 4)
	if notices[0].To[0].Address != reader || !strings.HasPrefix(notices[0].Subject, "撤稿") || !strings.HasPrefix(notices[1].Subject, "更正") {
		t.Fatalf("the notices: %q and %q, want a correction then a retraction", notices[1].Subject, notices[0].Subject)
	}
	// the deliveries the newsroom shows
	ds, _, err := store.FindDeliveries(ctx, herald.DeliveryFilter{ArticleID: a.ID})
	if err != nil || len(ds) != 2 {
		t.Fatalf("deliveries = %+v (%v), want the microblog's and the public account's", ds, err)
	}
	for _, d := range ds {
		if d.Action != herald.ActionDelete || d.Status != herald.DeliverySent {
			t.Fatalf("delivery to %s %s after the retraction: %s %s (%s)", d.Channel, d.Target, d.Action, d.Status, d.LastError)
		}
	}
	// the note is gone for peers that fetch it
	req, _ := http.NewRequestWithContext(ctx, "GET", note, nil)
	req.Header.Set("Accept", "application/activity+json")
	res, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusGone {
		t.Fatalf("GET the retracted note: %d, want 410", res.StatusCode)
	}
}

// writePEM writes a certificate and its key as PEM files.
func writePEM(t *testing.T, c tls.Certificate, certFile, keyFile string) {
	t.Helper()
	key, err := x509.MarshalPKCS8PrivateKey(c.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Certificate[0]}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// loginWith gets an API token over the given client.
func loginWith(t *testing.T, client *http.Client, base, username, password string) string {
	t.Helper()
	res, err := client.Post(base+"/api/v1/tokens", "application/json", strings.NewReader(fmt.Sprintf(`{"username":%q,"password":%q}`, username, password)))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var tok struct {
		Token string `json:"token"`
	}
	if res.StatusCode != 201 || json.NewDecoder(res.Body).Decode(&tok) != nil {
		t.Fatalf("login %s: status %d", username, res.StatusCode)
	}
	return tok.Token
}
