package newsletter

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
)

func TestHTMLText(t *testing.T) {
	body := `<h2>一、 总体要求</h2><p>全省法律援助中心
	当天受理咨询<strong>一百二十件</strong>。详见<a href="/articles/7.html">通知</a>，或访问 <a href="https://www.moj.gov.cn/">https://www.moj.gov.cn/</a>。</p>` +
		`<ul><li>法律咨询</li><li>代写文书</li></ul><p>第一行<br>第二行</p><table><tr><td>地区</td><td>件数</td></tr><tr><td>石家庄</td><td>120</td></tr></table>` +
		`<p><img src="/media/x.jpg" alt="现场"><script>alert(1)</script></p>`
	want := "一、总体要求\n\n全省法律援助中心当天受理咨询一百二十件。详见通知 (https://news.example.gov.cn/articles/7.html)，或访问 https://www.moj.gov.cn/。\n\n" +
		"• 法律咨询\n• 代写文书\n\n第一行\n第二行\n\n地区 | 件数\n石家庄 | 120"
	if got := htmlText(body, "https://news.example.gov.cn"); got != want {
		t.Fatalf("htmlText =\n%q\nwant\n%q", got, want)
	}
}

func TestDigestPeriods(t *testing.T) {
	cst := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, herald.CST) }
	for _, tt := range []struct {
		f         herald.Frequency
		now, next time.Time
	}{
		{herald.FrequencyDaily, cst(25, 6, 59), cst(25, 7, 0)},
		{herald.FrequencyDaily, cst(25, 7, 0), cst(26, 7, 0)}, // a digest due now is its job's, not a new one
		{herald.FrequencyDaily, cst(25, 23, 30), cst(26, 7, 0)},
		{herald.FrequencyWeekly, cst(25, 16, 0), cst(30, 7, 0)}, // Wednesday → Monday
		{herald.FrequencyWeekly, cst(30, 6, 0), cst(30, 7, 0)},
		{herald.FrequencyWeekly, cst(30, 7, 0), time.Date(2026, 12, 7, 7, 0, 0, 0, herald.CST)},
		{herald.FrequencyWeekly, cst(29, 23, 0), cst(30, 7, 0)}, // Sunday night
	} {
		got := nextDigest(tt.f, tt.now.UTC())
		if !got.Equal(tt.next) {
			t.Errorf("next %s digest after %v = %v, want %v", tt.f, tt.now, got.In(herald.CST), tt.next)
		}
		f, from, until, err := parsePeriod(periodName(tt.f, got))
		if err != nil || f != tt.f || !until.Equal(got) || until.Sub(from) != periodLength(tt.f) {
			t.Errorf("period %s reads back as %s %v–%v (%v)", periodName(tt.f, got), f, from, until, err)
		}
	}
	for _, bad := range []string{"daily/2026-13-01", "weekly/2026-11-25", "hourly/2026-11-25", "daily", ""} {
		if _, _, _, err := parsePeriod(bad); herald.ErrorCode(err) != herald.EINVALID {
			t.Errorf("period %q accepted", bad)
		}
	}
}

func TestMailIdentities(t *testing.T) {
	at := time.Date(2026, 11, 25, 8, 0, 0, 123000, time.UTC)
	for _, tt := range []struct {
		p        mailPayload
		key, mid string
	}{
		{mailPayload{Kind: herald.MailStory, Subscriber: 3, Article: 7, At: at}, "newsletter.mail/story/7/3", "herald.story.7.3@x.cn"},
		{mailPayload{Kind: herald.MailCorrection, Subscriber: 3, Article: 7, Version: 9, At: at}, "newsletter.mail/correction/7/9/3", "herald.correction.7.9.3@x.cn"},
		{mailPayload{Kind: herald.MailRetraction, Subscriber: 3, Article: 7, At: at}, "newsletter.mail/retraction/7/3", "herald.retraction.7.3@x.cn"},
		{mailPayload{Kind: herald.MailDigest, Subscriber: 3, Period: "weekly/2026-11-30", At: at}, "newsletter.mail/digest/weekly/2026-11-30/3", "herald.digest.weekly.2026-11-30.3@x.cn"},
		{mailPayload{Kind: herald.MailConfirmation, Subscriber: 3, At: at}, "newsletter.mail/confirmation/3/1795593600000123", "herald.confirmation.3.1795593600000123@x.cn"},
	} {
		if j := tt.p.job(); j.Key != tt.key || j.Kind != KindMail {
			t.Errorf("job key %q, want %q", j.Key, tt.key)
		}
		if got := tt.p.messageID("x.cn"); got != tt.mid {
			t.Errorf("Message-ID %q, want %q", got, tt.mid)
		}
	}
}

func TestConfirmRules(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 8, 0, 0, 500, time.UTC)
	later := t0.Add(time.Hour)
	pending := func() *herald.Subscriber {
		return &herald.Subscriber{ID: 1, Status: herald.SubscriberPending, RequestedAt: &t0,
			SubscriptionPrefs: herald.SubscriptionPrefs{Frequency: herald.FrequencyEach}}
	}
	// a token carries its time to the second
	if _, err := confirm(pending(), t0.Truncate(time.Second), later); err != nil {
		t.Fatalf("the link of the latest request: %v", err)
	}
	if _, err := confirm(pending(), t0.Add(-time.Second), later); !strings.Contains(herald.ErrorMessage(err), herald.LinkReplaced) {
		t.Fatalf("an older link: %v", err)
	}
	active := pending()
	active.Status = herald.SubscriberActive
	if ch, err := confirm(active, t0, later); err != nil || ch.Event.Action != "" {
		t.Fatalf("confirming twice: %+v, %v", ch, err)
	}
	active.Pending = &herald.SubscriptionPrefs{Frequency: herald.FrequencyWeekly}
	if _, err := confirm(active, t0.Add(-time.Minute), later); !strings.Contains(herald.ErrorMessage(err), herald.LinkReplaced) {
		t.Fatalf("an old link applied a stranger's change: %v", err)
	}
	if ch, err := confirm(active, t0, later); err != nil || active.Frequency != herald.FrequencyWeekly || active.Pending != nil || ch.Event.Comment != "preferences" {
		t.Fatalf("confirming a change: %+v %+v %v", active, ch, err)
	}
	gone := pending()
	gone.Status = herald.SubscriberBounced
	if _, err := confirm(gone, t0, later); herald.ErrorCode(err) != herald.ECONFLICT {
		t.Fatalf("confirming a bounced address: %v", err)
	}
}

func TestWhoWantsAStory(t *testing.T) {
	a := &herald.Article{ArticleContent: herald.ArticleContent{ColumnID: 2, ThemeIDs: []int64{5, 9}}}
	for _, tt := range []struct {
		columns, themes []int64
		want            bool
	}{
		{nil, nil, true}, // nothing chosen: everything
		{[]int64{2}, nil, true},
		{[]int64{3}, nil, false},
		{nil, []int64{9}, true},
		{nil, []int64{4}, false},
		{[]int64{3}, []int64{5}, true}, // its column or one of its themes
		{[]int64{3}, []int64{4}, false},
	} {
		p := herald.SubscriptionPrefs{ColumnIDs: tt.columns, ThemeIDs: tt.themes}
		if got := p.Wants(a); got != tt.want {
			t.Errorf("columns %v themes %v: wants = %v", tt.columns, tt.themes, got)
		}
	}
}

func TestNormalizeEmail(t *testing.T) {
	for in, want := range map[string]string{" LiMing@Example.CN ": "liming@example.cn", "a.b+news@sft.hebei.gov.cn": "a.b+news@sft.hebei.gov.cn"} {
		if got, err := herald.NormalizeEmail(in); err != nil || got != want {
			t.Errorf("NormalizeEmail(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "liming", "liming@localhost", "李明@example.cn", "a b@example.cn", `"a"@example.cn`, "a@example.cn\r\nBcc: x@y.cn",
		"<a@example.cn>", "a@@example.cn", ".a@example.cn", "a..b@example.cn", "a@example..cn", "Li Ming <a@example.cn>", strings.Repeat("a", 250) + "@x.cn"} {
		if _, err := herald.NormalizeEmail(bad); herald.ErrorCode(err) != herald.EINVALID {
			t.Errorf("NormalizeEmail(%q) accepted", bad)
		}
	}
}
