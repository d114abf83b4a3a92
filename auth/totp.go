package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"
)

// TOTP parameters: RFC 6238 with the defaults every authenticator app supports
// (HMAC-SHA1, six digits, thirty-second steps).
const (
	totpStep   = 30 * time.Second
	totpDigits = 6
	// totpSkew accepts the code of the step before and after, for phones whose
	// clocks drift and people who type slowly.
	totpSkew = 1
)

var totpEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewTOTPSecret returns a fresh 160-bit secret in base32, as apps expect it.
func NewTOTPSecret() string {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return totpEncoding.EncodeToString(b)
}

// TOTPURI is the otpauth:// address an authenticator app scans from a QR code.
func TOTPURI(issuer, account, secret string) string {
	label := url.PathEscape(issuer + ":" + account)
	q := url.Values{"secret": {secret}, "issuer": {issuer}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"}}
	return "otpauth://totp/" + label + "?" + q.Encode()
}

// TOTPCode returns the code of the step that holds t.
func TOTPCode(secret string, t time.Time) (string, error) {
	key, err := decodeTOTPSecret(secret)
	if err != nil {
		return "", fmt.Errorf("totp secret: %w", err)
	}
	return totpCode(key, t.Unix()/int64(totpStep.Seconds())), nil
}

// decodeTOTPSecret reads a base32 secret as apps show it: any case, padded or not.
func decodeTOTPSecret(secret string) ([]byte, error) {
	return totpEncoding.DecodeString(strings.ToUpper(strings.TrimRight(secret, "=")))
}

func totpCode(key []byte, step int64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(step))
	mac := hmac.New(sha1.New, key)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	n := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", n%1_000_000)
}

// checkTOTP returns the step whose code matches, if any within the skew.
func checkTOTP(secret, code string, now time.Time) (int64, bool) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	key, err := decodeTOTPSecret(secret)
	if err != nil || len(code) != totpDigits {
		return 0, false
	}
	step := now.Unix() / int64(totpStep.Seconds())
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		if subtle.ConstantTimeCompare([]byte(totpCode(key, step+d)), []byte(code)) == 1 {
			return step + d, true
		}
	}
	return 0, false
}

// usedSteps remembers the last step each staff member signed in with, so that a
// code seen over someone's shoulder cannot be used a second time.
type usedSteps struct {
	mu   sync.Mutex
	last map[int64]int64
}

// use records step for staffID and reports whether it was not used before.
func (u *usedSteps) use(staffID, step int64) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.last == nil {
		u.last = map[int64]int64{}
	}
	if step <= u.last[staffID] {
		return false
	}
	u.last[staffID] = step
	return true
}
