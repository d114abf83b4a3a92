package views

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldnews/herald"
)

const (
	chromeUA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
	iphoneUA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)

// fakeSink records AddReads calls; it fails while fail is set. Its salts are
// shared by every Counter that writes to it, as a store's are.
type fakeSink struct {
	mu       sync.Mutex
	fail     bool
	failSalt bool
	calls    [][]Count      // the views of successful calls
	failed   int            // failed calls
	totals   map[string]int // summed views by key
	refs     map[string]int // summed referrer views by "article|day|host"
	keys     map[herald.ReaderKey]bool
	readers  map[string]int // distinct readers by "article|day"
	salts    map[string][]byte
	notify   chan []Count // if set, receives every successful call
	ctxErr   []error      // ctx.Err() seen by each call
}

func newFakeSink() *fakeSink {
	return &fakeSink{totals: map[string]int{}, refs: map[string]int{}, keys: map[herald.ReaderKey]bool{},
		readers: map[string]int{}, salts: map[string][]byte{}}
}

func (s *fakeSink) AddReads(ctx context.Context, b *herald.ReadBatch) error {
	s.mu.Lock()
	s.ctxErr = append(s.ctxErr, ctx.Err())
	if s.fail {
		s.failed++
		s.mu.Unlock()
		return errors.New("database is down")
	}
	if err := b.Validate(); err != nil {
		s.mu.Unlock()
		return err
	}
	cp := append([]Count(nil), b.Views...)
	s.calls = append(s.calls, cp)
	for _, c := range cp {
		s.totals[key(c.ArticleID, c.Hour, c.Channel)] += c.Views
	}
	for _, r := range b.Referrers {
		s.refs[fmt.Sprintf("%d|%s|%s", r.ArticleID, r.Day, r.Host)] += r.Views
	}
	for _, k := range b.Readers {
		if !s.keys[k] {
			s.keys[k] = true
			s.readers[fmt.Sprintf("%d|%s", k.ArticleID, k.Day)]++
		}
	}
	n := s.notify
	s.mu.Unlock()
	if n != nil {
		n <- cp
	}
	return nil
}

func (s *fakeSink) ReaderSalt(ctx context.Context, day time.Time, newSalt func() ([]byte, error)) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failSalt {
		return nil, errors.New("database is down")
	}
	d := herald.DayString(day)
	if s.salts[d] == nil {
		salt, err := newSalt()
		if err != nil {
			return nil, err
		}
		s.salts[d] = salt
	}
	return s.salts[d], nil
}

func (s *fakeSink) readersOf(article int64, day string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.readers[fmt.Sprintf("%d|%s", article, day)]
}

func (s *fakeSink) referrals(article int64, day, host string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refs[fmt.Sprintf("%d|%s|%s", article, day, host)]
}

func (s *fakeSink) setFail(b bool) { s.mu.Lock(); s.fail = b; s.mu.Unlock() }

func (s *fakeSink) numCalls() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.calls) }

func (s *fakeSink) total(article int64, hour time.Time, ch string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.totals[key(article, hour, ch)]
}

func (s *fakeSink) sum() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, v := range s.totals {
		n += v
	}
	return n
}

func key(article int64, hour time.Time, ch string) string {
	return fmt.Sprintf("%d|%s|%s", article, hour.UTC().Format(time.RFC3339), ch)
}

// fakeClock is a controllable clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (f *fakeClock) clock() herald.Clock {
	return func() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.now }
}

func (f *fakeClock) add(d time.Duration) { f.mu.Lock(); f.now = f.now.Add(d); f.mu.Unlock() }

var t0 = time.Date(2026, 3, 14, 9, 10, 0, 0, time.UTC)
var hour9 = time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)

func newTest(t testing.TB) (*Counter, *fakeSink, *fakeClock) {
	t.Helper()
	fc := &fakeClock{now: t0}
	sink := newFakeSink()
	return New(sink, fc.clock(), nil), sink, fc
}

func req(ip, ua, lang string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/news/1", nil)
	r.RemoteAddr = ip + ":51234"
	if ua != "" {
		r.Header.Set("User-Agent", ua)
	} else {
		r.Header.Del("User-Agent")
	}
	if lang != "" {
		r.Header.Set("Accept-Language", lang)
	}
	return r
}

func TestNewDefaults(t *testing.T) {
	c, _, _ := newTest(t)
	if c.Window != 30*time.Minute || c.Interval != time.Second || c.MaxEntries != 1_000_000 {
		t.Fatalf("defaults: window %v interval %v max %d", c.Window, c.Interval, c.MaxEntries)
	}
}

func TestDedupWindow(t *testing.T) {
	c, _, fc := newTest(t)
	alice := req("203.0.113.7", chromeUA, "en-US")
	if !c.Record(alice, 1, "web") {
		t.Fatal("first view not counted")
	}
	fc.add(29*time.Minute + 59*time.Second)
	if c.Record(alice, 1, "web") {
		t.Fatal("repeat view within 30 min counted")
	}
	fc.add(time.Second) // exactly 30 min after the counted view
	if !c.Record(alice, 1, "web") {
		t.Fatal("view after 30 min not counted")
	}
	if c.Record(alice, 1, "web") {
		t.Fatal("repeat right after the new counted view counted")
	}
	if !c.Record(alice, 2, "web") {
		t.Fatal("different article not counted")
	}
	// Different readers: different IP, different UA, different language.
	for _, r := range []*http.Request{
		req("203.0.113.8", chromeUA, "en-US"),
		req("203.0.113.7", iphoneUA, "en-US"),
		req("203.0.113.7", chromeUA, "zh-CN"),
	} {
		if !c.Record(r, 1, "web") {
			t.Fatalf("different reader %s %q %q not counted", r.RemoteAddr, r.UserAgent(), r.Header.Get("Accept-Language"))
		}
	}
	if got := c.Pending(); got != 6 {
		t.Fatalf("pending %d, want 6", got)
	}
}

func TestSameReaderDifferentPort(t *testing.T) {
	c, _, _ := newTest(t)
	a := req("2001:db8::1", chromeUA, "en")
	a.RemoteAddr = "[2001:db8::1]:1000"
	b := req("2001:db8::1", chromeUA, "en")
	b.RemoteAddr = "[2001:db8::1]:2000"
	if !c.Record(a, 1, "web") || c.Record(b, 1, "web") {
		t.Fatal("the port must not distinguish readers")
	}
}

func TestRecordMatchesRecordReader(t *testing.T) {
	c, _, _ := newTest(t)
	r := req("198.51.100.1", chromeUA, "de")
	if !c.RecordReader("198.51.100.1\x00"+chromeUA+"\x00de", chromeUA, false, 5, "static") {
		t.Fatal("RecordReader did not count")
	}
	if c.Record(r, 5, "static") {
		t.Fatal("Record and RecordReader disagree on the reader key")
	}
	if !c.RecordReader("beacon-reader-1", chromeUA, false, 5, "static") {
		t.Fatal("explicit reader not counted")
	}
	if c.RecordReader("beacon-reader-1", chromeUA, false, 5, "static") {
		t.Fatal("explicit reader counted twice")
	}
	if c.RecordReader("beacon-reader-2", chromeUA, true, 5, "static") {
		t.Fatal("prefetch flag ignored")
	}
	if c.RecordReader("beacon-reader-3", "Googlebot/2.1", false, 5, "static") {
		t.Fatal("bot UA ignored by RecordReader")
	}
}

func TestReaderKeys(t *testing.T) {
	// The dedup key is seeded per Counter; the digest that the day's reader
	// key is made from is not (so that replicas agree), and is kept in memory
	// only. No raw IP is kept anywhere.
	a, _, _ := newTest(t)
	b, _, _ := newTest(t)
	id := digest("192.0.2.55", chromeUA, "en")
	if id != digest("192.0.2.55\x00"+chromeUA+"\x00en") {
		t.Fatal("digest of parts differs from digest of the joined key")
	}
	if maphash.Comparable(a.seed, id) == maphash.Comparable(b.seed, id) {
		t.Fatal("dedup keys are not seeded per Counter")
	}
	salt1, salt2 := []byte("0123456789abcdef"), []byte("fedcba9876543210")
	if readerKey(salt1, id) != readerKey(salt1, digest("192.0.2.55", chromeUA, "en")) {
		t.Fatal("the reader key is not a function of the salt and the reader")
	}
	if readerKey(salt1, id) == readerKey(salt2, id) || readerKey(salt1, id) == readerKey(salt1, digest("192.0.2.56", chromeUA, "en")) {
		t.Fatal("reader keys do not depend on the salt and the reader")
	}
}

func TestBotsNotCounted(t *testing.T) {
	bots := []string{
		"",
		"   ",
		"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
		"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
		"Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
		"Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
		"Mozilla/5.0 (compatible; 360Spider)",
		"Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)",
		"Mozilla/5.0 (compatible; YisouSpider)",
		"Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
		"Mozilla/5.0 (compatible; PetalBot;+https://webmaster.petalsearch.com/site/petalbot)",
		"Mozilla/5.0 (compatible; Yahoo! Slurp; http://help.yahoo.com/help/us/ysearch/slurp)",
		"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36",
		"python-requests/2.32.3",
		"curl/8.7.1",
		"Wget/1.21.4",
		"Go-http-client/2.0",
		"okhttp/4.12.0",
		"Scrapy/2.11.2 (+https://scrapy.org)",
		"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
		"Twitterbot/1.0",
		"Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
		"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
		"Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
		"Some-Crawler/1.0",
		"Mozilla/5.0 (Linux; Android 7.0; Moto G (4)) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0 Mobile Safari/537.36 Chrome-Lighthouse",
		"Java/17.0.2",
		"Apache-HttpClient/4.5.14 (Java/17.0.2)",
		"Mozilla/5.0 (Linux; Android 9; CUBOT X19) AppleWebKit/537.36 Googlebot/2.1", // excused "bot" plus a real one
	}
	for _, ua := range bots {
		t.Run(ua, func(t *testing.T) {
			c, _, _ := newTest(t)
			if c.Record(req("203.0.113.9", ua, "en"), 1, "web") {
				t.Fatalf("bot %q counted", ua)
			}
			if c.Pending() != 0 {
				t.Fatal("bot left something pending")
			}
		})
	}
	humans := []string{
		chromeUA,
		iphoneUA,
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:127.0) Gecko/20100101 Firefox/127.0",
		"Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36",
		"Mozilla/5.0 (Linux; Android 9; CUBOT X19) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.49(0x18003137) NetType/WIFI Language/zh_CN",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
		"Mozilla/5.0 (Linux; Android 14; 23127PN0CC) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36 YaBrowser/24.6",
	}
	for _, ua := range humans {
		t.Run("human/"+ua, func(t *testing.T) {
			c, _, _ := newTest(t)
			if !c.Record(req("203.0.113.9", ua, "en"), 1, "web") {
				t.Fatalf("reader %q not counted", ua)
			}
		})
	}
}

func TestBotPatternsLowerCase(t *testing.T) {
	for _, p := range botPatterns {
		for i := 0; i < len(p); i++ {
			if 'A' <= p[i] && p[i] <= 'Z' {
				t.Fatalf("pattern %q is not lower case", p)
			}
		}
	}
	n := 0
	for _, g := range botGroups {
		n += len(g)
	}
	if n >= len(botPatterns) || n == 0 {
		t.Fatalf("redundant patterns not dropped: %d of %d", n, len(botPatterns))
	}
	// Every listed pattern is still detected, in any case, anywhere in the UA.
	for _, p := range botPatterns {
		for _, ua := range []string{p, strings.ToUpper(p), "Mozilla/5.0 (compatible; " + p + "/1.0)"} {
			if !IsBot(ua) {
				t.Errorf("IsBot(%q) = false", ua)
			}
		}
	}
}

func TestPrefetchNotCounted(t *testing.T) {
	cases := []struct{ header, value string }{
		{"Sec-Purpose", "prefetch"},
		{"Sec-Purpose", "prefetch;prerender"},
		{"Sec-Purpose", "prefetch;anonymous-client-ip"},
		{"Purpose", "prefetch"},
		{"Purpose", "Prefetch"},
		{"X-Moz", "prefetch"},
		{"X-Purpose", "preview"},
		{"x-purpose", "Preview"},
	}
	for _, tc := range cases {
		t.Run(tc.header+"="+tc.value, func(t *testing.T) {
			c, _, _ := newTest(t)
			r := req("203.0.113.10", chromeUA, "en")
			r.Header.Set(tc.header, tc.value)
			if c.Record(r, 1, "web") {
				t.Fatal("prefetch counted")
			}
			// The real navigation afterwards still counts.
			if !c.Record(req("203.0.113.10", chromeUA, "en"), 1, "web") {
				t.Fatal("navigation after prefetch not counted")
			}
		})
	}
}

func TestRejectedInputs(t *testing.T) {
	c, _, _ := newTest(t)
	r := req("203.0.113.11", chromeUA, "en")
	if c.Record(r, 1, "email") {
		t.Fatal("unknown channel counted")
	}
	if c.Record(r, 0, "web") || c.Record(r, -3, "web") {
		t.Fatal("non-positive article counted")
	}
	if c.Record(nil, 1, "web") {
		t.Fatal("nil request counted")
	}
	head := req("203.0.113.11", chromeUA, "en")
	head.Method = http.MethodHead
	if c.Record(head, 1, "web") {
		t.Fatal("HEAD counted")
	}
	if c.Pending() != 0 {
		t.Fatal("pending after rejected inputs")
	}
}

func TestHourBucketing(t *testing.T) {
	c, sink, fc := newTest(t)
	fc.now = time.Date(2026, 3, 14, 9, 59, 59, 0, time.UTC)
	c.Record(req("203.0.113.20", chromeUA, "en"), 7, "web")
	c.Record(req("203.0.113.21", chromeUA, "en"), 7, "web")
	fc.add(time.Second) // 10:00:00
	c.Record(req("203.0.113.22", chromeUA, "en"), 7, "web")
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := sink.total(7, hour9, "web"); got != 2 {
		t.Fatalf("09:00 bucket %d, want 2", got)
	}
	if got := sink.total(7, hour9.Add(time.Hour), "web"); got != 1 {
		t.Fatalf("10:00 bucket %d, want 1", got)
	}
	for _, cnt := range sink.calls[0] {
		if cnt.Hour.Location() != time.UTC || !cnt.Hour.Equal(cnt.Hour.Truncate(time.Hour)) {
			t.Fatalf("hour %v not UTC-truncated", cnt.Hour)
		}
	}
}

func TestHourIsUTCForNonUTCClock(t *testing.T) {
	sh := time.FixedZone("CST", 8*3600)
	sink := newFakeSink()
	c := New(sink, func() time.Time { return time.Date(2026, 3, 14, 17, 45, 0, 0, sh) }, nil)
	c.Record(req("203.0.113.23", chromeUA, "zh-CN"), 3, "mobile")
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := sink.total(3, hour9, "mobile"); got != 1 {
		t.Fatalf("UTC 09:00 bucket %d, want 1 (calls %v)", got, sink.calls)
	}
}

func TestChannelSeparation(t *testing.T) {
	c, sink, _ := newTest(t)
	for i, ch := range []string{"web", "mobile", "static"} {
		if !c.Record(req(fmt.Sprintf("203.0.113.%d", 32+i), chromeUA, "en"), 4, ch) {
			t.Fatalf("%s not counted", ch)
		}
	}
	// Dedup is per reader and article, across channels.
	if c.Record(req("203.0.113.32", chromeUA, "en"), 4, "mobile") {
		t.Fatal("same reader counted again on another channel")
	}
	c.Record(req("203.0.113.31", chromeUA, "en"), 4, "mobile")
	if err := c.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	for ch, want := range map[string]int{"web": 1, "mobile": 2, "static": 1} {
		if got := sink.total(4, hour9, ch); got != want {
			t.Fatalf("%s: %d, want %d", ch, got, want)
		}
	}
	if n := len(sink.calls[0]); n != 3 {
		t.Fatalf("%d counts, want 3", n)
	}
}

func TestFlushWritesOnceAndEmpties(t *testing.T) {
	c, sink, _ := newTest(t)
	ctx := context.Background()
	if err := c.Flush(ctx); err != nil || sink.numCalls() != 0 {
		t.Fatalf("empty flush: err %v, calls %d", err, sink.numCalls())
	}
	for i := range 5 {
		c.Record(req(fmt.Sprintf("203.0.113.%d", 40+i), chromeUA, "en"), 9, "web")
	}
	if c.Pending() != 5 {
		t.Fatalf("pending %d", c.Pending())
	}
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if c.Pending() != 0 {
		t.Fatalf("pending %d after flush", c.Pending())
	}
	if sink.numCalls() != 1 || len(sink.calls[0]) != 1 || sink.calls[0][0].Views != 5 {
		t.Fatalf("calls %v", sink.calls)
	}
	want := Count{ArticleID: 9, Hour: hour9, Channel: "web", Views: 5}
	if got := sink.calls[0][0]; got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if err := c.Flush(ctx); err != nil || sink.numCalls() != 1 {
		t.Fatalf("second flush wrote again: %v, %d calls", err, sink.numCalls())
	}
}

func TestFailingSinkKeepsCounts(t *testing.T) {
	c, sink, _ := newTest(t)
	ctx := context.Background()
	for i := range 3 {
		c.Record(req(fmt.Sprintf("198.51.100.%d", i), chromeUA, "en"), 1, "web")
	}
	c.Record(req("198.51.100.99", chromeUA, "en"), 2, "mobile")
	sink.setFail(true)
	for range 2 {
		if err := c.Flush(ctx); err == nil {
			t.Fatal("flush succeeded with a failing sink")
		}
	}
	if c.Pending() != 4 {
		t.Fatalf("pending %d after failed flushes, want 4", c.Pending())
	}
	// More views arrive while the sink is down.
	c.Record(req("198.51.100.50", chromeUA, "en"), 1, "web")
	c.Record(req("198.51.100.51", chromeUA, "en"), 3, "static")
	if c.Pending() != 6 {
		t.Fatalf("pending %d, want 6", c.Pending())
	}
	sink.setFail(false)
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if sink.numCalls() != 1 || sink.failed != 2 {
		t.Fatalf("calls %d failed %d", sink.numCalls(), sink.failed)
	}
	want := map[string]int{
		key(1, hour9, "web"):    4,
		key(2, hour9, "mobile"): 1,
		key(3, hour9, "static"): 1,
	}
	if len(sink.totals) != len(want) {
		t.Fatalf("totals %v", sink.totals)
	}
	for k, v := range want {
		if sink.totals[k] != v {
			t.Fatalf("%s = %d, want %d (totals %v)", k, sink.totals[k], v, sink.totals)
		}
	}
	if c.Pending() != 0 {
		t.Fatalf("pending %d", c.Pending())
	}
	if err := c.Flush(ctx); err != nil || sink.numCalls() != 1 || sink.sum() != 6 {
		t.Fatalf("written twice: err %v calls %d sum %d", err, sink.numCalls(), sink.sum())
	}
}

func TestRunFlushesOnShutdown(t *testing.T) {
	c, sink, _ := newTest(t)
	c.Interval = time.Hour // only the final flush can write
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	for i := range 10 {
		c.Record(req(fmt.Sprintf("192.0.2.%d", i), chromeUA, "en"), 11, "web")
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if c.Pending() != 0 {
		t.Fatalf("pending %d after shutdown", c.Pending())
	}
	if got := sink.total(11, hour9, "web"); got != 10 {
		t.Fatalf("written %d, want 10", got)
	}
	if err := sink.ctxErr[len(sink.ctxErr)-1]; err != nil {
		t.Fatalf("final flush used a dead context: %v", err)
	}
}

func TestRunFlushesEveryInterval(t *testing.T) {
	c, sink, _ := newTest(t)
	sink.notify = make(chan []Count, 16)
	c.Interval = 5 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	for round := 1; round <= 3; round++ {
		c.Record(req(fmt.Sprintf("192.0.2.%d", 100+round), chromeUA, "en"), 12, "web")
		select {
		case got := <-sink.notify:
			if len(got) != 1 || got[0].Views != 1 {
				t.Fatalf("round %d: flushed %v", round, got)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("round %d: Run did not flush within the interval", round)
		}
	}
	if sink.sum() != 3 {
		t.Fatalf("sum %d", sink.sum())
	}
}

func TestRunKeepsCountsWhenSinkFails(t *testing.T) {
	c, sink, _ := newTest(t)
	sink.setFail(true)
	sink.notify = make(chan []Count, 16)
	c.Interval = 5 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	c.Record(req("192.0.2.200", chromeUA, "en"), 13, "web")
	c.Record(req("192.0.2.201", chromeUA, "en"), 13, "web")
	sink.setFail(false)
	select {
	case <-sink.notify:
	case <-time.After(10 * time.Second):
		t.Fatal("no flush after the sink recovered")
	}
	cancel()
	<-done
	if sink.sum() != 2 || c.Pending() != 0 {
		t.Fatalf("sum %d pending %d", sink.sum(), c.Pending())
	}
}

func TestConcurrentRecord(t *testing.T) {
	c, sink, _ := newTest(t)
	const goroutines, readers, articles = 16, 50, 20
	var counted atomic.Int64
	var wg sync.WaitGroup
	ctx := context.Background()
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for rd := range readers {
				r := req(fmt.Sprintf("10.%d.%d.1", g, rd), chromeUA, "en")
				for a := range articles {
					for range 3 { // repeats count once
						if c.Record(r, int64(a+1), "web") {
							counted.Add(1)
						}
					}
				}
				if rd%10 == 0 {
					if err := c.Flush(ctx); err != nil { // flushes race with records
						t.Error(err)
					}
				}
			}
		}()
	}
	wg.Wait()
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	want := goroutines * readers * articles
	if int(counted.Load()) != want || sink.sum() != want {
		t.Fatalf("counted %d, written %d, want %d", counted.Load(), sink.sum(), want)
	}
	if c.Pending() != 0 {
		t.Fatalf("pending %d", c.Pending())
	}
	// Every reader views every article once: each article has goroutines*readers views.
	for a := range articles {
		if got := sink.total(int64(a+1), hour9, "web"); got != goroutines*readers {
			t.Fatalf("article %d: %d", a+1, got)
		}
	}
}

func TestSweepRemovesExpired(t *testing.T) {
	c, _, fc := newTest(t)
	ctx := context.Background()
	for i := range 100 {
		c.Record(req(fmt.Sprintf("172.16.0.%d", i), chromeUA, "en"), 1, "web")
	}
	fc.add(20 * time.Minute)
	for i := range 50 {
		c.Record(req(fmt.Sprintf("172.16.1.%d", i), chromeUA, "en"), 1, "web")
	}
	if n := c.entries(); n != 150 {
		t.Fatalf("entries %d, want 150", n)
	}
	fc.add(11 * time.Minute) // first 100 are 31 min old, the rest 11 min
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n := c.entries(); n != 50 {
		t.Fatalf("entries after sweep %d, want 50", n)
	}
	// Sweeping happens at most every SweepEvery.
	fc.add(20 * time.Second)
	c.Flush(ctx)
	if n := c.entries(); n != 50 {
		t.Fatalf("entries %d", n)
	}
	fc.add(time.Hour)
	c.Flush(ctx)
	if n := c.entries(); n != 0 {
		t.Fatalf("entries after everything expired %d", n)
	}
}

// captureHandler counts warnings.
type captureHandler struct{ warns atomic.Int64 }

func (h *captureHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *captureHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Level == slog.LevelWarn {
		h.warns.Add(1)
	}
	return nil
}
func (h *captureHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *captureHandler) WithGroup(string) slog.Handler      { return h }

func TestHardCap(t *testing.T) {
	fc := &fakeClock{now: t0}
	h := &captureHandler{}
	c := New(newFakeSink(), fc.clock(), slog.New(h))
	c.MaxEntries = numShards // one entry per shard
	counted := 0
	for i := range 1000 {
		if c.Record(req(fmt.Sprintf("10.9.%d.%d", i/250, i%250), chromeUA, "en"), 1, "web") {
			counted++
		}
	}
	if counted != 1000 {
		t.Fatalf("counted %d, want 1000 (readers beyond the cap still count)", counted)
	}
	if n := c.entries(); n > numShards {
		t.Fatalf("entries %d beyond cap %d", n, numShards)
	}
	if w := h.warns.Load(); w != 1 {
		t.Fatalf("%d warnings, want 1", w)
	}
	// Once expired entries are swept, the warning is re-armed.
	fc.add(time.Hour)
	c.Flush(context.Background())
	if c.entries() != 0 {
		t.Fatal("not swept")
	}
	for i := range 1000 {
		c.Record(req(fmt.Sprintf("10.8.%d.%d", i/250, i%250), chromeUA, "en"), 1, "web")
	}
	if w := h.warns.Load(); w != 2 {
		t.Fatalf("%d warnings, want 2", w)
	}
}

func TestClockBackwards(t *testing.T) {
	c, _, fc := newTest(t)
	r := req("203.0.113.60", chromeUA, "en")
	c.Record(r, 1, "web")
	fc.add(-2 * time.Hour)
	if !c.Record(r, 1, "web") {
		t.Fatal("a clock step backwards must not block the reader until it catches up")
	}
}

func BenchmarkRecord(b *testing.B) {
	sink := newFakeSink()
	c := New(sink, nil, nil)
	const nreq = 4096
	reqs := make([]*http.Request, nreq)
	for i := range reqs {
		reqs[i] = req(fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255), chromeUA, "en-US,en;q=0.9")
	}
	var seq atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := int(seq.Add(1)) * 7919
		for pb.Next() {
			i++
			c.Record(reqs[i%nreq], int64(i%64+1), "web")
		}
	})
	b.StopTimer()
	c.Flush(context.Background())
}
