package activitypub_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/activitypub"
)

// The test key and requests of draft-cavage-http-signatures-12, appendix C.
const (
	draftPublicKey = `-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDCFENGw33yGihy92pDjZQhl0C3
6rPJj+CvfSC8+q28hxA161QFNUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6
Z4UMR7EOcpfdUE9Hf3m/hs+FUR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJw
oYi+1hqp1fIekaxsyQIDAQAB
-----END PUBLIC KEY-----
`
	draftPrivateKey = `-----BEGIN RSA PRIVATE KEY-----
MIICXgIBAAKBgQDCFENGw33yGihy92pDjZQhl0C36rPJj+CvfSC8+q28hxA161QF
NUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6Z4UMR7EOcpfdUE9Hf3m/hs+F
UR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJwoYi+1hqp1fIekaxsyQIDAQAB
AoGBAJR8ZkCUvx5kzv+utdl7T5MnordT1TvoXXJGXK7ZZ+UuvMNUCdN2QPc4sBiA
QWvLw1cSKt5DsKZ8UETpYPy8pPYnnDEz2dDYiaew9+xEpubyeW2oH4Zx71wqBtOK
kqwrXa/pzdpiucRRjk6vE6YY7EBBs/g7uanVpGibOVAEsqH1AkEA7DkjVH28WDUg
f1nqvfn2Kj6CT7nIcE3jGJsZZ7zlZmBmHFDONMLUrXR/Zm3pR5m0tCmBqa5RK95u
412jt1dPIwJBANJT3v8pnkth48bQo/fKel6uEYyboRtA5/uHuHkZ6FQF7OUkGogc
mSJluOdc5t6hI1VsLn0QZEjQZMEOWr+wKSMCQQCC4kXJEsHAve77oP6HtG/IiEn7
kpyUXRNvFsDE0czpJJBvL/aRFUJxuRK91jhjC68sA7NsKMGg5OXb5I5Jj36xAkEA
gIT7aFOYBFwGgQAQkWNKLvySgKbAZRTeLBacpHMuQdl1DfdntvAyqpAZ0lY0RKmW
G6aFKaqQfOXKCyWoUiVknQJAXrlgySFci/2ueKlIE1QqIiLSZ8V8OlpFLRnb1pzI
7U1yQXnTAEFYM560yJlzUpOb1V4cScGd365tiSMvxLOvTA==
-----END RSA PRIVATE KEY-----
`
	draftBasicSignature      = "qdx+H7PHHDZgy4y/Ahn9Tny9V3GP6YgBPyUXMmoxWtLbHpUnXS2mg2+SbrQDMCJypxBLSPQR2aAjn7ndmw2iicw3HMbe8VfEdKFYRqzic+efkb3nndiv/x1xSHDJWeSWkx3ButlYSuBskLu6kd9Fswtemr3lgdDEmn04swr2Os0="
	draftAllHeadersSignature = "vSdrb+dS3EceC9bcwHSo4MlyKS59iFIrhgYkz8+oVLEEzmYZZvRs8rgOp+63LEM3v+MFHB32NfpB2bEKBIvB1q52LaEUHFv120V01IL+TAD48XaERZFukWgHoBTLMhYS2Gb51gWxpeIq8knRmPnYePbF5MOkR0Zkly4zKH7s1dE="
	draftBody                = `{"hello": "world"}`
)

var draftDate = time.Date(2014, 1, 5, 21, 31, 40, 0, time.UTC)

// draftRequest is the appendix's request as a server receives it.
func draftRequest(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/foo?param=value&pet=dog", strings.NewReader(body))
	r.Host = "example.com"
	r.Header.Set("Date", "Sun, 05 Jan 2014 21:31:40 GMT")
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Digest", "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=")
	r.Header.Set("Content-Length", "18")
	return r
}

func draftKeys(_ context.Context, keyID string, _ bool) (*activitypub.PublicKey, error) {
	if keyID != "Test" {
		return nil, herald.Errorf(herald.ENOTFOUND, "no key %s", keyID)
	}
	return &activitypub.PublicKey{ID: "Test", Owner: "https://example.com/actor", PublicKeyPEM: draftPublicKey}, nil
}

// TestSignDraftVector signs the appendix's basic request (no body: no
// Digest) and must produce its published signature byte for byte.
func TestSignDraftVector(t *testing.T) {
	key, err := activitypub.DecodePrivateKey([]byte(draftPrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, "https://example.com/foo?param=value&pet=dog", nil)
	if err := activitypub.Sign(req, nil, "Test", key, draftDate); err != nil {
		t.Fatal(err)
	}
	want := `keyId="Test",algorithm="rsa-sha256",headers="(request-target) host date",signature="` + draftBasicSignature + `"`
	if got := req.Header.Get("Signature"); got != want {
		t.Fatalf("Signature:\n got %s\nwant %s", got, want)
	}
	if req.Host != "example.com" || req.Header.Get("Date") != "Sun, 05 Jan 2014 21:31:40 GMT" || req.Header.Get("Digest") != "" {
		t.Fatalf("Host %q, Date %q, Digest %q", req.Host, req.Header.Get("Date"), req.Header.Get("Digest"))
	}
}

// TestVerifyDraftVectors verifies the appendix's signed requests.
func TestVerifyDraftVectors(t *testing.T) {
	t.Run("all headers, with body", func(t *testing.T) {
		r := draftRequest(draftBody)
		r.Header.Set("Signature", `keyId="Test",algorithm="rsa-sha256",headers="(request-target) host date content-type digest content-length",signature="`+draftAllHeadersSignature+`"`)
		key, err := activitypub.Verify(r, []byte(draftBody), draftDate.Add(30*time.Minute), draftKeys)
		if err != nil {
			t.Fatal(err)
		}
		if key.Owner != "https://example.com/actor" {
			t.Fatalf("owner %q", key.Owner)
		}
	})
	t.Run("Authorization header, hs2019", func(t *testing.T) {
		r := draftRequest(draftBody)
		r.Header.Set("Authorization", `Signature keyId="Test",algorithm="hs2019",headers="(request-target) host date content-type digest content-length",signature="`+draftAllHeadersSignature+`"`)
		if _, err := activitypub.Verify(r, []byte(draftBody), draftDate, draftKeys); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("basic, without body", func(t *testing.T) {
		r := draftRequest("")
		r.Header.Set("Signature", `keyId="Test",algorithm="rsa-sha256",headers="(request-target) host date",signature="`+draftBasicSignature+`"`)
		if _, err := activitypub.Verify(r, nil, draftDate, draftKeys); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("basic, with a body the signature does not cover", func(t *testing.T) {
		r := draftRequest(draftBody)
		r.Header.Set("Signature", `keyId="Test",algorithm="rsa-sha256",headers="(request-target) host date",signature="`+draftBasicSignature+`"`)
		_, err := activitypub.Verify(r, []byte(draftBody), draftDate, draftKeys)
		if herald.ErrorCode(err) != herald.EUNAUTHORIZED || !strings.Contains(herald.ErrorMessage(err), "digest") {
			t.Fatalf("err = %v, want unauthorized for the unsigned digest", err)
		}
	})
}

// signedPost returns a POST signed by Sign as Client.Deliver signs it, as
// the server receives it.
func signedPost(t *testing.T, body string, now time.Time) *http.Request {
	t.Helper()
	out, _ := http.NewRequest(http.MethodPost, "https://herald.example/ap/inbox", strings.NewReader(body))
	if err := activitypub.Sign(out, []byte(body), "https://peer.example/users/a#main-key", testKey(t, "peer"), now); err != nil {
		t.Fatal(err)
	}
	in := httptest.NewRequest(http.MethodPost, "/ap/inbox", strings.NewReader(body))
	in.Host = out.Host
	for k, v := range out.Header {
		in.Header[k] = v
	}
	return in
}

func peerKeys(t *testing.T) activitypub.KeyFunc {
	pem, err := activitypub.EncodePublicKey(&testKey(t, "peer").PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return func(_ context.Context, keyID string, _ bool) (*activitypub.PublicKey, error) {
		if keyID != "https://peer.example/users/a#main-key" {
			return nil, herald.Errorf(herald.ENOTFOUND, "no key")
		}
		return &activitypub.PublicKey{ID: keyID, Owner: "https://peer.example/users/a", PublicKeyPEM: pem}, nil
	}
}

func TestSignVerifyRoundTrip(t *testing.T) {
	now := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	body := `{"type":"Follow"}`
	r := signedPost(t, body, now)
	sum := sha256.Sum256([]byte(body))
	if got, want := r.Header.Get("Digest"), "SHA-256="+base64.StdEncoding.EncodeToString(sum[:]); got != want {
		t.Fatalf("Digest %q, want %q", got, want)
	}
	if !strings.Contains(r.Header.Get("Signature"), `headers="(request-target) host date digest"`) {
		t.Fatalf("Signature %q does not sign (request-target) host date digest", r.Header.Get("Signature"))
	}
	key, err := activitypub.Verify(r, []byte(body), now.Add(59*time.Minute), peerKeys(t))
	if err != nil {
		t.Fatal(err)
	}
	if key.Owner != "https://peer.example/users/a" {
		t.Fatalf("owner %q", key.Owner)
	}

	get, _ := http.NewRequest(http.MethodGet, "https://herald.example/ap/actors/site", nil)
	if err := activitypub.Sign(get, nil, "https://peer.example/users/a#main-key", testKey(t, "peer"), now); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(get.Header.Get("Signature"), `headers="(request-target) host date"`) || get.Header.Get("Digest") != "" {
		t.Fatalf("GET signature %q, Digest %q", get.Header.Get("Signature"), get.Header.Get("Digest"))
	}
	if _, err := activitypub.Verify(get, nil, now, peerKeys(t)); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyRefuses(t *testing.T) {
	now := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	body := `{"type":"Follow"}`
	for _, c := range []struct {
		name   string
		change func(r *http.Request) (string, time.Time) // returns the body and clock to verify with
	}{
		{"unsigned", func(r *http.Request) (string, time.Time) { r.Header.Del("Signature"); return body, now }},
		{"altered body", func(r *http.Request) (string, time.Time) { return `{"type":"Block"}`, now }},
		{"digest recomputed for an altered body", func(r *http.Request) (string, time.Time) {
			altered := `{"type":"Block"}`
			sum := sha256.Sum256([]byte(altered))
			r.Header.Set("Digest", "SHA-256="+base64.StdEncoding.EncodeToString(sum[:]))
			return altered, now
		}},
		{"no digest", func(r *http.Request) (string, time.Time) { r.Header.Del("Digest"); return body, now }},
		{"other path", func(r *http.Request) (string, time.Time) { r.RequestURI = "/ap/actors/site/inbox"; return body, now }},
		{"other host", func(r *http.Request) (string, time.Time) { r.Host = "evil.example"; return body, now }},
		{"stale", func(r *http.Request) (string, time.Time) { return body, now.Add(61 * time.Minute) }},
		{"from the future", func(r *http.Request) (string, time.Time) { return body, now.Add(-61 * time.Minute) }},
		{"other date", func(r *http.Request) (string, time.Time) {
			r.Header.Set("Date", now.Add(time.Minute).Format(http.TimeFormat))
			return body, now
		}},
		{"unknown key", func(r *http.Request) (string, time.Time) {
			r.Header.Set("Signature", strings.Replace(r.Header.Get("Signature"), "users/a#", "users/b#", 1))
			return body, now
		}},
		{"unsupported algorithm", func(r *http.Request) (string, time.Time) {
			r.Header.Set("Signature", strings.Replace(r.Header.Get("Signature"), "rsa-sha256", "hmac-sha256", 1))
			return body, now
		}},
		{"date not signed", func(r *http.Request) (string, time.Time) {
			r.Header.Set("Signature", strings.Replace(r.Header.Get("Signature"), " date", "", 1))
			return body, now
		}},
		{"malformed", func(r *http.Request) (string, time.Time) { r.Header.Set("Signature", `keyId="x`); return body, now }},
		{"signature not base64", func(r *http.Request) (string, time.Time) {
			s := r.Header.Get("Signature")
			r.Header.Set("Signature", s[:strings.Index(s, `signature="`)]+`signature="!!!"`)
			return body, now
		}},
		{"RFC 9421", func(r *http.Request) (string, time.Time) {
			r.Header.Set("Signature-Input", `sig1=("@method" "@target-uri");keyid="https://peer.example/users/a#main-key"`)
			r.Header.Set("Signature", "sig1=:AAAA:")
			return body, now
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := signedPost(t, body, now)
			got, clock := c.change(r)
			_, err := activitypub.Verify(r, []byte(got), clock, peerKeys(t))
			if herald.ErrorCode(err) != herald.EUNAUTHORIZED {
				t.Fatalf("err = %v, want code %s", err, herald.EUNAUTHORIZED)
			}
		})
	}
}

func TestVerifyKeyLookup(t *testing.T) {
	now := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	body := `{"type":"Like"}`
	t.Run("unreachable key is temporary", func(t *testing.T) {
		r := signedPost(t, body, now)
		_, err := activitypub.Verify(r, []byte(body), now, func(context.Context, string, bool) (*activitypub.PublicKey, error) {
			return nil, &activitypub.RemoteError{URL: "https://peer.example/users/a", Status: 503, Temporary: true, Err: errors.New("down")}
		})
		if herald.ErrorCode(err) != herald.EUNAVAILABLE || !activitypub.Temporary(err) {
			t.Fatalf("err = %v, want %s", err, herald.EUNAVAILABLE)
		}
	})
	t.Run("rotated key is fetched again", func(t *testing.T) {
		stale, err := activitypub.EncodePublicKey(&testKey(t, "stale").PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		fresh := peerKeys(t)
		var refreshes int
		r := signedPost(t, body, now)
		key, err := activitypub.Verify(r, []byte(body), now, func(ctx context.Context, id string, refresh bool) (*activitypub.PublicKey, error) {
			if !refresh {
				return &activitypub.PublicKey{ID: id, Owner: "https://peer.example/users/a", PublicKeyPEM: stale}, nil
			}
			refreshes++
			return fresh(ctx, id, refresh)
		})
		if err != nil || refreshes != 1 || key.Owner != "https://peer.example/users/a" {
			t.Fatalf("key %+v, err %v after %d refreshes; want verified after 1", key, err, refreshes)
		}
	})
	t.Run("forged signature costs one refresh", func(t *testing.T) {
		r := signedPost(t, body, now)
		r.Header.Set("Signature", strings.Replace(r.Header.Get("Signature"), `signature="`, `signature="AAAA`, 1))
		var calls int
		keysFn := peerKeys(t)
		_, err := activitypub.Verify(r, []byte(body), now, func(ctx context.Context, id string, refresh bool) (*activitypub.PublicKey, error) {
			calls++
			return keysFn(ctx, id, refresh)
		})
		if herald.ErrorCode(err) != herald.EUNAUTHORIZED || calls != 2 {
			t.Fatalf("err %v after %d look-ups; want unauthorized after 2", err, calls)
		}
	})
}

func TestKeysPEMRoundTrip(t *testing.T) {
	key := testKey(t, "site")
	if key.N.BitLen() != activitypub.KeyBits {
		t.Fatalf("key has %d bits, want %d", key.N.BitLen(), activitypub.KeyBits)
	}
	privPEM, err := activitypub.EncodePrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	back, err := activitypub.DecodePrivateKey(privPEM)
	if err != nil || !back.Equal(key) {
		t.Fatalf("private key round trip: %v", err)
	}
	pubPEM, err := activitypub.EncodePublicKey(&key.PublicKey)
	if err != nil || !strings.HasPrefix(pubPEM, "-----BEGIN PUBLIC KEY-----") {
		t.Fatalf("public PEM %q, %v", pubPEM, err)
	}
	pub, err := activitypub.DecodePublicKey(pubPEM)
	if err != nil || !pub.Equal(&key.PublicKey) {
		t.Fatalf("public key round trip: %v", err)
	}
	// The draft's PKCS #1 key, as older tools write them.
	if _, err := activitypub.DecodePrivateKey([]byte(draftPrivateKey)); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "not PEM", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"} {
		if _, err := activitypub.DecodePublicKey(bad); herald.ErrorCode(err) != herald.EINVALID {
			t.Errorf("DecodePublicKey(%q) = %v, want %s", bad, err, herald.EINVALID)
		}
		if _, err := activitypub.DecodePrivateKey(bytes.NewBufferString(bad).Bytes()); herald.ErrorCode(err) != herald.EINVALID {
			t.Errorf("DecodePrivateKey(%q) = %v, want %s", bad, err, herald.EINVALID)
		}
	}
}

func BenchmarkSign(b *testing.B) {
	key := testKey(b, "peer")
	body := []byte(strings.Repeat(`{"type":"Create"}`, 100))
	now := time.Now()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodPost, "https://peer.example/inbox", nil)
		if err := activitypub.Sign(req, body, "https://herald.example/ap/actors/site#main-key", key, now); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	pem, _ := activitypub.EncodePublicKey(&testKey(b, "peer").PublicKey)
	keysFn := func(_ context.Context, id string, _ bool) (*activitypub.PublicKey, error) {
		return &activitypub.PublicKey{ID: id, Owner: "https://peer.example/users/a", PublicKeyPEM: pem}, nil
	}
	body := strings.Repeat(`{"type":"Create"}`, 100)
	now := time.Now()
	out, _ := http.NewRequest(http.MethodPost, "https://herald.example/ap/inbox", nil)
	activitypub.Sign(out, []byte(body), "https://peer.example/users/a#main-key", testKey(b, "peer"), now)
	in := httptest.NewRequest(http.MethodPost, "/ap/inbox", nil)
	in.Host = out.Host
	in.Header = out.Header
	for b.Loop() {
		if _, err := activitypub.Verify(in, []byte(body), now, keysFn); err != nil {
			b.Fatal(err)
		}
	}
}
