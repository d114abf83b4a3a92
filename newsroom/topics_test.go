package newsroom_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"html"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/media"
)

var topicLocation = regexp.MustCompile(`^/newsroom/topics/([0-9]+)\?done=topic_created$`)

func TestTopicCuration(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	writer := f.browser(t)
	writer.login("gaofeng")
	if code, _ := writer.get("/newsroom/topics"); code != http.StatusForbidden {
		t.Errorf("a correspondent opened the topics: %d", code)
	}
	if _, page := writer.get("/newsroom/"); strings.Contains(page, `href="/newsroom/topics"`) {
		t.Error("the navigation offers topics to a correspondent")
	}
	ed := f.browser(t)
	ed.login("liuxiaomin")
	code, page := ed.get("/newsroom/topics")
	if code != http.StatusOK || !strings.Contains(page, "先进典型：司法行政系统先进人物和典型事迹") || !strings.Contains(page, `href="/newsroom/topics"`) {
		t.Fatalf("topics page: %d\n%.2000s", code, page)
	}
	csrf := ed.csrf(page)
	// A refused creation keeps the form and names the field.
	code, _, page = ed.post("/newsroom/topics", url.Values{"csrf": {csrf}, "title": {"法律援助惠民生"}, "slug": {"法律援助"}})
	if code != http.StatusBadRequest || !strings.Contains(page, `id="slug-error"`) || !strings.Contains(page, `value="法律援助惠民生"`) {
		t.Fatalf("bad slug: %d\n%.3000s", code, page)
	}
	if code, _, _ := ed.post("/newsroom/topics", url.Values{"title": {"无令牌"}, "slug": {"no-token"}}); code != http.StatusForbidden {
		t.Errorf("a form without its CSRF token: %d", code)
	}
	code, loc, page := ed.post("/newsroom/topics", url.Values{"csrf": {csrf}, "title": {"法律援助惠民生"}, "slug": {"legal-aid"},
		"intro": {"法律援助让困难群众打得起官司。"}, "section": {"援助故事"}})
	m := topicLocation.FindStringSubmatch(loc)
	if code != http.StatusSeeOther || m == nil {
		t.Fatalf("create: %d %q\n%.2000s", code, loc, page)
	}
	path := "/newsroom/topics/" + m[1]
	topic, err := f.store.FindTopicBySlug(ctx, "legal-aid")
	if err != nil || topic.Status != herald.TopicDraft || len(topic.Sections) != 1 {
		t.Fatalf("created %+v %v", topic, err)
	}
	published, _, _ := f.store.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusPublished}, Order: herald.ByPublished, Limit: 3})
	do := func(b *browser, action string, form url.Values) (int, string, string) {
		t.Helper()
		_, page := b.get(path)
		cur, _ := f.store.FindTopicByID(ctx, topic.ID)
		form.Set("csrf", b.csrf(page))
		if form.Get("version") == "" {
			form.Set("version", itoa(int64(cur.Version)))
		}
		return b.post(path+"/"+action, form)
	}
	steps := []struct {
		name   string
		b      *browser
		action string
		form   url.Values
		code   int
		want   []int64 // the section's articles afterwards
	}{
		{"add by choice", ed, "add_item", url.Values{"section": {"0"}, "article_id": {itoa(published[0].ID)}}, http.StatusSeeOther, []int64{published[0].ID}},
		{"add by address", ed, "add_item", url.Values{"section": {"0"}, "article_ref": {"https://news.example.gov.cn/articles/" + itoa(published[1].ID) + ".html"}},
			http.StatusSeeOther, []int64{published[0].ID, published[1].ID}},
		{"add a missing article", ed, "add_item", url.Values{"section": {"0"}, "article_ref": {"999999"}}, http.StatusBadRequest, []int64{published[0].ID, published[1].ID}},
		{"move up", ed, "move_up", url.Values{"article_id": {itoa(published[1].ID)}}, http.StatusSeeOther, []int64{published[1].ID, published[0].ID}},
		{"a stale version", ed, "move_down", url.Values{"article_id": {itoa(published[1].ID)}, "version": {"1"}}, http.StatusConflict, []int64{published[1].ID, published[0].ID}},
		{"an editor publishes", ed, "publish", url.Values{}, http.StatusForbidden, []int64{published[1].ID, published[0].ID}},
		{"remove", ed, "remove_item", url.Values{"article_id": {itoa(published[0].ID)}}, http.StatusSeeOther, []int64{published[1].ID}},
		{"an unknown action", ed, "explode", url.Values{}, http.StatusNotFound, []int64{published[1].ID}},
	}
	for _, st := range steps {
		code, loc, page := do(st.b, st.action, st.form)
		if code != st.code {
			t.Fatalf("%s: %d %s, want %d\n%.3000s", st.name, code, loc, st.code, page)
		}
		if code == http.StatusSeeOther && !strings.HasPrefix(loc, path+"?done=topic_") {
			t.Errorf("%s: redirected to %s", st.name, loc)
		}
		if code == http.StatusConflict && !strings.Contains(page, "专题已被他人修改") {
			t.Errorf("%s: the page does not say why\n%.3000s", st.name, page)
		}
		cur, _ := f.store.FindTopicByID(ctx, topic.ID)
		if got := cur.Sections[0].ArticleIDs; !equalIDs(got, st.want) {
			t.Errorf("%s: section %v, want %v", st.name, got, st.want)
		}
	}
	_, page = ed.get(path)
	if strings.Contains(page, `/publish"`) || !strings.Contains(page, "发布和撤下专题由总编辑操作") {
		t.Error("the page offers an editor the publish button")
	}
	chief := f.browser(t)
	chief.login("wangyalan")
	if code, loc, page := do(chief, "publish", url.Values{}); code != http.StatusSeeOther || loc != path+"?done=topic_publish" {
		t.Fatalf("the chief publishes: %d %s\n%.2000s", code, loc, page)
	}
	_, page = chief.get(path + "?done=topic_publish")
	if !strings.Contains(page, "专题已发布。") || !strings.Contains(page, `href="/topics/legal-aid.html"`) || !strings.Contains(page, `/unpublish"`) {
		t.Errorf("after publishing:\n%.3000s", page)
	}
	// Once published, the address stays; the title may change.
	_, page = ed.get(path)
	cur, _ := f.store.FindTopicByID(ctx, topic.ID)
	code, _, page = ed.post(path, url.Values{"csrf": {ed.csrf(page)}, "version": {itoa(int64(cur.Version))}, "slug": {"legal-aid-2"}, "title": {"法律援助"}})
	if code != http.StatusBadRequest || !strings.Contains(html.UnescapeString(page), "专题发布后网址名不能再改") {
		t.Errorf("a published topic's slug: %d\n%.3000s", code, page)
	}
	evs, _ := f.store.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityTopic, EntityID: topic.ID})
	var actions []string
	for _, e := range evs {
		actions = append(actions, e.Action)
	}
	if got := strings.Join(actions, " "); got != "create add_item add_item move_item remove_item publish" {
		t.Errorf("audit: %s", got)
	}
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// postVideo posts the editor's film form: its fields in order (the CSRF
// token first, as the page's form sends them), then the film.
func (b *browser) postVideo(path string, fields [][2]string, filename, contentType string, data []byte) (int, string, string) {
	b.t.Helper()
	var files []filePart
	if data != nil {
		files = append(files, filePart{"video", filename, contentType, data})
	}
	return b.postFiles(path, fields, files...)
}

// filePart is a file of a multipart post: its form field, name, type and
// bytes.
type filePart struct {
	field, filename, contentType string
	data                         []byte
}

// postFiles posts a multipart form of fields, then files, in order.
func (b *browser) postFiles(path string, fields [][2]string, files ...filePart) (int, string, string) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, kv := range fields {
		mw.WriteField(kv[0], kv[1])
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="`+f.field+`"; filename="`+f.filename+`"`)
		h.Set("Content-Type", f.contentType)
		part, _ := mw.CreatePart(h)
		part.Write(f.data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", b.f.url+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	return res.StatusCode, res.Header.Get("Location"), readAll(res.Body)
}

func TestVideoUploadAndWorksFields(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.srv.VideoFiles = media.Dir(t.TempDir())
	ed := f.browser(t)
	ed.login("liuxiaomin")
	// A new profile needs its figure; with it, it is saved.
	_, page := ed.get("/newsroom/articles/new")
	if !strings.Contains(page, `<select id="kind" name="kind"`) || !strings.Contains(page, `<option value="profile">人物风采</option>`) {
		t.Fatalf("the editor offers no kinds:\n%.3000s", page)
	}
	cols, _ := f.store.FindColumns(ctx)
	form := url.Values{"csrf": {ed.csrf(page)}, "title": {"调解员周大姐"}, "body": {"<p>她调解了一千多件纠纷。</p>"}, "column_id": {itoa(cols[0].ID)}, "kind": {"profile"}}
	code, _, page := ed.post("/newsroom/articles", form)
	if code != http.StatusBadRequest || !strings.Contains(page, "figure.name") || !strings.Contains(page, `id="figure_name"`) {
		t.Fatalf("a profile without a figure: %d\n%.3000s", code, page)
	}
	form.Set("figure_name", "周大姐")
	form.Set("figure_position", "人民调解员")
	form.Set("figure_unit", "正定县正定镇人民调解委员会")
	form.Set("figure_portrait", "")
	if code, loc, page := ed.post("/newsroom/articles", form); code != http.StatusSeeOther {
		t.Fatalf("a profile: %d %s\n%.3000s", code, loc, page)
	}
	profiles, _, _ := f.store.FindArticles(ctx, herald.ArticleFilter{Kind: herald.KindProfile, Order: herald.ByIDDesc, Limit: 1})
	if len(profiles) != 1 || profiles[0].Figure == nil || profiles[0].Figure.Name != "周大姐" || profiles[0].Figure.Unit != "正定县正定镇人民调解委员会" {
		t.Fatalf("saved profile: %+v", profiles)
	}

	// A published video piece gets a new film: a correction through the workflow.
	videos, _, _ := f.store.FindArticles(ctx, herald.ArticleFilter{Kind: herald.KindVideo, Statuses: []herald.Status{herald.StatusPublished}, Order: herald.ByPublished, Limit: 1})
	v := videos[0]
	edit := "/newsroom/articles/" + itoa(v.ID) + "/edit"
	_, page = ed.get(edit)
	if !strings.Contains(page, `action="/newsroom/articles/`+itoa(v.ID)+`/video"`) || !strings.Contains(page, `enctype="multipart/form-data"`) {
		t.Fatalf("the editor offers no film upload:\n%.4000s", page)
	}
	csrf := ed.csrf(page)
	fields := func(token string) [][2]string {
		return [][2]string{{"csrf", token}, {"version", itoa(int64(v.Version))}, {"note", "更换为高清版本"}, {"series", "公证人"}}
	}
	upload := "/newsroom/articles/" + itoa(v.ID) + "/video"
	webm, err := os.ReadFile(filepath.Join("..", "media", "testdata", "clip.webm"))
	if err != nil {
		t.Fatal(err)
	}
	if code, _, _ := ed.postVideo(upload, fields("forged"), "clip.webm", "video/webm", webm); code != http.StatusForbidden {
		t.Errorf("a forged token: %d", code)
	}
	code, _, page = ed.postVideo(upload, fields(csrf), "说明.mp4", "video/mp4", []byte("这是一份改了扩展名的文本文件。\n"))
	if code != http.StatusBadRequest || !strings.Contains(html.UnescapeString(page), "video: is not a video") {
		t.Errorf("a renamed text file: %d\n%.3000s", code, page)
	}
	// A poster that is not an image is refused under its own field.
	code, _, page = ed.postFiles(upload, fields(csrf), filePart{"poster", "封面.png", "image/png", []byte("这不是图片。\n")},
		filePart{"video", "clip.webm", "video/webm", webm})
	if code != http.StatusBadRequest || !strings.Contains(html.UnescapeString(page), "poster: is not a supported image") {
		t.Errorf("a poster that is not an image: %d\n%.3000s", code, page)
	}
	// A stale form is refused before its film is stored.
	stale := fields(csrf)
	stale[1][1] = itoa(int64(v.Version + 1))
	if code, _, page := ed.postVideo(upload, stale, "clip.webm", "video/webm", webm); code != http.StatusConflict {
		t.Errorf("a stale form: %d\n%.3000s", code, page)
	}
	sum := sha256.Sum256(webm)
	if _, err := f.store.FindVideoFileBySHA256(ctx, hex.EncodeToString(sum[:])); herald.ErrorCode(err) != herald.ENOTFOUND {
		t.Errorf("a refused upload stored its film: %v", err)
	}
	f.srv.VideoMaxBytes = 1024
	if code, _, _ := ed.postVideo(upload, fields(csrf), "clip.webm", "video/webm", webm); code != http.StatusRequestEntityTooLarge {
		t.Errorf("a film over the limit: %d", code)
	}
	f.srv.VideoMaxBytes = 0
	if cur, _ := f.store.FindArticleByID(ctx, v.ID); cur.Version != v.Version {
		t.Fatal("a refused upload changed the piece")
	}
	code, loc, page := ed.postVideo(upload, fields(csrf), "clip.webm", "video/webm", webm)
	if code != http.StatusSeeOther || loc != edit+"?done=video_uploaded" {
		t.Fatalf("upload: %d %s\n%.3000s", code, loc, page)
	}
	cur, _ := f.store.FindArticleByID(ctx, v.ID)
	vf, err := f.store.FindVideoFileByID(ctx, cur.Video.FileID)
	if err != nil || vf.ContentType != "video/webm" || vf.Size != int64(len(webm)) || cur.Video.Poster != v.Video.Poster ||
		cur.CorrectionNote != "更换为高清版本" || cur.Status != herald.StatusPublished {
		t.Fatalf("after the upload: %+v %+v %v", cur, vf, err)
	}
	if file, err := f.srv.VideoFiles.Open(ctx, vf.Key()); err != nil || file.Size() != int64(len(webm)) {
		t.Fatalf("the film is not in the store: %v", err)
	} else {
		file.Close()
	}
	_, page = ed.get(loc)
	if !strings.Contains(page, "视频已上传，稿件已保存。") || !strings.Contains(page, "已上传视频：clip.webm") {
		t.Errorf("the editor after the upload:\n%.3000s", page)
	}
}
