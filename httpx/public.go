package httpx

import (
	"errors"
	"net"
	"net/http"
	"syscall"
	"time"
)

// ErrPrivateAddress is returned for connections to addresses that are not on
// the public internet.
var ErrPrivateAddress = errors.New("address is not public")

// PublicClient is an HTTP client that connects only to public internet
// addresses: links in articles are written by staff, and following one must
// not reach the server itself or the internal network it sits in.
func PublicClient(timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: timeout, Control: func(network, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		ip := net.ParseIP(host)
		if ip == nil || !IsPublic(ip) {
			return ErrPrivateAddress
		}
		return nil
	}}
	transport := &http.Transport{
		DialContext:         dialer.DialContext,
		TLSHandshakeTimeout: timeout,
		MaxIdleConns:        16,
		IdleConnTimeout:     30 * time.Second,
	}
	return &http.Client{Transport: transport, Timeout: timeout}
}

// IsPublic reports whether ip is a public unicast address.
func IsPublic(ip net.IP) bool {
	return !(ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast() ||
		ip.Equal(net.IPv4bcast) || isSharedOrReserved(ip))
}

// isSharedOrReserved covers carrier-grade NAT (100.64.0.0/10) and 240.0.0.0/4.
func isSharedOrReserved(ip net.IP) bool {
	if v4 := ip.To4(); v4 != nil {
		return v4[0] == 100 && v4[1]&0xc0 == 64 || v4[0] >= 240
	}
	return false
}
