package checklist

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// LinkChecker says whether href, a link or image source of the body, resolves:
// a nil error means it does; otherwise the error is the short reason shown to
// the editor. Check calls it from several goroutines at once.
type LinkChecker func(ctx context.Context, href string) error

// Limits of HTTPLinkChecker.
const (
	LinkTimeout    = 5 * time.Second // per link, HEAD and GET together
	LinkConcurrent = 4               // links probed at once by one checker
)

// HTTPLinkChecker checks absolute http(s) links with a HEAD request, falling
// back to GET when the server answers 405 or 501, within LinkTimeout and no more
// than LinkConcurrent at once; 2xx and 3xx answers are fine (redirects are not
// followed). Protocol-relative links (//host/path) are checked as https.
// Site-relative links (/path) are passed to internal, which says whether Herald
// itself can serve them; a nil internal accepts them all. Fragment-only links
// (#top), mailto: and tel: are fine; empty or relative links and other schemes
// (javascript:, file:, data:) are broken.
//
// The links come from article bodies, so client should be one whose transport
// refuses addresses the newsroom must not probe; nil means
// http.DefaultClient.
func HTTPLinkChecker(client *http.Client, internal func(ctx context.Context, path string) bool) LinkChecker {
	if client == nil {
		client = http.DefaultClient
	}
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	sem := make(chan struct{}, LinkConcurrent)
	return func(ctx context.Context, href string) error {
		href = strings.TrimSpace(href)
		switch {
		case href == "":
			return errors.New("empty link")
		case strings.HasPrefix(href, "#"):
			return nil
		}
		u, err := url.Parse(href)
		if err != nil {
			return errors.New("malformed link")
		}
		switch strings.ToLower(u.Scheme) {
		case "":
			switch {
			case strings.HasPrefix(href, "//"):
				u.Scheme = "https"
			case strings.HasPrefix(href, "/"):
				if internal != nil && !internal(ctx, u.Path) {
					return errors.New("not found on this site")
				}
				return nil
			default:
				return errors.New("relative link")
			}
		case "mailto", "tel":
			return nil
		case "http", "https":
		default:
			return fmt.Errorf("%s: links are not allowed", strings.ToLower(u.Scheme))
		}
		if u.Host == "" {
			return errors.New("malformed link")
		}
		select {
		case sem <- struct{}{}:
			defer func() { <-sem }()
		case <-ctx.Done():
			return linkReason(ctx.Err())
		}
		ctx, cancel := context.WithTimeout(ctx, LinkTimeout)
		defer cancel()
		status, err := probe(ctx, &c, http.MethodHead, u.String())
		if err == nil && (status == http.StatusMethodNotAllowed || status == http.StatusNotImplemented) {
			status, err = probe(ctx, &c, http.MethodGet, u.String())
		}
		if err != nil {
			return linkReason(err)
		}
		if status < 200 || status > 399 {
			return fmt.Errorf("HTTP %d", status)
		}
		return nil
	}
}

// probe sends one request and returns the answer's status.
func probe(ctx context.Context, c *http.Client, method, u string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("User-Agent", "Herald link checker")
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	io.CopyN(io.Discard, resp.Body, 32<<10)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// linkReason turns a request error into a short reason.
func linkReason(err error) error {
	var dns *net.DNSError
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return errors.New("timeout")
	case errors.Is(err, context.Canceled):
		return errors.New("canceled")
	case errors.As(err, &dns):
		return errors.New("host not found")
	default:
		return errors.New("unreachable")
	}
}
