package activitypub

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/heraldnews/herald"
)

// Defaults of ClientConfig.
const (
	DefaultTimeout          = 10 * time.Second
	DefaultMaxResponseBytes = 1 << 20
	DefaultUserAgent        = "Herald (ActivityPub)"
)

// ClientConfig configures a Client.
type ClientConfig struct {
	// UserAgent names the server to the peers it talks to; operators of
	// those servers use it to find whom to contact. Mastodon's form is
	// "Herald/1.0 (+https://site.example/)".
	UserAgent string
	// Timeout bounds a whole request, response body included.
	Timeout time.Duration
	// MaxResponseBytes bounds the documents a Client reads, so that a
	// hostile peer cannot exhaust memory.
	MaxResponseBytes int64
	// AllowPrivate lets the Client connect to private, loopback, link-local
	// and unspecified addresses. Only tests, whose peers run on 127.0.0.1,
	// turn it on; in production it would let anyone who can make Herald
	// fetch a URL (by following it, say) reach the internal network.
	AllowPrivate bool
	// TLSConfig is for tests that serve peers with their own certificates.
	TLSConfig *tls.Config
	// Clock dates the signatures.
	Clock herald.Clock
}

// SigningKey is a local actor's key and the ID peers fetch it by.
type SigningKey struct {
	KeyID string
	Key   *rsa.PrivateKey
}

// Client talks to other servers: it delivers activities and fetches actors.
// It is safe for concurrent use.
type Client struct {
	cfg  ClientConfig
	http *http.Client
}

// NewClient returns a Client. Its address policy is applied when it
// connects, to the address the host name resolved to, so that a name that
// resolves to a public address when checked and a private one when used (DNS
// rebinding) cannot get past it; it also applies to redirects.
func NewClient(cfg ClientConfig) *Client {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxResponseBytes <= 0 {
		cfg.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
	dialer := &net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second}
	if !cfg.AllowPrivate {
		dialer.Control = func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return &AddressError{Address: address}
			}
			if !PublicAddress(ap.Addr()) {
				return &AddressError{Address: ap.Addr().String()}
			}
			return nil
		}
	}
	transport := &http.Transport{
		Proxy:                 nil, // a proxy would dial in our place, past the address policy
		DialContext:           dialer.DialContext,
		TLSClientConfig:       cfg.TLSConfig,
		TLSHandshakeTimeout:   cfg.Timeout,
		ResponseHeaderTimeout: cfg.Timeout,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &Client{cfg: cfg, http: &http.Client{
		Transport: transport,
		Timeout:   cfg.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			// A redirected POST would be resent as a GET: a delivery must not
			// follow one. Fetches follow a few, as Mastodon's do.
			if via[0].Method != http.MethodGet || len(via) >= 3 {
				return http.ErrUseLastResponse
			}
			if req.URL.Scheme != "https" && req.URL.Scheme != "http" {
				return errRedirectScheme
			}
			return refuseReservedName(req.URL.Hostname())
		},
	}}
}

var errRedirectScheme = errors.New("redirect to a URL that is not http(s)")

// AddressError is the error of a connection that the address policy refused:
// a non-public address, or a host name that can never resolve.
type AddressError struct {
	Address string
	// ReservedName is set when Address is a host name under a TLD reserved
	// for tests and documentation, refused before any lookup.
	ReservedName bool
}

// Error says which address was refused, and why.
func (e *AddressError) Error() string {
	if e.ReservedName {
		return "refusing to connect to " + e.Address + ": its top-level domain is reserved (RFC 2606, RFC 6761) and never resolves"
	}
	return "refusing to connect to non-public address " + e.Address
}

// reservedTLDs are the top-level domains reserved for documentation and
// tests, which resolve nowhere. Followers on them (the demo's fictional
// servers, a test's) would otherwise cost a failing DNS lookup per send and
// hours of retries, since a lookup failure looks temporary. "localhost" is
// left out: tests reach their peers there.
var reservedTLDs = []string{"example", "invalid", "test"}

// refuseReservedName returns an AddressError for a host name under a
// reserved TLD, nil for any other host (IP literals included).
func refuseReservedName(host string) error {
	name := strings.TrimSuffix(strings.ToLower(host), ".")
	for _, tld := range reservedTLDs {
		if name == tld || strings.HasSuffix(name, "."+tld) {
			return &AddressError{Address: host, ReservedName: true}
		}
	}
	return nil
}

// unreachable reports whether an inbox's host is under a reserved TLD, so
// that no delivery to it could ever succeed.
func unreachable(inbox string) bool {
	u, err := url.Parse(inbox)
	return err == nil && refuseReservedName(u.Hostname()) != nil
}

// reserved holds the special-purpose ranges that netip's predicates do not
// cover.
var reserved = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and broadcast
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
}

// PublicAddress reports whether ip is a public unicast address: not private,
// loopback, link-local, multicast, unspecified or otherwise reserved.
func PublicAddress(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range reserved {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// RemoteError is the error of a request to another server. Temporary ones
// (a network failure, a timeout, 429, a 5xx) are worth retrying later;
// permanent ones (another 4xx, a refused address, a malformed document) are
// not.
type RemoteError struct {
	URL       string
	Status    int // the HTTP status, 0 when there was no response
	Temporary bool
	Err       error
}

// Error describes the failure for logs and job records; it is not meant
// for readers of the site.
func (e *RemoteError) Error() string {
	kind := "permanent"
	if e.Temporary {
		kind = "temporary"
	}
	if e.Status != 0 {
		return fmt.Sprintf("%s: %s failure: HTTP %d: %v", e.URL, kind, e.Status, e.Err)
	}
	return fmt.Sprintf("%s: %s failure: %v", e.URL, kind, e.Err)
}

// Unwrap returns the underlying error, so that errors.As finds an
// AddressError or a context error in it.
func (e *RemoteError) Unwrap() error { return e.Err }

// Temporary reports whether err is worth retrying: a RemoteError marked
// temporary, or an error with code herald.EUNAVAILABLE or ERATELIMITED.
func Temporary(err error) bool {
	var re *RemoteError
	if errors.As(err, &re) {
		return re.Temporary
	}
	switch herald.ErrorCode(err) {
	case herald.EUNAVAILABLE, herald.ERATELIMITED:
		return true
	}
	return false
}

// transportError classifies an error of http.Client.Do.
func transportError(rawURL string, err error) error {
	var ae *AddressError
	if errors.As(err, &ae) {
		return &RemoteError{URL: rawURL, Err: ae}
	}
	if errors.Is(err, errRedirectScheme) {
		return &RemoteError{URL: rawURL, Err: err}
	}
	return &RemoteError{URL: rawURL, Temporary: true, Err: err}
}

// statusError classifies a non-2xx response.
func statusError(rawURL string, resp *http.Response) error {
	temporary := resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout ||
		resp.StatusCode >= 500
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	return &RemoteError{URL: rawURL, Status: resp.StatusCode, Temporary: temporary,
		Err: fmt.Errorf("%s", strings.TrimSpace(string(snippet)))}
}

// checkTarget parses a URL to request, refusing what no request can reach.
func checkTarget(rawURL string) (*url.URL, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return nil, &RemoteError{URL: rawURL, Err: errors.New("not an absolute http(s) URL")}
	}
	if err := refuseReservedName(u.Hostname()); err != nil {
		return nil, &RemoteError{URL: rawURL, Err: err}
	}
	u.Fragment = ""
	return u, nil
}

// Deliver POSTs activity (its JSON) to inbox, signed with key. It returns nil
// when the inbox answered 2xx, else a *RemoteError whose Temporary tells
// whether to try again later.
func (c *Client) Deliver(ctx context.Context, inbox string, activity []byte, key SigningKey) error {
	u, err := checkTarget(inbox)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(activity))
	if err != nil {
		return &RemoteError{URL: inbox, Err: err}
	}
	req.Header.Set("Content-Type", ContentType)
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	if err := Sign(req, activity, key.KeyID, key.Key, c.cfg.Clock.Now()); err != nil {
		return &RemoteError{URL: inbox, Err: err}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return transportError(inbox, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return statusError(inbox, resp)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, c.cfg.MaxResponseBytes)) // so the connection is reused
	return nil
}

// acceptJSON asks for an ActivityPub document; servers that also serve HTML
// at the same URL pick JSON by it.
const acceptJSON = `application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"`

// Fetch GETs an ActivityPub document, signed with key when key is not nil
// (servers in "authorized fetch" mode answer only signed requests). It
// returns the body and the URL it came from after redirects.
func (c *Client) Fetch(ctx context.Context, rawURL string, key *SigningKey) ([]byte, *url.URL, error) {
	u, err := checkTarget(rawURL)
	if err != nil {
		return nil, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, nil, &RemoteError{URL: rawURL, Err: err}
	}
	req.Header.Set("Accept", acceptJSON)
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	if key != nil {
		if err := Sign(req, nil, key.KeyID, key.Key, c.cfg.Clock.Now()); err != nil {
			return nil, nil, &RemoteError{URL: rawURL, Err: err}
		}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, nil, transportError(rawURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, nil, statusError(rawURL, resp)
	}
	if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err != nil ||
		(mt != "application/activity+json" && mt != "application/ld+json" && mt != "application/json") {
		return nil, nil, &RemoteError{URL: rawURL, Status: resp.StatusCode,
			Err: fmt.Errorf("not an ActivityPub document (Content-Type %q)", resp.Header.Get("Content-Type"))}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxResponseBytes+1))
	if err != nil {
		return nil, nil, transportError(rawURL, err)
	}
	if int64(len(body)) > c.cfg.MaxResponseBytes {
		return nil, nil, &RemoteError{URL: rawURL, Status: resp.StatusCode,
			Err: fmt.Errorf("document larger than %d bytes", c.cfg.MaxResponseBytes)}
	}
	return body, resp.Request.URL, nil
}

// FetchActor fetches another server's actor: its inbox, shared inbox and
// public keys. The document must name itself by an ID on the host it came
// from, so that no server can speak for another's actors.
func (c *Client) FetchActor(ctx context.Context, actorURL string, key *SigningKey) (*RemoteActor, error) {
	body, from, err := c.Fetch(ctx, actorURL, key)
	if err != nil {
		return nil, err
	}
	actor, err := ParseActor(body)
	if err != nil {
		return nil, &RemoteError{URL: actorURL, Err: err}
	}
	if hostOf(actor.ID) != strings.ToLower(from.Hostname()) {
		return nil, &RemoteError{URL: actorURL, Err: fmt.Errorf("actor %s served by another host (%s)", actor.ID, from.Host)}
	}
	return actor, nil
}

// FetchKey fetches the public key keyID and the actor that owns it. The key
// ID is usually the actor's URL with a fragment (#main-key); a key published
// as a document of its own must be claimed by the actor it names as owner.
func (c *Client) FetchKey(ctx context.Context, keyID string, key *SigningKey) (*PublicKey, *RemoteActor, error) {
	body, from, err := c.Fetch(ctx, keyID, key)
	if err != nil {
		return nil, nil, err
	}
	ownerURL := ""
	if actor, err := ParseActor(body); err == nil {
		if hostOf(actor.ID) != strings.ToLower(from.Hostname()) {
			return nil, nil, &RemoteError{URL: keyID, Err: fmt.Errorf("actor %s served by another host (%s)", actor.ID, from.Host)}
		}
		if pk := ownedKey(actor, keyID); pk != nil {
			return pk, actor, nil
		}
		return nil, nil, &RemoteError{URL: keyID, Err: fmt.Errorf("actor %s has no key %s", actor.ID, keyID)}
	}
	var doc struct {
		ID    string `json:"id"`
		Owner string `json:"owner"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || doc.ID != keyID || !isHTTPURL(doc.Owner) {
		return nil, nil, &RemoteError{URL: keyID, Err: errors.New("neither an actor nor a key document")}
	}
	ownerURL = doc.Owner
	actor, err := c.FetchActor(ctx, ownerURL, key)
	if err != nil {
		return nil, nil, err
	}
	if pk := ownedKey(actor, keyID); pk != nil {
		return pk, actor, nil
	}
	return nil, nil, &RemoteError{URL: keyID, Err: fmt.Errorf("owner %s does not claim key %s", ownerURL, keyID)}
}

// ownedKey returns actor's key keyID when the key names the actor as owner
// (or names none, as some servers' keys do).
func ownedKey(actor *RemoteActor, keyID string) *PublicKey {
	pk := actor.Key(keyID)
	if pk == nil || (pk.Owner != "" && pk.Owner != actor.ID) {
		return nil
	}
	k := *pk
	k.Owner = actor.ID
	return &k
}
