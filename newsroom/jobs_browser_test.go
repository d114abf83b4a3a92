package newsroom_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/internal/browsertest"
	"github.com/heraldnews/herald/media"
	"github.com/heraldnews/herald/workflow"
)

// coverArticle creates a draft by an editor of the publicity center with an
// uploaded cover, a body from a published demo article and a photo in it.
func coverArticle(t *testing.T, d *newsroomDay) *herald.Article {
	t.Helper()
	ctx := context.Background()
	staff, _, err := d.store.FindStaff(ctx, herald.StaffFilter{Username: "zhanghua"})
	if err != nil || len(staff) == 0 {
		t.Fatalf("zhanghua: %v", err)
	}
	img, err := media.Process(bytes.NewReader(testPNG(1200, 800)), "image/png", "file", media.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	m := &herald.Media{SHA256: img.SHA256, Format: img.Format, Width: img.Width, Height: img.Height, Filename: "现场.png",
		UploadedBy: staff[0].ID, Renditions: img.Renditions}
	if err := d.store.CreateMedia(ctx, m, herald.Event{At: d.clock(), ActorID: staff[0].ID}); err != nil {
		t.Fatal(err)
	}
	model, _, err := d.store.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusPublished}, Language: "zh-CN", Limit: 1})
	if err != nil || len(model) == 0 {
		t.Fatalf("a published Chinese demo article: %v", err)
	}
	c := model[0].ArticleContent.Clone()
	c.Title = "西湾子镇举办法律明白人骨干培训班"
	c.Subtitle = "全镇 32 个村的法律明白人参加"
	c.CoverImage = m.URL("large")
	if c.CoverImage == "" { // smaller than the large size: the original is the page's image
		c.CoverImage = m.URL("original")
	}
	c.Body = `<h2>培训内容</h2><p>培训围绕<a href="https://www.moj.gov.cn/">人民调解法</a>和矛盾纠纷排查展开。</p>` +
		`<figure><img src="` + c.CoverImage + `" alt="培训现场"><figcaption>培训现场</figcaption></figure>` + c.Body
	a, err := workflow.NewService(d.store, d.clock).Create(ctx, staff[0], workflow.Draft{ArticleContent: c})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// grantClipboard lets the pages of the tab's browser context at origin
// write to the clipboard and read it back, without asking, and keeps the
// page focused as the Clipboard API requires.
func grantClipboard(t *testing.T, ctx context.Context, origin string) {
	t.Helper()
	c := chromedp.FromContext(ctx)
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		if _, err := cdp.Call(ctx, c.Browser, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
			Permission: &cdpbrowser.PermissionDescriptor{Name: name}, Setting: cdpbrowser.PermissionSettingGranted,
			Origin: origin, BrowserContextID: c.BrowserContextID}); err != nil {
			t.Fatalf("grant %s: %v", name, err)
		}
	}
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
		return err
	}))
	if err != nil {
		t.Fatalf("emulate focus: %v", err)
	}
}

// readClipboard is the clipboard's text/html and text/plain.
const readClipboard = `(async () => {
	const out = {html: '', text: ''};
	for (const item of await navigator.clipboard.read()) {
		if (item.types.includes('text/html')) out.html = await (await item.getType('text/html')).text();
		if (item.types.includes('text/plain')) out.text = await (await item.getType('text/plain')).text();
	}
	return out;
})()`

// clipboard is what readClipboard finds.
type clipboard struct {
	HTML string `json:"html"`
	Text string `json:"text"`
}

// click clicks an element that loads no page.
func (p *page) click(sel string) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		p.t.Fatalf("%s: click %s: %v", p.who, sel, err)
	}
}

// TestBrowserJobsAndWeChat opens the jobs page, an article's deliveries and
// the WeChat rendition page in headless Chromium on a phone (375 px) and a
// desktop (1280 px): axe-core finds no serious accessibility problem and no
// page scrolls sideways. An editor retries a failed job and sees it said;
// the WeChat page's copy button puts the rendition on the clipboard as HTML,
// and says so.
func TestBrowserJobsAndWeChat(t *testing.T) {
	chromium, axe := browsertest.Needs(t)
	d := newNewsroomDay(t)
	d.browser = browsertest.Start(t, chromium)
	q := fillStore(t, d.store, d.clock)
	cover := coverArticle(t, d)
	const editor = "zhanghua" // an editor (and correspondent) at the publicity center
	d.meet(t, editor)

	pages := []string{"/newsroom/jobs", "/newsroom/jobs?status=failed", articlePath(q.article.ID), articlePath(cover.ID) + "/wechat"}
	for _, width := range []int64{375, 1280} {
		for _, path := range pages {
			p := d.as(t, editor)
			browsertest.Viewport(t, p.ctx, width, 900)
			p.open(path)
			where := fmt.Sprintf("%s at %dpx", path, width)
			browsertest.Audit(t, p.ctx, axe, where)
			if over := browsertest.Eval[int](t, p.ctx, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); over > 0 {
				t.Errorf("%s scrolls sideways by %d px", where, over)
			}
		}
	}

	t.Run("RetryFromTheJobsPage", func(t *testing.T) {
		p := d.as(t, editor)
		browsertest.Viewport(t, p.ctx, 375, 812)
		p.open("/newsroom/")
		p.submit(`header nav a[href="/newsroom/jobs"]`) // 后台任务
		if n := browsertest.Eval[int](t, p.ctx, `document.querySelectorAll('ol.job-list > li').length`); n < 3 {
			t.Fatalf("the jobs page lists %d jobs", n)
		}
		if first := p.text("ol.job-list > li .badge"); first != "失败" {
			t.Errorf("the first job listed is %q, want a failed one", first)
		}
		// The long error is folded and unfolds.
		if open := browsertest.Eval[bool](t, p.ctx, `(() => { const d = document.querySelector('.last-error details'); d.querySelector('summary').click(); return d.open && d.querySelector('pre').innerText.includes('END-OF-ERROR'); })()`); !open {
			t.Error("the folded error does not unfold to its whole text")
		}
		p.submit(fmt.Sprintf(`form[action="/newsroom/jobs/%d/retry"] button`, q.failedJob.ID))
		if flash := p.text("main .flash"); flash != "任务已重新排队，稍后将再次执行。" {
			t.Errorf("after the retry the page says %q", flash)
		}
		if j, _ := d.store.FindJobByID(context.Background(), q.failedJob.ID); j.Status != herald.JobQueued {
			t.Errorf("after the retry the job is %s", j.Status)
		}
		browsertest.Audit(t, p.ctx, axe, "jobs page after a retry at 375px")
	})

	t.Run("CopyTheRendition", func(t *testing.T) {
		p := d.as(t, editor)
		browsertest.Viewport(t, p.ctx, 375, 812)
		grantClipboard(t, p.ctx, d.url)
		p.open(articlePath(cover.ID))
		p.submit(fmt.Sprintf(`main a[href="%s/wechat"]`, articlePath(cover.ID))) // 微信公众号版本
		p.waitFor(`(() => { const f = document.getElementById('wechat-frame'); const b = f.contentDocument && f.contentDocument.getElementById('rendition'); return !!b && b.children.length > 0; })()`,
			"the rendition in the preview")
		// The preview applies the rendition's inline styles: its paragraphs
		// are justified, as WeChat shows them.
		if align := browsertest.Eval[string](t, p.ctx, `getComputedStyle(Array.from(document.getElementById('wechat-frame').contentDocument.querySelectorAll('#rendition p')).find(p => p.textContent.startsWith('培训围绕'))).textAlign`); align != "justify" {
			t.Errorf("the preview's paragraphs are aligned %q: its inline styles are not applied", align)
		}
		p.waitFor(`(() => { const i = document.querySelector('img.wechat-cover'); return !!i && i.complete && i.naturalWidth > 0; })()`, "the cover")
		if size := browsertest.Eval[string](t, p.ctx, `(i => i.naturalWidth + '×' + i.naturalHeight)(document.querySelector('img.wechat-cover'))`); size != "900×383" {
			t.Errorf("the page shows a %s cover, want 900×383", size)
		}
		p.click("#wechat-copy")
		p.waitFor(`document.getElementById('wechat-copied').textContent !== ''`, "the copy confirmation")
		if msg := p.text("#wechat-copied"); msg != "已复制正文，可以粘贴到公众号编辑器了。" {
			t.Fatalf("the copy button says %q", msg)
		}
		want := browsertest.Eval[string](t, p.ctx, `document.getElementById('wechat-html').value`)
		got, err := chromedp.Run(p.ctx, chromedp.Evaluate[clipboard](readClipboard, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("read the clipboard: %v", err)
		}
		// Chromium wraps copied HTML in a <meta charset> and may re-serialize
		// it; the rendition's styled markup must be there.
		for _, s := range []string{`style="font-size:16px;line-height:1.75;color:#333;text-align:justify;`, "培训围绕人民调解法", "原文链接："} {
			if !strings.Contains(got.HTML, s) {
				t.Errorf("the clipboard's HTML lacks %q: %.300q", s, got.HTML)
			}
		}
		if !strings.Contains(want, "培训围绕人民调解法") || !strings.Contains(got.Text, "培训围绕人民调解法") || strings.Contains(got.Text, "<p") {
			t.Errorf("the clipboard's plain text is %.200q", got.Text)
		}
		// Where the Clipboard API refuses, the button copies the preview's
		// selection instead.
		if _, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](`navigator.clipboard.writeText('emptied').then(() => {
			navigator.clipboard.write = () => Promise.reject(new DOMException('refused', 'NotAllowedError'));
			document.getElementById('wechat-copied').textContent = '';
			return true;
		})`, chromedp.EvalAwaitPromise)); err != nil {
			t.Fatalf("refuse the Clipboard API: %v", err)
		}
		p.click("#wechat-copy")
		p.waitFor(`document.getElementById('wechat-copied').textContent !== ''`, "the fallback's copy confirmation")
		if msg := p.text("#wechat-copied"); msg != "已复制正文，可以粘贴到公众号编辑器了。" {
			t.Fatalf("the copy button's fallback says %q", msg)
		}
		got, err = chromedp.Run(p.ctx, chromedp.Evaluate[clipboard](readClipboard, chromedp.EvalAwaitPromise))
		if err != nil || !strings.Contains(got.HTML, "培训围绕人民调解法") || !strings.Contains(got.HTML, "text-align:justify") {
			t.Errorf("after the fallback the clipboard's HTML is %.300q (%v)", got.HTML, err)
		}
		p.click("#wechat-copy-summary")
		p.waitFor(`document.getElementById('wechat-summary-copied').textContent !== ''`, "the digest's copy confirmation")
		summary := browsertest.Eval[string](t, p.ctx, `document.getElementById('wechat-summary').value`)
		got, err = chromedp.Run(p.ctx, chromedp.Evaluate[clipboard](readClipboard, chromedp.EvalAwaitPromise))
		if err != nil || got.Text != summary || summary == "" {
			t.Errorf("after copying the digest the clipboard holds %q (%v), want %q", got.Text, err, summary)
		}
		browsertest.Audit(t, p.ctx, axe, "WeChat page after copying at 375px")
	})
}
