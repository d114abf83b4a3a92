package httpx

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
)

// trustedProxies are the networks whose requests carry the client's address
// in X-Forwarded-For (and a request ID in X-Request-Id): the load balancer in
// front of Herald. Set once at start-up by TrustProxies; none by default.
var trustedProxies atomic.Pointer[[]netip.Prefix]

// ParseProxies parses a comma-separated list of addresses and networks
// (10.0.0.5, 127.0.0.1/32, 10.0.0.0/24, ::1).
func ParseProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if p, err := netip.ParsePrefix(item); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(item)
		if err != nil {
			return nil, fmt.Errorf("%q is not an IP address or network such as 10.0.0.5 or 10.0.0.0/24", item)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// TrustProxies makes ClientIP believe X-Forwarded-For, and the middleware
// take X-Request-Id, on requests from these networks.
func TrustProxies(prefixes []netip.Prefix) { trustedProxies.Store(&prefixes) }

// trusted reports whether addr (an IP address as text) is a trusted proxy's.
func trusted(addr string) bool {
	a, err := netip.ParseAddr(addr)
	return err == nil && trustedAddr(a)
}

func trustedAddr(a netip.Addr) bool {
	list := trustedProxies.Load()
	if list == nil {
		return false
	}
	a = a.Unmap()
	for _, p := range *list {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientIP returns the address of the client: the direct peer, or, when the
// peer is a trusted proxy, the last address in X-Forwarded-For that is not
// itself a trusted proxy (the ones before it are the client's to invent).
// Rate limits, reader counts and logs all key on it.
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if !trusted(host) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		a, err := netip.ParseAddr(hop)
		if err != nil {
			break // a garbled chain: trust no further than the proxy itself
		}
		if !trustedAddr(a) {
			return a.Unmap().String()
		}
		host = a.Unmap().String()
	}
	return host
}

// forwardedRequestID is the request ID a trusted proxy gave (nginx's
// $request_id), so that its log and Herald's share it; "" when there is none
// or it is not a plain token.
func forwardedRequestID(r *http.Request) string {
	id := r.Header.Get("X-Request-Id")
	if id == "" || len(id) > 64 || strings.IndexFunc(id, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.')
	}) >= 0 {
		return ""
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil || !trusted(host) {
		return ""
	}
	return id
}
