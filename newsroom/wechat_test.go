package newsroom_test

import (
	"bytes"
	"context"
	"html"
	"image"
	_ "image/jpeg" // the cover's format
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/search"
	"github.com/heraldnews/herald/wechat"
)

func TestWeChatRendition(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	published, _, err := f.store.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusPublished}, Language: "zh-CN", Limit: 1})
	if err != nil || len(published) == 0 {
		t.Fatalf("a published Chinese demo article: %v", err)
	}
	a := published[0]
	path := "/newsroom/articles/" + itoa(a.ID) + "/wechat"
	b := f.browser(t)
	b.login("zhoulixin") // a viewer may see published articles
	code, page := b.get(path)
	if code != http.StatusOK {
		t.Fatalf("WeChat page: %d", code)
	}
	summary := a.Summary
	if strings.TrimSpace(summary) == "" {
		summary = search.PlainText(a.Body)
	}
	summary = wechat.Summary(summary)
	if summary == "" || !strings.Contains(page, `<textarea id="wechat-summary" readonly rows="4" aria-describedby="wechat-summary-hint">`+html.EscapeString(summary)+`</textarea>`) {
		t.Errorf("the page lacks the digest %q", summary)
	}
	// The rendition, as code to copy: the body's text with WeChat's inline
	// styles, and the closing lines that name the original.
	articleURL := f.url + "/articles/" + itoa(a.ID) + ".html"
	code1 := page[strings.Index(page, `<textarea id="wechat-html"`):]
	code1 = html.UnescapeString(code1[strings.Index(code1, ">")+1 : strings.Index(code1, "</textarea>")])
	firstWords := []rune(strings.TrimSpace(search.PlainText(a.Body)))[:12]
	for _, want := range []string{`<p style="font-size:16px;line-height:1.75;color:#333;text-align:justify;`, string(firstWords), "原文链接：" + articleURL} {
		if !strings.Contains(code1, want) {
			t.Errorf("the rendition lacks %q", want)
		}
	}
	for _, want := range []string{`<iframe id="wechat-frame" src="` + path + `/preview.html"`, `<button type="button" id="wechat-copy" hidden>复制正文</button>`,
		`<script src="/static/wechat.`, `"copied":"已复制正文`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	// The preview frame holds the same rendition, with a policy that lets
	// its inline styles apply and nothing run.
	res, err := b.c.Get(f.url + path + "/preview.html")
	if err != nil {
		t.Fatal(err)
	}
	frame, _ := io.ReadAll(res.Body)
	res.Body.Close()
	csp := res.Header.Get("Content-Security-Policy")
	if res.StatusCode != http.StatusOK || !strings.Contains(csp, "style-src 'unsafe-inline'") || strings.Contains(csp, "script-src") ||
		!strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'self'") {
		t.Fatalf("preview: %d, policy %q", res.StatusCode, csp)
	}
	if !strings.Contains(string(frame), `<div id="rendition">`+code1+`</div>`) {
		t.Error("the preview does not hold the rendition the page offers to copy")
	}
	if !strings.Contains(string(frame), `<h1 class="post-title">`+html.EscapeString(a.Title)+`</h1>`) {
		t.Error("the preview does not show the title above the rendition")
	}
}

func TestWeChatCover(t *testing.T) {
	f := newFixture(t)
	b := f.browser(t)
	b.login("baiyonggang")
	_, page := b.get("/newsroom/articles/new")
	csrf := b.csrf(page)
	code, v := b.upload(csrf, "现场.png", "image/png", testPNG(1200, 800))
	if code != http.StatusCreated {
		t.Fatalf("upload: %d %v", code, v)
	}
	cols, _ := f.store.FindColumns(context.Background())
	create := func(cover string) string {
		t.Helper()
		code, loc, body := b.post("/newsroom/articles", url.Values{"csrf": {csrf}, "title": {"西湾子镇开展法律明白人培训"},
			"column_id": {itoa(cols[0].ID)}, "body": {"<p>全镇 32 个村的法律明白人参加培训。</p>"}, "cover_image": {cover}})
		if code != http.StatusSeeOther {
			t.Fatalf("create with cover %s: %d %.300s", cover, code, body)
		}
		return strings.TrimSuffix(loc, "?done=1") + "/wechat"
	}

	own := create(v["url"].(string))
	_, page = b.get(own)
	if !strings.Contains(page, `<img class="wechat-cover" src="`+own+`/cover.jpg" width="900" height="383"`) {
		t.Fatal("the WeChat page does not show the cropped cover")
	}
	res, err := b.c.Get(f.url + own + "/cover.jpg")
	if err != nil {
		t.Fatal(err)
	}
	jpg, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("cover: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	img, format, err := image.Decode(bytes.NewReader(jpg))
	if err != nil || format != "jpeg" || img.Bounds() != image.Rect(0, 0, 900, 383) {
		t.Fatalf("cover is %s %v: %v", format, img.Bounds(), err)
	}

	// The draft stays hidden from people outside the writer's scope.
	outsider := f.browser(t)
	outsider.login("fanglei") // a correspondent in Qinhuangdao
	for _, p := range []string{"", "/preview.html", "/cover.jpg"} {
		if code, _ := outsider.get(own + p); code != http.StatusNotFound {
			t.Errorf("an out-of-scope draft's WeChat page%s: %d", p, code)
		}
	}

	// The same image by its absolute address on this site is one of ours too.
	abs := create(f.url + v["url"].(string))
	if res, err := b.c.Get(f.url + abs + "/cover.jpg"); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("cover by absolute address: %v %v", res.StatusCode, err)
	}

	// A cover elsewhere is never fetched: the page says so.
	elsewhere := create("https://images.example.org/photo.jpg")
	_, page = b.get(elsewhere)
	if strings.Contains(page, `class="wechat-cover"`) || !strings.Contains(page, "封面图来自其他网站") {
		t.Error("the page of an article with an outside cover does not say it cannot be cropped")
	}
	if code, body := b.get(elsewhere + "/cover.jpg"); code != http.StatusNotFound || !strings.Contains(body, "不是平台上传的图片") {
		t.Errorf("cover of an outside image: %d", code)
	}
	// A media address with the wrong key is not an upload.
	forged := strings.Replace(v["url"].(string), "-", "-0", 1)
	if code, _ := b.get(create(forged) + "/cover.jpg"); code != http.StatusNotFound {
		t.Errorf("cover with a forged media address: %d", code)
	}
}
