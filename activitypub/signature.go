package activitypub

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"hash"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldnews/herald"
)

// MaxClockSkew is how far the Date of a signed request may be from the
// verifier's clock. Mastodon allows the same hour; a longer window lets a
// captured request be replayed for longer.
const MaxClockSkew = time.Hour

// KeyFunc returns the public key whose ID is keyID, with the actor that owns
// it. Verify calls it with refresh=false first and, when the signature does
// not match that key, once more with refresh=true, so that a cache can fetch
// the key again after its owner has rotated it.
//
// A KeyFunc returns an error for which Temporary reports true when the key
// could not be fetched for now (a timeout, a 5xx); any other error means there
// is no such key.
type KeyFunc func(ctx context.Context, keyID string, refresh bool) (*PublicKey, error)

// Sign signs req the way Mastodon does (draft-cavage-http-signatures-12 with
// rsa-sha256): it sets Date to now and Host, and for a request with a body
// (body non-nil, the exact bytes that will be sent) Digest: SHA-256=…; then it
// signs "(request-target) host date digest" ("(request-target) host date"
// without a body) with key and sets the Signature header naming keyID.
func Sign(req *http.Request, body []byte, keyID string, key *rsa.PrivateKey, now time.Time) error {
	if key == nil {
		return fmt.Errorf("sign request: no key")
	}
	if keyID == "" || strings.ContainsAny(keyID, "\"\\\r\n") {
		return fmt.Errorf("sign request: key ID %q cannot be quoted", keyID)
	}
	if req.Host == "" {
		req.Host = req.URL.Host
	}
	req.Header.Set("Date", now.UTC().Format(http.TimeFormat))
	headers := []string{"(request-target)", "host", "date"}
	if body != nil {
		sum := sha256.Sum256(body)
		req.Header.Set("Digest", "SHA-256="+base64.StdEncoding.EncodeToString(sum[:]))
		headers = append(headers, "digest")
	}
	signing, err := signingString(req, headers, nil)
	if err != nil {
		return fmt.Errorf("sign request: %w", err)
	}
	hashed := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, hashed[:])
	if err != nil {
		return fmt.Errorf("sign request: %w", err)
	}
	req.Header.Set("Signature", fmt.Sprintf(`keyId="%s",algorithm="rsa-sha256",headers="%s",signature="%s"`,
		keyID, strings.Join(headers, " "), base64.StdEncoding.EncodeToString(sig)))
	return nil
}

// SignatureKeyID returns the keyId of req's draft-cavage signature, "" when
// there is none. It verifies nothing: handlers use it to refuse blocked
// domains before fetching a key from them.
func SignatureKeyID(req *http.Request) string {
	header := signatureHeader(req)
	if header == "" {
		return ""
	}
	params, err := parseSignature(header)
	if err != nil {
		return ""
	}
	return params["keyid"]
}

// Verify checks req's draft-cavage-http-signatures-12 signature: algorithm
// rsa-sha256 (or hs2019 with an RSA key); (request-target), host, date and,
// when body is not empty, digest among the signed headers; a Digest (SHA-256
// or SHA-512) that matches body; a Date within MaxClockSkew of now; and the
// signature itself, against the key that keys returns for the keyId. It
// returns that key, whose Owner is the actor that signed.
//
// RFC 9421 signatures (a Signature-Input header) are refused like unsigned
// requests: senders that "double-knock", as Fedify does, then retry with
// draft-cavage, which every fediverse server speaks.
//
// Unsigned, malformed, forged, stale and digest-mismatched requests return an
// error with code herald.EUNAUTHORIZED; a key that cannot be fetched for now,
// one with code herald.EUNAVAILABLE.
func Verify(req *http.Request, body []byte, now time.Time, keys KeyFunc) (*PublicKey, error) {
	if req.Header.Get("Signature-Input") != "" {
		return nil, unauthorized("RFC 9421 HTTP message signatures are not supported; sign with draft-cavage-http-signatures-12.")
	}
	header := signatureHeader(req)
	if header == "" {
		return nil, unauthorized("The request is not signed.")
	}
	params, err := parseSignature(header)
	if err != nil {
		return nil, err
	}
	keyID, sigText := params["keyid"], params["signature"]
	if keyID == "" || sigText == "" {
		return nil, unauthorized("The signature has no keyId or no signature.")
	}
	switch alg := strings.ToLower(params["algorithm"]); alg {
	case "", "rsa-sha256", "hs2019":
	default:
		return nil, unauthorized("The signature algorithm %q is not supported; use rsa-sha256.", alg)
	}
	headers := strings.Fields(strings.ToLower(params["headers"]))
	required := []string{"(request-target)", "host", "date"}
	if len(body) > 0 {
		required = append(required, "digest")
	}
	for _, h := range required {
		if !slices.Contains(headers, h) {
			return nil, unauthorized("The signature must cover %s.", strings.Join(required, " "))
		}
	}
	date, err := http.ParseTime(req.Header.Get("Date"))
	if err != nil {
		return nil, unauthorized("The Date header cannot be read.")
	}
	if d := now.Sub(date); d > MaxClockSkew || d < -MaxClockSkew {
		return nil, unauthorized("The Date header is more than an hour from the server's time.")
	}
	if err := checkExpiry(params, now); err != nil {
		return nil, err
	}
	if len(body) > 0 {
		if err := checkDigest(req.Header.Values("Digest"), body); err != nil {
			return nil, err
		}
	}
	signing, err := signingString(req, headers, params)
	if err != nil {
		return nil, unauthorized("%s", err.Error())
	}
	sig, err := base64.StdEncoding.DecodeString(sigText)
	if err != nil {
		return nil, unauthorized("The signature is not base64.")
	}
	hashed := sha256.Sum256([]byte(signing))
	var last *PublicKey
	for _, refresh := range []bool{false, true} {
		key, err := keys(req.Context(), keyID, refresh)
		if err != nil {
			if Temporary(err) {
				return nil, herald.Errorf(herald.EUNAVAILABLE, "The signing key %s could not be fetched; try again later.", keyID)
			}
			return nil, unauthorized("The signing key %s cannot be found.", keyID)
		}
		if key.ID != keyID || key.Owner == "" {
			return nil, unauthorized("The signing key %s has no owner.", keyID)
		}
		if last != nil && last.PublicKeyPEM == key.PublicKeyPEM {
			break // refreshed, and still the same key: the signature is wrong
		}
		last = key
		pub, err := DecodePublicKey(key.PublicKeyPEM)
		if err != nil {
			return nil, unauthorized("The signing key %s cannot be used: %s", keyID, herald.ErrorMessage(err))
		}
		if rsa.VerifyPKCS1v15(pub, crypto.SHA256, hashed[:], sig) == nil {
			return key, nil
		}
	}
	return nil, unauthorized("The signature does not match the request.")
}

func unauthorized(format string, args ...any) error {
	return herald.Errorf(herald.EUNAUTHORIZED, format, args...)
}

// signatureHeader returns the draft-cavage signature parameters, from the
// Signature header or, as the draft also allows, Authorization: Signature.
func signatureHeader(req *http.Request) string {
	if s := req.Header.Get("Signature"); s != "" {
		return s
	}
	if a := req.Header.Get("Authorization"); len(a) > 10 && strings.EqualFold(a[:10], "Signature ") {
		return a[10:]
	}
	return ""
}

// parseSignature splits `keyId="…",algorithm="…",created=123` into a map
// with lower-case names.
func parseSignature(s string) (map[string]string, error) {
	params := map[string]string{}
	for s = strings.TrimSpace(s); s != ""; {
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			return nil, unauthorized("The Signature header is malformed.")
		}
		name := strings.ToLower(strings.TrimSpace(s[:eq]))
		s = strings.TrimSpace(s[eq+1:])
		var value string
		if strings.HasPrefix(s, `"`) {
			var b strings.Builder
			i := 1
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				b.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, unauthorized("The Signature header has an unterminated string.")
			}
			value, s = b.String(), s[i+1:]
		} else {
			end := strings.IndexByte(s, ',')
			if end < 0 {
				end = len(s)
			}
			value, s = strings.TrimSpace(s[:end]), s[end:]
		}
		if _, dup := params[name]; dup {
			return nil, unauthorized("The Signature header names %s twice.", name)
		}
		params[name] = value
		s = strings.TrimSpace(s)
		if s != "" {
			if s[0] != ',' {
				return nil, unauthorized("The Signature header is malformed.")
			}
			s = strings.TrimSpace(s[1:])
		}
	}
	return params, nil
}

// checkExpiry applies the optional (created) and (expires) parameters of
// hs2019 signatures.
func checkExpiry(params map[string]string, now time.Time) error {
	if v, ok := params["created"]; ok {
		created, err := strconv.ParseInt(v, 10, 64)
		if err != nil || time.Unix(created, 0).Sub(now) > MaxClockSkew {
			return unauthorized("The signature's created time is invalid or in the future.")
		}
	}
	if v, ok := params["expires"]; ok {
		expires, err := strconv.ParseInt(v, 10, 64)
		if err != nil || now.After(time.Unix(expires, 0)) {
			return unauthorized("The signature has expired.")
		}
	}
	return nil
}

// checkDigest requires at least one SHA-256 or SHA-512 digest of body and
// that every such digest matches.
func checkDigest(values []string, body []byte) error {
	checked := false
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			alg, enc, ok := strings.Cut(strings.TrimSpace(part), "=")
			if !ok {
				continue
			}
			var h hash.Hash
			switch strings.ToUpper(alg) {
			case "SHA-256":
				h = sha256.New()
			case "SHA-512":
				h = sha512.New()
			default:
				continue
			}
			want, err := base64.StdEncoding.DecodeString(enc)
			if err != nil {
				return unauthorized("The Digest header is not base64.")
			}
			h.Write(body)
			if subtle.ConstantTimeCompare(h.Sum(nil), want) != 1 {
				return unauthorized("The Digest header does not match the body.")
			}
			checked = true
		}
	}
	if !checked {
		return unauthorized("The request needs a SHA-256 Digest header.")
	}
	return nil
}

// signingString builds the string that draft-cavage signs: one "name: value"
// line for each of headers. params gives (created) and (expires) when
// verifying.
func signingString(req *http.Request, headers []string, params map[string]string) (string, error) {
	var b strings.Builder
	for i, name := range headers {
		if i > 0 {
			b.WriteByte('\n')
		}
		var value string
		switch name {
		case "(request-target)":
			target := req.RequestURI // the server side: exactly what was sent
			if target == "" {
				target = req.URL.RequestURI()
			}
			value = strings.ToLower(req.Method) + " " + target
		case "(created)", "(expires)":
			v, ok := params[strings.Trim(name, "()")]
			if !ok {
				return "", fmt.Errorf("the signature covers %s but has no such parameter", name)
			}
			value = v
		case "host":
			value = req.Host
			if value == "" {
				value = req.URL.Host
			}
		default:
			vs := slices.Clone(req.Header.Values(name))
			if len(vs) == 0 {
				return "", fmt.Errorf("the signed header %s is missing", name)
			}
			for j := range vs {
				vs[j] = strings.TrimSpace(vs[j])
			}
			value = strings.Join(vs, ", ")
		}
		b.WriteString(name)
		b.WriteString(": ")
		b.WriteString(value)
	}
	return b.String(), nil
}
