package media

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestSignerAWSExamples pins the signer to examples AWS publishes, so that
// a signing mistake shows here rather than as a 403 from a server that
// might share it. get-vanilla is from the Signature Version 4 test suite
// (aws-sig-v4-test-suite, also in awslabs/aws-c-auth); the s3-* cases are
// the worked examples of the S3 API reference, "Signature Calculations for
// the Authorization Header: Transferring Payload in a Single Chunk", which
// exercise S3's own rules (x-amz-content-sha256, a key that needs escaping,
// a query parameter without a value).
func TestSignerAWSExamples(t *testing.T) {
	suite := signer{accessKey: "AKIDEXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", region: "us-east-1", service: "service"}
	s3 := signer{accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "us-east-1", service: "s3"}
	suiteAt := time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)
	s3At := time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)
	putHash := "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072" // of "Welcome to Amazon S3."

	cases := []struct {
		name        string
		signer      signer
		at          time.Time
		method, url string
		header      map[string]string
		payloadHash string
		// canonical and toSign are checked when set; the signature always.
		canonical, toSign string
		authorization     string
	}{{
		name: "get-vanilla", signer: suite, at: suiteAt,
		method: "GET", url: "https://example.amazonaws.com/", payloadHash: emptySHA256,
		canonical: "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + emptySHA256,
		toSign:    "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
		authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, " +
			"SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
	}, {
		name: "get-vanilla-query-order-key-case", signer: suite, at: suiteAt,
		method: "GET", url: "https://example.amazonaws.com/?Param2=value2&Param1=value1", payloadHash: emptySHA256,
		authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, " +
			"SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
	}, {
		name: "s3-get-object-range", signer: s3, at: s3At,
		method: "GET", url: "https://examplebucket.s3.amazonaws.com/test.txt", payloadHash: emptySHA256,
		header: map[string]string{"Range": "bytes=0-9", "X-Amz-Content-Sha256": emptySHA256},
		canonical: "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\nx-amz-content-sha256:" + emptySHA256 +
			"\nx-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n" + emptySHA256,
		toSign: "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972",
		authorization: "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, " +
			"SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
	}, {
		name: "s3-put-object", signer: s3, at: s3At,
		method: "PUT", url: "https://examplebucket.s3.amazonaws.com/" + uriEncode("test$file.text", false), payloadHash: putHash,
		header: map[string]string{"Date": "Fri, 24 May 2013 00:00:00 GMT", "X-Amz-Storage-Class": "REDUCED_REDUNDANCY", "X-Amz-Content-Sha256": putHash},
		toSign: "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d",
		authorization: "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, " +
			"SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
	}, {
		name: "s3-get-bucket-lifecycle", signer: s3, at: s3At,
		method: "GET", url: "https://examplebucket.s3.amazonaws.com/?lifecycle", payloadHash: emptySHA256,
		header: map[string]string{"X-Amz-Content-Sha256": emptySHA256},
		authorization: "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, " +
			"SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
	}, {
		name: "s3-list-objects", signer: s3, at: s3At,
		method: "GET", url: "https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J", payloadHash: emptySHA256,
		header: map[string]string{"X-Amz-Content-Sha256": emptySHA256},
		authorization: "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, " +
			"SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := http.NewRequest(c.method, c.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			for name, v := range c.header {
				req.Header.Set(name, v)
			}
			// Headers the signer must leave out: the client or a proxy may
			// change them on the way.
			req.Header.Set("User-Agent", "Go-http-client/1.1")
			req.Header.Set("Accept-Encoding", "gzip")
			c.signer.sign(req, c.payloadHash, c.at)
			canonical, toSign, _ := c.signer.authorization(req, c.payloadHash, c.at)
			if c.canonical != "" && canonical != c.canonical {
				t.Errorf("canonical request:\n%s\nwant:\n%s", canonical, c.canonical)
			}
			if c.toSign != "" && toSign != c.toSign {
				t.Errorf("string to sign:\n%s\nwant:\n%s", toSign, c.toSign)
			}
			if got := req.Header.Get("Authorization"); got != c.authorization {
				t.Errorf("Authorization:\n%s\nwant:\n%s", got, c.authorization)
			}
		})
	}
}

func TestURIEncode(t *testing.T) {
	for _, c := range []struct {
		in    string
		slash bool
		want  string
	}{
		{"videos/a b.mp4", false, "videos/a%20b.mp4"},
		{"a+b$c&d=e:f@g,h;i", false, "a%2Bb%24c%26d%3De%3Af%40g%2Ch%3Bi"},
		{"片子/公证人.mp4", false, "%E7%89%87%E5%AD%90/%E5%85%AC%E8%AF%81%E4%BA%BA.mp4"},
		{"a/b", true, "a%2Fb"},
		{"A-z_0.9~", true, "A-z_0.9~"},
		{"100%", false, "100%25"},
	} {
		if got := uriEncode(c.in, c.slash); got != c.want {
			t.Errorf("uriEncode(%q, %v) = %q, want %q", c.in, c.slash, got, c.want)
		}
	}
	// A parameter without a value is signed as "name=", and names sort
	// before values even where '-' would sort before '='.
	if got, want := canonicalQuery("uploads"), "uploads="; got != want {
		t.Errorf("canonicalQuery(uploads) = %q", got)
	}
	if got, want := canonicalQuery("a=1&a-b=2&a=0"), "a=0&a=1&a-b=2"; got != want {
		t.Errorf("canonicalQuery = %q, want %q", got, want)
	}
	if !strings.Contains(canonicalQuery("k=a%2Fb+c"), "k=a%2Fb%20c") {
		t.Errorf("query values: %q", canonicalQuery("k=a%2Fb+c"))
	}
}
