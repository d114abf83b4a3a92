package views

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/heraldnews/herald"
)

func TestChannel(t *testing.T) {
	tests := []struct {
		query, device, want string
	}{
		{"", "web", "web"},
		{"", "mobile", "mobile"},
		{"from=feed", "web", "feed"},
		{"from=microblog", "mobile", "microblog"},
		{"from=mail", "web", "mail"},
		{"from=wechat", "mobile", "wechat"},
		{"from=wechat", "static", "wechat"},
		{"utm_source=x&from=feed&page=2", "web", "feed"},
		{"from=twitter", "web", "web"},          // unknown: ignored
		{"from=web", "mobile", "mobile"},        // a device is not a referral channel
		{"from=Feed", "web", "web"},             // values are exact
		{"from=", "web", "web"},                 // empty
		{"from", "web", "web"},                  // no value
		{"from=nope&from=mail", "web", "mail"},  // the first known one
		{"xfrom=feed&fromx=mail", "web", "web"}, // other keys
		{"from=feed%20", "web", "web"},          // not decoded, so not known
		{"q=%E6%B3%95&from=mail", "static", "mail"},
	}
	for _, tt := range tests {
		if got := Channel(tt.query, tt.device); got != tt.want {
			t.Errorf("Channel(%q, %q) = %q, want %q", tt.query, tt.device, got, tt.want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { Channel("a=1&b=2&from=feed", "web") }); n != 0 {
		t.Errorf("Channel allocates %v times", n)
	}
}

func TestReferrerHost(t *testing.T) {
	tests := []struct{ referrer, want string }{
		{"", ""},
		{"https://www.baidu.com/link?url=abc&wd=%E5%8F%B8%E6%B3%95", "www.baidu.com"},
		{"http://weibo.com/u/123456", "weibo.com"},
		{"https://mp.weixin.qq.com/s/AbCdEf", "mp.weixin.qq.com"},
		{"HTTPS://News.Hebei.GOV.cn/", "news.hebei.gov.cn"},
		{"https://news.hebei.gov.cn:8443/a.html", "news.hebei.gov.cn"},
		{"https://news.hebei.gov.cn.:443", "news.hebei.gov.cn"},
		{"https://news.hebei.gov.cn?x=1", "news.hebei.gov.cn"},
		{"https://news.hebei.gov.cn#top", "news.hebei.gov.cn"},
		{"https://user:secret@mail.example.com/inbox", "mail.example.com"},
		{"https://203.0.113.7/oa/index.jsp?user=zhang", herald.ReferrerOther},
		{"http://10.1.2.3:8080/", herald.ReferrerOther},
		{"http://[2001:db8::1]:8080/x", herald.ReferrerOther},
		{"http://[2001:db8::1]/x", herald.ReferrerOther},
		{"http://[not-an-ip]/", ""},
		{"http://[2001:db8::1/", ""},
		{"https://example.com:http/", ""}, // a port that is not a number
		{"https://exa mple.com/", ""},     // not a host name
		{"https://例子.中国/", ""},            // not in its ASCII (punycode) form
		{"https://xn--fsqu00a.xn--fiqs8s/", "xn--fsqu00a.xn--fiqs8s"},
		{"https://", ""},
		{"https:///path", ""},
		{"android-app://com.tencent.mm/", ""},
		{"ftp://files.example.com/", ""},
		{"//www.baidu.com/", ""},
		{"www.baidu.com", ""},
		{"not a url", ""},
		{"https://other/", ""}, // would be mistaken for the bucket of the rest
		{"https://.example.com/", ""},
		{"https://a..b/", ""},
	}
	for _, tt := range tests {
		if got := ReferrerHost(tt.referrer); got != tt.want {
			t.Errorf("ReferrerHost(%q) = %q, want %q", tt.referrer, got, tt.want)
		}
	}
}

func TestRecordChannelFromQuery(t *testing.T) {
	c, sink, _ := newTest(t)
	for i, target := range []string{"/articles/4.html?from=feed", "/articles/4.html?from=mail", "/m/articles/4.html?from=wechat", "/articles/4.html?from=bogus", "/m/articles/4.html"} {
		r := req(fmt.Sprintf("203.0.113.%d", 70+i), chromeUA, "zh-CN")
		r.URL.RawQuery = httptest.NewRequest("GET", target, nil).URL.RawQuery
		device := ChannelWeb
		if target[:3] == "/m/" {
			device = ChannelMobile
		}
		if !c.Record(r, 4, device) {
			t.Fatalf("%s not counted", target)
		}
	}
	if c.Record(req("203.0.113.99", chromeUA, "en"), 4, "email") {
		t.Fatal("an unknown device counted")
	}
	bad := req("203.0.113.98", chromeUA, "en")
	bad.URL.RawQuery = "from=feed"
	if c.Record(bad, 4, "email") {
		t.Fatal("a from parameter made an unknown device count")
	}
	must(t, c.Flush(context.Background()))
	for ch, want := range map[string]int{"feed": 1, "mail": 1, "wechat": 1, "web": 1, "mobile": 1} {
		if got := sink.total(4, hour9, ch); got != want {
			t.Errorf("%s: %d, want %d", ch, got, want)
		}
	}
}

func TestRecordReferrers(t *testing.T) {
	c, sink, fc := newTest(t)
	c.OwnHosts = []string{"news.example.gov.cn", "WWW.Example.gov.cn:8443"}
	c.MaxReferrerHosts = 3
	day := "2026-03-14" // t0 is 09:10 UTC, 17:10 CST
	n := 0
	read := func(article int64, referrer, host string) {
		n++
		r := req(fmt.Sprintf("198.51.100.%d", n), chromeUA, "zh-CN")
		r.Host = host
		if referrer != "" {
			r.Header.Set("Referer", referrer)
		}
		if !c.Record(r, article, ChannelWeb) {
			t.Fatalf("view %d not counted", n)
		}
	}
	read(1, "https://www.baidu.com/s?wd=法律援助", "news.example.gov.cn")
	read(1, "https://www.baidu.com/s?wd=公证", "news.example.gov.cn")
	read(1, "https://weibo.com/u/1", "news.example.gov.cn")
	read(1, "", "news.example.gov.cn")                                               // no referrer
	read(1, "https://news.example.gov.cn/columns/headlines/", "news.example.gov.cn") // the site itself
	read(1, "https://intranet.example.gov.cn/x", "intranet.example.gov.cn:8080")     // the host asked for
	read(1, "https://www.example.gov.cn/", "127.0.0.1:8080")                         // one of OwnHosts
	read(1, "http://10.0.0.8/oa/", "news.example.gov.cn")
	read(1, "https://mp.weixin.qq.com/s/x", "news.example.gov.cn")
	read(1, "https://news.hebei.gov.cn/", "news.example.gov.cn") // the fourth site: over the cap
	read(1, "https://www.baidu.com/", "news.example.gov.cn")     // a known one still counts as itself
	read(2, "https://news.hebei.gov.cn/", "news.example.gov.cn") // the cap is per article
	// Repeat views do not count, so nor do their referrers.
	r := req("198.51.100.1", chromeUA, "zh-CN")
	r.Header.Set("Referer", "https://www.baidu.com/")
	if c.Record(r, 1, ChannelWeb) {
		t.Fatal("a repeat view counted")
	}
	must(t, c.Flush(context.Background()))
	want := map[string]int{"www.baidu.com": 3, "weibo.com": 1, herald.ReferrerOther: 2, "mp.weixin.qq.com": 1, "news.hebei.gov.cn": 0}
	for host, w := range want {
		if got := sink.referrals(1, day, host); got != w {
			t.Errorf("article 1, %s: %d, want %d", host, got, w)
		}
	}
	if got := sink.referrals(2, day, "news.hebei.gov.cn"); got != 1 {
		t.Errorf("article 2: %d, want 1", got)
	}
	// The next day's sites are capped afresh.
	fc.add(24 * time.Hour)
	read(1, "https://news.hebei.gov.cn/", "news.example.gov.cn")
	must(t, c.Flush(context.Background()))
	if got := sink.referrals(1, "2026-03-15", "news.hebei.gov.cn"); got != 1 {
		t.Errorf("next day: %d, want 1", got)
	}
}

func TestRecordFrom(t *testing.T) {
	c, sink, _ := newTest(t)
	r := httptest.NewRequest(http.MethodPost, "/views", nil)
	r.RemoteAddr = "192.0.2.44:5000"
	r.Header.Set("User-Agent", iphoneUA)
	r.Header.Set("Referer", "https://static.example.gov.cn/articles/3.html") // the beacon's own page: not used
	if !c.RecordFrom(r, 3, Channel("from=microblog", ChannelStatic), "https://weibo.com/") {
		t.Fatal("not counted")
	}
	must(t, c.Flush(context.Background()))
	if got := sink.total(3, hour9, "microblog"); got != 1 {
		t.Fatalf("microblog: %d", got)
	}
	if sink.referrals(3, "2026-03-14", "weibo.com") != 1 || sink.referrals(3, "2026-03-14", "static.example.gov.cn") != 0 {
		t.Fatalf("referrers %v", sink.refs)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
