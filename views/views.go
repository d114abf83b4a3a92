// Package views counts article views for the portal's "Hot News Leaderboard".
//
// A Counter decides in memory whether a request is a countable view (not a bot,
// not a prefetch, not the same reader reading the same article again within the
// dedup window) and adds it to per-(article, hour, channel) tallies. Run writes the
// tallies to a Sink every second, so a crash loses at most about one second of
// counts, and flushes once more when it stops, so a clean shutdown loses none.
//
// Readers are identified by a salted, truncated SHA-256 of client IP, User-Agent
// and Accept-Language; the raw IP is never kept. The salt is random per Counter,
// so reader keys cannot be linked across restarts or reversed by enumerating the
// IPv4 space.
package views

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/httpx"
)

// Channels a view can be counted on.
const (
	ChannelWeb    = "web"
	ChannelMobile = "mobile"
	ChannelStatic = "static"
)

// channels maps a channel index (used in memory) to its name; index 0 is unused.
var channels = [...]string{"", ChannelWeb, ChannelMobile, ChannelStatic}

func channelIndex(ch string) uint8 {
	switch ch {
	case ChannelWeb:
		return 1
	case ChannelMobile:
		return 2
	case ChannelStatic:
		return 3
	}
	return 0
}

// Defaults used by New.
const (
	DefaultWindow          = 30 * time.Minute
	DefaultInterval        = time.Second
	DefaultSweepEvery      = time.Minute
	DefaultMaxEntries      = 1_000_000
	DefaultShutdownTimeout = 10 * time.Second
)

// Count is the views of one article in one hour (UTC, truncated), on one
// channel ("web", "mobile", "static").
type Count = herald.ViewCount

// Sink stores counts. AddViews must add (not replace) to existing counts, all in
// one transaction: either every count is added or none is.
type Sink interface {
	AddViews(ctx context.Context, counts []Count) error
}

// numShards is the number of dedup/tally shards; a power of two.
const numShards = 64

type seenKey struct {
	reader  uint64
	article int64
}

type countKey struct {
	article int64
	hour    int64 // unix seconds of the hour
	channel uint8
}

type shard struct {
	mu     sync.Mutex
	seen   map[seenKey]int64        // unix nanos of the last counted view
	counts map[countKey]int         // views not yet handed to Flush
	full   bool                     // the shard hit its share of MaxEntries
	_      [64 - 8 - 8 - 8 - 8]byte // keep shards on separate cache lines
}

// Counter counts article views. Its exported fields may be changed after New
// and before the Counter is first used; they must not be changed afterwards.
type Counter struct {
	// Window is the dedup window: a reader's views of one article within it
	// count once.
	Window time.Duration
	// Interval is how often Run flushes; it bounds what a crash loses.
	Interval time.Duration
	// SweepEvery is how often Flush removes expired dedup entries.
	SweepEvery time.Duration
	// MaxEntries caps the dedup memory; beyond it new readers are counted but
	// not remembered (so they may be counted more than once per window).
	MaxEntries int
	// ShutdownTimeout bounds Run's final flush.
	ShutdownTimeout time.Duration

	sink  Sink
	clock herald.Clock
	log   *slog.Logger
	salt  [16]byte

	shards  [numShards]shard
	pending atomic.Int64 // views recorded and not yet written to the sink
	capLog  atomic.Bool  // the "dedup memory full" warning was logged

	flushMu   sync.Mutex       // serialises Flush
	carry     map[countKey]int // taken from the shards, not yet written (guarded by flushMu)
	lastSweep time.Time        // guarded by flushMu
}

// New returns a Counter writing to sink, with a 30 minute dedup window and a one
// second flush interval. A nil clock means real time; a nil log discards.
func New(sink Sink, clock herald.Clock, log *slog.Logger) *Counter {
	if sink == nil {
		panic("views: nil Sink")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Counter{
		Window:          DefaultWindow,
		Interval:        DefaultInterval,
		SweepEvery:      DefaultSweepEvery,
		MaxEntries:      DefaultMaxEntries,
		ShutdownTimeout: DefaultShutdownTimeout,
		sink:            sink,
		clock:           clock,
		log:             log,
		carry:           make(map[countKey]int),
	}
	rand.Read(c.salt[:]) // never fails (crypto/rand panics rather than return an error)
	for i := range c.shards {
		c.shards[i].seen = make(map[seenKey]int64)
	}
	c.lastSweep = c.clock.Now()
	return c
}

// Record counts a view of articleID by the request's reader on channel and
// reports whether it counted. It does not count HEAD requests, bots (by
// User-Agent, including an empty one), prefetches, unknown channels,
// non-positive article IDs, or a reader's repeat view of the same article within
// the window. It does no I/O and takes one short lock.
//
// The reader is identified by client IP (the host of r.RemoteAddr), User-Agent
// and Accept-Language; Record(r, ...) is RecordReader(ip+"\x00"+ua+"\x00"+lang,
// ua, IsPrefetch(r.Header), ...).
func (c *Counter) Record(r *http.Request, articleID int64, channel string) bool {
	if r == nil || r.Method == http.MethodHead {
		return false
	}
	ua := header(r.Header, "User-Agent")
	ch := channelIndex(channel)
	if !countable(ua, IsPrefetch(r.Header), articleID, ch) {
		return false
	}
	return c.remember(c.hash(httpx.ClientIP(r), ua, header(r.Header, "Accept-Language")), articleID, ch)
}

// RecordReader is Record with an explicit reader key, User-Agent and prefetch
// flag, for endpoints (like the static site's beacon) where the reader is known
// some other way. The reader key is hashed before it is kept.
func (c *Counter) RecordReader(reader, userAgent string, prefetch bool, articleID int64, channel string) bool {
	ch := channelIndex(channel)
	if !countable(userAgent, prefetch, articleID, ch) {
		return false
	}
	return c.remember(c.hash(reader), articleID, ch)
}

func countable(ua string, prefetch bool, articleID int64, ch uint8) bool {
	return ch != 0 && articleID > 0 && !prefetch && !IsBot(ua)
}

// remember applies the dedup window and, if the view counts, adds it to the
// tallies.
func (c *Counter) remember(reader uint64, articleID int64, ch uint8) bool {
	now := c.clock.Now()
	t := now.UnixNano()
	ck := countKey{article: articleID, hour: now.Truncate(time.Hour).Unix(), channel: ch}
	sk := seenKey{reader: reader, article: articleID}
	window := int64(c.Window)
	limit := (c.MaxEntries + numShards - 1) / numShards

	s := &c.shards[reader>>(64-6)] // top 6 bits; the low bits feed the map hash
	s.mu.Lock()
	if last, ok := s.seen[sk]; ok {
		if d := t - last; d >= 0 && d < window {
			s.mu.Unlock()
			return false
		}
		s.seen[sk] = t
	} else if len(s.seen) < limit {
		s.seen[sk] = t
	} else if !s.full {
		s.full = true
	}
	full := s.full
	if s.counts == nil {
		s.counts = make(map[countKey]int)
	}
	s.counts[ck]++
	s.mu.Unlock()

	c.pending.Add(1)
	if full && !c.capLog.Load() && c.capLog.CompareAndSwap(false, true) {
		c.log.Warn("views: dedup memory full; new readers are counted but not remembered",
			"max_entries", c.MaxEntries, "window", c.Window)
	}
	return true
}

// hash returns the first 8 bytes of SHA-256(salt || parts joined by NUL).
func (c *Counter) hash(parts ...string) uint64 {
	var buf [320]byte
	b := append(buf[:0], c.salt[:]...)
	for i, p := range parts {
		if i > 0 {
			b = append(b, 0)
		}
		b = append(b, p...)
	}
	sum := sha256.Sum256(b)
	return binary.BigEndian.Uint64(sum[:8])
}

// header returns the first value of h[key]; key must be in canonical form.
func header(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// botPatterns are lower-case substrings of User-Agents that are not readers:
// crawlers, link-preview fetchers, monitors, headless browsers and HTTP
// libraries. Patterns that contain another pattern are redundant and dropped at
// init, so the list can stay descriptive.
var botPatterns = []string{
	// generic
	"bot", "crawl", "spider", "slurp", "scrape", "archiver", "fetcher",
	// search engines and their tools
	"googlebot", "bingbot", "bingpreview", "yandex", "baiduspider", "sogou",
	"360spider", "bytespider", "yisouspider", "petalbot", "mediapartners-google",
	"google-inspectiontool", "google web preview", "feedfetcher", "ia_archiver",
	// link previews and AI crawlers
	"facebookexternalhit", "facebookcatalog", "meta-externalagent", "twitterbot",
	"embedly", "quora link preview", "anthropic-ai", "chatgpt-user",
	// headless browsers and testing
	"headless", "phantomjs", "lighthouse", "pagespeed", "gtmetrix", "pingdom",
	"uptime", "statuscake",
	// HTTP libraries and command-line tools
	"python-requests", "python-urllib", "python-httpx", "aiohttp", "scrapy",
	"curl", "wget", "go-http-client", "okhttp", "java/", "apache-httpclient",
	"libwww", "axios/", "node-fetch", "undici", "postmanruntime", "httpie",
}

// botExcused maps a pattern to lower-case User-Agent fragments that contain it
// but belong to browsers (CUBOT is an Android phone brand).
var botExcused = map[string][]string{"bot": {"cubot"}}

// botNeedle is a pattern in the matcher; excused fragments are split around
// the pattern: a match at i is excused if before is right before i and after
// right after the pattern.
type botNeedle struct {
	pat     []byte
	excused []struct{ before, after []byte }
}

// botGroups holds the needles by their first two bytes; botFirst maps those two
// bytes to 1 + the index of their group, or 0 if no needle starts with them.
var (
	botGroups [][]botNeedle
	botFirst  [1 << 16]uint8
)

func init() {
	for i, p := range botPatterns {
		if len(p) < 2 || strings.ToLower(p) != p {
			panic("views: bad bot pattern " + p)
		}
		redundant := false
		for j, q := range botPatterns {
			if i != j && strings.Contains(p, q) && (p != q || j < i) {
				redundant = true // anything p matches, q matches
				break
			}
		}
		if redundant {
			continue
		}
		n := botNeedle{pat: []byte(p)}
		for _, e := range botExcused[p] {
			before, after, ok := strings.Cut(e, p)
			if !ok {
				panic("views: bad bot exception " + e)
			}
			n.excused = append(n.excused, struct{ before, after []byte }{[]byte(before), []byte(after)})
		}
		bg := uint16(p[0])<<8 | uint16(p[1])
		if botFirst[bg] == 0 {
			if len(botGroups) == 255 {
				panic("views: too many bot pattern prefixes")
			}
			botGroups = append(botGroups, nil)
			botFirst[bg] = uint8(len(botGroups))
		}
		g := botFirst[bg] - 1
		botGroups[g] = append(botGroups[g], n)
	}
}

// IsBot reports whether userAgent belongs to a bot or tool rather than a reader.
// An empty (or blank) User-Agent is a bot. Matching is case-insensitive and
// takes one pass over the User-Agent.
func IsBot(userAgent string) bool {
	ua := strings.TrimSpace(userAgent)
	if ua == "" {
		return true
	}
	var buf [512]byte
	b := buf[:0]
	if len(ua) > len(buf) {
		b = make([]byte, 0, len(ua))
	}
	for i := 0; i < len(ua); i++ {
		ch := ua[i]
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		b = append(b, ch)
	}
	for i := 0; i+1 < len(b); i++ {
		g := botFirst[uint16(b[i])<<8|uint16(b[i+1])]
		if g == 0 {
			continue
		}
		for _, n := range botGroups[g-1] {
			if bytes.HasPrefix(b[i:], n.pat) && !n.excusedAt(b, i) {
				return true
			}
		}
	}
	return false
}

func (n *botNeedle) excusedAt(b []byte, i int) bool {
	for _, e := range n.excused {
		if bytes.HasSuffix(b[:i], e.before) && bytes.HasPrefix(b[i+len(n.pat):], e.after) {
			return true
		}
	}
	return false
}

// IsPrefetch reports whether the request headers mark a prefetch, prerender or
// preview rather than a reader opening the page: Sec-Purpose, Purpose, X-Moz or
// X-Purpose containing "prefetch" or "preview" (case-insensitive).
func IsPrefetch(h http.Header) bool {
	for _, k := range [...]string{"Sec-Purpose", "Purpose", "X-Moz", "X-Purpose"} {
		for _, v := range h[k] {
			v = strings.ToLower(v)
			if strings.Contains(v, "prefetch") || strings.Contains(v, "preview") {
				return true
			}
		}
	}
	return false
}

// Pending returns the number of views recorded and not yet written to the sink.
func (c *Counter) Pending() int {
	return int(c.pending.Load())
}

// Flush writes pending counts to the sink in one AddViews call. If the sink
// fails, the counts are kept, merged with views recorded meanwhile, and written
// by the next Flush; a count is never dropped nor written twice (provided the
// sink's error means its transaction did not commit). Flush also sweeps expired
// dedup entries every SweepEvery. Concurrent Flushes are serialised.
func (c *Counter) Flush(ctx context.Context) error {
	c.flushMu.Lock()
	defer c.flushMu.Unlock()

	now := c.clock.Now()
	if c.SweepEvery <= 0 || now.Sub(c.lastSweep) >= c.SweepEvery || now.Before(c.lastSweep) {
		c.sweep(now)
		c.lastSweep = now
	}

	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		taken := s.counts
		if len(taken) > 0 {
			s.counts = nil
		}
		s.mu.Unlock()
		for k, v := range taken {
			c.carry[k] += v
		}
	}
	if len(c.carry) == 0 {
		return nil
	}

	counts := make([]Count, 0, len(c.carry))
	total := 0
	for k, v := range c.carry {
		counts = append(counts, Count{
			ArticleID: k.article,
			Hour:      time.Unix(k.hour, 0).UTC(),
			Channel:   channels[k.channel],
			Views:     v,
		})
		total += v
	}
	slices.SortFunc(counts, func(a, b Count) int {
		return cmp.Or(cmp.Compare(a.ArticleID, b.ArticleID), a.Hour.Compare(b.Hour), cmp.Compare(a.Channel, b.Channel))
	})
	if err := c.sink.AddViews(ctx, counts); err != nil {
		return fmt.Errorf("views: writing %d views in %d counts: %w", total, len(counts), err)
	}
	clear(c.carry)
	c.pending.Add(-int64(total))
	return nil
}

// sweep removes dedup entries older than the window. The caller holds flushMu.
func (c *Counter) sweep(now time.Time) {
	t := now.UnixNano()
	window := int64(c.Window)
	limit := (c.MaxEntries + numShards - 1) / numShards
	anyFull := false
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		for k, last := range s.seen {
			if d := t - last; d >= window || d < 0 {
				delete(s.seen, k)
			}
		}
		s.full = len(s.seen) >= limit && s.full
		anyFull = anyFull || s.full
		s.mu.Unlock()
	}
	if !anyFull {
		c.capLog.Store(false) // warn again if memory fills up again
	}
}

// entries returns the number of remembered (reader, article) pairs.
func (c *Counter) entries() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		n += len(s.seen)
		s.mu.Unlock()
	}
	return n
}

// Run flushes every Interval until ctx ends, then flushes once more (within
// ShutdownTimeout, on a context that is not cancelled) so a clean shutdown loses
// nothing. Flush errors are logged; the counts stay pending for the next flush.
func (c *Counter) Run(ctx context.Context) {
	interval := c.Interval
	if interval <= 0 {
		interval = DefaultInterval
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			c.finalFlush(ctx)
			return
		case <-t.C:
			if err := c.Flush(ctx); err != nil && ctx.Err() == nil {
				c.log.Warn("views: flush failed; counts kept for the next flush", "err", err, "pending", c.Pending())
			}
		}
	}
}

func (c *Counter) finalFlush(ctx context.Context) {
	timeout := c.ShutdownTimeout
	if timeout <= 0 {
		timeout = DefaultShutdownTimeout
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	if err := c.Flush(fctx); err != nil {
		c.log.Error("views: final flush failed; views lost", "err", err, "lost", c.Pending())
	}
}
