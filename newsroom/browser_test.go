package newsroom_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/auth"
	"github.com/heraldnews/herald/checklist"
	"github.com/heraldnews/herald/demo"
	"github.com/heraldnews/herald/internal/browsertest"
	"github.com/heraldnews/herald/internal/demotest"
	"github.com/heraldnews/herald/newsroom"
	"github.com/heraldnews/herald/portal"
	"github.com/heraldnews/herald/workflow"
)

// The browser test drives a day of the newsroom in headless Chromium, each
// person in a browser context of their own: a correspondent writes a piece for
// a column with three review levels and submits it; an editor sends it back;
// the correspondent revises and resubmits it; two editors and the
// editor-in-chief approve it; the editor-in-chief schedules it; the scheduler
// publishes it when its time has come and the portal shows it. Then axe-core
// audits the newsroom's pages. It needs chromium and axe-core (see package
// browsertest): without them it skips, except under CI=true, where it fails.

// newsroomDay is the newsroom and the portal in one server, on a test clock.
type newsroomDay struct {
	store    herald.Store
	url      string
	mu       sync.Mutex
	now      time.Time
	browser  context.Context            // headless Chromium
	people   map[string]context.Context // each person's browser context
	signedIn map[string]bool
}

// clock is the test clock; handlers read it concurrently.
func (d *newsroomDay) clock() time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.now
}

func (d *newsroomDay) advance(by time.Duration) {
	d.mu.Lock()
	d.now = d.now.Add(by)
	d.mu.Unlock()
}

// newNewsroomDay serves the demo without its year of history.
func newNewsroomDay(t *testing.T) *newsroomDay { return newNewsroomDayOf(t, false) }

// newNewsroomDayWithHistory serves the demo with its year of history.
func newNewsroomDayWithHistory(t *testing.T) *newsroomDay { return newNewsroomDayOf(t, true) }

func newNewsroomDayOf(t *testing.T, history bool) *newsroomDay {
	t.Helper()
	s := demotest.Store(t, demoNow, history)
	d := &newsroomDay{store: s, now: demoNow, people: map[string]context.Context{}, signedIn: map[string]bool{}}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	wf := workflow.NewService(s, d.clock)
	wf.Gate = checklist.Gate(s, nil)
	desk, err := newsroom.New(s, auth.NewService(s, d.clock), wf, log, false)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/newsroom/", desk.Handler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	p, err := portal.New(s, nil, d.clock, log, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/", p)
	d.url = srv.URL
	return d
}

// page is one tab of one person.
type page struct {
	t    *testing.T
	ctx  context.Context
	who  string
	base string
}

// meet gives each person a browser context of their own, so that their
// cookies do not mix; "" is a reader who does not sign in.
func (d *newsroomDay) meet(t *testing.T, usernames ...string) {
	t.Helper()
	for _, u := range usernames {
		d.people[u] = browsertest.Incognito(t, d.browser)
	}
}

// as opens a new tab for username at 1280×900, in their own browser context;
// the first time, they sign in through the login form.
func (d *newsroomDay) as(t *testing.T, username string) *page {
	t.Helper()
	pctx, ok := d.people[username]
	if !ok {
		t.Fatalf("%q has no browser context", username)
	}
	p := &page{t: t, ctx: browsertest.Tab(t, pctx), who: username, base: d.url}
	browsertest.Viewport(t, p.ctx, 1280, 900)
	if username != "" && !d.signedIn[username] {
		p.signIn(username)
		d.signedIn[username] = true
	}
	return p
}

func (p *page) signIn(username string) {
	p.t.Helper()
	p.open("/newsroom/")
	if loc := p.location(); !strings.HasPrefix(loc, "/newsroom/login") {
		p.t.Fatalf("%s: the desk without a session is %s, want the login page", username, loc)
	}
	p.typeIn("#username", username)
	p.typeIn("#password", demo.Password)
	p.submit("form.login button[type=submit]")
	if loc := p.location(); loc != "/newsroom/" {
		p.t.Fatalf("%s: after signing in at %s, want /newsroom/ (page says %q)", username, loc, p.alert())
	}
	if h := p.text("main h1"); !strings.HasPrefix(h, "您好，") {
		p.t.Fatalf("%s: desk heading %q, want a greeting", username, h)
	}
}

// open loads a path and fails on an error status.
func (p *page) open(path string) {
	p.t.Helper()
	resp, err := chromedp.Run(p.ctx, chromedp.NavigateResponse(p.base+path))
	if err != nil {
		p.t.Fatalf("%s: open %s: %v", p.who, path, err)
	}
	if resp != nil && resp.Status >= 400 {
		p.t.Fatalf("%s: open %s: HTTP %d: %q", p.who, path, resp.Status, p.alert())
	}
}

// submit clicks a button or link that loads another page, waits for it and
// fails on an error status, with the message the page shows.
func (p *page) submit(sel string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if errors.Is(err, context.DeadlineExceeded) {
		// Most likely the browser refused the form: say which field.
		invalid := browsertest.Eval[[]string](p.t, p.ctx, `Array.from(document.querySelectorAll(':invalid'))
			.filter(e => e.matches('input, textarea, select')).map(e => '#' + e.id + ': ' + e.validationMessage)`)
		p.t.Fatalf("%s: clicking %s loaded no page (invalid fields: %q)", p.who, sel, invalid)
	}
	if err != nil {
		p.t.Fatalf("%s: click %s: %v", p.who, sel, err)
	}
	if resp != nil && resp.Status >= 400 {
		p.t.Fatalf("%s: after clicking %s at %s: HTTP %d: %q", p.who, sel, p.location(), resp.Status, p.alert())
	}
}

func (p *page) typeIn(sel, text string) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.SendKeys(chromedp.CSS(sel), text)); err != nil {
		p.t.Fatalf("%s: type into %s: %v", p.who, sel, err)
	}
}

func (p *page) setValue(sel, value string) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.SetValue(chromedp.CSS(sel), value)); err != nil {
		p.t.Fatalf("%s: set %s: %v", p.who, sel, err)
	}
}

// clear empties a text field.
func (p *page) clear(sel string) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.Clear(chromedp.CSS(sel))); err != nil {
		p.t.Fatalf("%s: clear %s: %v", p.who, sel, err)
	}
	if v, err := chromedp.Run(p.ctx, chromedp.Value(chromedp.CSS(sel))); err != nil || v != "" {
		p.t.Fatalf("%s: %s holds %q after clearing it (%v)", p.who, sel, v, err)
	}
}

// text is the visible text of the first element sel matches, "" if none does.
func (p *page) text(sel string) string {
	p.t.Helper()
	return browsertest.Eval[string](p.t, p.ctx, `(document.querySelector(`+jsString(sel)+`) || {innerText: ''}).innerText.trim()`)
}

// alert is the message an error or refused form shows.
func (p *page) alert() string {
	p.t.Helper()
	return p.text("[role=alert]")
}

// location is the path and query of the page.
func (p *page) location() string {
	p.t.Helper()
	return browsertest.Eval[string](p.t, p.ctx, `location.pathname + location.search`)
}

// status is the article page's status line, e.g. "司法要闻 · 审核中 · 第 1 审".
func (p *page) status() string {
	p.t.Helper()
	return p.text("main .meta")
}

// deskSection is one section of the desk: its text and its article links.
type deskSection struct {
	Found bool              `json:"found"`
	Text  string            `json:"text"`
	Links map[string]string `json:"links"` // href → title
}

func (p *page) deskSection(heading string) deskSection {
	p.t.Helper()
	return browsertest.Eval[deskSection](p.t, p.ctx, `(() => {
		const h = Array.from(document.querySelectorAll('main section h2')).find(h => h.textContent.trim() === `+jsString(heading)+`);
		if (!h) return {found: false, text: '', links: {}};
		const s = h.closest('section'), links = {};
		s.querySelectorAll('a').forEach(a => { links[a.getAttribute('href')] = a.textContent.trim(); });
		return {found: true, text: s.innerText, links};
	})()`)
}

// findOnDesk opens the desk and checks that the section heading lists the
// article under title.
func (p *page) findOnDesk(heading string, id int64, title string) deskSection {
	p.t.Helper()
	p.open("/newsroom/")
	s := p.deskSection(heading)
	if !s.Found {
		p.t.Fatalf("%s: the desk has no section %q", p.who, heading)
	}
	if got := s.Links[articlePath(id)]; got != title {
		p.t.Fatalf("%s: desk section %q lists article %d as %q, want %q (section: %q)", p.who, heading, id, got, title, s.Text)
	}
	return s
}

// wordClipboard is what Word puts on the clipboard for a short document: a
// heading, a bulleted list as Word writes lists (paragraphs with mso-list
// styles and a bullet in a span), bold text in a styled span and a table.
const wordClipboard = `<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word">
<head><meta name=ProgId content=Word.Document><style><!-- p.MsoNormal {mso-style-parent:""; margin:0cm;} --></style></head>
<body lang=ZH-CN style='tab-interval:21.0pt'><!--StartFragment-->
<h2 style='mso-para-margin:0cm'><span lang=EN-US style='font-family:黑体'>培训内容<o:p></o:p></span></h2>
<p class=MsoListParagraph style='margin-left:18.0pt;text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span style='font-family:Symbol;mso-fareast-font-family:Symbol'><span style='mso-list:Ignore'>·<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;&nbsp; </span></span></span><![endif]><span style='font-family:宋体'>人民调解法<o:p></o:p></span></p>
<p class=MsoListParagraph style='margin-left:18.0pt;text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span style='font-family:Symbol;mso-fareast-font-family:Symbol'><span style='mso-list:Ignore'>·<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;&nbsp; </span></span></span><![endif]><span style='font-family:宋体'>矛盾纠纷排查<o:p></o:p></span></p>
<p class=MsoNormal><span style='font-family:宋体'>全镇 </span><span style='font-weight:bold;mso-bidi-font-weight:normal'>32</span><span style='font-family:宋体'> 个村的法律明白人参加了培训。<o:p></o:p></span></p>
<table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse;mso-yfti-tbllook:1184'>
<tr style='mso-yfti-irow:0'><td width=276 style='width:207.4pt;border:solid windowtext 1.0pt'><p class=MsoNormal><span style='font-family:宋体'>村数<o:p></o:p></span></p></td><td width=276><p class=MsoNormal><span lang=EN-US>32<o:p></o:p></span></p></td></tr>
<tr style='mso-yfti-irow:1'><td width=276><p class=MsoNormal><span style='font-family:宋体'>学员<o:p></o:p></span></p></td><td width=276><p class=MsoNormal><span lang=EN-US>96<o:p></o:p></span></p></td></tr>
</table>
<!--EndFragment--></body></html>`

// paste pastes html into the element sel matches, as a paste from another
// program arrives: a paste event carrying the clipboard's text/html.
func (p *page) paste(sel, html string) {
	p.t.Helper()
	browsertest.Eval[bool](p.t, p.ctx, `(() => {
		const el = document.querySelector(`+jsString(sel)+`);
		el.focus();
		const dt = new DataTransfer();
		dt.setData('text/html', `+jsString(html)+`);
		dt.setData('text/plain', 'plain text');
		el.dispatchEvent(new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true}));
		return true;
	})()`)
}

// waitFor waits until the JavaScript condition holds, for at most ten seconds.
func (p *page) waitFor(cond, what string) {
	p.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if browsertest.Eval[bool](p.t, p.ctx, cond) {
			return
		}
	}
	p.t.Fatalf("%s: waited 10 s for %s (page says %q)", p.who, what, p.text("[role=alert]"))
}

func articlePath(id int64) string { return "/newsroom/articles/" + strconv.FormatInt(id, 10) }

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

var savedArticle = regexp.MustCompile(`^/newsroom/articles/(\d+)\?done=1$`)

func TestBrowserNewsroomDay(t *testing.T) {
	chromium, axe := browsertest.Needs(t)
	d := newNewsroomDay(t)
	d.browser = browsertest.Start(t, chromium)

	const (
		correspondent = "baiyonggang" // 白永刚, at a township justice office
		editor1       = "guoting"     // 郭婷, editor at the publicity center
		editor2       = "liuxiaomin"  // 刘晓敏, another editor there
		chief         = "wangyalan"   // 王亚兰, editor-in-chief
		column        = "司法要闻"        // three review levels
		title         = "西湾子镇开展法律明白人培训"
		revised       = "西湾子镇举办法律明白人骨干培训班"
		comment       = "标题请写明培训班名称"
	)
	const summary = "崇礼区西湾子镇为全镇 32 个村的法律明白人举办培训。"
	d.meet(t, correspondent, editor1, editor2, chief, "")
	var id int64
	var publishAt time.Time

	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"CorrespondentWritesAndSubmits", func(t *testing.T) {
			p := d.as(t, correspondent)
			p.submit(`header nav a[href="/newsroom/articles/new"]`) // 写稿
			if loc := p.location(); loc != "/newsroom/articles/new" {
				t.Fatalf("写稿 leads to %s", loc)
			}
			p.typeIn("#title", title)
			opt := browsertest.Eval[*string](t, p.ctx, `(() => { const o = Array.from(document.querySelectorAll('#column_id option'))
				.find(o => o.textContent.trim() === `+jsString(column)+`); return o ? o.value : null; })()`)
			if opt == nil {
				t.Fatalf("the column list has no %s", column)
			}
			p.setValue("#column_id", *opt)
			p.typeIn("#summary", summary)
			p.typeIn("#source", "崇礼区司法局")
			// The body comes from Word: paste it into the editor as Word puts
			// it on the clipboard, then upload a photo.
			p.paste(".herald-area", wordClipboard)
			browsertest.AnswerDialogs(t, p.ctx, func(string) string { return "培训现场" }) // the photo's alt text
			photo := filepath.Join(t.TempDir(), "培训现场.png")
			if err := os.WriteFile(photo, testPNG(1200, 800), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := chromedp.Do(p.ctx, chromedp.SetUploadFiles(chromedp.CSS(`.herald-editor input[type=file]`), []string{photo})); err != nil {
				t.Fatalf("choose the photo: %v", err)
			}
			p.waitFor(`document.querySelector('.herald-area figure img[src^="/media/"]') !== null`, "the uploaded photo in the editor")
			p.submit(`form[action="/newsroom/articles"] button[type=submit]`) // 保存草稿
			m := savedArticle.FindStringSubmatch(p.location())
			if m == nil {
				t.Fatalf("after saving the draft the page is %s, want /newsroom/articles/{id}?done=1", p.location())
			}
			id, _ = strconv.ParseInt(m[1], 10, 64)
			t.Logf("article %d", id)
			if h := p.text("main h1"); h != title {
				t.Errorf("saved draft's title %q, want %q", h, title)
			}
			if n := browsertest.Eval[int](t, p.ctx, `document.querySelectorAll('main .body h2, main .body ul li, main .body strong, main .body table td').length`); n != 8 {
				t.Errorf("the saved body shows %d of its heading, 2 list items, bold text and 4 table cells, want 8", n)
			}
			if junk := browsertest.Eval[int](t, p.ctx, `document.querySelector('main .body').innerHTML.search(/mso-|o:p|MsoNormal|<span/)`); junk >= 0 {
				t.Errorf("Word's markup survived the paste: %q", browsertest.Eval[string](t, p.ctx, `document.querySelector('main .body').innerHTML`))
			}
			if alt := browsertest.Eval[string](t, p.ctx, `(document.querySelector('main .body img[src^="/media/"]') || {alt: 'no image'}).alt`); alt != "培训现场" {
				t.Errorf("the uploaded photo's alt text is %q", alt)
			}
			if p.text("ul.checklist li.fail.required") != "" {
				t.Fatalf("required checks fail: %q", p.text("ul.checklist"))
			}
			p.submit("button.act-submit") // 提交审核
			if st := p.status(); !strings.Contains(st, "审核中") || !strings.Contains(st, "第 1 审") {
				t.Fatalf("after submitting: status %q, want 审核中 · 第 1 审", st)
			}
		}},
		{"EditorRejects", func(t *testing.T) {
			p := d.as(t, editor1)
			p.findOnDesk("待我审核（第 1 审）", id, title)
			p.submit(fmt.Sprintf(`main a[href="%s"]`, articlePath(id)))
			p.typeIn("#comment-reject", comment)
			p.submit("button.act-reject") // 退回修改
			if st := p.status(); !strings.Contains(st, "已退回") {
				t.Fatalf("after rejecting: status %q, want 已退回", st)
			}
		}},
		{"CorrespondentRevisesAndResubmits", func(t *testing.T) {
			p := d.as(t, correspondent)
			s := p.findOnDesk("被退回的稿件", id, title)
			if !strings.Contains(s.Text, "退回意见："+comment) {
				t.Errorf("the rejected piece lacks the comment %q: %q", comment, s.Text)
			}
			p.submit(fmt.Sprintf(`main a[href="%s"]`, articlePath(id)))
			p.submit(fmt.Sprintf(`main a[href="%s/edit"]`, articlePath(id))) // 修改
			p.clear("#title")
			p.typeIn("#title", revised)
			p.submit(fmt.Sprintf(`form[action="%s/edit"] button[type=submit]`, articlePath(id))) // 保存
			if loc := p.location(); loc != articlePath(id)+"?done=1" {
				t.Fatalf("after saving the edit the page is %s", loc)
			}
			if h := p.text("main h1"); h != revised {
				t.Fatalf("edited title %q, want %q", h, revised)
			}
			p.submit("button.act-submit")
			if st := p.status(); !strings.Contains(st, "审核中") || !strings.Contains(st, "第 1 审") {
				t.Fatalf("after resubmitting: status %q, want 审核中 · 第 1 审", st)
			}
		}},
		{"ThreeLevelsApprove", func(t *testing.T) {
			for _, r := range []struct {
				who   string
				level int
				after string
			}{{editor1, 1, "第 2 审"}, {editor2, 2, "第 3 审"}, {chief, 3, "已通过"}} {
				p := d.as(t, r.who)
				p.findOnDesk(fmt.Sprintf("待我审核（第 %d 审）", r.level), id, revised)
				p.submit(fmt.Sprintf(`main a[href="%s"]`, articlePath(id)))
				p.typeIn("#comment-approve", fmt.Sprintf("第 %d 审同意", r.level))
				p.submit("button.act-approve") // 审核通过
				if st := p.status(); !strings.Contains(st, r.after) {
					t.Fatalf("%s approved level %d: status %q, want %s", r.who, r.level, st, r.after)
				}
			}
		}},
		{"ChiefSchedules", func(t *testing.T) {
			p := d.as(t, chief)
			p.open(articlePath(id))
			publishAt = d.clock().Add(10 * time.Minute)
			p.setValue("#at", publishAt.In(newsroom.CST).Format("2006-01-02T15:04"))
			p.submit("button.act-publish") // 发布
			if st := p.status(); !strings.Contains(st, "定时发布") {
				t.Fatalf("after publishing at %s: status %q, want 定时发布", publishAt.In(newsroom.CST).Format("15:04"), st)
			}
		}},
		{"SchedulerPublishes", func(t *testing.T) {
			ctx := context.Background()
			d.advance(11 * time.Minute)
			n, err := workflow.NewService(d.store, d.clock).PublishDue(ctx)
			if err != nil {
				t.Fatalf("PublishDue: %v", err)
			}
			a, err := d.store.FindArticleByID(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if a.Status != herald.StatusPublished {
				t.Fatalf("after PublishDue (%d published) the article is %s", n, a.Status)
			}
			p := d.as(t, "") // a reader
			p.open(herald.ArticlePath(id))
			if h := p.text("article.story h1"); h != revised {
				t.Errorf("portal article title %q, want %q", h, revised)
			}
			text := browsertest.Eval[string](t, p.ctx, `document.body.innerText`)
			for _, want := range []string{"责任编辑：王亚兰_DW110", "发布时间：" + d.clock().In(portal.CST).Format("2006-01-02 15:04")} {
				if !strings.Contains(text, want) {
					t.Errorf("the portal article lacks %q", want)
				}
			}
			if n := browsertest.Eval[int](t, p.ctx, `document.querySelectorAll('.story .body h2, .story .body ul li, .story .body strong, .story .body table td').length`); n != 8 {
				t.Errorf("the portal article body shows %d of its heading, 2 list items, bold text and 4 table cells, want 8", n)
			}
			if ok := browsertest.Eval[bool](t, p.ctx, `(() => { const i = document.querySelector('.story .body img[src^="/media/"]'); return !!i && i.complete && i.naturalWidth > 0; })()`); !ok {
				t.Error("the portal article does not show the uploaded photo")
			}
		}},
		{"Accessibility", func(t *testing.T) {
			reader := d.as(t, "") // not signed in
			reader.open("/newsroom/login")
			browsertest.Audit(t, reader.ctx, axe, "newsroom login page at 1280px")
			p := d.as(t, chief)
			p.open("/newsroom/")
			browsertest.Audit(t, p.ctx, axe, "newsroom desk at 1280px")
			p.open(articlePath(id))
			browsertest.Audit(t, p.ctx, axe, "newsroom article page at 1280px")
			p.open(articlePath(id) + "/revisions")
			browsertest.Audit(t, p.ctx, axe, "newsroom revisions at 1280px")
			w := d.as(t, correspondent)
			w.open("/newsroom/articles/new")
			browsertest.Audit(t, w.ctx, axe, "newsroom editor at 1280px")
			// Tablets: the editor and the desk fit 768 px without scrolling sideways.
			for _, path := range []string{"/newsroom/articles/new", "/newsroom/", "/newsroom/account"} {
				browsertest.Viewport(t, w.ctx, 768, 1024)
				w.open(path)
				browsertest.Audit(t, w.ctx, axe, "newsroom "+path+" at 768px")
				if over := browsertest.Eval[int](t, w.ctx, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); over > 0 {
					t.Errorf("%s at 768px scrolls sideways by %d px", path, over)
				}
			}
		}},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.run) && s.name != "Accessibility" {
			t.Fatalf("step %s failed; the later steps need it", s.name)
		}
	}
}
