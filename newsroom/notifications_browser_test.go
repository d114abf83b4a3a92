package newsroom_test

import (
	"context"
	"strings"
	"testing"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/internal/browsertest"
)

// TestBrowserNotifications opens the notifications page and its settings on
// a phone (390 px) in headless Chromium: axe-core finds no serious problem,
// nothing scrolls sideways, the bell counts the unread ones, and opening one
// marks it read and goes to what it is about.
func TestBrowserNotifications(t *testing.T) {
	chromium, axe := browsertest.Needs(t)
	d := newNewsroomDay(t)
	d.browser = browsertest.Start(t, chromium)
	const correspondent = "gaofeng"
	d.meet(t, correspondent)
	ctx := context.Background()
	staff, _, err := d.store.FindStaff(ctx, herald.StaffFilter{Username: correspondent})
	if err != nil || len(staff) != 1 {
		t.Fatal(err)
	}
	articles, _, err := d.store.FindArticles(ctx, herald.ArticleFilter{Limit: 1, Order: herald.ByID})
	if err != nil || len(articles) != 1 {
		t.Fatalf("no demo article: %v", err)
	}
	a := articles[0]
	link := "/newsroom/articles/" + itoa(a.ID)
	if _, err := d.store.RecordNotifications(ctx, herald.NotificationBatch{At: d.now, Notifications: []*herald.Notification{
		{StaffID: staff[0].ID, Kind: herald.NotifyRejected, Title: a.Title, Body: "请补充活动的具体数据，并核实受援人数。这一句很长很长，用来检查在手机上是否会折行而不是横向滚动。",
			Link: link, Entity: herald.EntityArticle, EntityID: a.ID, EventID: 0, At: d.now, InApp: true},
		{StaffID: staff[0].ID, Kind: herald.NotifyOverdue, Title: "宪法宣传周系列报道（石家庄市司法局）", Link: "/newsroom/assignments?unit=" + itoa(staff[0].UnitID) + "#assignment-1",
			Entity: herald.EntityAssignment, EntityID: 1, At: d.now, InApp: true},
	}}); err != nil {
		t.Fatal(err)
	}

	p := d.as(t, correspondent)
	browsertest.Viewport(t, p.ctx, 390, 844)
	audit := func(where string) {
		t.Helper()
		browsertest.Audit(t, p.ctx, axe, where)
		if over := browsertest.Eval[int](t, p.ctx, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); over > 0 {
			t.Errorf("%s scrolls sideways by %d px", where, over)
		}
	}
	p.open("/newsroom/")
	if got := p.text("header .bell-count"); got != "2" {
		t.Fatalf("the bell shows %q, want 2", got)
	}
	p.submit(`header a.bell`)
	audit("the notifications page at 390px")
	if h := p.text("ul.notify-list li.unread .notify-headline"); !strings.Contains(h, "已逾期") {
		t.Errorf("the newest notification says %q", h)
	}
	p.submit(`ul.notify-list li:last-child button[name=open]`)
	if loc := p.location(); loc != link {
		t.Fatalf("opening the rejection went to %s, want %s", loc, link)
	}
	if got := p.text("header .bell-count"); got != "1" {
		t.Fatalf("after opening one the bell shows %q, want 1", got)
	}
	p.open("/newsroom/notifications/settings")
	audit("the notification settings at 390px")
	p.open("/newsroom/account")
	audit("the account page with the e-mail address at 390px")
}
