package herald

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Read channels: where a read of an article came from. web, mobile and static
// are the page the reader opened (the portal's desktop page, its phone page
// under /m/, a statically exported page); the others are where the reader
// found the link, as the from parameter of the article's URL says
// (ReadFromParam), set on the links Herald sends out itself.
const (
	ReadWeb       = "web"
	ReadMobile    = "mobile"
	ReadStatic    = "static"
	ReadFeed      = "feed"      // RSS, Atom and JSON Feed items
	ReadMicroblog = "microblog" // the microblog's notes
	ReadMail      = "mail"      // the public account's newsletter mails
	ReadWeChat    = "wechat"    // the WeChat rendition's link to the original
)

// ReadChannels lists every read channel in display order.
var ReadChannels = []string{ReadWeb, ReadMobile, ReadStatic, ReadFeed, ReadMicroblog, ReadMail, ReadWeChat}

// ReferralChannels are the read channels a from parameter may name.
var ReferralChannels = []string{ReadFeed, ReadMicroblog, ReadMail, ReadWeChat}

// ReadFromParam is the query parameter of an article's URL that names the
// referral channel its link was sent on: /articles/42.html?from=feed. The
// portal serves the same page with or without it and its canonical URL never
// carries it, so search engines index one address.
const ReadFromParam = "from"

// ArticleLink is an article's absolute URL for a link sent out on a referral
// channel: base (no trailing slash) + ArticlePath(id) + "?from=" + from.
func ArticleLink(base string, id int64, from string) string {
	return base + ArticlePath(id) + "?" + ReadFromParam + "=" + from
}

// ValidReadChannel reports whether ch is a known read channel.
func ValidReadChannel(ch string) bool { return slices.Contains(ReadChannels, ch) }

// ChannelOfRead is the distribution channel a read channel belongs to: the
// website's pages and feeds, the microblog, or the public account (its
// newsletter and WeChat posts); "" for an unknown one.
func ChannelOfRead(ch string) Channel {
	switch ch {
	case ReadWeb, ReadMobile, ReadStatic, ReadFeed:
		return ChannelWebsite
	case ReadMicroblog:
		return ChannelMicroblog
	case ReadMail, ReadWeChat:
		return ChannelPublicAccount
	}
	return ""
}

// ReferrerOther stands for the referring sites of an article's day beyond the
// first MaxReferrerHosts, and for referrers given as IP addresses.
const ReferrerOther = "other"

// MaxReferrerHosts is how many distinct referring sites a view counter keeps
// per article and day; the rest count as ReferrerOther.
const MaxReferrerHosts = 50

// ReaderKeyDays is how many CST days (today and yesterday) reader keys and
// the salts that make them are kept before they are deleted; only the counts
// they add up to stay.
const ReaderKeyDays = 2

// MaxReadDays bounds the days one readership query may span (ten years).
const MaxReadDays = 3660

// DayString writes the CST day t falls on as YYYY-MM-DD, the form days are
// stored and shown in.
func DayString(t time.Time) string { return t.In(CST).Format(time.DateOnly) }

// ParseDay reads a CST day written YYYY-MM-DD.
func ParseDay(s string) (time.Time, error) { return time.ParseInLocation(time.DateOnly, s, CST) }

// ReferrerCount is the reads of one article on one CST day that followed a
// link on one site.
type ReferrerCount struct {
	ArticleID int64  `json:"article_id"`
	Day       string `json:"day"`  // YYYY-MM-DD, China Standard Time
	Host      string `json:"host"` // lower case, without port; or ReferrerOther
	Views     int    `json:"views"`
}

// ReaderKey stands for one reader of one article (ArticleID 0: of any article
// of the site) on one CST day: a keyed hash of who read, made with the day's
// salt (AnalyticsStore.ReaderSalt), so that every replica makes the same key
// for the same reader and no key can be turned back into an address.
type ReaderKey struct {
	ArticleID int64  `json:"article_id"`
	Day       string `json:"day"`
	Key       int64  `json:"key"`
}

// ReaderCount is the distinct readers of an article (ArticleID 0: of the
// site) on a CST day.
type ReaderCount struct {
	ArticleID int64  `json:"article_id"`
	Day       string `json:"day"`
	Readers   int    `json:"readers"`
}

// DayViewCount is the reads of one article on one read channel on one CST
// day.
type DayViewCount struct {
	ArticleID int64  `json:"article_id"`
	Day       string `json:"day"`
	Channel   string `json:"channel"`
	Views     int    `json:"views"`
}

// ReadBatch is what a view counter writes in one transaction.
type ReadBatch struct {
	// Views are added to the hourly reads and to their days' reads.
	Views []ViewCount
	// DayViews are added to the days' reads only: for imports whose hours
	// are not known, and the demo's older history. The hourly reads (the hot
	// lists') do not change.
	DayViews []DayViewCount
	// Referrers are added to the daily counts by referring site.
	Referrers []ReferrerCount
	// Readers are kept once each; each one not kept before adds one to its
	// article's (or the site's) distinct readers of its day.
	Readers []ReaderKey
	// ReaderCounts are added to the distinct readers as they are: for
	// imports and the demo, whose readers were counted elsewhere.
	ReaderCounts []ReaderCount
}

// Validate checks a batch before it is written.
func (b *ReadBatch) Validate() error {
	var p Problems
	for _, v := range b.Views {
		if v.ArticleID <= 0 || v.Views < 0 || !ValidReadChannel(v.Channel) || v.Hour.IsZero() {
			p.Add("views", "need an article, an hour, a known channel and a count that is not negative")
			break
		}
	}
	for _, v := range b.DayViews {
		if v.ArticleID <= 0 || v.Views < 0 || !ValidReadChannel(v.Channel) || !validDay(v.Day) {
			p.Add("day_views", "need an article, a day YYYY-MM-DD, a known channel and a count that is not negative")
			break
		}
	}
	for _, r := range b.Referrers {
		if r.ArticleID <= 0 || r.Views < 0 || !validDay(r.Day) || !ValidReferrerHost(r.Host) {
			p.Add("referrers", "need an article, a day YYYY-MM-DD, a host name and a count that is not negative")
			break
		}
	}
	for _, r := range b.Readers {
		if r.ArticleID < 0 || !validDay(r.Day) {
			p.Add("readers", "need an article (or 0 for the site) and a day YYYY-MM-DD")
			break
		}
	}
	for _, r := range b.ReaderCounts {
		if r.ArticleID < 0 || r.Readers < 0 || !validDay(r.Day) {
			p.Add("reader_counts", "need an article (or 0 for the site), a day YYYY-MM-DD and a count that is not negative")
			break
		}
	}
	return p.Err()
}

func validDay(s string) bool {
	_, err := ParseDay(s)
	return err == nil && len(s) == len(time.DateOnly)
}

// ValidReferrerHost reports whether h is a host as referrers are kept: a lower
// case DNS name without port or trailing dot, or ReferrerOther.
func ValidReferrerHost(h string) bool {
	if h == ReferrerOther {
		return true
	}
	if h == "" || len(h) > 253 || h[0] == '.' || h[len(h)-1] == '.' || strings.Contains(h, "..") {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}

// ReadFilter selects the reads a readership query counts. From and Until
// are required; the other fields narrow the articles and channels, and zero
// values do not filter.
type ReadFilter struct {
	From, Until time.Time // CST days (any time of the day), both included
	ArticleIDs  []int64   // any of these articles; nil: all, empty: none
	UnitIDs     []int64   // articles of any of these units; nil: all, empty: none
	ColumnID    int64
	ThemeID     int64
	Channels    []string // reads on any of these channels; nil: every channel
}

// Validate checks the days and channels.
func (f *ReadFilter) Validate() error {
	var p Problems
	if f.From.IsZero() || f.Until.IsZero() {
		p.Add("from", "and until are required")
	} else if days := f.Days(); days < 1 {
		p.Add("until", "must not be before from")
	} else if days > MaxReadDays {
		p.Add("until", "must be at most %d days after from", MaxReadDays-1)
	}
	for _, ch := range f.Channels {
		if !ValidReadChannel(ch) {
			p.Add("channels", "must be among %s", strings.Join(ReadChannels, ", "))
			break
		}
	}
	return p.Err()
}

// Days is how many CST days the filter spans.
func (f *ReadFilter) Days() int {
	return int(CSTDay(f.Until).Sub(CSTDay(f.From)).Hours()/24+0.5) + 1
}

// SelectsArticles reports whether the filter narrows the articles (rather
// than counting the whole site).
func (f *ReadFilter) SelectsArticles() bool {
	return f.ArticleIDs != nil || f.UnitIDs != nil || f.ColumnID != 0 || f.ThemeID != 0
}

// DayReads is the reads of one CST day, with the reads of each channel when
// they were asked for.
type DayReads struct {
	Day      string         `json:"day"` // YYYY-MM-DD, China Standard Time
	Reads    int            `json:"reads"`
	Channels map[string]int `json:"channels,omitempty"`
}

// ChannelReads is the reads on one read channel.
type ChannelReads struct {
	Channel string `json:"channel"`
	Reads   int    `json:"reads"`
}

// HostReads is the reads that followed links on one referring site.
type HostReads struct {
	Host  string `json:"host"`
	Reads int    `json:"reads"`
}

// DayReaders is the distinct readers of one CST day.
type DayReaders struct {
	Day     string `json:"day"`
	Readers int    `json:"readers"`
}

// ArticleDayReads is one article's reads on one CST day.
type ArticleDayReads struct {
	ArticleID int64  `json:"article_id"`
	Day       string `json:"day"`
	Reads     int    `json:"reads"`
}

// AnalyticsStore keeps readership beyond the hourly counts of ViewStore: reads
// by CST day and channel, by referring site, and distinct readers; and
// answers the dashboards' questions about them. Every query takes a
// ReadFilter and fails with EINVALID (naming the field) when it is not
// valid. Followers by day are FediverseStore.CountFollowersByDay (the
// microblog, per account) and subscribers by day
// SubscriberStore.CountSubscribersByDay (the newsletter).
type AnalyticsStore interface {
	// AddReads writes a counter's batch in one transaction: all of it or
	// nothing. ViewStore.AddViews is AddReads with views only.
	AddReads(ctx context.Context, b *ReadBatch) error
	// ReaderSalt returns the secret salt of a CST day's reader keys, storing
	// the one newSalt makes when the day has none yet; when processes race,
	// the first stored wins and every caller gets it. It deletes the salts and
	// reader keys of the days before the ReaderKeyDays last ones (counting
	// back from day), so that old keys can no longer be linked to anyone.
	ReaderSalt(ctx context.Context, day time.Time, newSalt func() ([]byte, error)) ([]byte, error)
	// ReadsByDay counts the reads of every day of the filter's span, days
	// without reads included (as 0), with each day's reads by channel when
	// byChannel is set.
	ReadsByDay(ctx context.Context, f ReadFilter, byChannel bool) ([]DayReads, error)
	// ReadsByChannel totals the reads of the span by channel, most read
	// first; channels without reads are left out.
	ReadsByChannel(ctx context.Context, f ReadFilter) ([]ChannelReads, error)
	// TopReadArticles ranks the articles by their reads in the span (most
	// first, then the newer article), with the sum of their days' distinct
	// readers (not narrowed by Channels: readers are not counted by channel).
	// A limit of 0 means no limit.
	TopReadArticles(ctx context.Context, f ReadFilter, limit int) ([]ArticleReads, error)
	// TopReferrers ranks the referring sites by the reads that followed their
	// links in the span; ReferrerOther counts like a site. Channels must be
	// empty (referrers are not counted by channel). A limit of 0 means no limit.
	TopReferrers(ctx context.Context, f ReadFilter, limit int) ([]HostReads, error)
	// ReadersByDay counts the distinct readers of every day of the span, days
	// without readers included. When the filter selects no articles, they are
	// the site's readers: who read ten articles that day counts once.
	// Otherwise they are the sum of each selected article's distinct readers.
	// Channels must be empty.
	ReadersByDay(ctx context.Context, f ReadFilter) ([]DayReaders, error)
	// ArticleReadsByDay lists the reads of each article on each day of the
	// span that it was read, by article then day.
	ArticleReadsByDay(ctx context.Context, f ReadFilter) ([]ArticleDayReads, error)
}
