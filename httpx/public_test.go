package httpx

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestPublicClientRefusesPrivateAddresses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	_, err := PublicClient(time.Second).Get(srv.URL)
	if !errors.Is(err, ErrPrivateAddress) {
		t.Fatalf("request to %s: %v, want refused", srv.URL, err)
	}
	for ip, public := range map[string]bool{"127.0.0.1": false, "10.1.2.3": false, "192.168.0.1": false, "169.254.169.254": false,
		"100.64.0.1": false, "::1": false, "fd00::1": false, "0.0.0.0": false, "8.8.8.8": true, "2400:3200::1": true, "123.125.114.144": true} {
		if got := IsPublic(net.ParseIP(ip)); got != public {
			t.Errorf("IsPublic(%s) = %v", ip, got)
		}
	}
}
