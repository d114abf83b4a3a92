package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/heraldnews/herald"
)

// Links Herald sends out carry ?from=…: the page is the same, its canonical
// URL never has the parameter, and the read counts on the channel the link
// came from, with the referring site's host.
func TestReadChannelsAndReferrers(t *testing.T) {
	f := newFixture(t)
	a := f.seedArticle(t)
	ctx := context.Background()
	path := herald.ArticlePath(a.ID)
	filter := herald.ReadFilter{From: now, Until: now, ArticleIDs: []int64{a.ID}}
	counts := func() map[string]int {
		must(t, f.views.Flush(ctx))
		byChannel, err := f.store.ReadsByChannel(ctx, filter)
		must(t, err)
		out := map[string]int{}
		for _, c := range byChannel {
			out[c.Channel] = c.Reads
		}
		hosts, err := f.store.TopReferrers(ctx, filter, 0)
		must(t, err)
		for _, h := range hosts {
			out["host:"+h.Host] = h.Reads
		}
		return out
	}
	before := counts()
	canonical := `<link rel="canonical" href="` + base + path + `">`
	for i, tc := range []struct{ target, referrer string }{
		{path + "?from=feed", "https://www.baidu.com/s?wd=%E5%85%AC%E8%AF%81"},
		{path + "?from=microblog", ""},
		{"/m" + path + "?from=wechat", "https://mp.weixin.qq.com/s/abc"},
		{"/m" + path, base + "/"}, // from the site's own home page: no referrer
		{path + "?from=elsewhere", ""},
	} {
		req := httptest.NewRequest("GET", tc.target, nil)
		req.RemoteAddr = fmt.Sprintf("198.51.100.%d:4000", 100+i)
		req.Host = "news.example.gov.cn"
		req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/132.0")
		if tc.referrer != "" {
			req.Header.Set("Referer", tc.referrer)
		}
		rec := httptest.NewRecorder()
		f.portal.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), canonical) {
			t.Fatalf("%s: %d, canonical %q missing", tc.target, rec.Code, canonical)
		}
	}
	post := func(addr, body string) {
		req := httptest.NewRequest("POST", "/views", strings.NewReader(body))
		req.RemoteAddr = addr + ":4000"
		req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/132.0")
		req.Header.Set("Referer", "https://static.example.gov.cn"+path) // the static page itself
		rec := httptest.NewRecorder()
		f.portal.ServeHTTP(rec, req)
		if rec.Code != http.StatusNoContent {
			t.Fatalf("beacon %s: %d", body, rec.Code)
		}
	}
	post("198.51.100.200", fmt.Sprintf(`{"article_id":%d,"from":"mail","referrer":"https://mail.qq.com"}`, a.ID))
	post("198.51.100.201", fmt.Sprintf(`{"article_id":%d,"from":"mail&from=feed"}`, a.ID)) // a broken parameter: static
	after := counts()
	for key, want := range map[string]int{"feed": 1, "microblog": 1, "wechat": 1, "mobile": 1, "web": 1, "mail": 1, "static": 1,
		"host:www.baidu.com": 1, "host:mp.weixin.qq.com": 1, "host:mail.qq.com": 1, "host:news.example.gov.cn": 0, "host:static.example.gov.cn": 0} {
		if got := after[key] - before[key]; got != want {
			t.Errorf("%s: %d more, want %d (before %v, after %v)", key, got, want, before, after)
		}
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
