package fedifytest_test

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/heraldnews/herald/internal/fedifytest"
)

// TestSelfSigned: a client that trusts the certificate, and nothing else,
// reaches a server using it by 127.0.0.1 and by localhost.
func TestSelfSigned(t *testing.T) {
	config, cert := fedifytest.SelfSigned(t)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	srv.TLS = config
	srv.StartTLS()
	defer srv.Close()
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	for _, u := range []string{srv.URL, strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)} {
		resp, err := client.Get(u)
		if err != nil {
			t.Fatalf("GET %s: %v", u, err)
		}
		resp.Body.Close()
	}
	// And a client that does not trust it is refused.
	if resp, err := (&http.Client{}).Get(srv.URL); err == nil {
		resp.Body.Close()
		t.Fatal("a client without the certificate connected")
	}
}

// TestPeerActor: the peer starts and serves its actor's document.
func TestPeerActor(t *testing.T) {
	peer := fedifytest.Start(t, fedifytest.Options{})
	req, _ := http.NewRequest(http.MethodGet, peer.Actor, nil)
	req.Header.Set("Accept", "application/activity+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"inbox":"`+peer.Inbox+`"`) ||
		!strings.Contains(string(body), "publicKeyPem") {
		t.Fatalf("GET %s: %d %s", peer.Actor, resp.StatusCode, body)
	}
	if !strings.HasPrefix(peer.URL, "http://127.0.0.1:") || peer.SharedInbox != peer.URL+"/inbox" {
		t.Fatalf("peer %+v", peer)
	}
}
