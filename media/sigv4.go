package media

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// emptySHA256 is the payload hash of a request without a body.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// signer signs requests with AWS Signature Version 4 in the Authorization
// header. It is written from the specification rather than taken from an
// SDK, so signer_test.go pins it to AWS's published examples.
type signer struct {
	accessKey, secretKey string
	region, service      string
}

// signed reports whether a header takes part in the signature. Host and the
// x-amz-* headers must; Range, Content-Type, Content-MD5 and Date are signed
// when present so that nobody on the way can change which bytes, what kind
// of file or when. Others (User-Agent, Accept-Encoding, Content-Length) are
// left out because proxies and the HTTP client may add or rewrite them.
func signed(lowerName string) bool {
	switch lowerName {
	case "host", "range", "content-type", "content-md5", "date":
		return true
	}
	return strings.HasPrefix(lowerName, "x-amz-")
}

// sign sets X-Amz-Date and Authorization on req. payloadHash is the hex
// SHA-256 of the body (emptySHA256 for none); S3 also wants it in the
// X-Amz-Content-Sha256 header, which the caller sets before signing.
func (s signer) sign(req *http.Request, payloadHash string, now time.Time) {
	req.Header.Set("X-Amz-Date", now.UTC().Format("20060102T150405Z"))
	_, _, authorization := s.authorization(req, payloadHash, now)
	req.Header.Set("Authorization", authorization)
}

// authorization returns the Authorization header for req, which must
// have its X-Amz-Date, with the canonical request and the string to sign
// it derives from, which the tests compare with AWS's examples.
func (s signer) authorization(req *http.Request, payloadHash string, now time.Time) (canonical, toSign, authorization string) {
	now = now.UTC()
	day := now.Format("20060102")
	canonical, signedHeaders := canonicalRequest(req, payloadHash)
	scope := day + "/" + s.region + "/" + s.service + "/aws4_request"
	sum := sha256.Sum256([]byte(canonical))
	toSign = "AWS4-HMAC-SHA256\n" + now.Format("20060102T150405Z") + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	key := hmacSHA256([]byte("AWS4"+s.secretKey), day)
	key = hmacSHA256(key, s.region)
	key = hmacSHA256(key, s.service)
	key = hmacSHA256(key, "aws4_request")
	signature := hex.EncodeToString(hmacSHA256(key, toSign))
	return canonical, toSign, "AWS4-HMAC-SHA256 Credential=" + s.accessKey + "/" + scope +
		", SignedHeaders=" + signedHeaders + ", Signature=" + signature
}

// canonicalRequest returns the canonical form of req that SigV4 hashes and
// the list of signed header names.
func canonicalRequest(req *http.Request, payloadHash string) (canonical, signedHeaders string) {
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	values := map[string][]string{"host": {host}}
	for name, vs := range req.Header {
		lower := strings.ToLower(name)
		if signed(lower) && lower != "host" {
			values[lower] = append(values[lower], vs...)
		}
	}
	names := make([]string, 0, len(values))
	for name := range values {
		names = append(names, name)
	}
	sort.Strings(names)
	var headers strings.Builder
	for _, name := range names {
		vs := make([]string, len(values[name]))
		for i, v := range values[name] {
			vs[i] = strings.Join(strings.Fields(v), " ") // trimmed, inner runs of spaces as one
		}
		headers.WriteString(name + ":" + strings.Join(vs, ",") + "\n")
	}
	path := req.URL.EscapedPath()
	if path == "" {
		path = "/"
	}
	signedHeaders = strings.Join(names, ";")
	canonical = req.Method + "\n" + path + "\n" + canonicalQuery(req.URL.RawQuery) + "\n" +
		headers.String() + "\n" + signedHeaders + "\n" + payloadHash
	return canonical, signedHeaders
}

// canonicalQuery sorts the parameters by name, then value, each encoded as
// SigV4 wants; a parameter without a value ("?uploads") becomes "uploads=".
func canonicalQuery(raw string) string {
	if raw == "" {
		return ""
	}
	q, _ := url.ParseQuery(raw)
	type pair struct{ name, value string }
	var pairs []pair
	for name, vs := range q {
		for _, v := range vs {
			pairs = append(pairs, pair{uriEncode(name, true), uriEncode(v, true)})
		}
	}
	// By name, then value: sorting the joined "name=value" strings would put
	// "a-b=1" before "a=1", since '-' sorts before '='.
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].name != pairs[j].name {
			return pairs[i].name < pairs[j].name
		}
		return pairs[i].value < pairs[j].value
	})
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = p.name + "=" + p.value
	}
	return strings.Join(parts, "&")
}

// uriEncode percent-encodes every byte but the unreserved ones
// (A-Z a-z 0-9 - . _ ~), with upper-case hex as SigV4 requires; slashes are
// kept in paths. url.PathEscape differs (it keeps "$&+,:;=@"), and a server
// that encodes differently would compute another signature.
func uriEncode(s string, encodeSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '.', c == '_', c == '~':
			b.WriteByte(c)
		case c == '/' && !encodeSlash:
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}

func hmacSHA256(key []byte, data string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(data))
	return h.Sum(nil)
}
