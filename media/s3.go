package media

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/heraldnews/herald"
)

// Part sizes of a multipart upload. S3 refuses parts under 5 MiB but the
// last; 16 MiB keeps a 500 MB film at some thirty requests while holding
// little memory per upload.
const (
	MinPartSize     int64 = 5 << 20
	DefaultPartSize int64 = 16 << 20
	maxPartSize     int64 = 5 << 30
	maxParts              = 10000 // S3's limit on the parts of one upload
)

// abortTimeout bounds the AbortMultipartUpload sent after a failure, which
// must run even when the request that started the Put is gone.
const abortTimeout = 30 * time.Second

// S3Config says where an S3 bucket is and how to sign in to it.
type S3Config struct {
	// Endpoint is the server's base URL, such as http://127.0.0.1:8333 or
	// https://s3.eu-central-1.amazonaws.com. Objects are addressed path-style
	// (Endpoint/Bucket/key), which every S3-compatible server understands,
	// unlike bucket subdomains, which need DNS for each bucket.
	Endpoint string
	// Region is the signing region; "us-east-1" when empty, the region
	// SeaweedFS, MinIO and Ceph RGW assume unless configured otherwise.
	Region string
	// Bucket must exist; Herald does not create it.
	Bucket string
	// AccessKey and SecretKey are the credentials requests are signed with.
	AccessKey string
	SecretKey string
	// Prefix, when set, goes before every key ("herald/" keeps
	// videos/x.mp4 as herald/videos/x.mp4), so that sites can share a bucket.
	Prefix string
	// PartSize is how much of a file is held in memory and sent at once:
	// DefaultPartSize when zero, at least MinPartSize. A file within one
	// part is sent with one PUT, a larger one as a multipart upload.
	PartSize int64
	// Client sends the requests; when nil, one with connection and
	// response-header timeouts but no limit on the whole request, which for
	// a film may take long.
	Client *http.Client
}

// S3 is Files in a bucket of an S3-compatible object storage (AWS S3,
// SeaweedFS, MinIO, Ceph RGW, Aliyun OSS), spoken with the standard library
// alone: requests are signed with AWS Signature Version 4.
//
// Failures of the storage (unreachable, refusing, over quota, wrong
// credentials) are *S3Error values with code herald.EUNAVAILABLE, so that
// the HTTP layer answers 503 with a message the user may read, while logs
// get the operation, key, status and S3 error code.
type S3 struct {
	base     string // scheme, host and escaped path of the bucket, without a trailing slash
	host     string
	prefix   string
	partSize int64
	client   *http.Client
	signer   signer
	now      func() time.Time // signing time; tests may fix it
}

// NewS3 checks cfg and returns the storage. It sends no request: Check
// does, for /readyz and start-up.
func NewS3(cfg S3Config) (*S3, error) {
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("media: S3 endpoint %q: want an http or https URL without user, query or fragment, such as https://s3.example.com", cfg.Endpoint)
	}
	if err := checkBucketName(cfg.Bucket); err != nil {
		return nil, err
	}
	region := cfg.Region
	if region == "" {
		region = "us-east-1"
	}
	if strings.IndexFunc(region, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
	}) >= 0 {
		return nil, fmt.Errorf("media: S3 region %q: want letters, digits and hyphens, such as eu-central-1", cfg.Region)
	}
	// The access key is written into the Authorization header between
	// slashes and commas, so those and spaces would corrupt it.
	if cfg.AccessKey == "" || strings.ContainsAny(cfg.AccessKey, "/, \t\r\n") {
		return nil, errors.New("media: S3 access key: required, without slashes, commas or spaces")
	}
	if cfg.SecretKey == "" {
		return nil, errors.New("media: S3 secret key: required")
	}
	prefix := strings.TrimSuffix(cfg.Prefix, "/")
	if prefix != "" {
		if checkKey(prefix) != nil {
			return nil, fmt.Errorf("media: S3 prefix %q: want a relative path such as herald/ without . or .. parts", cfg.Prefix)
		}
		prefix += "/"
	}
	partSize := cfg.PartSize
	if partSize == 0 {
		partSize = DefaultPartSize
	}
	if partSize < MinPartSize || partSize > maxPartSize {
		return nil, fmt.Errorf("media: S3 part size %d: want %d (5 MiB) to %d (5 GiB) bytes", cfg.PartSize, MinPartSize, maxPartSize)
	}
	client := cfg.Client
	if client == nil {
		client = defaultS3Client()
	}
	basePath := strings.TrimSuffix(u.EscapedPath(), "/")
	return &S3{
		base:     u.Scheme + "://" + u.Host + basePath + "/" + cfg.Bucket,
		host:     u.Host,
		prefix:   prefix,
		partSize: partSize,
		client:   client,
		signer:   signer{accessKey: cfg.AccessKey, secretKey: cfg.SecretKey, region: region, service: "s3"},
		now:      time.Now,
	}, nil
}

// checkBucketName applies S3's naming rules, which the bucket name must
// meet to be a path segment every server accepts.
func checkBucketName(name string) error {
	ok := len(name) >= 3 && len(name) <= 63 && isLowerAlnum(name[0]) && isLowerAlnum(name[len(name)-1]) &&
		!strings.Contains(name, "..")
	for i := 0; ok && i < len(name); i++ {
		ok = isLowerAlnum(name[i]) || name[i] == '-' || name[i] == '.'
	}
	if !ok {
		return fmt.Errorf("media: S3 bucket %q: want 3 to 63 lower-case letters, digits, hyphens and dots, starting and ending with a letter or digit", name)
	}
	return nil
}

func isLowerAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// defaultS3Client fails fast when the storage is down or stops answering,
// yet lets a film stream for as long as it takes.
func defaultS3Client() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.ResponseHeaderTimeout = time.Minute
	t.MaxIdleConnsPerHost = 16
	return &http.Client{Transport: t}
}

// S3Error is a failed request to the storage: an error answer (StatusCode,
// and Code and Message from the S3 error document when there is one) or no
// answer at all (Err). Its herald code is EUNAVAILABLE, or ENOTFOUND for a
// missing file, and none when the caller's context was cancelled.
type S3Error struct {
	Op         string // put, open, read, delete or check
	Key        string // the file's key in Herald, without the prefix
	StatusCode int    // 0 when the server did not answer
	Code       string // S3 error code, such as AccessDenied or SlowDown
	Message    string
	RequestID  string
	Err        error // the transport's error when the server did not answer
	coded      *herald.Error
}

// Error names the operation, key, status and S3 code, for logs.
func (e *S3Error) Error() string {
	s := "media: " + e.Op + " " + e.Key + ": "
	if e.StatusCode == 0 {
		return s + e.Err.Error()
	}
	s += strconv.Itoa(e.StatusCode)
	code := e.Code
	if code == "" {
		code = strings.ReplaceAll(http.StatusText(e.StatusCode), " ", "")
	}
	s += " " + code
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.RequestID != "" {
		s += " (request " + e.RequestID + ")"
	}
	return s
}

// Unwrap gives errors.As the coded error whose message is safe to show,
// and errors.Is the transport's error (such as context.DeadlineExceeded).
func (e *S3Error) Unwrap() []error {
	var errs []error
	if e.coded != nil {
		errs = append(errs, e.coded)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// safeMessages tell the user what failed without the storage's details.
var safeMessages = map[string]string{
	"put":    "Media storage refused the file; try again later.",
	"open":   "Media storage is unavailable; try again later.",
	"read":   "Media storage is unavailable; try again later.",
	"delete": "Media storage could not delete the file; try again later.",
	"check":  "Media storage is unavailable.",
}

// code gives e its herald code. Every failure of the storage is
// EUNAVAILABLE: whether it is down, full, over quota (SeaweedFS and Ceph
// answer 403 then) or misconfigured, the user can do nothing but try again
// later, and the operator finds the S3 code in the log and /readyz.
func (e *S3Error) code() *S3Error {
	switch {
	case e.StatusCode == 0 && errors.Is(e.Err, context.Canceled):
		// The caller went away; nobody reads the answer.
	case e.StatusCode == http.StatusNotFound && e.Op == "open":
		e.coded = herald.Errorf(herald.ENOTFOUND, "File not found.")
	default:
		e.coded = herald.Errorf(herald.EUNAVAILABLE, "%s", safeMessages[e.Op])
	}
	return e
}

// request is one call of the S3 API.
type request struct {
	op, key string // for errors
	method  string
	object  string // the object's name in the bucket
	query   url.Values
	header  http.Header
	body    []byte
}

// do signs and sends r and returns the response when its status is 2xx;
// any other answer becomes an *S3Error.
func (s *S3) do(ctx context.Context, r request) (*http.Response, error) {
	target := s.base + "/" + uriEncode(r.object, false)
	if len(r.query) > 0 {
		target += "?" + canonicalQuery(r.query.Encode())
	}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, target, body)
	if err != nil {
		return nil, fmt.Errorf("media: %s %s: %w", r.op, r.key, err)
	}
	for name, vs := range r.header {
		req.Header[name] = vs
	}
	req.Host = s.host
	hash := emptySHA256
	if len(r.body) > 0 {
		sum := sha256.Sum256(r.body)
		hash = hex.EncodeToString(sum[:])
	}
	req.Header.Set("X-Amz-Content-Sha256", hash)
	s.signer.sign(req, hash, s.now())
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, (&S3Error{Op: r.op, Key: r.key, Err: err}).code()
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		return nil, errorAnswer(r.op, r.key, resp)
	}
	return resp, nil
}

// errorBody is S3's error document.
type errorBody struct {
	XMLName   xml.Name
	Code      string
	Message   string
	RequestID string `xml:"RequestId"`
}

// errorAnswer reads the error document of resp, if any (HEAD has none).
func errorAnswer(op, key string, resp *http.Response) error {
	e := &S3Error{Op: op, Key: key, StatusCode: resp.StatusCode, RequestID: resp.Header.Get("X-Amz-Request-Id")}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var doc errorBody
	if xml.Unmarshal(data, &doc) == nil && doc.XMLName.Local == "Error" {
		e.Code, e.Message = doc.Code, doc.Message
		if doc.RequestID != "" {
			e.RequestID = doc.RequestID
		}
	} else if text := strings.TrimSpace(string(data)); text != "" && len(text) < 200 {
		e.Message = text // a proxy's plain-text answer says more than the status alone
	}
	return e.code()
}

// readAnswer reads the XML document of a successful answer into v. Some
// answers (CompleteMultipartUpload) are 200 with an error document in the
// body, because the server sends the status before it has finished.
func readAnswer(op, key string, resp *http.Response, v any) error {
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return (&S3Error{Op: op, Key: key, Err: err}).code()
	}
	var doc errorBody
	if xml.Unmarshal(data, &doc) == nil && doc.XMLName.Local == "Error" {
		return (&S3Error{Op: op, Key: key, StatusCode: resp.StatusCode, Code: doc.Code, Message: doc.Message, RequestID: doc.RequestID}).code()
	}
	if v == nil {
		return nil
	}
	if err := xml.Unmarshal(data, v); err != nil {
		return (&S3Error{Op: op, Key: key, StatusCode: resp.StatusCode, Code: "MalformedAnswer", Message: err.Error()}).code()
	}
	return nil
}

func contentType(key string) http.Header {
	h := http.Header{}
	if t := mime.TypeByExtension(path.Ext(key)); t != "" {
		h.Set("Content-Type", t)
	}
	return h
}

// Put streams r to key, holding at most one part in memory: a file within
// one part goes up with a single PUT, a larger one as a multipart upload,
// which is aborted when anything fails, so the key keeps its earlier object.
func (s *S3) Put(ctx context.Context, key string, r io.Reader) error {
	if err := checkKey(key); err != nil {
		return err
	}
	// A buffer per Put, not a pool: when a server answers before reading
	// the whole body, the transport may still be sending from the buffer
	// after the error has come back.
	p := &parts{r: readerWithContext{ctx, r}, buf: make([]byte, s.partSize)}
	part, last, err := p.next()
	if err != nil {
		return fmt.Errorf("media: put %s: reading the file: %w", key, err)
	}
	if last {
		resp, err := s.do(ctx, request{op: "put", key: key, method: http.MethodPut, object: s.prefix + key,
			header: contentType(key), body: part})
		if err != nil {
			return err
		}
		return readAnswer("put", key, resp, nil)
	}
	return s.putParts(ctx, key, p, part)
}

// parts cuts a stream into parts of len(buf) bytes. It reads one byte
// ahead, so that it knows which part is the last without a second buffer.
type parts struct {
	r     io.Reader
	buf   []byte
	one   [1]byte
	ahead []byte // the byte read past the previous part, if any
	eof   bool   // r has ended; it is not read again
}

// next returns the next part, valid until the following call, and whether
// it is the last one.
func (p *parts) next() (part []byte, last bool, err error) {
	n := copy(p.buf, p.ahead)
	p.ahead = nil
	if !p.eof {
		m, err := fill(p.r, p.buf[n:])
		n += m
		if err == io.EOF {
			p.eof = true
		} else if err != nil {
			return nil, false, err
		}
	}
	if p.eof {
		return p.buf[:n], true, nil
	}
	// The part is full: one more byte tells whether another part follows.
	// A reader may hand over that byte together with io.EOF.
	k, err := fill(p.r, p.one[:])
	if err == io.EOF {
		p.eof = true
	} else if err != nil {
		return nil, false, err
	}
	if k == 0 {
		return p.buf[:n], true, nil
	}
	p.ahead = p.one[:]
	return p.buf[:n], false, nil
}

// fill reads until buf is full, the stream ends (io.EOF, perhaps with bytes)
// or fails. Unlike io.ReadFull it keeps a reader's own io.ErrUnexpectedEOF
// (a truncated upload) apart from the end of the stream.
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

type completedPart struct {
	PartNumber int
	ETag       string
}

// putParts sends first and the rest of p as a multipart upload.
func (s *S3) putParts(ctx context.Context, key string, p *parts, first []byte) (err error) {
	object := s.prefix + key
	resp, err := s.do(ctx, request{op: "put", key: key, method: http.MethodPost, object: object,
		query: url.Values{"uploads": {""}}, header: contentType(key)})
	if err != nil {
		return err
	}
	var created struct{ UploadId string }
	if err := readAnswer("put", key, resp, &created); err != nil {
		return err
	}
	if created.UploadId == "" {
		return (&S3Error{Op: "put", Key: key, StatusCode: resp.StatusCode, Code: "MalformedAnswer", Message: "no UploadId"}).code()
	}
	upload := url.Values{"uploadId": {created.UploadId}}
	defer func() {
		if err == nil {
			return
		}
		// Until aborted, the parts take space and the upload shows in
		// listings; the caller's context may be what failed, so the abort
		// gets its own.
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
		defer cancel()
		resp, aerr := s.do(actx, request{op: "put", key: key, method: http.MethodDelete, object: object, query: upload})
		if aerr == nil {
			resp.Body.Close()
		} else if !errors.Is(err, context.Canceled) {
			err = fmt.Errorf("%w (aborting the upload failed too: %v)", err, aerr)
		}
	}()

	var done []completedPart
	part, last := first, false
	for number := 1; ; number++ {
		if number > maxParts {
			return fmt.Errorf("media: put %s: the file has more than %d parts of %d bytes", key, maxParts, s.partSize)
		}
		query := url.Values{"uploadId": upload["uploadId"], "partNumber": {strconv.Itoa(number)}}
		resp, err := s.do(ctx, request{op: "put", key: key, method: http.MethodPut, object: object, query: query, body: part})
		if err != nil {
			return err
		}
		resp.Body.Close()
		done = append(done, completedPart{number, resp.Header.Get("ETag")})
		if last {
			break
		}
		if part, last, err = p.next(); err != nil {
			return fmt.Errorf("media: put %s: reading the file: %w", key, err)
		}
	}
	body, err := xml.Marshal(struct {
		XMLName xml.Name        `xml:"CompleteMultipartUpload"`
		Parts   []completedPart `xml:"Part"`
	}{Parts: done})
	if err != nil {
		return err
	}
	resp, err = s.do(ctx, request{op: "put", key: key, method: http.MethodPost, object: object, query: upload, body: body})
	if err != nil {
		return err
	}
	return readAnswer("put", key, resp, nil)
}

// Open asks for the file's size and date; its bytes are fetched as they
// are read, from the offset of the last Seek. Later reads use ctx.
func (s *S3) Open(ctx context.Context, key string) (File, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	resp, err := s.do(ctx, request{op: "open", key: key, method: http.MethodHead, object: s.prefix + key})
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	size, err := strconv.ParseInt(resp.Header.Get("Content-Length"), 10, 64)
	if err != nil || size < 0 {
		return nil, (&S3Error{Op: "open", Key: key, StatusCode: resp.StatusCode, Code: "MalformedAnswer", Message: "no Content-Length"}).code()
	}
	modTime, _ := http.ParseTime(resp.Header.Get("Last-Modified"))
	return &s3File{s: s, ctx: ctx, key: key, size: size, modTime: modTime, etag: resp.Header.Get("ETag")}, nil
}

// Delete removes the object of key; S3 answers a missing one with 204 too.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	resp, err := s.do(ctx, request{op: "delete", key: key, method: http.MethodDelete, object: s.prefix + key})
	var se *S3Error
	if errors.As(err, &se) && se.StatusCode == http.StatusNotFound && se.Code != "NoSuchBucket" {
		return nil
	} else if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

// Check writes and deletes a small object under .check/, which Herald's
// keys never use: a bucket that answers but refuses writes (read-only,
// over quota, wrong permissions) is not ready for uploads.
func (s *S3) Check(ctx context.Context) error {
	b := make([]byte, 8)
	rand.Read(b)
	key := ".check/" + hex.EncodeToString(b) // random: several servers may check at once
	resp, err := s.do(ctx, request{op: "check", key: key, method: http.MethodPut, object: s.prefix + key, body: []byte("ok")})
	if err != nil {
		return err
	}
	if err := readAnswer("check", key, resp, nil); err != nil {
		return err
	}
	resp, err = s.do(ctx, request{op: "check", key: key, method: http.MethodDelete, object: s.prefix + key})
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

// s3File reads an object with ranged GETs: the first Read after Open or a
// Seek asks for the bytes from the offset to the end, and later Reads
// continue on that answer while they are sequential. http.ServeContent
// seeks to a range and copies its length, so a range costs one request
// and only its bytes travel (plus what the transport buffers ahead).
type s3File struct {
	s       *S3
	ctx     context.Context
	key     string
	size    int64
	modTime time.Time
	etag    string

	off     int64         // where the next Read starts
	body    io.ReadCloser // an open answer, positioned at bodyOff
	bodyOff int64
	closed  bool
}

func (f *s3File) Size() int64        { return f.size }
func (f *s3File) ModTime() time.Time { return f.modTime }

func (f *s3File) Read(p []byte) (int, error) {
	if f.closed {
		return 0, fmt.Errorf("media: read %s: file already closed", f.key)
	}
	if f.off >= f.size {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	if f.body != nil && f.bodyOff != f.off {
		f.body.Close()
		f.body = nil
	}
	if f.body == nil {
		if err := f.get(); err != nil {
			return 0, err
		}
	}
	if rest := f.size - f.off; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := f.body.Read(p)
	f.off += int64(n)
	f.bodyOff = f.off
	if errors.Is(err, io.EOF) {
		f.body.Close()
		f.body = nil
		if f.off < f.size {
			return n, fmt.Errorf("media: read %s: the answer ended at byte %d of %d: %w", f.key, f.off, f.size, io.ErrUnexpectedEOF)
		}
		err = nil
	}
	if err != nil {
		f.body.Close()
		f.body = nil
		return n, (&S3Error{Op: "read", Key: f.key, Err: err}).code()
	}
	return n, nil
}

// get asks for the bytes from f.off to the end. If-Match makes the server
// refuse them (412) if the key was replaced since Open, rather than mixing
// two files' bytes under one size.
func (f *s3File) get() error {
	h := http.Header{}
	h.Set("Range", "bytes="+strconv.FormatInt(f.off, 10)+"-")
	if f.etag != "" {
		h.Set("If-Match", f.etag)
	}
	resp, err := f.s.do(f.ctx, request{op: "read", key: f.key, method: http.MethodGet, object: f.s.prefix + f.key, header: h})
	if err != nil {
		return err
	}
	switch {
	case resp.StatusCode == http.StatusPartialContent && strings.HasPrefix(resp.Header.Get("Content-Range"), "bytes "+strconv.FormatInt(f.off, 10)+"-"):
	case resp.StatusCode == http.StatusOK && f.off == 0:
	default:
		// A server that ignores Range would send the whole film for every
		// range a player asks for.
		resp.Body.Close()
		return (&S3Error{Op: "read", Key: f.key, StatusCode: resp.StatusCode, Code: "RangeIgnored",
			Message: fmt.Sprintf("asked for bytes from %d, got Content-Range %q", f.off, resp.Header.Get("Content-Range"))}).code()
	}
	f.body, f.bodyOff = resp.Body, f.off
	return nil
}

func (f *s3File) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += f.off
	case io.SeekEnd:
		offset += f.size
	default:
		return 0, fmt.Errorf("media: seek %s: bad whence %d", f.key, whence)
	}
	if offset < 0 {
		return 0, fmt.Errorf("media: seek %s: negative position %d", f.key, offset)
	}
	f.off = offset // the request waits for the next Read, which may never come
	return offset, nil
}

// Close ends the open answer, if any.
func (f *s3File) Close() error {
	f.closed = true
	if f.body != nil {
		f.body.Close()
		f.body = nil
	}
	return nil
}
