package portal

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/feeds"
	"github.com/heraldnews/herald/media"
)

// The pages of special topics and works: the figures' index (/figures/),
// the video library (/videos/, /videos/{series}/), the topics' index
// (/topics/) and each published topic (/topics/{slug}.html). Profiles and
// videos are articles, so they are read on their article pages, which show
// the figure card and the player (see works).

// MaxWorks bounds how many profiles or videos an index page shows: a province
// publishes tens a year, and a page of hundreds of posters is already long.
const MaxWorks = 500

// worksLabels are the words of these pages in one language.
type worksLabels struct {
	Figures, FiguresIntro, Videos, VideosIntro, AllSeries, Series, Topics, TopicsIntro string
	Position, Unit, Duration, Download, NoVideo, Portrait, Poster, NoTopics, Nothing   string
	Showcase                                                                           string
}

var worksZh = worksLabels{Figures: "人物风采", FiguresIntro: "全省司法行政系统先进人物和典型事迹。", Videos: "视频",
	VideosIntro: "公证人系列影片、平凡微视频等司法行政题材作品。", AllSeries: "全部", Series: "按系列筛选", Topics: "专题",
	TopicsIntro: "围绕中心工作推出的专题报道。", Position: "职务：", Unit: "单位：", Duration: "时长", Download: "下载视频",
	NoVideo: "您的浏览器不能播放此视频，可以下载后观看。", Portrait: "%s的照片", Poster: "视频封面：%s", NoTopics: "暂无专题。", Nothing: "暂无稿件。", Showcase: "专题 · 人物 · 视频"}

var worksEn = worksLabels{Figures: "Figures", FiguresIntro: "Advanced figures and typical deeds of the province's justice system.", Videos: "Videos",
	VideosIntro: "Films and micro videos about justice work.", AllSeries: "All", Series: "Filter by series", Topics: "Special topics",
	TopicsIntro: "Special reports on the department's central work.", Position: "Position: ", Unit: "Unit: ", Duration: "Length",
	Download: "Download the video", NoVideo: "Your browser cannot play this video; download it instead.", Portrait: "Photo of %s",
	Poster: "Poster: %s", NoTopics: "No special topics yet.", Nothing: "Nothing here yet.", Showcase: "Topics, figures and videos"}

// Works are the words of these pages in l's language, for the home page's
// links to them.
func (l labels) Works() worksLabels { return worksLabelsFor(l) }

func worksLabelsFor(l labels) worksLabels {
	if l.lang == "en" {
		return worksEn
	}
	return worksZh
}

// work is one profile or video as cards show it.
type work struct {
	item
	Figure              *herald.Figure
	Image, ImageAlt     string // the portrait or poster
	Series, Duration    string
	VideoURL, VideoType string
}

// worksData is what the article page shows of a profile or video, and what an
// index card shows.
type worksData struct {
	W    worksLabels
	Work work
}

// toWork describes a for cards and its article page. files holds the films
// of the page (see videoFiles); a film missing from it leaves the page without
// a player.
func toWork(a *herald.Article, l worksLabels, files map[int64]*herald.VideoFile) work {
	w := work{item: toItems([]*herald.Article{a})[0], Figure: a.Figure}
	if f := a.Figure; f != nil {
		w.Image, w.ImageAlt = f.Portrait, fmt.Sprintf(l.Portrait, f.Name)
	}
	if v := a.Video; v != nil {
		w.Image, w.ImageAlt, w.Series = v.Poster, fmt.Sprintf(l.Poster, a.Title), v.Series
		if vf := files[v.FileID]; vf != nil {
			w.VideoURL, w.VideoType = vf.URL(), vf.ContentType
			if vf.DurationMS > 0 {
				s := (vf.DurationMS + 500) / 1000
				w.Duration = fmt.Sprintf("%d:%02d", s/60, s%60)
			}
		}
	}
	if w.Image == "" {
		w.Image = a.CoverImage
	}
	return w
}

// toWorks describes the articles of a page for its cards, looking up their
// films in one query.
func (p *Portal) toWorks(ctx context.Context, as []*herald.Article, l worksLabels) ([]work, error) {
	files, err := p.videoFiles(ctx, as)
	if err != nil {
		return nil, err
	}
	var out []work
	for _, a := range as {
		out = append(out, toWork(a, l, files))
	}
	return out, nil
}

// videoFiles finds the films the video pieces among as carry, by ID.
func (p *Portal) videoFiles(ctx context.Context, as []*herald.Article) (map[int64]*herald.VideoFile, error) {
	var ids []int64
	for _, a := range as {
		if a.Video != nil && a.Video.FileID > 0 {
			ids = append(ids, a.Video.FileID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return p.Store.FindVideoFilesByIDs(ctx, ids)
}

// articleWorks is the figure card or player of an article page; nil for other
// kinds.
func (p *Portal) articleWorks(ctx context.Context, a *herald.Article, l labels) (*worksData, error) {
	if a.Figure == nil && a.Video == nil {
		return nil, nil
	}
	wl := worksLabelsFor(l)
	ws, err := p.toWorks(ctx, []*herald.Article{a}, wl)
	if err != nil {
		return nil, err
	}
	return &worksData{W: wl, Work: ws[0]}, nil
}

// worksMedia lists the uploaded files an article page shows besides its
// images in the body: portrait, poster and film, for the static export.
func worksMedia(d *worksData) []string {
	if d == nil {
		return nil
	}
	return uploaded(d.Work.Image, d.Work.VideoURL)
}

// uploaded keeps those of urls that are files uploaded to this site (under
// /media/), which the static export copies.
func uploaded(urls ...string) []string {
	var out []string
	for _, u := range urls {
		if strings.HasPrefix(u, "/media/") {
			out = append(out, u)
		}
	}
	return out
}

// publishedWorks lists the published articles of kind, newest first.
func (p *Portal) publishedWorks(ctx context.Context, kind herald.ArticleKind) ([]*herald.Article, error) {
	return p.published(ctx, herald.ArticleFilter{Kind: kind, Limit: MaxWorks, NoBody: true})
}

// worksPage is the data of the figures' index and the video library.
type worksPage struct {
	W       worksLabels
	Heading string
	Intro   string
	Works   []work
	Series  []seriesLink // the library's filter
}

type seriesLink struct {
	Name, URL string
	Current   bool
}

// VideoSeriesPath is the video library's page of a series ("" for all).
func VideoSeriesPath(series string) string {
	if series == "" {
		return "/videos/"
	}
	return "/videos/" + series + "/"
}

func (p *Portal) figuresPage(ctx context.Context, d *siteData, static bool) (*Page, error) {
	v := p.newView(d, "zh-CN", "/figures/", static)
	wl := worksLabelsFor(v.L)
	as, err := p.publishedWorks(ctx, herald.KindProfile)
	if err != nil {
		return nil, err
	}
	data := &worksPage{W: wl, Heading: wl.Figures, Intro: wl.FiguresIntro}
	if data.Works, err = p.toWorks(ctx, as, wl); err != nil {
		return nil, err
	}
	v.Title, v.Description, v.Data = wl.Figures, wl.FiguresIntro, data
	return p.renderWorks("figures", v, data.Works)
}

// videosPage is the video library, or one series of it. The series are
// those of the published videos; a series page lists its films oldest first,
// in the order they were released (episode order), the library newest first.
func (p *Portal) videosPage(ctx context.Context, d *siteData, series string, static bool) (*Page, error) {
	path := VideoSeriesPath(series)
	v := p.newView(d, "zh-CN", path, static)
	wl := worksLabelsFor(v.L)
	as, err := p.publishedWorks(ctx, herald.KindVideo)
	if err != nil {
		return nil, err
	}
	data := &worksPage{W: wl, Heading: wl.Videos, Intro: wl.VideosIntro,
		Series: []seriesLink{{Name: wl.AllSeries, URL: VideoSeriesPath(""), Current: series == ""}}}
	names := seriesOf(as)
	for _, s := range names {
		data.Series = append(data.Series, seriesLink{Name: s, URL: VideoSeriesPath(s), Current: s == series})
	}
	if series != "" && !slices.Contains(names, series) {
		return nil, errNotFound
	}
	var shown []*herald.Article
	for _, a := range as {
		if a.Video != nil && (series == "" || a.Video.Series == series) {
			shown = append(shown, a)
		}
	}
	if data.Works, err = p.toWorks(ctx, shown, wl); err != nil {
		return nil, err
	}
	if series != "" {
		slices.Reverse(data.Works)
		data.Heading = wl.Videos + " · " + series
	}
	v.Title, v.Description, v.Data = data.Heading, wl.VideosIntro, data
	return p.renderWorks("videos", v, data.Works)
}

// renderWorks renders an index of works with the images its cards show.
func (p *Portal) renderWorks(name string, v *view, works []work) (*Page, error) {
	page, err := p.render(name, http.StatusOK, v)
	if err != nil {
		return nil, err
	}
	for _, w := range works {
		page.Media = append(page.Media, uploaded(w.Image)...)
	}
	return page, nil
}

// topicCard is a topic in the topics' index.
type topicCard struct {
	URL, Title, Intro, Cover, Date, ISO string
}

func (p *Portal) topicsPage(ctx context.Context, d *siteData, static bool) (*Page, error) {
	v := p.newView(d, "zh-CN", "/topics/", static)
	wl := worksLabelsFor(v.L)
	ts, err := p.Store.FindTopics(ctx, herald.TopicFilter{Status: herald.TopicPublished})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(ts, func(a, b *herald.SpecialTopic) int { return b.PublishedAt.Compare(*a.PublishedAt) })
	data := &struct {
		W      worksLabels
		Topics []topicCard
	}{W: wl}
	var media []string
	for _, t := range ts {
		data.Topics = append(data.Topics, topicCard{URL: herald.TopicPath(t.Slug), Title: t.Title, Intro: firstLine(t.Intro), Cover: t.CoverImage,
			Date: t.PublishedAt.In(CST).Format("2006-01-02"), ISO: t.PublishedAt.Format(time.RFC3339)})
		media = append(media, uploaded(t.CoverImage)...)
	}
	v.Title, v.Description, v.Data = wl.Topics, wl.TopicsIntro, data
	page, err := p.render("topics", http.StatusOK, v)
	if page != nil {
		page.Media = media
	}
	return page, err
}

// topicSection is a section of a topic page with its published works.
type topicSection struct {
	Heading string
	Works   []work
}

func (p *Portal) topicPage(ctx context.Context, d *siteData, slug string, static bool) (*Page, error) {
	t, err := p.Store.FindTopicBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	if t.Status != herald.TopicPublished {
		return nil, errNotFound
	}
	path := herald.TopicPath(t.Slug)
	v := p.newView(d, "zh-CN", path, static)
	wl := worksLabelsFor(v.L)
	ids := t.ArticleIDs()
	as, err := p.published(ctx, herald.ArticleFilter{IDs: ids, NoBody: true})
	if err != nil {
		return nil, err
	}
	byID := map[int64]*herald.Article{}
	for _, a := range as {
		byID[a.ID] = a
	}
	files, err := p.videoFiles(ctx, as)
	if err != nil {
		return nil, err
	}
	data := &struct {
		W          worksLabels
		Topic      *herald.SpecialTopic
		Paragraphs []string
		Sections   []topicSection
	}{W: wl, Topic: t}
	for _, para := range strings.Split(t.Intro, "\n") {
		if para = strings.TrimSpace(para); para != "" {
			data.Paragraphs = append(data.Paragraphs, para)
		}
	}
	var works []work
	for _, s := range t.Sections {
		sec := topicSection{Heading: s.Heading}
		for _, id := range s.ArticleIDs {
			a := byID[id]
			if a == nil { // not published (yet, or any more)
				continue
			}
			sec.Works = append(sec.Works, toWork(a, wl, files))
		}
		if len(sec.Works) > 0 {
			data.Sections = append(data.Sections, sec)
			works = append(works, sec.Works...)
		}
	}
	v.Title, v.Description, v.Image, v.Data = t.Title, firstLine(t.Intro), absolute(p.BaseURL, t.CoverImage), data
	page, err := p.renderWorks("topic", v, works)
	if err != nil {
		return nil, err
	}
	page.Media = append(page.Media, uploaded(t.CoverImage)...)
	page.Modified = t.UpdatedAt
	return page, nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(line)
}

// absolute makes a site path a full URL, for og:image.
func absolute(base, u string) string {
	if strings.HasPrefix(u, "/") {
		return base + u
	}
	return u
}

// routeWorks renders the pages of this file; ok is false for other paths.
func (p *Portal) routeWorks(ctx context.Context, d *siteData, path string, static bool) (page *Page, ok bool, err error) {
	switch {
	case path == "/figures/":
		page, err = p.figuresPage(ctx, d, static)
	case path == "/topics/":
		page, err = p.topicsPage(ctx, d, static)
	case strings.HasPrefix(path, "/topics/") && strings.HasSuffix(path, ".html"):
		slug := strings.TrimSuffix(strings.TrimPrefix(path, "/topics/"), ".html")
		if strings.Contains(slug, "/") || slug == "" {
			return nil, true, errNotFound
		}
		page, err = p.topicPage(ctx, d, slug, static)
	case path == "/videos/":
		page, err = p.videosPage(ctx, d, "", static)
	case strings.HasPrefix(path, "/videos/") && strings.HasSuffix(path, "/"):
		series := strings.TrimSuffix(strings.TrimPrefix(path, "/videos/"), "/")
		if strings.Contains(series, "/") {
			return nil, true, errNotFound
		}
		page, err = p.videosPage(ctx, d, series, static)
	default:
		return nil, false, nil
	}
	return page, true, err
}

// worksPaths lists the pages of this file, for the whole export.
func (p *Portal) worksPaths(ctx context.Context) ([]string, error) {
	paths := []string{"/figures/", "/videos/", "/topics/"}
	series, err := p.videoSeries(ctx)
	if err != nil {
		return nil, err
	}
	for _, s := range series {
		paths = append(paths, VideoSeriesPath(s))
	}
	ts, err := p.Store.FindTopics(ctx, herald.TopicFilter{Status: herald.TopicPublished})
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		paths = append(paths, herald.TopicPath(t.Slug))
	}
	return paths, nil
}

// videoSeries lists the series of the published videos.
func (p *Portal) videoSeries(ctx context.Context) ([]string, error) {
	as, err := p.publishedWorks(ctx, herald.KindVideo)
	if err != nil {
		return nil, err
	}
	return seriesOf(as), nil
}

// seriesOf lists the series of the videos among as, in the order they first
// appear.
func seriesOf(as []*herald.Article) []string {
	var out []string
	for _, a := range as {
		if a.Video != nil && a.Video.Series != "" && !slices.Contains(out, a.Video.Series) {
			out = append(out, a.Video.Series)
		}
	}
	return out
}

// worksSitemapURLs adds the indexes and published topics to the site sitemap.
func (p *Portal) worksSitemapURLs(ctx context.Context, urls []feeds.SitemapURL) ([]feeds.SitemapURL, error) {
	paths, err := p.worksPaths(ctx)
	if err != nil {
		return nil, err
	}
	for _, path := range paths {
		urls = append(urls, feeds.SitemapURL{Loc: p.BaseURL + path})
	}
	return urls, nil
}

// worksPathsChanged adds to set the pages that the publication, correction or
// retraction of a changes: the figures' index for a profile, the library and
// its series pages for a video, and the topics listing it.
func (p *Portal) worksPathsChanged(ctx context.Context, a *herald.Article, set map[string]bool) error {
	switch a.Kind {
	case herald.KindProfile:
		set["/figures/"] = true
	case herald.KindVideo:
		set["/videos/"] = true
		set["/sitemaps/site.xml"] = true // lists the series, which come and go with their films
		series, err := p.videoSeries(ctx)
		if err != nil {
			return err
		}
		for _, s := range series {
			set[VideoSeriesPath(s)] = true
		}
		if a.Video != nil && a.Video.Series != "" { // removed when its last film goes
			set[VideoSeriesPath(a.Video.Series)] = true
		}
	}
	ts, err := p.Store.FindTopics(ctx, herald.TopicFilter{ArticleID: a.ID, Status: herald.TopicPublished})
	if err != nil {
		return err
	}
	for _, t := range ts {
		set[herald.TopicPath(t.Slug)] = true
	}
	return nil
}

// ExportTopics re-renders into dir what changes to the given topics change:
// their pages (removed once unpublished), the topics' index and the site
// sitemap that lists them.
func (p *Portal) ExportTopics(ctx context.Context, dir string, ids []int64) (ExportStats, error) {
	start := time.Now()
	paths := []string{"/topics/", "/sitemaps/site.xml"}
	for _, id := range ids {
		t, err := p.Store.FindTopicByID(ctx, id)
		if err != nil {
			return ExportStats{}, err
		}
		paths = append(paths, herald.TopicPath(t.Slug))
	}
	stats, _, err := p.exportPaths(ctx, dir, paths, nil)
	stats.Duration = time.Since(start)
	return stats, err
}

// videoFile finds the film a path names; the key must match, so that films of
// drafts cannot be found by counting IDs.
func (p *Portal) videoFile(ctx context.Context, path string) (*herald.VideoFile, error) {
	id, _, ok := herald.ParseVideoURL(path)
	if !ok {
		return nil, errNotFound
	}
	vf, err := p.Store.FindVideoFileByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(vf.URL()), []byte(path)) != 1 {
		return nil, errNotFound
	}
	return vf, nil
}

// serveVideo streams a film with range requests (206 Partial Content,
// Accept-Ranges, If-Range), which players use to start quickly and to seek.
// A film's bytes never change under its address, so its hash is its ETag and
// browsers may keep it for a year.
func (p *Portal) serveVideo(w http.ResponseWriter, r *http.Request) {
	f, vf, err := p.openVideo(r.Context(), r.URL.Path)
	switch {
	case herald.ErrorCode(err) == herald.ENOTFOUND:
		p.serveError(w, r, http.StatusNotFound)
		return
	case err != nil:
		p.fail(w, r, err)
		return
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", vf.ContentType)
	h.Set("Etag", `"`+vf.SHA256[:32]+`"`)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, "", vf.CreatedAt, f)
}

// openVideo opens the film a path names; ENOTFOUND without a file store.
func (p *Portal) openVideo(ctx context.Context, path string) (media.File, *herald.VideoFile, error) {
	vf, err := p.videoFile(ctx, path)
	if err != nil {
		return nil, nil, err
	}
	if p.Videos == nil {
		return nil, nil, errNotFound
	}
	f, err := p.Videos.Open(ctx, vf.Key())
	return f, vf, err
}

// exportVideo copies a film into the static site, unless an earlier export
// did: its address names its content, so an existing file is current.
func (p *Portal) exportVideo(ctx context.Context, dir, path string) error {
	if _, err := os.Stat(filepath.Join(dir, filePath(path))); err == nil {
		return nil
	}
	f, _, err := p.openVideo(ctx, path)
	if herald.ErrorCode(err) == herald.ENOTFOUND {
		return nil // the page names a film that is gone; the page still works
	} else if err != nil {
		return err
	}
	defer f.Close()
	return media.Dir(dir).Put(ctx, strings.TrimPrefix(path, "/"), f)
}
