package portal_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/demo"
	"github.com/heraldnews/herald/media"
	"github.com/heraldnews/herald/portal"
	"github.com/heraldnews/herald/topics"
	"github.com/heraldnews/herald/workflow"
)

// newWorksFixture is the demo province with its films stored in files that
// the portal streams.
func newWorksFixture(t *testing.T) *fixture {
	t.Helper()
	files := media.Dir(t.TempDir())
	f := newFixtureWith(t, demo.WithVideoFiles(files))
	f.portal.Videos = files
	return f
}

// works returns the demo's published articles of a kind, newest first.
func (f *fixture) works(t *testing.T, kind herald.ArticleKind) []*herald.Article {
	t.Helper()
	as, _, err := f.store.FindArticles(context.Background(), herald.ArticleFilter{Kind: kind, Statuses: []herald.Status{herald.StatusPublished}, Order: herald.ByPublished})
	if err != nil || len(as) == 0 {
		t.Fatalf("no published %s: %v", kind, err)
	}
	return as
}

func wantIn(t *testing.T, where, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", where, w)
		}
	}
}

func TestWorksPages(t *testing.T) {
	f := newWorksFixture(t)
	profiles, videos := f.works(t, herald.KindProfile), f.works(t, herald.KindVideo)
	if len(profiles) != 4 || len(videos) != 8 {
		t.Fatalf("%d profiles, %d videos", len(profiles), len(videos))
	}
	ok := func(path string) string {
		t.Helper()
		rec := get(t, f.portal, path)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d", path, rec.Code)
		}
		return rec.Body.String()
	}
	wantIn(t, "the home page", ok("/"), `<a href="/topics/">专题`, `<a href="/figures/">人物风采`, `<a href="/videos/">视频`)
	figures := ok("/figures/")
	wantIn(t, "/figures/", figures, "<h1>人物风采</h1>", "苏明远", "周立华", "林晓", "韩建军", "司法所所长", profiles[0].Figure.Portrait,
		fmt.Sprintf(`<a href="%s">`, herald.ArticlePath(profiles[0].ID)))

	library := ok("/videos/")
	wantIn(t, "/videos/", library, `<nav class="series" aria-label="按系列筛选">`, `<span aria-current="page">全部</span>`,
		`<a href="/videos/`+strings.ToLower(url.PathEscape("公证人"))+`/">公证人</a>`, `<a href="/videos/`+strings.ToLower(url.PathEscape("平凡"))+`/">平凡</a>`, videos[0].Video.Poster, "《平凡》微视频：调解室的灯")
	notary := ok("/videos/" + url.PathEscape("公证人") + "/")
	wantIn(t, "the 公证人 series", notary, `<span aria-current="page">公证人</span>`)
	// A series lists its films in episode order, and only its own.
	var order []int
	for _, n := range []string{"第一集", "第二集", "第三集", "第四集", "第五集"} {
		order = append(order, strings.Index(notary, n))
	}
	for i := 1; i < len(order); i++ {
		if order[i-1] < 0 || order[i] < order[i-1] {
			t.Errorf("episodes out of order at %d: %v", i, order)
		}
	}
	if strings.Contains(notary, "调解室的灯") {
		t.Error("the 公证人 series lists a 平凡 video")
	}
	if rec := get(t, f.portal, "/videos/"+url.PathEscape("没有的系列")+"/"); rec.Code != http.StatusNotFound {
		t.Errorf("an unknown series: %d", rec.Code)
	}

	topicsIndex := ok("/topics/")
	wantIn(t, "/topics/", topicsIndex, `<a href="/topics/advanced-figures.html">`, "先进典型：司法行政系统先进人物和典型事迹")
	topic := ok("/topics/advanced-figures.html")
	wantIn(t, "the topic", topic, "<h1>先进典型：司法行政系统先进人物和典型事迹</h1>", "<h2 id=\"topic-s0\">人物风采</h2>",
		"《公证人》系列影片", "《平凡》微视频", "典型事迹报道", "齐志宏", `<p class="topic-intro">他们是公证员`, `og:image" content="`+base+"/media/")

	// A profile's page shows its figure card; a video's its player.
	profile := ok(herald.ArticlePath(profiles[0].ID))
	fig := profiles[0].Figure
	wantIn(t, "the profile", profile, `<section class="figure-card" aria-label="`+fig.Name+`">`, `alt="`+fig.Name+`的照片"`, fig.Unit)
	video := videos[0]
	page := ok(herald.ArticlePath(video.ID))
	vf, err := f.store.FindVideoFileByID(context.Background(), video.Video.FileID)
	if err != nil {
		t.Fatal(err)
	}
	wantIn(t, "the video", page, `<video controls preload="metadata" playsinline poster="`+video.Video.Poster+`" aria-label="`+video.Title+`">`,
		`<source src="`+vf.URL()+`" type="video/mp4">`, "时长 0:03")
	phone := ok("/m" + herald.ArticlePath(video.ID))
	wantIn(t, "the phone page of the video", phone, `<source src="`+vf.URL()+`"`)
}

// TestTopicFollowsWorkflow shows that a topic page lists only published
// articles and disappears when the topic is withdrawn.
func TestTopicFollowsWorkflow(t *testing.T) {
	f := newWorksFixture(t)
	ctx := context.Background()
	chief, _, _ := f.store.FindStaff(ctx, herald.StaffFilter{Username: "wangyalan"})
	wf := workflow.NewService(f.store, func() time.Time { return *f.clock })
	films := f.works(t, herald.KindVideo)
	*f.clock = f.clock.Add(time.Minute)
	if _, err := wf.Do(ctx, chief[0], films[0].ID, workflow.ActRetract, workflow.Request{Comment: "撤稿测试"}); err != nil {
		t.Fatal(err)
	}
	f.portal.Invalidate()
	if body := get(t, f.portal, "/topics/advanced-figures.html").Body.String(); strings.Contains(body, films[0].Title) {
		t.Error("the topic lists a retracted video")
	}
	if body := get(t, f.portal, "/videos/").Body.String(); strings.Contains(body, films[0].Title) {
		t.Error("the library lists a retracted video")
	}
	topic, err := f.store.FindTopicBySlug(ctx, "advanced-figures")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := topics.New(f.store, func() time.Time { return *f.clock }).Update(ctx, chief[0], topic.ID, 0, topics.Unpublish()); err != nil {
		t.Fatal(err)
	}
	f.portal.Invalidate()
	if rec := get(t, f.portal, "/topics/advanced-figures.html"); rec.Code != http.StatusNotFound {
		t.Errorf("a withdrawn topic: %d", rec.Code)
	}
	if body := get(t, f.portal, "/topics/").Body.String(); strings.Contains(body, "advanced-figures") {
		t.Error("the index lists a withdrawn topic")
	}
}

// TestVideoRanges proves the films are streamed with HTTP ranges, as
// players ask for them.
func TestVideoRanges(t *testing.T) {
	f := newWorksFixture(t)
	ctx := context.Background()
	v := f.works(t, herald.KindVideo)[0]
	vf, err := f.store.FindVideoFileByID(ctx, v.Video.FileID)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := os.ReadFile(filepath.Join("..", "demo", "data", "videos", vf.Filename))
	if err != nil || int64(len(whole)) != vf.Size {
		t.Fatalf("the film is not the demo's clip %q: %v", vf.Filename, err)
	}
	path := vf.URL()
	full := get(t, f.portal, path)
	etag := full.Header().Get("Etag")
	if full.Code != http.StatusOK || !bytes.Equal(full.Body.Bytes(), whole) || full.Header().Get("Accept-Ranges") != "bytes" ||
		full.Header().Get("Content-Type") != "video/mp4" || etag == "" || !strings.Contains(full.Header().Get("Cache-Control"), "max-age=31536000") {
		t.Fatalf("whole film: %d %v", full.Code, full.Header())
	}
	n := len(whole)
	for _, tc := range []struct {
		name, rng string
		from, to  int // inclusive
	}{
		{"the first bytes", "bytes=0-99", 0, 99},
		{"a middle range", "bytes=1000-1999", 1000, 1999},
		{"a suffix", "bytes=-500", n - 500, n - 1},
		{"an open end", fmt.Sprintf("bytes=%d-", n-10), n - 10, n - 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, f.portal, path, "Range", tc.rng)
			want := fmt.Sprintf("bytes %d-%d/%d", tc.from, tc.to, n)
			if rec.Code != http.StatusPartialContent || rec.Header().Get("Content-Range") != want || !bytes.Equal(rec.Body.Bytes(), whole[tc.from:tc.to+1]) {
				t.Errorf("%s: %d %q (%d bytes), want 206 %q", tc.rng, rec.Code, rec.Header().Get("Content-Range"), rec.Body.Len(), want)
			}
		})
	}
	if rec := get(t, f.portal, path, "Range", fmt.Sprintf("bytes=%d-", n+100)); rec.Code != http.StatusRequestedRangeNotSatisfiable ||
		rec.Header().Get("Content-Range") != fmt.Sprintf("bytes */%d", n) {
		t.Errorf("a range past the end: %d %v", rec.Code, rec.Header())
	}
	// If-Range: the same film resumes; a changed one (another ETag) comes whole.
	if rec := get(t, f.portal, path, "Range", "bytes=0-9", "If-Range", etag); rec.Code != http.StatusPartialContent || rec.Body.Len() != 10 {
		t.Errorf("If-Range with the film's ETag: %d, %d bytes", rec.Code, rec.Body.Len())
	}
	if rec := get(t, f.portal, path, "Range", "bytes=0-9", "If-Range", `"stale"`); rec.Code != http.StatusOK || rec.Body.Len() != n {
		t.Errorf("If-Range with another ETag: %d, %d bytes", rec.Code, rec.Body.Len())
	}
	if rec := get(t, f.portal, path, "If-None-Match", etag); rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", rec.Code)
	}
	bad := regexp.MustCompile(`-[0-9a-f]{16}\.`).ReplaceAllString(path, "-0000000000000000.")
	for _, p := range []string{bad, strings.TrimSuffix(path, ".mp4") + ".webm", herald.VideoFilePrefix + "99999-0123456789abcdef.mp4", herald.VideoFilePrefix + "x.mp4"} {
		if rec := get(t, f.portal, p); rec.Code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, rec.Code)
		}
	}
}

// TestWorksExported proves the works' pages and films are in the static
// export, and that the incremental export of a topic's or a video's change
// equals a full export.
func TestWorksExported(t *testing.T) {
	f := newWorksFixture(t)
	ctx := context.Background()
	live := t.TempDir()
	if _, err := f.portal.Export(ctx, live, nil); err != nil {
		t.Fatal(err)
	}
	video := f.works(t, herald.KindVideo)[0]
	vf, _ := f.store.FindVideoFileByID(ctx, video.Video.FileID)
	for _, file := range []string{"figures/index.html", "videos/index.html", "videos/公证人/index.html", "videos/平凡/index.html", "topics/index.html",
		"topics/advanced-figures.html", strings.TrimPrefix(vf.URL(), "/"), strings.TrimPrefix(video.Video.Poster, "/")} {
		if _, err := os.Stat(filepath.Join(live, filepath.FromSlash(file))); err != nil {
			t.Errorf("the export lacks %s", file)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(live, "sitemaps", "site.xml")); !strings.Contains(string(b), base+"/topics/advanced-figures.html") {
		t.Error("the site sitemap lacks the topic")
	}
	chief, _, _ := f.store.FindStaff(ctx, herald.StaffFilter{Username: "wangyalan"})
	wf := workflow.NewService(f.store, func() time.Time { return *f.clock })
	svc := topics.New(f.store, func() time.Time { return *f.clock })
	topic, _ := f.store.FindTopicBySlug(ctx, "advanced-figures")
	profiles := f.works(t, herald.KindProfile)
	steps := []struct {
		name   string
		do     func() error
		export func() (portal.ExportStats, error)
	}{
		{"retract a video", func() error {
			_, err := wf.Do(ctx, chief[0], video.ID, workflow.ActRetract, workflow.Request{Comment: "撤稿测试"})
			return err
		}, func() (portal.ExportStats, error) { return f.portal.ExportArticles(ctx, live, []int64{video.ID}) }},
		{"retract a profile", func() error {
			_, err := wf.Do(ctx, chief[0], profiles[0].ID, workflow.ActRetract, workflow.Request{Comment: "撤稿测试"})
			return err
		}, func() (portal.ExportStats, error) { return f.portal.ExportArticles(ctx, live, []int64{profiles[0].ID}) }},
		{"remove an item of the topic", func() error {
			_, err := svc.Update(ctx, chief[0], topic.ID, 0, topics.RemoveItem(profiles[1].ID))
			return err
		}, func() (portal.ExportStats, error) { return f.portal.ExportTopics(ctx, live, []int64{topic.ID}) }},
		{"withdraw the topic", func() error {
			_, err := svc.Update(ctx, chief[0], topic.ID, 0, topics.Unpublish())
			return err
		}, func() (portal.ExportStats, error) { return f.portal.ExportTopics(ctx, live, []int64{topic.ID}) }},
	}
	for _, st := range steps {
		*f.clock = f.clock.Add(time.Minute)
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		f.portal.Invalidate()
		stats, err := st.export()
		if err != nil {
			t.Fatal(err)
		}
		full := t.TempDir()
		if _, err := f.portal.Export(ctx, full, nil); err != nil {
			t.Fatal(err)
		}
		// A film no page shows any more stays in the incremental export
		// until the next full one, as images do.
		liveTree := readTree(t, live)
		for k := range liveTree {
			if strings.HasPrefix(k, filepath.FromSlash("media/")) {
				delete(liveTree, k)
			}
		}
		fullTree := readTree(t, full)
		for k := range fullTree {
			if strings.HasPrefix(k, filepath.FromSlash("media/")) {
				delete(fullTree, k)
			}
		}
		if diffs := diffTrees(liveTree, fullTree); len(diffs) > 0 {
			t.Fatalf("after %s, the incremental export differs from a full one (%d pages re-rendered):\n%s", st.name, stats.Pages, strings.Join(diffs[:min(len(diffs), 20)], "\n"))
		}
	}
	if _, err := os.Stat(filepath.Join(live, "topics", "advanced-figures.html")); !os.IsNotExist(err) {
		t.Error("the withdrawn topic's page is still in the static site")
	}
}
