package httpx

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestParseProxies(t *testing.T) {
	got, err := ParseProxies(" 127.0.0.1, 10.0.0.0/24 ,::1,10.1.2.3/16")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"127.0.0.1/32", "10.0.0.0/24", "::1/128", "10.1.0.0/16"}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("%d: %s, want %s", i, got[i], want[i])
		}
	}
	if none, err := ParseProxies(""); err != nil || len(none) != 0 {
		t.Errorf("empty list: %v %v", none, err)
	}
	for _, bad := range []string{"nginx", "10.0.0.1/33", "10.0.0"} {
		if _, err := ParseProxies(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestClientIPBehindTrustedProxies(t *testing.T) {
	t.Cleanup(func() { TrustProxies(nil) })
	request := func(peer string, forwarded ...string) *http.Request {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = peer
		for _, f := range forwarded {
			r.Header.Add("X-Forwarded-For", f)
		}
		return r
	}
	TrustProxies(nil)
	if got := ClientIP(request("10.0.0.5:4000", "203.0.113.7")); got != "10.0.0.5" {
		t.Errorf("without trusted proxies the header is ignored: %s", got)
	}
	TrustProxies([]netip.Prefix{netip.MustParsePrefix("10.0.0.5/32"), netip.MustParsePrefix("127.0.0.0/8")})
	for _, c := range []struct {
		name, peer string
		forwarded  []string
		want       string
	}{
		{"reader behind nginx", "10.0.0.5:4000", []string{"203.0.113.7"}, "203.0.113.7"},
		{"a forged hop before the real one", "10.0.0.5:4000", []string{"1.2.3.4, 203.0.113.7"}, "203.0.113.7"},
		{"two trusted proxies", "127.0.0.1:4000", []string{"203.0.113.7, 10.0.0.5"}, "203.0.113.7"},
		{"header lines joined", "10.0.0.5:4000", []string{"198.51.100.1", "203.0.113.7"}, "203.0.113.7"},
		{"untrusted peer's header ignored", "198.51.100.9:4000", []string{"203.0.113.7"}, "198.51.100.9"},
		{"garbage stops the walk", "10.0.0.5:4000", []string{"203.0.113.7, nonsense"}, "10.0.0.5"},
		{"no header", "10.0.0.5:4000", nil, "10.0.0.5"},
		{"IPv4-mapped IPv6 peer", "[::ffff:10.0.0.5]:4000", []string{"203.0.113.7"}, "203.0.113.7"},
	} {
		if got := ClientIP(request(c.peer, c.forwarded...)); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

func TestRequestIDFromTrustedProxy(t *testing.T) {
	t.Cleanup(func() { TrustProxies(nil) })
	TrustProxies([]netip.Prefix{netip.MustParsePrefix("10.0.0.5/32")})
	var seen string
	h := Middleware(slog.New(slog.DiscardHandler), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = RequestID(r.Context()) }))
	for _, c := range []struct{ peer, sent, want string }{
		{"10.0.0.5:1", "4f2a9c0e1b7d", "4f2a9c0e1b7d"},
		{"10.0.0.5:1", "bad id with spaces", ""},
		{"198.51.100.9:1", "4f2a9c0e1b7d", ""},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		r.Header.Set("X-Request-Id", c.sent)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if c.want != "" && (seen != c.want || w.Header().Get("X-Request-Id") != c.want) {
			t.Errorf("from %s: %q, want the proxy's %q", c.peer, seen, c.want)
		}
		if c.want == "" && (seen == c.sent || seen == "") {
			t.Errorf("from %s with %q: kept %q, want an ID of our own", c.peer, c.sent, seen)
		}
	}
}
