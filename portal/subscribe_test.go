package portal_test

import (
	"bytes"
	"context"
	"errors"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/heraldnews/herald"
)

// fakeNewsletter records what the pages ask of the newsletter and answers
// what the test says.
type fakeNewsletter struct {
	mu       sync.Mutex
	requests []herald.SubscriptionRequest
	calls    []string
	err      error // what every call returns
}

func (f *fakeNewsletter) record(call string) (*herald.Subscriber, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call)
	if f.err != nil {
		return nil, f.err
	}
	return &herald.Subscriber{ID: 7, Email: "liming@example.cn", Status: herald.SubscriberActive}, nil
}

func (f *fakeNewsletter) Subscribe(ctx context.Context, req herald.SubscriptionRequest) error {
	f.mu.Lock()
	f.requests = append(f.requests, req)
	f.mu.Unlock()
	_, err := f.record("subscribe")
	return err
}

func (f *fakeNewsletter) Inspect(ctx context.Context, purpose, token string) (*herald.Subscriber, error) {
	return f.record("inspect " + purpose + " " + token)
}

func (f *fakeNewsletter) Confirm(ctx context.Context, token string) (*herald.Subscriber, error) {
	return f.record("confirm " + token)
}

func (f *fakeNewsletter) Unsubscribe(ctx context.Context, token string) (*herald.Subscriber, error) {
	return f.record("unsubscribe " + token)
}

func (f *fakeNewsletter) taken() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.calls
	f.calls = nil
	return out
}

func newsletterFixture(t *testing.T) (*fixture, *fakeNewsletter) {
	t.Helper()
	f := newFixture(t)
	nl := &fakeNewsletter{}
	f.portal.Newsletter = nl
	return f, nl
}

// send makes a request from a client address.
func send(h http.Handler, method, target, contentType, body, client string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.RemoteAddr = client + ":5000"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

const form = "application/x-www-form-urlencoded"

// wantPage checks a subscription page's status, private headers and words.
func wantPage(t *testing.T, w *httptest.ResponseRecorder, status int, words ...string) {
	t.Helper()
	body := w.Body.String()
	if w.Code != status {
		t.Fatalf("status %d, want %d\n%s", w.Code, status, body)
	}
	if w.Header().Get("Cache-Control") != "private, no-store" || w.Header().Get("Referrer-Policy") != "no-referrer" ||
		!strings.Contains(body, `<meta name="robots" content="noindex`) {
		t.Errorf("a subscription page may be cached, indexed or leak its address: %v", w.Header())
	}
	if strings.Contains(body, "newsletter.") {
		t.Errorf("a message key is shown instead of its text:\n%s", body)
	}
	for _, word := range words {
		if !strings.Contains(body, word) {
			t.Errorf("the page lacks %q:\n%s", word, body)
		}
	}
}

func TestSubscribePagesNeedTheNewsletter(t *testing.T) {
	f := newFixture(t)
	if w := get(t, f.portal, "/subscribe"); w.Code != http.StatusNotFound {
		t.Fatalf("/subscribe without a newsletter: %d", w.Code)
	}
	if body := get(t, f.portal, herald.ArticlePath(f.seedArticle(t).ID)).Body.String(); strings.Contains(body, "/subscribe") {
		t.Fatal("an article links to a subscription page that does not exist")
	}
}

func TestSubscribeForm(t *testing.T) {
	f, _ := newsletterFixture(t)
	w := get(t, f.portal, "/subscribe")
	wantPage(t, w, http.StatusOK, "邮件订阅", `name="email"`, `type="email"`, `value="each" checked`,
		`value="daily"`, `value="weekly"`, `name="column_ids"`, `name="theme_ids"`, `name="website"`, `action="/subscribe"`, "每日摘要")
	cols, _ := f.store.FindColumns(context.Background())
	if n := strings.Count(w.Body.String(), `name="column_ids"`); n != len(cols) {
		t.Errorf("%d column boxes for %d columns", n, len(cols))
	}
	wantPage(t, get(t, f.portal, "/subscribe?lang=en"), http.StatusOK, "E-mail subscription", `action="/subscribe?lang=en"`,
		`name="lang" value="en"`, "A daily digest")
	wantPage(t, get(t, f.portal, "/subscribe/sent"), http.StatusOK, "请查收确认邮件")
	if w := send(f.portal, http.MethodPut, "/subscribe", "", "", "198.51.100.1"); w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "GET, HEAD, POST" {
		t.Errorf("PUT /subscribe: %d %v", w.Code, w.Header())
	}
	if w := get(t, f.portal, "/subscribe/nothing"); w.Code != http.StatusNotFound {
		t.Errorf("/subscribe/nothing: %d", w.Code)
	}
}

func TestSubscribeSubmit(t *testing.T) {
	f, nl := newsletterFixture(t)
	cols, _ := f.store.FindColumns(context.Background())
	themes, _ := f.store.FindThemes(context.Background())
	col, theme := cols[1], themes[0]
	fields := url.Values{"email": {" liming@example.cn "}, "name": {"李明"}, "frequency": {"daily"},
		"column_ids": {itoa(col.ID)}, "theme_ids": {itoa(theme.ID)}, "website": {""}}

	t.Run("a person's request", func(t *testing.T) {
		w := send(f.portal, http.MethodPost, "/subscribe", form, fields.Encode(), "198.51.100.1")
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/subscribe/sent" {
			t.Fatalf("POST: %d %v\n%s", w.Code, w.Header(), w.Body)
		}
		send(f.portal, http.MethodPost, "/subscribe?lang=en", form, fields.Encode()+"&lang=en", "198.51.100.2")
		if len(nl.requests) != 2 {
			t.Fatalf("requests = %+v", nl.requests)
		}
		zh, en := nl.requests[0], nl.requests[1]
		if zh.Email != "liming@example.cn" || zh.Name != "李明" || zh.Frequency != herald.FrequencyDaily || zh.Language != "zh-CN" ||
			len(zh.ColumnIDs) != 1 || zh.ColumnIDs[0] != col.ID || len(zh.ThemeIDs) != 1 || zh.ThemeIDs[0] != theme.ID {
			t.Fatalf("request = %+v", zh)
		}
		if len(zh.ClientHash) != 24 || strings.Contains(zh.ClientHash, "198.51") || zh.ClientHash == en.ClientHash || en.Language != "en" {
			t.Fatalf("client hashes %q %q, languages %s %s", zh.ClientHash, en.ClientHash, zh.Language, en.Language)
		}
		nl.requests = nil
		nl.taken()
	})
	t.Run("the honeypot", func(t *testing.T) {
		robot := url.Values{"email": {"x@example.cn"}, "frequency": {"each"}, "website": {"http://spam.example"}}
		w := send(f.portal, http.MethodPost, "/subscribe", form, robot.Encode(), "198.51.100.3")
		if w.Code != http.StatusSeeOther || len(nl.taken()) != 0 {
			t.Fatalf("a robot's request: %d, newsletter called %v", w.Code, nl.requests)
		}
	})
	t.Run("bad fields", func(t *testing.T) {
		nl.err = &herald.Error{Code: herald.EINVALID, Fields: []herald.FieldError{{Field: "email", Message: "is required"}, {Field: "frequency", Message: "x"}}}
		w := send(f.portal, http.MethodPost, "/subscribe", form, fields.Encode(), "198.51.100.4")
		wantPage(t, w, http.StatusBadRequest, "电子邮箱：请填写正确的邮箱地址", "推送频率：请选择一项", `value="李明"`, `aria-invalid="true"`,
			`value="`+itoa(col.ID)+`" checked`)
		nl.err = nil
		nl.taken()
		bad := url.Values{"email": {"x@example.cn"}, "frequency": {"each"}, "column_ids": {"abc"}}
		w = send(f.portal, http.MethodPost, "/subscribe", form, bad.Encode(), "198.51.100.4")
		wantPage(t, w, http.StatusBadRequest, "栏目：所选栏目不存在")
		if calls := nl.taken(); len(calls) != 0 {
			t.Fatalf("a form that cannot be read reached the newsletter: %v", calls)
		}
	})
	t.Run("limits", func(t *testing.T) {
		for _, tt := range []struct {
			field, msg, retry, text string
		}{
			{"client", herald.LimitClient, "3600", "提交过于频繁"},
			{"email", herald.LimitRecent, "600", "刚刚收到过确认邮件"},
			{"email", herald.LimitDaily, "86400", "一天内已经收到 3 封"},
		} {
			nl.err = &herald.Error{Code: herald.ERATELIMITED, Fields: []herald.FieldError{{Field: tt.field, Message: tt.msg}}}
			w := send(f.portal, http.MethodPost, "/subscribe", form, fields.Encode(), "198.51.100.5")
			wantPage(t, w, http.StatusTooManyRequests, tt.text)
			if w.Header().Get("Retry-After") != tt.retry {
				t.Errorf("%s: Retry-After %q", tt.msg, w.Header().Get("Retry-After"))
			}
		}
		nl.err = errors.New("database is down")
		wantPage(t, send(f.portal, http.MethodPost, "/subscribe", form, fields.Encode(), "198.51.100.5"), http.StatusInternalServerError, "服务暂时不可用")
		nl.err = nil
	})
}

func TestSubscriptionLinks(t *testing.T) {
	f, nl := newsletterFixture(t)
	const tok = "c.7.1796198400.fxZEs8J7umArFHfuTib3pw"

	// a GET only asks: mail scanners fetch links
	w := get(t, f.portal, "/subscribe/confirm?token="+tok)
	wantPage(t, w, http.StatusOK, "确认用 l*****@example.cn 订阅本站新闻吗？", `method="post" action="/subscribe/confirm"`,
		`name="token" value="`+tok+`"`, "确认订阅")
	if calls := nl.taken(); len(calls) != 1 || calls[0] != "inspect confirm "+tok {
		t.Fatalf("GET called %q", calls)
	}
	w = send(f.portal, http.MethodPost, "/subscribe/confirm", form, url.Values{"token": {tok}}.Encode(), "198.51.100.1")
	wantPage(t, w, http.StatusOK, "订阅成功", "l*****@example.cn")
	if calls := nl.taken(); len(calls) != 1 || calls[0] != "confirm "+tok {
		t.Fatalf("POST called %q", calls)
	}

	const utok = "u.7.1827129600.BOLvl2wqENGATt6X2N9UgQ"
	wantPage(t, get(t, f.portal, "/unsubscribe?token="+utok+"&lang=en"), http.StatusOK, "Stop sending our news to l*****@example.cn?", "Unsubscribe")
	// RFC 8058 one-click, as mailbox providers post it: either form encoding
	w = send(f.portal, http.MethodPost, "/unsubscribe?token="+utok, form, "List-Unsubscribe=One-Click", "203.0.113.9")
	wantPage(t, w, http.StatusOK, "已退订")
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("List-Unsubscribe", "One-Click")
	mw.Close()
	w = send(f.portal, http.MethodPost, "/unsubscribe?token="+utok, mw.FormDataContentType(), buf.String(), "203.0.113.9")
	wantPage(t, w, http.StatusOK, "已退订")
	if calls := nl.taken(); len(calls) != 3 || calls[1] != "unsubscribe "+utok || calls[2] != "unsubscribe "+utok {
		t.Fatalf("calls = %q", calls)
	}

	for _, tt := range []struct {
		name, method, target string
		err                  error
		status               int
		text                 string
	}{
		{"forged", http.MethodGet, "/subscribe/confirm?token=x", herald.Invalid("token", herald.LinkInvalid), 400, "链接无效"},
		{"expired confirmation", http.MethodGet, "/subscribe/confirm?token=x", herald.Invalid("token", herald.LinkExpired), 400, "确认链接已过期"},
		{"expired unsubscribe", http.MethodPost, "/unsubscribe?token=x", herald.Invalid("token", herald.LinkExpired), 400, "退订链接已过期"},
		{"replaced", http.MethodPost, "/subscribe/confirm?token=x", herald.Invalid("token", herald.LinkReplaced), 400, "已被更新的确认邮件取代"},
		{"cancelled", http.MethodPost, "/subscribe/confirm?token=x", herald.Errorf(herald.ECONFLICT, "cancelled"), 409, "这个订阅已经取消"},
		{"no token", http.MethodGet, "/unsubscribe", nil, 400, "链接无效"},
		{"English", http.MethodGet, "/subscribe/confirm?token=x&lang=en", herald.Invalid("token", herald.LinkExpired), 400, "This confirmation link has expired"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			nl.err = tt.err
			w := send(f.portal, tt.method, tt.target, form, "", "198.51.100.1")
			wantPage(t, w, tt.status, tt.text)
		})
	}
	nl.err = errors.New("database is down")
	if w := get(t, f.portal, "/unsubscribe?token=x"); w.Code != http.StatusInternalServerError || strings.Contains(w.Body.String(), "database") {
		t.Fatalf("an internal error: %d %s", w.Code, w.Body)
	}
}

func TestArticlesLinkToTheSubscription(t *testing.T) {
	f, _ := newsletterFixture(t)
	en := f.seedArticle(t)
	zh, _, _ := f.store.FindArticles(context.Background(), herald.ArticleFilter{Language: "zh-CN", Statuses: []herald.Status{herald.StatusPublished}, Limit: 1})
	for _, tt := range []struct {
		path, link string
		static     bool
	}{
		{herald.ArticlePath(zh[0].ID), `<a href="/subscribe">订阅邮件推送</a>`, false},
		{"/m" + herald.ArticlePath(zh[0].ID), `<a href="/subscribe">订阅邮件推送</a>`, false},
		{herald.ArticlePath(en.ID), `<a href="/subscribe?lang=en">Subscribe by e-mail</a>`, false},
		// exported pages send readers to the dynamic site
		{herald.ArticlePath(zh[0].ID), `<a href="` + base + `/subscribe">订阅邮件推送</a>`, true},
	} {
		page, err := f.portal.Render(context.Background(), tt.path, tt.static)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(page.Body), tt.link) {
			t.Errorf("%s (static %v) lacks %s", tt.path, tt.static, tt.link)
		}
	}
}
