package newsroom_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/heraldnews/herald/internal/browsertest"
	"github.com/heraldnews/herald/textdiff"
	"github.com/heraldnews/herald/web"
)

// The editor tests run web/static/editor.js, exactly as web.LoadAssets ships
// it, in headless Chromium on pages served from loopback with the newsroom's
// Content-Security-Policy. They need chromium (see package browsertest):
// without it they skip, except under CI=true, where they fail.

var updateEditorjs = flag.Bool("editorjs.update", false,
	"rewrite testdata/editorjs/*.want.html with what editor.js returns now (review the diff!)")

// editorjsCSP is the newsroom's Content-Security-Policy (contentSecurityPolicy
// in newsroom.go). The test pages are served with it, and csp-watch.js records
// any violation, so the tests also prove the editor works under it: no inline
// script, style or event handler of its own or of the pasted markup.
const editorjsCSP = "default-src 'self'; img-src 'self' data: blob:; script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

const editorjsWait = 10 * time.Second // how long a poll waits for the page

// editorjsTestdata reads a file of testdata/editorjs.
func editorjsTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "editorjs", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// editorjsLabels are the editor's messages as the newsroom gives them to a
// Chinese page: the "editor.*" keys of the zh-CN catalogs.
func editorjsLabels(t *testing.T) map[string]string {
	t.Helper()
	files, err := fs.Glob(web.Catalogs, "i18n/*zh-CN.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no zh-CN catalogs in web.Catalogs (%v)", err)
	}
	labels := map[string]string{}
	for _, f := range files {
		b, err := fs.ReadFile(web.Catalogs, f)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for k, v := range m {
			if name, ok := strings.CutPrefix(k, "editor."); ok {
				labels[name] = v
			}
		}
	}
	for _, k := range []string{"saved", "saving", "offline", "restored", "conflict", "pasteImageDropped"} {
		if labels[k] == "" {
			t.Fatalf("the zh-CN catalogs lack editor.%s", k)
		}
	}
	return labels
}

// editorjsSite is a loopback server with the shipped static assets under their
// hashed URLs, csp-watch.js, and the test pages added with page.
type editorjsSite struct {
	srv      *httptest.Server
	mux      *http.ServeMux
	editorJS string // editor.js's hashed URL
}

func newEditorjsSite(t *testing.T) *editorjsSite {
	t.Helper()
	assets := web.LoadAssets()
	s := &editorjsSite{mux: http.NewServeMux(), editorJS: assets.URL("editor.js")}
	if s.editorJS == "" {
		t.Fatal("web.LoadAssets has no editor.js")
	}
	s.mux.Handle("GET /static/", assets)
	watch := editorjsTestdata(t, "csp-watch.js")
	s.mux.HandleFunc("GET /csp-watch.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Write([]byte(watch))
	})
	s.srv = httptest.NewServer(s.mux)
	t.Cleanup(s.srv.Close)
	return s
}

// page serves at path the html/template testdata/editorjs/<file>, executed
// with data, under the newsroom's Content-Security-Policy.
func (s *editorjsSite) page(t *testing.T, path, file string, data any) {
	t.Helper()
	tmpl, err := template.New(file).Parse(editorjsTestdata(t, file))
	if err != nil {
		t.Fatal(err)
	}
	s.mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", editorjsCSP)
		w.Header().Set("Cache-Control", "no-store")
		if err := tmpl.Execute(w, data); err != nil { // the page then fails to start the editor
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
}

// editorjsTab starts Chromium and opens a tab in China Standard Time, so that
// the times the editor shows are the same on every machine.
func editorjsTab(t *testing.T) context.Context {
	t.Helper()
	chromium, _ := browsertest.Needs(t)
	ctx := browsertest.Tab(t, browsertest.Start(t, chromium))
	if _, err := chromedp.Call(ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Asia/Shanghai"}); err != nil {
		t.Fatalf("set the time zone: %v", err)
	}
	return ctx
}

// editorjsPoll waits until ok holds, for at most editorjsWait; otherwise it
// fails the test with what and state (what the page shows).
func editorjsPoll(t *testing.T, what string, ok func() bool, state func() string) {
	t.Helper()
	for deadline := time.Now().Add(editorjsWait); ; time.Sleep(50 * time.Millisecond) {
		if ok() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s; %s", editorjsWait, what, state())
		}
	}
}

// editorjsUntil waits until the JavaScript expression cond is true.
func editorjsUntil(t *testing.T, ctx context.Context, what, cond, state string) {
	t.Helper()
	editorjsPoll(t, what, func() bool { return browsertest.Eval[bool](t, ctx, cond) },
		func() string { return browsertest.Eval[string](t, ctx, state) })
}

// editorjsNoViolations fails the test if the page has broken its
// Content-Security-Policy since it loaded.
func editorjsNoViolations(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	// Violations are reported in a task of their own: read them after one.
	v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`new Promise((r) => setTimeout(() => r(window.cspViolations), 0))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("read the CSP violations: %v", err)
	}
	if len(v) > 0 {
		t.Errorf("%s broke the Content-Security-Policy %d time(s): %q", where, len(v), v)
	}
}

// ------------------------------------------------------------- cleaning pastes

// editorjsPastes are clipboards as Word, WPS and browsers fill them. Each
// testdata/editorjs/<name>.html holds the clipboard's text/html and
// <name>.want.html what cleanPastedHTML must make of it, one block a line
// (editorjsBlocks); go test -run TestEditorCleansPastes -editorjs.update
// rewrites the latter. gone is text of the clipboard that must not survive.
var editorjsPastes = []struct {
	name string
	gone []string
}{
	// Word 2016: a whole document with its <head>, <style>, XML in
	// conditional comments, o:p, mso- styles and lang on every span. Fake
	// lists (· and Courier "o" bullets, "1." and "a)" numbers with a second
	// level, Chinese "一、" numbers) become ul/ol; an indented list paragraph
	// without a marker stays a paragraph; b/i/u and bold/italic spans become
	// strong/em/u; h1 becomes h2 and a numbered heading keeps its number;
	// the table keeps colspan, rowspan and centred cells but loses widths,
	// borders and Word's hidden row; the file: link, the comment mark, the
	// tracked deletion and hidden text go; centred and right-aligned
	// paragraphs stay so.
	{"word", []string{"·", "一、", "二、", "a)", "Z1", "[Z1]", "删除的文字", "隐藏文字", "file:///C:/docs", "tab-interval", "clip_filelist"}},
	// WPS: Wingdings "l" bullets and "（1）" numbers without Word's
	// mso-list:Ignore span, and a bold span.
	{"wps", []string{"（1）", "（2）", "l&nbsp;", "l\u00a0"}},
	// A web page: <div> soup becomes paragraphs, a tracking pixel and
	// <script> go, javascript: links lose their href while site-relative and
	// mailto: links stay, h5/h6 become h4, a one-cell layout table is
	// unwrapped, Google Docs' <b style="font-weight:normal"> is not bold.
	{"web", []string{"alert", "tracker.example", "javascript:", "onclick", "docs-internal-guid", "target="}},
	// Hostile markup: scripts, event handlers, javascript:, vbscript:, data:
	// and protocol-relative links, frames, objects and form controls.
	{"hostile", []string{"alert", "steal", "msgbox", "evil.example", "javascript", "vbscript", "data:text", "x.swf", "输入框", "按钮", "opener"}},
	// Attributes: class, id, lang, title, dir, data-*, widths, colours and
	// fonts go; only centred and right alignment stays, set as a style.
	{"attributes", []string{"MsoTitle", "color", "font-size", "450pt", "justify", "text-align: left", "docs-internal-guid", "valign", "黑体", "abc"}},
}

// editorjsBlockEnd splits cleaned HTML into one line per block for the golden
// files and their diffs.
var editorjsBlockEnd = regexp.MustCompile(`</(?:p|h2|h3|h4|ul|ol|li|table|tr|blockquote|figure)>`)

func editorjsBlocks(s string) string {
	return editorjsBlockEnd.ReplaceAllString(s, "$0\n")
}

// editorjsAllowed lists the elements the cleaner may return and, for each, the
// attributes they may carry.
var editorjsAllowed = map[string][]string{
	"p": {"style"}, "h2": {"style"}, "h3": {"style"}, "h4": {"style"},
	"td": {"colspan", "rowspan", "style"}, "th": {"colspan", "rowspan", "style"},
	"a": {"href"}, "img": {"src", "alt", "width", "height"},
	"strong": nil, "em": nil, "u": nil, "sub": nil, "sup": nil, "br": nil,
	"ul": nil, "ol": nil, "li": nil, "table": nil, "thead": nil, "tbody": nil, "tr": nil,
	"blockquote": nil, "figure": nil, "figcaption": nil,
}

var (
	// editorjsSafeHref is what a kept link may point to: the web, mail, or a path on this site.
	editorjsSafeHref = regexp.MustCompile(`^(?:https?://|mailto:|/[^/\\])`)
	// editorjsMarker is a list marker typed as text, as Word and WPS write lists.
	editorjsMarker = regexp.MustCompile(`^(?:[·•▪■□◆◇○●§Øü√➢*\-–—]|[lnquvo]\s|[(（]?(?:\d{1,3}|[一二三四五六七八九十]{1,3}|[a-zA-Z]|[ivxIVX]{1,4})[.．、)）])`)
	// editorjsScriptURL is an image source that would run a script.
	editorjsScriptURL = regexp.MustCompile(`(?i)^\s*(?:javascript|vbscript):`)
	// editorjsSpan is a colspan or rowspan worth keeping: a number above 1.
	editorjsSpan = regexp.MustCompile(`^(?:[2-9]|[1-9]\d{1,2})$`)
	// editorjsJunk is Word's and browsers' clipboard furniture.
	editorjsJunk = regexp.MustCompile(`(?i)mso-|\[if |endif\]|supportLists|StartFragment|EndFragment|javascript:|<!--|-->`)
)

// editorjsCheckClean checks what holds for every cleaned paste: only allowed
// elements and attributes, alignment as the only style, safe links, list items
// without typed markers, no comments, no Word furniture and no line breaks in
// the source (Word's wrapped lines are joined).
func editorjsCheckClean(t *testing.T, cleaned string) {
	t.Helper()
	if strings.Contains(cleaned, "\n") {
		t.Errorf("the cleaned HTML holds a line break")
	}
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(cleaned), body)
	if err != nil {
		t.Fatalf("parse the cleaned HTML: %v", err)
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.CommentNode:
			t.Errorf("a comment survived: <!--%s-->", n.Data)
		case html.TextNode:
			if editorjsJunk.MatchString(n.Data) {
				t.Errorf("clipboard junk survived in the text %q", n.Data)
			}
		case html.ElementNode:
			allowed, ok := editorjsAllowed[n.Data]
			if !ok {
				t.Errorf("element <%s> survived", n.Data)
			}
			for _, a := range n.Attr {
				switch {
				case a.Namespace != "" || !slices.Contains(allowed, a.Key):
					t.Errorf("<%s %s=%q> survived", n.Data, a.Key, a.Val)
				case a.Key == "style" && a.Val != "text-align: center;" && a.Val != "text-align: right;":
					t.Errorf(`<%s style=%q>: only text-align center or right may stay`, n.Data, a.Val)
				case a.Key == "href" && !editorjsSafeHref.MatchString(a.Val):
					t.Errorf(`unsafe link <a href=%q> survived`, a.Val)
				case a.Key == "src" && editorjsScriptURL.MatchString(a.Val):
					t.Errorf(`unsafe image <img src=%q> survived`, a.Val)
				case (a.Key == "colspan" || a.Key == "rowspan") && !editorjsSpan.MatchString(a.Val):
					t.Errorf(`<%s %s=%q>: a span is a number above 1`, n.Data, a.Key, a.Val)
				}
			}
			if n.Data == "li" {
				if text := strings.TrimLeft(editorjsText(n), " \u00a0\u3000"); editorjsMarker.MatchString(text) {
					t.Errorf("list item %q kept its typed marker", text)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
}

// editorjsText is the text of n and its descendants.
func editorjsText(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(editorjsText(c))
	}
	return b.String()
}

// editorjsGolden compares cleaned with testdata/editorjs/<name>.want.html, or
// rewrites that file under -editorjs.update.
func editorjsGolden(t *testing.T, name, cleaned string) {
	t.Helper()
	got := editorjsBlocks(cleaned)
	path := filepath.Join("testdata", "editorjs", name+".want.html")
	if *updateEditorjs {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", path)
		return
	}
	want := editorjsTestdata(t, name+".want.html")
	if got == want {
		return
	}
	var diff strings.Builder
	for _, l := range textdiff.Lines(strings.Split(want, "\n"), strings.Split(got, "\n")) {
		switch l.Kind {
		case textdiff.Delete:
			fmt.Fprintf(&diff, "\n- %s", l.Text)
		case textdiff.Insert:
			fmt.Fprintf(&diff, "\n+ %s", l.Text)
		}
	}
	t.Errorf("cleanPastedHTML(%s.html) differs from %s (- want, + got):%s", name, path, diff.String())
}

// TestEditorCleansPastes runs the editor's paste cleaner, the one function
// between the markup Word, WPS and web pages put on the clipboard and the
// articles the portal publishes, on real clipboards; then pastes a Word
// clipboard into the editor as a paste event, all under the newsroom's
// Content-Security-Policy.
func TestEditorCleansPastes(t *testing.T) {
	labels := editorjsLabels(t)
	site := newEditorjsSite(t)
	site.page(t, "/clean", "clean.html", map[string]any{"EditorJS": site.editorJS, "Labels": labels})
	ctx := editorjsTab(t)
	browsertest.Navigate(t, ctx, site.srv.URL+"/clean")
	editorjsUntil(t, ctx, "editor.js to load", `!!(window.HeraldEditor && HeraldEditor.editor)`, `document.documentElement.outerHTML`)

	for _, c := range editorjsPastes {
		t.Run(c.name, func(t *testing.T) {
			clipboard := editorjsTestdata(t, c.name+".html")
			r := browsertest.Eval[struct {
				Once  string `json:"once"`
				Twice string `json:"twice"`
			}](t, ctx, `((clean) => { const once = clean(`+jsString(clipboard)+`); return {once, twice: clean(once)}; })(HeraldEditor.cleanPastedHTML)`)
			editorjsGolden(t, c.name, r.Once)
			editorjsCheckClean(t, r.Once)
			for _, s := range c.gone {
				if strings.Contains(r.Once, s) {
					t.Errorf("%q survived the cleaning", s)
				}
			}
			// The editor cleans its own HTML on every save: that must not change it.
			if r.Twice != r.Once {
				t.Errorf("cleaning twice changes the HTML:\nonce:  %s\ntwice: %s", r.Once, r.Twice)
			}
		})
	}

	t.Run("SafeHref", func(t *testing.T) {
		ok := func(s string) *string { return &s }
		for _, c := range []struct {
			in   string
			want *string // nil: refused
		}{
			{"https://www.moj.gov.cn/x?a=1", ok("https://www.moj.gov.cn/x?a=1")},
			{" http://a.cn/x \n", ok("http://a.cn/x")},
			{"mailto:tips@example.cn", ok("mailto:tips@example.cn")},
			{"/media/1-ab/large.jpg", ok("/media/1-ab/large.jpg")},
			{"javascript:alert(1)", nil},
			{" JaVaScRiPt:alert(1)", nil},
			{"java\tscript:alert(1)", nil},
			{"vbscript:msgbox(1)", nil},
			{"data:text/html,<script>alert(1)</script>", nil},
			{"//evil.example/", nil},
			{`/\evil.example/`, nil},
			{"ftp://example.cn/", nil},
			{"file:///C:/docs/a.docx", nil},
			{"news/1.html", nil},
			{"http://", nil},
		} {
			got := browsertest.Eval[*string](t, ctx, `HeraldEditor.safeHref(`+jsString(c.in)+`)`)
			switch {
			case c.want == nil && got != nil:
				t.Errorf("safeHref(%q) = %q, want it refused", c.in, *got)
			case c.want != nil && (got == nil || *got != *c.want):
				t.Errorf("safeHref(%q) = %v, want %q", c.in, got, *c.want)
			}
		}
	})

	t.Run("TextToHTML", func(t *testing.T) {
		// Plain text pastes: one paragraph a line, indents dropped, markup escaped.
		got := browsertest.Eval[string](t, ctx, `HeraldEditor.textToHTML("第一行 <b>\r\n\r\n　　第二行&amp;\n  \nthird line ")`)
		if want := `<p>第一行 &lt;b&gt;</p><p>第二行&amp;amp;</p><p>third line</p>`; got != want {
			t.Errorf("textToHTML = %s, want %s", got, want)
		}
	})

	t.Run("PasteEvent", func(t *testing.T) {
		// A paste into the editor goes through the cleaner and lands in the
		// textarea that the form posts. The Word clipboard's image is a file
		// on the writer's disk and the page has no upload URL, so it is
		// dropped with a notice; the rest is the cleaned HTML.
		var kept []string
		for _, l := range strings.Split(editorjsTestdata(t, "word.want.html"), "\n") {
			if !strings.HasPrefix(l, "<figure>") {
				kept = append(kept, l)
			}
		}
		want := strings.Join(kept, "")
		r := browsertest.Eval[struct {
			Body  string `json:"body"`
			Alert string `json:"alert"`
			Align string `json:"align"`
		}](t, ctx, `(() => {
			const area = HeraldEditor.editor.area;
			area.focus();
			const dt = new DataTransfer();
			dt.setData('text/html', `+jsString(editorjsTestdata(t, "word.html"))+`);
			dt.setData('text/plain', '2026年全省司法行政工作会议召开');
			area.dispatchEvent(new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true}));
			const centred = area.querySelector('p[style]');
			return {body: document.getElementById('body').value, alert: document.querySelector('.herald-alert').textContent,
				align: centred ? getComputedStyle(centred).textAlign : 'no aligned paragraph'};
		})()`)
		if r.Body != want {
			t.Errorf("after the paste the form's body is\n%s\nwant\n%s", editorjsBlocks(r.Body), editorjsBlocks(want))
		}
		if want := strings.ReplaceAll(labels["pasteImageDropped"], "{n}", "1"); r.Alert != want {
			t.Errorf("the editor's alert says %q, want %q", r.Alert, want)
		}
		// Inline style attributes are blocked by the CSP: the editor sets
		// alignment through the CSSOM, which the browser applies.
		if r.Align != "center" {
			t.Errorf("the centred paragraph is laid out %q, want center", r.Align)
		}
	})

	editorjsNoViolations(t, ctx, "cleaning and pasting")
}

// ------------------------------------------------------------------ autosave

// editorjsDesk stands in for the newsroom's autosave endpoint
// (POST /newsroom/articles/{id}/autosave). While it is down, it cuts every
// connection without an answer, as a dropped network does.
type editorjsDesk struct {
	mu      sync.Mutex
	down    bool
	refused int          // requests cut off while down
	saved   []url.Values // forms received while up
}

func (d *editorjsDesk) setDown(down bool) {
	d.mu.Lock()
	d.down = down
	d.mu.Unlock()
}

func (d *editorjsDesk) state() (refused int, saved []url.Values) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.refused, append([]url.Values(nil), d.saved...)
}

// lastSaved is the last form received, nil if none.
func (d *editorjsDesk) lastSaved() url.Values {
	_, saved := d.state()
	if len(saved) == 0 {
		return nil
	}
	return saved[len(saved)-1]
}

func (d *editorjsDesk) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	down := d.down
	if down {
		d.refused++
	}
	d.mu.Unlock()
	if down {
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		} else { // a server error is as good: the editor treats it as offline too
			http.Error(w, err.Error(), http.StatusBadGateway)
		}
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	d.mu.Lock()
	d.saved = append(d.saved, r.PostForm)
	d.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"saved_at":"2026-11-25T21:30:00+08:00","version":5}`))
}

// TestEditorAutosaveOffline follows a writer whose network drops: what they
// type is kept in the browser and the page says so; when the network is back
// it is sent and the local copy dropped. Then a copy left in the browser by
// an earlier visit is restored into the form on the next visit, said so, and
// sent.
func TestEditorAutosaveOffline(t *testing.T) {
	const (
		key     = "herald-draft-42-7" // data-draft-key: article 42, staff 7
		csrf    = "csrf-token-for-autosave"
		version = "4"
		typed   = "Herald 法律明白人骨干培训班"
	)
	labels := editorjsLabels(t)
	site := newEditorjsSite(t)
	desk := &editorjsDesk{down: true}
	site.mux.Handle("POST /newsroom/articles/42/autosave", desk)
	site.mux.HandleFunc("GET /newsroom/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", editorjsCSP)
		w.Write([]byte(`<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>工作台</title><h1>工作台</h1></html>`))
	})
	site.page(t, "/newsroom/articles/42/edit", "edit.html", map[string]any{
		"EditorJS": site.editorJS, "Labels": labels, "DraftKey": key, "CSRF": csrf, "Version": version,
		"Title": "西湾子镇开展法律明白人培训", "Body": "<p>全镇 32 个村的法律明白人参加了培训。</p>",
	})
	ctx := editorjsTab(t)
	editURL := site.srv.URL + "/newsroom/articles/42/edit"
	status := `document.getElementById('autosave-status').textContent`
	state := `JSON.stringify({status: ` + status + `, local: localStorage.getItem(` + jsString(key) + `), editor: HeraldEditor.editor && HeraldEditor.editor.area.innerHTML})`
	saved := strings.ReplaceAll(labels["saved"], "{time}", "21:30:00") // saved_at in China Standard Time

	// Each step needs the one before it.
	step := func(name string, run func(t *testing.T)) {
		t.Helper()
		if !t.Run(name, run) {
			t.Fatalf("step %s failed", name)
		}
	}

	step("KeptLocallyWhileOffline", func(t *testing.T) {
		browsertest.Navigate(t, ctx, editURL)
		editorjsUntil(t, ctx, "the editor and its autosave", `!!(window.HeraldEditor && HeraldEditor.autosave)`, `document.documentElement.outerHTML`)
		if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(".herald-area"), typed)); err != nil {
			t.Fatalf("type into the editor: %v", err)
		}
		editorjsUntil(t, ctx, "the offline notice and the local copy", `(() => {
			const draft = JSON.parse(localStorage.getItem(`+jsString(key)+`) || 'null');
			const fields = draft && Array.isArray(draft.fields) ? Object.fromEntries(draft.fields) : {};
			return `+status+` === `+jsString(labels["offline"])+` && String(fields.body).includes(`+jsString(typed)+`)
				&& fields.title === '西湾子镇开展法律明白人培训' && !('csrf' in fields) && draft.version === `+jsString(version)+`;
		})()`, state)
		if refused, saved := desk.state(); refused == 0 || len(saved) > 0 {
			t.Fatalf("while the desk was down it cut %d autosave(s) off and received %d, want at least 1 and 0", refused, len(saved))
		}
	})

	step("SentWhenBackOnline", func(t *testing.T) {
		// The copy is re-sent when the network returns: on the online event or,
		// failing that, on the next retry, both well within the poll's deadline.
		desk.setDown(false)
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`window.dispatchEvent(new Event('online'))`)); err != nil {
			t.Fatal(err)
		}
		editorjsPoll(t, "the desk to receive the typed text", func() bool {
			f := desk.lastSaved()
			return f != nil && strings.Contains(f.Get("body"), typed)
		}, func() string { _, s := desk.state(); return fmt.Sprintf("the desk received %v", s) })
		f := desk.lastSaved()
		if f.Get("csrf") != csrf || f.Get("version") != version || f.Get("title") != "西湾子镇开展法律明白人培训" {
			t.Errorf("the autosave posted csrf %q, version %q, title %q; want %q, %q and the form's title", f.Get("csrf"), f.Get("version"), f.Get("title"), csrf, version)
		}
		// Focusing the editor put the caret at the start of its text.
		if want := "<p>" + typed + "全镇 32 个村的法律明白人参加了培训。</p>"; f.Get("body") != want {
			t.Errorf("the autosave posted the body %q, want %q", f.Get("body"), want)
		}
		editorjsUntil(t, ctx, "the saved notice and the local copy dropped",
			status+` === `+jsString(saved)+` && localStorage.getItem(`+jsString(key)+`) === null`, state)
		editorjsNoViolations(t, ctx, "the edit page")
	})

	step("RestoredOnNextVisit", func(t *testing.T) {
		// The writer's earlier visit left a copy the desk never got, based
		// on version 3; they come back from the desk.
		const title, body = "本机标题：骨干培训班开班", "<p>本机正文<strong>未上传</strong></p>"
		planted := map[string]any{
			"fields":  [][2]string{{"title", title}, {"body", body}},
			"version": "3",
			"savedAt": time.Date(2026, 11, 25, 21, 5, 9, 0, time.FixedZone("CST", 8*3600)).UnixMilli(),
		}
		b, err := json.Marshal(planted)
		if err != nil {
			t.Fatal(err)
		}
		browsertest.Navigate(t, ctx, site.srv.URL+"/newsroom/")
		browsertest.Eval[bool](t, ctx, `localStorage.setItem(`+jsString(key)+`, `+jsString(string(b))+`) === undefined`)
		browsertest.Navigate(t, ctx, editURL)
		editorjsUntil(t, ctx, "the editor and its autosave", `!!(window.HeraldEditor && HeraldEditor.autosave)`, `document.documentElement.outerHTML`)
		r := browsertest.Eval[struct {
			Title   string `json:"title"`
			Body    string `json:"body"`
			Version string `json:"version"`
			Status  string `json:"status"`
		}](t, ctx, `({title: document.getElementById('title').value, body: HeraldEditor.editor.area.innerHTML,
			version: document.querySelector('[name=version]').value, status: `+status+`})`)
		if r.Title != title || r.Body != body {
			t.Errorf("restored title %q and body %q, want %q and %q", r.Title, r.Body, title, body)
		}
		// The copy's base version comes back too, so that the desk can tell
		// the writer if the article moved on meanwhile.
		if r.Version != "3" {
			t.Errorf("restored base version %q, want 3", r.Version)
		}
		restored, _, _ := strings.Cut(labels["restored"], "{time}")
		if !strings.HasPrefix(r.Status, restored) || !strings.Contains(r.Status, "21:05:09") {
			t.Errorf("the status says %q, want %q with the copy's time, 21:05:09", r.Status, labels["restored"])
		}
		editorjsPoll(t, "the desk to receive the restored copy", func() bool {
			f := desk.lastSaved()
			return f.Get("title") == title && f.Get("body") == body && f.Get("version") == "3"
		}, func() string { _, s := desk.state(); return fmt.Sprintf("the desk received %v", s) })
		editorjsUntil(t, ctx, "the restored and saved notices and the local copy dropped",
			status+`.startsWith(`+jsString(restored)+`) && `+status+`.endsWith(' '+`+jsString(saved)+`) && localStorage.getItem(`+jsString(key)+`) === null`, state)
		editorjsNoViolations(t, ctx, "the edit page with a restored copy")
	})
}
