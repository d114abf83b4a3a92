package newsletter

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/heraldnews/herald"
)

// How long the signed links stay valid. A confirmation link is for the days
// after the request; an unsubscribe link must keep working in old mails, so
// it lasts a year (every newer mail carries a fresh one).
const (
	ConfirmLinkTTL     = 7 * 24 * time.Hour
	UnsubscribeLinkTTL = 365 * 24 * time.Hour
)

// maxTokenBytes bounds what is parsed as a token.
const maxTokenBytes = 200

// purposes maps a link purpose to its letter in tokens and its lifetime.
var purposes = map[string]struct {
	letter string
	ttl    time.Duration
}{
	herald.LinkConfirm:     {"c", ConfirmLinkTTL},
	herald.LinkUnsubscribe: {"u", UnsubscribeLinkTTL},
}

// linkKey returns the key that signs links, made and stored on first use.
func (s *Service) linkKey(ctx context.Context) ([]byte, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.key != nil {
		return s.key, nil
	}
	key, err := s.store.NewsletterKey(ctx, s.clock.Now(), func() ([]byte, error) {
		k := make([]byte, 32)
		_, err := rand.Read(k)
		return k, err
	})
	if err != nil {
		return nil, err
	}
	s.key = key
	return key, nil
}

// mac signs what a token stands for: the purpose, the subscriber, its
// address and the expiry. 128 bits of the HMAC are plenty for a link.
func mac(key []byte, purpose string, id int64, email string, expires int64) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(purpose + "\n" + strconv.FormatInt(id, 10) + "\n" + email + "\n" + strconv.FormatInt(expires, 10)))
	return h.Sum(nil)[:16]
}

// token makes the signed link token for a purpose, issued at issued:
// "<letter>.<subscriber>.<expiry>.<mac>", with the address kept out of the
// URL. The same inputs give the same token, so a retried mail is the same.
func (s *Service) token(ctx context.Context, purpose string, sub *herald.Subscriber, issued time.Time) (string, error) {
	key, err := s.linkKey(ctx)
	if err != nil {
		return "", err
	}
	p := purposes[purpose]
	expires := issued.Add(p.ttl).Unix()
	return p.letter + "." + strconv.FormatInt(sub.ID, 10) + "." + strconv.FormatInt(expires, 10) + "." +
		base64.RawURLEncoding.EncodeToString(mac(key, purpose, sub.ID, sub.Email, expires)), nil
}

// verify checks a token for a purpose and returns its subscriber and when
// the token was issued. A token that is malformed, for another purpose,
// signed with another key or for another address is LinkInvalid; a good
// one past its expiry is LinkExpired.
func (s *Service) verify(ctx context.Context, purpose, token string) (*herald.Subscriber, time.Time, error) {
	invalid := herald.Invalid("token", herald.LinkInvalid)
	p := purposes[purpose]
	parts := strings.Split(token, ".")
	if len(token) > maxTokenBytes || len(parts) != 4 || parts[0] != p.letter {
		return nil, time.Time{}, invalid
	}
	id, err1 := strconv.ParseInt(parts[1], 10, 64)
	expires, err2 := strconv.ParseInt(parts[2], 10, 64)
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[3])
	if err1 != nil || err2 != nil || err3 != nil || id <= 0 {
		return nil, time.Time{}, invalid
	}
	key, err := s.linkKey(ctx)
	if err != nil {
		return nil, time.Time{}, err
	}
	sub, err := s.store.FindSubscriberByID(ctx, id)
	if herald.ErrorCode(err) == herald.ENOTFOUND {
		return nil, time.Time{}, invalid
	} else if err != nil {
		return nil, time.Time{}, err
	}
	if !hmac.Equal(sig, mac(key, purpose, id, sub.Email, expires)) {
		return nil, time.Time{}, invalid
	}
	if s.clock.Now().Unix() >= expires {
		return nil, time.Time{}, herald.Invalid("token", herald.LinkExpired)
	}
	return sub, time.Unix(expires, 0).Add(-p.ttl).UTC(), nil
}
