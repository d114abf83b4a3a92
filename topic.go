package herald

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Entities of special topics and works.
const (
	EntityTopic     = "topic"
	EntityVideoFile = "video_file"
)

// Figure is the person a profile (KindProfile) is about: an advanced figure of
// the province's justice system. The profile's body tells the story; the
// figure card shows these fields beside it and on the figures' index.
type Figure struct {
	Name     string `json:"name"`               // 姓名
	Position string `json:"position,omitempty"` // 职务: "公证员", "人民调解员"
	Unit     string `json:"unit,omitempty"`     // 所在单位, as the public knows it
	Portrait string `json:"portrait,omitempty"` // an image's path or URL
}

// ArticleVideo is the film a video piece (KindVideo) carries: an uploaded
// video file, the poster shown before it plays, and the series the video
// library files it under ("公证人", "平凡").
type ArticleVideo struct {
	FileID int64  `json:"file_id"`
	Poster string `json:"poster,omitempty"` // an image's path or URL
	Series string `json:"series,omitempty"`
}

// DiffLines are the figure's fields as revisions compare them; none for nil.
func (f *Figure) DiffLines() []string {
	if f == nil {
		return nil
	}
	return []string{"name: " + f.Name, "position: " + f.Position, "unit: " + f.Unit, "portrait: " + f.Portrait}
}

// DiffLines are the video's fields as revisions compare them; none for nil.
func (v *ArticleVideo) DiffLines() []string {
	if v == nil {
		return nil
	}
	return []string{"file: " + strconv.FormatInt(v.FileID, 10), "poster: " + v.Poster, "series: " + v.Series}
}

// MaxSeriesRunes bounds a video series' name, which is also a path segment
// of the video library.
const MaxSeriesRunes = 40

// normalize trims the figure's text fields.
func (f *Figure) normalize() {
	for _, s := range []*string{&f.Name, &f.Position, &f.Unit, &f.Portrait} {
		*s = strings.TrimSpace(*s)
	}
}

// normalize trims the video's text fields.
func (v *ArticleVideo) normalize() {
	v.Poster, v.Series = strings.TrimSpace(v.Poster), strings.TrimSpace(v.Series)
}

// validateWorks checks that a profile names its figure and that only profiles
// and videos carry a figure or a video.
func (c *ArticleContent) validateWorks(p *Problems) {
	switch {
	case c.Kind == KindProfile && c.Figure == nil:
		p.Add("figure.name", "is required for a figure profile")
	case c.Kind != KindProfile && c.Figure != nil:
		p.Add("figure", "only a figure profile (kind profile) describes a figure")
	case c.Figure != nil:
		checkName(p, "figure.name", c.Figure.Name, true)
		checkName(p, "figure.position", c.Figure.Position, false)
		checkName(p, "figure.unit", c.Figure.Unit, false)
		checkImageRef(p, "figure.portrait", c.Figure.Portrait)
	}
	switch {
	case c.Video == nil:
	case c.Kind != KindVideo:
		p.Add("video", "only a video piece (kind video) carries a video")
	default:
		if c.Video.FileID <= 0 {
			p.Add("video.file_id", "upload a video file")
		}
		checkImageRef(p, "video.poster", c.Video.Poster)
		checkSeries(p, c.Video.Series)
	}
}

// checkSeries accepts a one-line name that can stand as one path segment of
// the video library.
func checkSeries(p *Problems, s string) {
	switch {
	case !utf8.ValidString(s) || strings.ContainsAny(s, "/\\?#%\r\n\t\x00") || strings.HasPrefix(s, "."):
		p.Add("video.series", "must be one line without / \\ ? # %% and not start with a dot")
	case utf8.RuneCountInString(s) > MaxSeriesRunes:
		p.Add("video.series", "must be at most %d characters", MaxSeriesRunes)
	case s == "files":
		p.Add("video.series", "%q is reserved", s)
	}
}

// checkImageRef accepts an empty reference, a site path or an http(s) URL.
func checkImageRef(p *Problems, field, v string) {
	if v != "" && !(strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "//") ||
		strings.HasPrefix(v, "https://") || strings.HasPrefix(v, "http://")) || len(v) > 1000 {
		p.Add(field, "must be a path starting with / or an http(s) URL of at most 1000 characters")
	}
}

// VideoFile is an uploaded film. Its bytes live in a file store (they are too
// large for database rows) under Key; the store keeps what is known about it.
type VideoFile struct {
	ID          int64     `json:"id"`
	SHA256      string    `json:"sha256"`       // of the bytes, to find repeated uploads
	ContentType string    `json:"content_type"` // "video/mp4" or "video/webm", sniffed from the content
	Size        int64     `json:"size"`
	DurationMS  int64     `json:"duration_ms,omitempty"` // 0 when the header did not say
	Filename    string    `json:"filename"`
	UploadedBy  int64     `json:"uploaded_by"`
	CreatedAt   time.Time `json:"created_at"`
}

// Key names the file in the file store: its content hash with the format's
// extension, so identical uploads share one file.
func (v *VideoFile) Key() string { return "videos/" + v.SHA256 + v.Ext() }

// Ext is the file name extension of the format.
func (v *VideoFile) Ext() string {
	if v.ContentType == "video/webm" {
		return ".webm"
	}
	return ".mp4"
}

// URL is where the portal streams the file. Like an image's, the path carries
// part of the hash, so that the films of unpublished drafts cannot be found by
// counting; it never changes, since the bytes never do.
func (v *VideoFile) URL() string {
	return VideoFilePrefix + strconv.FormatInt(v.ID, 10) + "-" + shortHash(v.SHA256) + v.Ext()
}

// VideoFilePrefix is the path under which the portal streams video files.
const VideoFilePrefix = "/media/videos/"

// ParseVideoURL reads a video file's path back: "/media/videos/7-0123456789abcdef.mp4"
// gives 7 and "0123456789abcdef"; ok is false for anything else.
func ParseVideoURL(path string) (id int64, key string, ok bool) {
	rest, found := strings.CutPrefix(path, VideoFilePrefix)
	if !found {
		return 0, "", false
	}
	stem, ext, _ := strings.Cut(rest, ".")
	idText, key, found := strings.Cut(stem, "-")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !found || err != nil || id <= 0 || len(key) != 16 || (ext != "mp4" && ext != "webm") {
		return 0, "", false
	}
	return id, key, true
}

// shortHash is the part of a content hash that the URLs of uploaded files
// carry.
func shortHash(sha string) string {
	if len(sha) < 16 {
		return sha
	}
	return sha[:16]
}

// VideoFileStore keeps what is known about uploaded video files.
type VideoFileStore interface {
	// CreateVideoFile records an uploaded file. Errors: EINVALID.
	CreateVideoFile(ctx context.Context, v *VideoFile, ev Event) error
	// FindVideoFileByID returns a file's record, or ENOTFOUND.
	FindVideoFileByID(ctx context.Context, id int64) (*VideoFile, error)
	// FindVideoFilesByIDs returns the records of those of the files that
	// exist, by ID, in one query: for pages that show many films.
	FindVideoFilesByIDs(ctx context.Context, ids []int64) (map[int64]*VideoFile, error)
	// FindVideoFileBySHA256 returns the file with these bytes, or ENOTFOUND.
	FindVideoFileBySHA256(ctx context.Context, sha256 string) (*VideoFile, error)
}

// TopicStatus is whether a special topic shows on the portal.
type TopicStatus string

// Topic states: a topic is curated as a draft and shown once published; an
// unpublished topic goes back to being a draft.
const (
	TopicDraft     TopicStatus = "draft"
	TopicPublished TopicStatus = "published"
)

// SpecialTopic is a campaign page (专题): a title, an introduction and a cover,
// then ordered sections each listing chosen articles — figure profiles,
// videos, news. Only its published articles show on the portal, so a topic
// follows the workflow of what it lists.
type SpecialTopic struct {
	ID          int64          `json:"id"`
	Slug        string         `json:"slug"`
	Title       string         `json:"title"`
	Intro       string         `json:"intro"` // plain text; blank lines part paragraphs
	CoverImage  string         `json:"cover_image,omitempty"`
	Status      TopicStatus    `json:"status"`
	Sections    []TopicSection `json:"sections"`
	CreatedBy   int64          `json:"created_by"`
	Version     int            `json:"version"` // increases with every save; forms send it back to detect conflicts
	CreatedAt   time.Time      `json:"created_at"`
	UpdatedAt   time.Time      `json:"updated_at"`
	PublishedAt *time.Time     `json:"published_at,omitempty"` // first publication
}

// TopicSection is one heading of a topic and the articles under it, in order.
type TopicSection struct {
	Heading    string  `json:"heading"`
	ArticleIDs []int64 `json:"article_ids"`
}

// Limits on special topics.
const (
	MaxTopicSections     = 20
	MaxTopicSectionItems = 100
	MaxTopicIntroRunes   = 4000
)

// TopicPath is the portal's path of a topic.
func TopicPath(slug string) string { return "/topics/" + slug + ".html" }

// Normalize trims text fields and makes empty lists non-nil.
func (t *SpecialTopic) Normalize() {
	t.Slug, t.Title, t.Intro, t.CoverImage = strings.TrimSpace(t.Slug), strings.TrimSpace(t.Title), strings.TrimSpace(t.Intro), strings.TrimSpace(t.CoverImage)
	if t.Sections == nil {
		t.Sections = []TopicSection{}
	}
	for i := range t.Sections {
		t.Sections[i].Heading = strings.TrimSpace(t.Sections[i].Heading)
		if t.Sections[i].ArticleIDs == nil {
			t.Sections[i].ArticleIDs = []int64{}
		}
	}
}

// Validate checks the topic's own fields; that its articles exist is checked
// by the store.
func (t *SpecialTopic) Validate() error {
	var p Problems
	checkSlug(&p, t.Slug)
	checkName(&p, "title", t.Title, true)
	checkText(&p, "intro", t.Intro, MaxTopicIntroRunes, false)
	checkImageRef(&p, "cover_image", t.CoverImage)
	if t.Status != TopicDraft && t.Status != TopicPublished {
		p.Add("status", "must be draft or published")
	}
	if len(t.Sections) > MaxTopicSections {
		p.Add("sections", "at most %d sections", MaxTopicSections)
	}
	seen := map[int64]bool{}
	for i, s := range t.Sections {
		field := "sections." + strconv.Itoa(i)
		checkName(&p, field+".heading", s.Heading, true)
		if len(s.ArticleIDs) > MaxTopicSectionItems {
			p.Add(field+".article_ids", "at most %d articles in a section", MaxTopicSectionItems)
		}
		for _, id := range s.ArticleIDs {
			if id <= 0 {
				p.Add(field+".article_ids", "must be article IDs")
				break
			}
			if seen[id] {
				p.Add(field+".article_ids", "article %d is listed twice in the topic", id)
				break
			}
			seen[id] = true
		}
	}
	return p.Err()
}

// ArticleIDs lists every article of the topic, section by section.
func (t *SpecialTopic) ArticleIDs() []int64 {
	var ids []int64
	for _, s := range t.Sections {
		ids = append(ids, s.ArticleIDs...)
	}
	return ids
}

// Clone returns a deep copy.
func (t SpecialTopic) Clone() SpecialTopic {
	t.Sections = slices.Clone(t.Sections)
	for i := range t.Sections {
		t.Sections[i].ArticleIDs = slices.Clone(t.Sections[i].ArticleIDs)
	}
	return t
}

// TopicFilter selects topics; zero fields do not filter.
type TopicFilter struct {
	Status    TopicStatus
	ArticleID int64 // topics listing this article
	Limit     int
}

// TopicStore keeps special topics and the video files their works carry.
// UpdateTopic loads the topic inside a write transaction, lets fn change it
// and name the event, then saves it and the event, all or nothing.
// Errors: EINVALID, ENOTFOUND, ECONFLICT (the slug is taken), and whatever fn
// returns.
type TopicStore interface {
	CreateTopic(ctx context.Context, t *SpecialTopic, ev Event) error
	UpdateTopic(ctx context.Context, id int64, fn func(t *SpecialTopic) (Event, error)) (*SpecialTopic, error)
	FindTopicByID(ctx context.Context, id int64) (*SpecialTopic, error)
	FindTopicBySlug(ctx context.Context, slug string) (*SpecialTopic, error)
	// FindTopics lists topics, most recently updated first.
	FindTopics(ctx context.Context, f TopicFilter) ([]*SpecialTopic, error)
	VideoFileStore
}
