package syndication

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/delivery"
	"github.com/heraldnews/herald/jobs"
)

// Push headers.
const (
	HeaderSignature = "X-Herald-Signature" // t=<unix seconds>,sha256=<hex>
	HeaderAction    = "X-Herald-Action"    // create, update or delete
	HeaderDelivery  = "X-Herald-Delivery"  // <delivery ID>-<article version>, the same on every retry
)

// targetPrefix starts a push target: the partner's slug follows.
const targetPrefix = "partner:"

// Target is the delivery target of the pushes to a partner.
func Target(p *herald.Partner) string { return targetPrefix + p.Slug }

// Name implements delivery.Channel: partners are the print channel's
// subscribers.
func (s *Service) Name() herald.Channel { return herald.ChannelPrint }

// Supports implements delivery.Channel: a partner is told of corrections and
// retractions as well.
func (s *Service) Supports(string) bool { return true }

// Targets implements delivery.Channel: every enabled partner with a push URL
// that takes the article.
func (s *Service) Targets(ctx context.Context, a *herald.Article) ([]string, error) {
	partners, err := s.Store.FindPartners(ctx)
	if err != nil {
		return nil, err
	}
	var targets []string
	for _, p := range partners {
		if p.PushURL != "" && p.Takes(a) {
			targets = append(targets, Target(p))
		}
	}
	return targets, nil
}

// partnerOf finds the partner a target names.
func (s *Service) partnerOf(ctx context.Context, target string) (*herald.Partner, error) {
	slug, ok := strings.CutPrefix(target, targetPrefix)
	if ok {
		partners, err := s.Store.FindPartners(ctx)
		if err != nil {
			return nil, err
		}
		for _, p := range partners {
			if p.Slug == slug {
				return p, nil
			}
		}
	}
	return nil, herald.Errorf(herald.ENOTFOUND, "There is no partner %q.", target)
}

// Deliver implements delivery.Channel: it POSTs the article, as it is now, in
// the partner's format to its push URL; a delete carries the story as a
// canceled item. The partner answers 2xx to take it; a 4xx other than 408
// and 429 is final (the partner refused it), anything else is tried again.
// The delivery header is the same on every attempt, so a partner that got a
// push twice can tell.
func (s *Service) Deliver(ctx context.Context, d *herald.Delivery, a *herald.Article) (delivery.Result, error) {
	p, err := s.partnerOf(ctx, d.Target)
	if err != nil {
		return delivery.Result{}, jobs.Permanent(err)
	}
	if p.Disabled || p.PushURL == "" {
		return delivery.Result{}, jobs.Permanent(fmt.Errorf("%s takes no pushes now", p.Name))
	}
	item := a
	if d.Action == herald.ActionDelete && a.Status != herald.StatusRetracted {
		// taken off the print channel, not retracted: the partner takes it down all the same
		c := *a
		c.Status = herald.StatusRetracted
		item = &c
	}
	body, err := s.Render(ctx, item, p.Format)
	if err != nil {
		return delivery.Result{}, jobs.Permanent(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.PushURL, bytes.NewReader(body))
	if err != nil {
		return delivery.Result{}, jobs.Permanent(err)
	}
	req.Header.Set("Content-Type", ContentType(p.Format))
	req.Header.Set("User-Agent", "Herald")
	req.Header.Set(HeaderAction, d.Action)
	req.Header.Set(HeaderDelivery, strconv.FormatInt(d.ID, 10)+"-"+strconv.Itoa(d.Version))
	key, err := hex.DecodeString(p.TokenHash)
	if err != nil {
		return delivery.Result{}, jobs.Permanent(err)
	}
	req.Header.Set(HeaderSignature, Sign(key, s.now(), body))
	resp, err := s.client().Do(req)
	if err != nil {
		return delivery.Result{}, fmt.Errorf("push to %s: %w", p.Name, err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		return delivery.Result{ExternalID: herald.ArticlePath(a.ID), ExternalURL: resp.Header.Get("Location")}, nil
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500:
		return delivery.Result{}, fmt.Errorf("%s answered %s: %s", p.Name, resp.Status, strings.TrimSpace(string(answer)))
	default:
		return delivery.Result{}, jobs.Permanent(fmt.Errorf("%s refused the push: %s: %s", p.Name, resp.Status, strings.TrimSpace(string(answer))))
	}
}

func (s *Service) client() *http.Client {
	if s.Client != nil {
		return s.Client
	}
	return &http.Client{
		Timeout: 30 * time.Second,
		// a partner that moved must be set up again, not followed blindly
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Sign returns the signature header of a push body sent at t, keyed with
// the SHA-256 of the partner's token.
func Sign(key []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",sha256=" + hex.EncodeToString(mac(key, ts, body))
}

func mac(key []byte, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(ts + "."))
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks a push's signature header as a partner would, with its
// token: the MAC must match and t must be within tolerance of now.
func Verify(token, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts, sig string
	for part := range strings.SplitSeq(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "sha256":
			sig = v
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errors.New("the signature has no time")
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return errors.New("the signature is too old or from the future")
	}
	got, err := hex.DecodeString(sig)
	if err != nil {
		return errors.New("the signature is not hex")
	}
	key := sha256.Sum256([]byte(token))
	if !hmac.Equal(got, mac(key[:], ts, body)) {
		return errors.New("the signature does not match")
	}
	return nil
}
