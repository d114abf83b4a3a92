package herald

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Status is where an article stands in the editorial workflow.
type Status string

// Workflow states. A submitted article waits for the review level in ReviewLevel; a
// rejected one is back with its author, who edits and submits it again.
const (
	StatusDraft     Status = "draft"
	StatusSubmitted Status = "submitted"
	StatusRejected  Status = "rejected"
	StatusApproved  Status = "approved"
	StatusScheduled Status = "scheduled"
	StatusPublished Status = "published"
	StatusRetracted Status = "retracted"
)

// Statuses lists every status in workflow order.
var Statuses = []Status{StatusDraft, StatusSubmitted, StatusRejected, StatusApproved, StatusScheduled, StatusPublished, StatusRetracted}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Author is one byline of an article: a staff member, or a free-text name
// ("通讯员 李明") for people without an account.
type Author struct {
	StaffID int64  `json:"staff_id,omitempty"`
	Name    string `json:"name,omitempty"`
}

// ArticleContent is what authors and editors write. Every save that changes it
// keeps a revision.
type ArticleContent struct {
	Title      string      `json:"title"`
	Subtitle   string      `json:"subtitle"`
	Summary    string      `json:"summary"`
	Body       string      `json:"body"` // sanitized HTML
	CoverImage string      `json:"cover_image"`
	Source     string      `json:"source"`
	Language   string      `json:"language"`
	Kind       ArticleKind `json:"kind"` // news, in-depth, photo…: the incentive rules score kinds differently
	ColumnID   int64       `json:"column_id"`
	EditorID   int64       `json:"editor_id,omitempty"` // the responsible editor
	Authors    []Author    `json:"authors"`
	ThemeIDs   []int64     `json:"theme_ids"`
	Tags       []string    `json:"tags"`
	// Channels are where the piece is to go beyond the portal's own pages;
	// the website is always among them.
	Channels []Channel `json:"channels"`
	// Figure is whom a profile is about (kind profile only); Video the film a
	// video piece carries (kind video only). See topic.go.
	Figure *Figure       `json:"figure,omitempty"`
	Video  *ArticleVideo `json:"video,omitempty"`
}

// ArticleKind is what sort of piece an article is.
type ArticleKind string

// Article kinds.
const (
	KindNews       ArticleKind = "news"       // 消息
	KindInDepth    ArticleKind = "in_depth"   // 通讯、深度报道
	KindPhoto      ArticleKind = "photo"      // 图片新闻
	KindVideo      ArticleKind = "video"      // 视频
	KindCommentary ArticleKind = "commentary" // 评论
	KindProfile    ArticleKind = "profile"    // 人物风采: an advanced figure's profile
)

// ArticleKinds lists the kinds in display order.
var ArticleKinds = []ArticleKind{KindNews, KindInDepth, KindPhoto, KindVideo, KindCommentary, KindProfile}

// Valid reports whether k is a known kind.
func (k ArticleKind) Valid() bool { return slices.Contains(ArticleKinds, k) }

// Channel is a way a story reaches its readers: the "4 + 1" of the seed page.
type Channel string

// Channels.
const (
	ChannelWebsite       Channel = "website"        // the portal, its phone pages and feeds
	ChannelMicroblog     Channel = "microblog"      // the official microblog (ActivityPub)
	ChannelPublicAccount Channel = "public_account" // the public account and newsletter
	ChannelPrint         Channel = "print"          // newspapers and periodicals
	ChannelForeign       Channel = "foreign"        // foreign publicity: translated editions
)

// Channels lists every channel in display order.
var Channels = []Channel{ChannelWebsite, ChannelMicroblog, ChannelPublicAccount, ChannelPrint, ChannelForeign}

// ArticlePath is the public site's path of an article; every channel links to
// it.
func ArticlePath(id int64) string { return "/articles/" + strconv.FormatInt(id, 10) + ".html" }

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool { return slices.Contains(Channels, c) }

// Limits on article content.
const (
	MaxTitleRunes   = 200
	MaxSummaryRunes = 2000
	MaxBodyBytes    = 2 << 20
	MaxTags         = 20
	MaxAuthors      = 20
)

var languagePattern = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$`)

// Normalize trims text fields and sorts and de-duplicates themes and tags.
func (c *ArticleContent) Normalize() {
	for _, f := range []*string{&c.Title, &c.Subtitle, &c.Summary, &c.CoverImage, &c.Source, &c.Language} {
		*f = strings.TrimSpace(*f)
	}
	if c.Language == "" {
		c.Language = DefaultLanguage
	}
	if c.Kind == "" {
		c.Kind = KindNews
	}
	slices.Sort(c.ThemeIDs)
	c.ThemeIDs = slices.Compact(c.ThemeIDs)
	for i := range c.Tags {
		c.Tags[i] = strings.TrimSpace(c.Tags[i])
	}
	c.Tags = slices.DeleteFunc(c.Tags, func(t string) bool { return t == "" })
	slices.Sort(c.Tags)
	c.Tags = slices.Compact(c.Tags)
	for i := range c.Authors {
		c.Authors[i].Name = strings.TrimSpace(c.Authors[i].Name)
	}
	if c.Authors == nil {
		c.Authors = []Author{}
	}
	if c.ThemeIDs == nil {
		c.ThemeIDs = []int64{}
	}
	if c.Tags == nil {
		c.Tags = []string{}
	}
	if c.Figure != nil {
		c.Figure.normalize()
	}
	if c.Video != nil {
		c.Video.normalize()
	}
	if !slices.Contains(c.Channels, ChannelWebsite) {
		c.Channels = append(c.Channels, ChannelWebsite)
	}
	slices.SortFunc(c.Channels, func(a, b Channel) int { return slices.Index(Channels, a) - slices.Index(Channels, b) })
	c.Channels = slices.Compact(c.Channels)
}

// Validate checks the content's own fields; references to columns, themes and
// staff are checked by the store.
func (c *ArticleContent) Validate() error {
	var p Problems
	checkText(&p, "title", c.Title, MaxTitleRunes, true)
	checkText(&p, "subtitle", c.Subtitle, MaxTitleRunes, false)
	checkText(&p, "summary", c.Summary, MaxSummaryRunes, false)
	checkText(&p, "source", c.Source, 200, false)
	if !utf8.ValidString(c.Body) {
		p.Add("body", "must be valid UTF-8")
	} else if len(c.Body) > MaxBodyBytes {
		p.Add("body", "must be at most %d bytes", MaxBodyBytes)
	}
	if c.CoverImage != "" && !(strings.HasPrefix(c.CoverImage, "/") && !strings.HasPrefix(c.CoverImage, "//") ||
		strings.HasPrefix(c.CoverImage, "https://") || strings.HasPrefix(c.CoverImage, "http://")) || len(c.CoverImage) > 1000 {
		p.Add("cover_image", "must be a path starting with / or an http(s) URL of at most 1000 characters")
	}
	if !c.Kind.Valid() {
		p.Add("kind", "must be one of %s", joinTypes(ArticleKinds))
	}
	if !languagePattern.MatchString(c.Language) {
		p.Add("language", "must be a BCP 47 language tag such as zh-CN or en")
	}
	if c.ColumnID <= 0 {
		p.Add("column_id", "is required")
	}
	if c.EditorID < 0 {
		p.Add("editor_id", "must be a staff ID")
	}
	if len(c.Authors) > MaxAuthors {
		p.Add("authors", "at most %d authors", MaxAuthors)
	}
	for _, a := range c.Authors {
		if (a.StaffID == 0) == (a.Name == "") {
			p.Add("authors", "each author needs either staff_id or name, not both")
			break
		}
		if a.Name != "" {
			checkName(&p, "authors", a.Name, true)
		}
	}
	if len(c.Tags) > MaxTags {
		p.Add("tags", "at most %d tags", MaxTags)
	}
	for _, t := range c.Tags {
		if utf8.RuneCountInString(t) > 40 || strings.ContainsAny(t, ",\r\n\t\x00") {
			p.Add("tags", "each tag must be at most 40 characters without commas or line breaks")
			break
		}
	}
	for _, id := range c.ThemeIDs {
		if id <= 0 {
			p.Add("theme_ids", "must be theme IDs")
			break
		}
	}
	for _, ch := range c.Channels {
		if !ch.Valid() {
			p.Add("channels", "unknown channel %q; channels are %s", ch, joinTypes(Channels))
			break
		}
	}
	c.validateWorks(&p)
	return p.Err()
}

func checkText(p *Problems, field, v string, maxRunes int, required bool) {
	switch {
	case required && v == "":
		p.Add(field, "is required")
	case !utf8.ValidString(v) || strings.ContainsAny(v, "\x00"):
		p.Add(field, "must be valid text")
	case utf8.RuneCountInString(v) > maxRunes:
		p.Add(field, "must be at most %d characters", maxRunes)
	}
}

// Equal reports whether two contents are the same (after Normalize).
func (c *ArticleContent) Equal(o *ArticleContent) bool {
	return c.Title == o.Title && c.Subtitle == o.Subtitle && c.Summary == o.Summary && c.Body == o.Body &&
		c.CoverImage == o.CoverImage && c.Source == o.Source && c.Language == o.Language && c.Kind == o.Kind &&
		c.ColumnID == o.ColumnID && c.EditorID == o.EditorID && slices.Equal(c.Authors, o.Authors) &&
		slices.Equal(c.ThemeIDs, o.ThemeIDs) && slices.Equal(c.Tags, o.Tags) && slices.Equal(c.Channels, o.Channels) &&
		equalPtr(c.Figure, o.Figure) && equalPtr(c.Video, o.Video)
}

// equalPtr reports whether two optional values are both absent or equal.
func equalPtr[T comparable](a, b *T) bool { return a == b || a != nil && b != nil && *a == *b }

// Clone returns a deep copy.
func (c ArticleContent) Clone() ArticleContent {
	c.Authors = slices.Clone(c.Authors)
	c.ThemeIDs = slices.Clone(c.ThemeIDs)
	c.Tags = slices.Clone(c.Tags)
	c.Channels = slices.Clone(c.Channels)
	if c.Figure != nil {
		f := *c.Figure
		c.Figure = &f
	}
	if c.Video != nil {
		v := *c.Video
		c.Video = &v
	}
	return c
}

// Article is a news piece and where it stands in the workflow.
type Article struct {
	ID int64 `json:"id"`
	ArticleContent
	UnitID         int64      `json:"unit_id"`
	Status         Status     `json:"status"`
	ReviewLevel    int        `json:"review_level,omitempty"` // while submitted: the level it waits for
	Reviewers      []int64    `json:"reviewers"`              // who approved each level of the current round
	CorrectionNote string     `json:"correction_note,omitempty"`
	CreatedBy      int64      `json:"created_by"`
	Version        int        `json:"version"` // increases with every save; clients send it back to detect conflicts
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	ScheduledAt    *time.Time `json:"scheduled_at,omitempty"`
	PublishedAt    *time.Time `json:"published_at,omitempty"`
	CorrectedAt    *time.Time `json:"corrected_at,omitempty"`
	RetractedAt    *time.Time `json:"retracted_at,omitempty"`
	// TranslationOf is the article this one translates (0 for an original);
	// SourceRevision the revision of that source's content the translation
	// follows, so that a later change of the source shows it is outdated.
	TranslationOf  int64 `json:"translation_of,omitempty"`
	SourceRevision int   `json:"source_revision,omitempty"`
}

// IsAuthor reports whether staff id created the article or is one of its bylines.
func (a *Article) IsAuthor(id int64) bool {
	if a.CreatedBy == id {
		return true
	}
	for _, au := range a.Authors {
		if au.StaffID == id {
			return true
		}
	}
	return false
}

// Revision is one saved state of an article's content.
type Revision struct {
	ArticleID int64          `json:"article_id"`
	Number    int            `json:"number"`
	Content   ArticleContent `json:"content"`
	SavedBy   int64          `json:"saved_by"`
	Note      string         `json:"note,omitempty"`
	CreatedAt time.Time      `json:"created_at"`
}

// ArticleOrder says how article lists are sorted.
type ArticleOrder string

// Article orders.
const (
	ByUpdated      ArticleOrder = "updated"       // most recently updated first (default)
	ByUpdatedAsc   ArticleOrder = "updated_asc"   // least recently updated first
	ByPublished    ArticleOrder = "published"     // most recently published first
	ByScheduled    ArticleOrder = "scheduled"     // soonest scheduled first
	ByPublishedAsc ArticleOrder = "published_asc" // oldest published first
	ByID           ArticleOrder = "id"            // lowest ID first
	ByIDDesc       ArticleOrder = "id_desc"       // highest ID first
)

// ArticleFilter selects articles; zero fields do not filter.
type ArticleFilter struct {
	ID              int64
	IDs             []int64 // any of these articles; nil does not filter
	Statuses        []Status
	ReviewLevel     int
	UnitIDs         []int64 // articles of any of these units; nil means all, empty means none
	ColumnID        int64
	ThemeID         int64
	Language        string
	CreatedBy       int64
	TranslationOf   int64 // the translations of this article
	ScheduledBefore *time.Time
	PublishedBefore *time.Time // strictly before
	PublishedAfter  *time.Time // strictly after
	AfterID         int64      // IDs above this one
	Channel         Channel    // articles meant for this channel
	Kind            ArticleKind
	// UpdatedAfter and UpdatedBefore select a window of changes: articles
	// last updated after the cursor (a later time, or the same time and a
	// higher ID) and strictly before the time. With ByUpdatedAsc, the last
	// article of a page is the cursor of the next.
	UpdatedAfter  *ArticleCursor
	UpdatedBefore *time.Time
	NoCount       bool // skip counting the total (FindArticles returns -1)
	NoBody        bool // leave Body empty, for lists that do not show it
	Order         ArticleOrder
	Offset        int
	Limit         int
}

// ArticleCursor is a place in a list of articles ordered by when they were
// last updated.
type ArticleCursor struct {
	UpdatedAt time.Time
	ID        int64
}

// ArticleChange is what an article update records: its audit event, when the
// content changed the note kept with the new revision, and the jobs the change
// calls for (a scheduled publication, deliveries to channels), queued in the
// same transaction so that the change and its consequences are kept or lost
// together. Jobs is given the article as saved, with its new version.
type ArticleChange struct {
	Event        Event
	RevisionNote string
	Jobs         func(a *Article) []*Job
}

// ArticleStore persists articles, their revisions and their events.
// UpdateArticle loads the article inside a write transaction, lets fn change it
// and say what happened, then saves it, a revision if the content changed, and the
// event, all or nothing. Errors: EINVALID, ENOTFOUND, and whatever fn returns.
type ArticleStore interface {
	CreateArticle(ctx context.Context, a *Article, ev Event) error
	UpdateArticle(ctx context.Context, id int64, fn func(a *Article) (ArticleChange, error)) (*Article, error)
	FindArticles(ctx context.Context, f ArticleFilter) ([]*Article, int, error)
	FindArticleByID(ctx context.Context, id int64) (*Article, error)
	FindRevisions(ctx context.Context, articleID int64) ([]*Revision, error)
	FindRevision(ctx context.Context, articleID int64, number int) (*Revision, error)
	// PublishedLanguages lists the languages of published articles, each once.
	PublishedLanguages(ctx context.Context) ([]string, error)
}
