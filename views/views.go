// Package views counts article reads: for the portal's "Hot News
// Leaderboard", and for the readership analytics (reads by channel and day,
// referring sites, distinct readers).
//
// A Counter decides in memory whether a request is a countable view (not a bot,
// not a prefetch, not the same reader reading the same article again within the
// dedup window) and adds it to per-(article, hour, channel) tallies, with the
// referring site and the reader's key of the day. Run writes them to a Sink every
// second, so a crash loses at most about one second of counts, and flushes once
// more when it stops, so a clean shutdown loses none.
//
// The channel is where the reader came from: the from parameter of the article's
// URL when Herald's own links set it (feed, microblog, mail, wechat), else the
// page read (web, mobile, static). Only the referrer's host is kept, never the
// URL, and not when it is the site itself.
//
// Readers are identified by a digest of client IP, User-Agent and
// Accept-Language; the raw IP is never kept. In memory, the dedup window keys a
// reader by that digest hashed with a per-Counter random seed. For distinct
// readers the flush turns the digest into the day's reader key, an HMAC under a
// salt shared by all replicas through the store and deleted after two days: two
// replicas make the same key for the same reader on the same day, the store
// keeps each key once, and once the salt is gone the keys can no longer be
// linked to anyone.
package views

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash/maphash"
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

// Channels a view can be counted on: the page read (web, mobile, static), or
// the referral channel its URL's from parameter names.
const (
	ChannelWeb       = herald.ReadWeb
	ChannelMobile    = herald.ReadMobile
	ChannelStatic    = herald.ReadStatic
	ChannelFeed      = herald.ReadFeed
	ChannelMicroblog = herald.ReadMicroblog
	ChannelMail      = herald.ReadMail
	ChannelWeChat    = herald.ReadWeChat
)

// channels maps a channel index (used in memory) to its name; index 0 is unused.
var channels = [...]string{"", ChannelWeb, ChannelMobile, ChannelStatic, ChannelFeed, ChannelMicroblog, ChannelMail, ChannelWeChat}

func channelIndex(ch string) uint8 {
	switch ch {
	case ChannelWeb:
		return 1
	case ChannelMobile:
		return 2
	case ChannelStatic:
		return 3
	case ChannelFeed:
		return 4
	case ChannelMicroblog:
		return 5
	case ChannelMail:
		return 6
	case ChannelWeChat:
		return 7
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
// channel.
type Count = herald.ViewCount

// Sink stores what a Counter tallies. AddReads must add (not replace) to the
// stored counts, all in one transaction: either all of the batch is written or
// none of it. ReaderSalt is herald.AnalyticsStore's: the day's salt, the same
// for every Counter on the store.
type Sink interface {
	AddReads(ctx context.Context, b *herald.ReadBatch) error
	ReaderSalt(ctx context.Context, day time.Time, newSalt func() ([]byte, error)) ([]byte, error)
}

// maxPendingReaders caps the distinct readers held while the sink fails
// (about 60 MB); beyond it views are still counted, their readers not.
const maxPendingReaders = 1_000_000

// numShards is the number of dedup/tally shards; a power of two.
const numShards = 64

// identity is the digest of who read: the first 16 bytes of the SHA-256 of
// the reader's parts. It is kept in memory only, until the flush makes the
// day's reader key from it.
type identity [16]byte

type seenKey struct {
	reader  uint64
	article int64
}

type countKey struct {
	article int64
	hour    int64 // unix seconds of the hour
	channel uint8
}

// readerDay is a reader of an article (0: of the site) on a CST day.
type readerDay struct {
	article int64
	day     int32 // days since 1970-01-01 in CST
	id      identity
}

type shard struct {
	mu      sync.Mutex
	seen    map[seenKey]int64      // unix nanos of the last counted view
	counts  map[countKey]int       // views not yet handed to Flush
	readers map[readerDay]struct{} // readers not yet handed to Flush
	full    bool                   // the shard hit its share of MaxEntries
	_       [64 - 5*8]byte         // keep shards on separate cache lines
}

// refKey is an article's reads from one site on one CST day.
type refKey struct {
	article int64
	day     int32
	host    string
}

type articleDay struct {
	article int64
	day     int32
}

// referrers tallies referring sites, remembering which sites each article's
// day has had so that it can cap them.
type referrers struct {
	mu     sync.Mutex
	hosts  map[articleDay]map[string]struct{} // today's and yesterday's
	counts map[refKey]int                     // not yet handed to Flush
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
	// OwnHosts are the site's own host names, besides the one each request is
	// made to: a referrer from them is a reader moving within the site.
	OwnHosts []string
	// MaxReferrerHosts caps the referring sites kept per article and day; the
	// others count as herald.ReferrerOther.
	MaxReferrerHosts int

	sink  Sink
	clock herald.Clock
	log   *slog.Logger
	seed  maphash.Seed // keys the dedup map; random per Counter

	shards  [numShards]shard
	refs    referrers
	pending atomic.Int64 // views recorded and not yet written to the sink
	capLog  atomic.Bool  // the "dedup memory full" warning was logged

	flushMu      sync.Mutex             // serialises Flush; guards what follows
	carry        map[countKey]int       // taken from the shards, not yet written
	carryReaders map[readerDay]struct{} // likewise
	carryRefs    map[refKey]int         // likewise
	salts        map[int32][]byte       // the days' salts, as the sink gave them
	lastSweep    time.Time
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
		Window:           DefaultWindow,
		Interval:         DefaultInterval,
		SweepEvery:       DefaultSweepEvery,
		MaxEntries:       DefaultMaxEntries,
		ShutdownTimeout:  DefaultShutdownTimeout,
		MaxReferrerHosts: herald.MaxReferrerHosts,
		sink:             sink,
		clock:            clock,
		log:              log,
		seed:             maphash.MakeSeed(),
		carry:            make(map[countKey]int),
		carryReaders:     make(map[readerDay]struct{}),
		carryRefs:        make(map[refKey]int),
		salts:            make(map[int32][]byte),
	}
	for i := range c.shards {
		c.shards[i].seen = make(map[seenKey]int64)
	}
	c.refs.hosts = make(map[articleDay]map[string]struct{})
	c.refs.counts = make(map[refKey]int)
	c.lastSweep = c.clock.Now()
	return c
}

// Record counts a view of articleID by the request's reader and reports
// whether it counted. device is the page's channel (web, mobile or static);
// a from parameter in the request's query naming a referral channel
// overrides it (see Channel). The Referer header's host is counted as the
// referring site unless it is the request's Host or one of OwnHosts.
//
// It does not count HEAD requests, bots (by User-Agent, including an empty
// one), prefetches, unknown devices, non-positive article IDs, or a reader's
// repeat view of the same article within the window. It does no I/O and takes
// one short lock (two with a referrer).
//
// The reader is identified by client IP (the host of r.RemoteAddr), User-Agent
// and Accept-Language; Record(r, ...) counts the reader that
// RecordReader(ip+"\x00"+ua+"\x00"+lang, ...) does.
func (c *Counter) Record(r *http.Request, articleID int64, device string) bool {
	if r == nil || channelIndex(device) == 0 {
		return false
	}
	return c.RecordFrom(r, articleID, Channel(r.URL.RawQuery, device), header(r.Header, "Referer"))
}

// RecordFrom is Record with the channel and the referrer given rather than
// read from the request: for the static pages' beacon, whose page reports
// them.
func (c *Counter) RecordFrom(r *http.Request, articleID int64, channel, referrer string) bool {
	if r == nil || r.Method == http.MethodHead {
		return false
	}
	ua := header(r.Header, "User-Agent")
	ch := channelIndex(channel)
	if !countable(ua, IsPrefetch(r.Header), articleID, ch) {
		return false
	}
	if !c.remember(digest(httpx.ClientIP(r), ua, header(r.Header, "Accept-Language")), articleID, ch) {
		return false
	}
	if referrer != "" {
		c.addReferrer(articleID, referrer, r.Host)
	}
	return true
}

// RecordReader is Record with an explicit reader key, User-Agent and prefetch
// flag, for endpoints where the reader is known some other way. The reader key
// is hashed before it is kept.
func (c *Counter) RecordReader(reader, userAgent string, prefetch bool, articleID int64, channel string) bool {
	ch := channelIndex(channel)
	if !countable(userAgent, prefetch, articleID, ch) {
		return false
	}
	return c.remember(digest(reader), articleID, ch)
}

func countable(ua string, prefetch bool, articleID int64, ch uint8) bool {
	return ch != 0 && articleID > 0 && !prefetch && !IsBot(ua)
}

// cstDay is the number of the CST day t falls on, counted from 1970-01-01.
func cstDay(t time.Time) int32 {
	const offset = 8 * 3600
	sec := t.Unix() + offset
	if sec < 0 {
		return int32((sec - 86399) / 86400)
	}
	return int32(sec / 86400)
}

// dayString writes a day number as YYYY-MM-DD.
func dayString(day int32) string {
	return time.Unix(int64(day)*86400, 0).UTC().Format(time.DateOnly)
}

// dayTime is the CST midnight starting a day number.
func dayTime(day int32) time.Time {
	return time.Unix(int64(day)*86400-8*3600, 0).In(herald.CST)
}

// remember applies the dedup window and, if the view counts, adds it and its
// reader to the tallies.
func (c *Counter) remember(id identity, articleID int64, ch uint8) bool {
	now := c.clock.Now()
	t := now.UnixNano()
	ck := countKey{article: articleID, hour: now.Truncate(time.Hour).Unix(), channel: ch}
	reader := maphash.Comparable(c.seed, id)
	sk := seenKey{reader: reader, article: articleID}
	day := cstDay(now)
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
		s.readers = make(map[readerDay]struct{})
	}
	s.counts[ck]++
	s.readers[readerDay{article: articleID, day: day, id: id}] = struct{}{}
	s.readers[readerDay{day: day, id: id}] = struct{}{}
	s.mu.Unlock()

	c.pending.Add(1)
	if full && !c.capLog.Load() && c.capLog.CompareAndSwap(false, true) {
		c.log.Warn("views: dedup memory full; new readers are counted but not remembered",
			"max_entries", c.MaxEntries, "window", c.Window)
	}
	return true
}

// addReferrer counts a view of an article as coming from the referrer's site,
// unless the referrer is the site itself (requestHost or OwnHosts).
func (c *Counter) addReferrer(articleID int64, referrer, requestHost string) {
	host := ReferrerHost(referrer)
	if host == "" || sameHost(host, requestHost) || slices.ContainsFunc(c.OwnHosts, func(own string) bool { return sameHost(host, own) }) {
		return
	}
	ad := articleDay{article: articleID, day: cstDay(c.clock.Now())}
	c.refs.mu.Lock()
	defer c.refs.mu.Unlock()
	known := c.refs.hosts[ad]
	if known == nil {
		known = make(map[string]struct{})
		c.refs.hosts[ad] = known
	}
	if _, ok := known[host]; !ok && host != herald.ReferrerOther {
		if len(known) >= c.MaxReferrerHosts {
			host = herald.ReferrerOther
		} else {
			host = strings.Clone(host) // do not keep the whole header alive
			known[host] = struct{}{}
		}
	}
	c.refs.counts[refKey{article: articleID, day: ad.day, host: host}]++
}

// digest returns the first 16 bytes of SHA-256(parts joined by NUL).
func digest(parts ...string) identity {
	var buf [320]byte
	b := buf[:0]
	for i, p := range parts {
		if i > 0 {
			b = append(b, 0)
		}
		b = append(b, p...)
	}
	sum := sha256.Sum256(b)
	return identity(sum[:16])
}

// readerKey is the reader key of an identity under a day's salt: the first 8
// bytes of HMAC-SHA-256(salt, identity).
func readerKey(salt []byte, id identity) int64 {
	m := hmac.New(sha256.New, salt)
	m.Write(id[:])
	return int64(binary.BigEndian.Uint64(m.Sum(nil)[:8]))
}

// header returns the first value of h[key]; key must be in canonical form.
func header(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Pending returns the number of views recorded and not yet written to the sink.
func (c *Counter) Pending() int {
	return int(c.pending.Load())
}

// Flush writes pending counts, referrers and readers to the sink in one
// AddReads call, first getting the salts of the readers' days from it. If the
// sink fails, everything is kept, merged with views recorded meanwhile, and
// written by the next Flush; a count is never dropped nor written twice
// (provided the sink's error means its transaction did not commit). Flush also
// sweeps expired dedup entries every SweepEvery. Concurrent Flushes are
// serialised.
func (c *Counter) Flush(ctx context.Context) error {
	c.flushMu.Lock()
	defer c.flushMu.Unlock()

	now := c.clock.Now()
	if c.SweepEvery <= 0 || now.Sub(c.lastSweep) >= c.SweepEvery || now.Before(c.lastSweep) {
		c.sweep(now)
		c.lastSweep = now
	}

	dropped := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		counts, readers := s.counts, s.readers
		if len(counts) > 0 {
			s.counts, s.readers = nil, nil
		}
		s.mu.Unlock()
		for k, v := range counts {
			c.carry[k] += v
		}
		for k := range readers {
			if len(c.carryReaders) >= maxPendingReaders {
				dropped++
				continue
			}
			c.carryReaders[k] = struct{}{}
		}
	}
	if dropped > 0 {
		c.log.Warn("views: too many readers waiting for the store; their views count, they do not", "dropped", dropped)
	}
	c.takeReferrers(cstDay(now))
	if len(c.carry) == 0 && len(c.carryReaders) == 0 && len(c.carryRefs) == 0 {
		return nil
	}

	batch := &herald.ReadBatch{Views: make([]Count, 0, len(c.carry))}
	total := 0
	for k, v := range c.carry {
		batch.Views = append(batch.Views, Count{
			ArticleID: k.article,
			Hour:      time.Unix(k.hour, 0).UTC(),
			Channel:   channels[k.channel],
			Views:     v,
		})
		total += v
	}
	slices.SortFunc(batch.Views, func(a, b Count) int {
		return cmp.Or(cmp.Compare(a.ArticleID, b.ArticleID), a.Hour.Compare(b.Hour), cmp.Compare(a.Channel, b.Channel))
	})
	for k, v := range c.carryRefs {
		batch.Referrers = append(batch.Referrers, herald.ReferrerCount{ArticleID: k.article, Day: dayString(k.day), Host: k.host, Views: v})
	}
	slices.SortFunc(batch.Referrers, func(a, b herald.ReferrerCount) int {
		return cmp.Or(cmp.Compare(a.ArticleID, b.ArticleID), cmp.Compare(a.Day, b.Day), cmp.Compare(a.Host, b.Host))
	})
	batch.Readers = make([]herald.ReaderKey, 0, len(c.carryReaders))
	for k := range c.carryReaders {
		salt, err := c.salt(ctx, k.day)
		if err != nil {
			return fmt.Errorf("views: the salt of %s: %w", dayString(k.day), err)
		}
		batch.Readers = append(batch.Readers, herald.ReaderKey{ArticleID: k.article, Day: dayString(k.day), Key: readerKey(salt, k.id)})
	}
	if err := c.sink.AddReads(ctx, batch); err != nil {
		return fmt.Errorf("views: writing %d views in %d counts, %d referrers, %d readers: %w",
			total, len(batch.Views), len(batch.Referrers), len(batch.Readers), err)
	}
	clear(c.carry)
	clear(c.carryReaders)
	clear(c.carryRefs)
	c.pending.Add(-int64(total))
	return nil
}

// takeReferrers moves the referrer tallies into carryRefs and forgets the
// sites of days before yesterday. The caller holds flushMu.
func (c *Counter) takeReferrers(today int32) {
	c.refs.mu.Lock()
	counts := c.refs.counts
	if len(counts) > 0 {
		c.refs.counts = make(map[refKey]int)
	}
	for ad := range c.refs.hosts {
		if ad.day < today-1 {
			delete(c.refs.hosts, ad)
		}
	}
	c.refs.mu.Unlock()
	for k, v := range counts {
		c.carryRefs[k] += v
	}
}

// salt returns a day's salt from the sink, keeping the salts of the days
// still counted. The caller holds flushMu.
func (c *Counter) salt(ctx context.Context, day int32) ([]byte, error) {
	if s, ok := c.salts[day]; ok {
		return s, nil
	}
	s, err := c.sink.ReaderSalt(ctx, dayTime(day), newSalt)
	if err != nil {
		return nil, err
	}
	for d := range c.salts {
		if d < day-herald.ReaderKeyDays {
			delete(c.salts, d)
		}
	}
	c.salts[day] = s
	return s, nil
}

// newSalt makes a salt for a day that has none yet.
func newSalt() ([]byte, error) {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand panics rather than return an error)
	return b, nil
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
