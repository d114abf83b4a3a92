package newsroom_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/notify"
)

// staffNamed returns a demo staff member by username.
func (f *fixture) staffNamed(t *testing.T, username string) *herald.Staff {
	t.Helper()
	list, _, err := f.store.FindStaff(context.Background(), herald.StaffFilter{Username: username})
	if err != nil || len(list) != 1 {
		t.Fatalf("staff %s: %v", username, err)
	}
	return list[0]
}

// tell stores notifications for a person as the notifier would, leaving its
// cursor alone, and returns them oldest first.
func (f *fixture) tell(t *testing.T, ns ...*herald.Notification) []*herald.Notification {
	t.Helper()
	cur, err := f.store.NotifierCursor(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	added, err := f.store.RecordNotifications(context.Background(), herald.NotificationBatch{From: cur, To: cur, At: *f.now, Notifications: ns})
	if err != nil || len(added) != len(ns) {
		t.Fatalf("recorded %d of %d: %v", len(added), len(ns), err)
	}
	return added
}

var bellCount = regexp.MustCompile(`<span class="bell-count" aria-hidden="true">(\d+)</span>`)

// bell is the unread count the bar shows, "" for none.
func bell(page string) string {
	if m := bellCount.FindStringSubmatch(page); m != nil {
		return m[1]
	}
	return ""
}

func TestNotificationsListMarkReadAndBell(t *testing.T) {
	f := newFixture(t)
	gao, other := f.staffNamed(t, "gaofeng"), f.staffNamed(t, "kongfanyu")
	note := func(st *herald.Staff, kind herald.NotificationKind, id int64, title, body string) *herald.Notification {
		return &herald.Notification{StaffID: st.ID, Kind: kind, Title: title, Body: body, Link: "/newsroom/articles/" + itoa(id),
			Entity: herald.EntityArticle, EntityID: id, At: *f.now, InApp: true}
	}
	added := f.tell(t,
		note(gao, herald.NotifyRejected, 1, "石家庄市开展法律援助宣传", "请补充受援人数"),
		note(gao, herald.NotifyPublished, 2, "正定县人民调解工作纪实", ""),
		note(gao, herald.NotifyPublished, 3, "高新区公证服务进园区", ""),
		note(other, herald.NotifyPublished, 4, "别人的通知", ""))
	b := f.browser(t)
	b.login("gaofeng")
	_, desk := b.get("/newsroom/")
	if got := bell(desk); got != "3" {
		t.Fatalf("the bell shows %q, want 3", got)
	}
	code, page := b.get("/newsroom/notifications")
	if code != http.StatusOK {
		t.Fatalf("notifications page: %d", code)
	}
	first, last := strings.Index(page, "高新区公证服务进园区"), strings.Index(page, "石家庄市开展法律援助宣传")
	if first < 0 || last < 0 || first > last {
		t.Fatalf("the list is not newest first:\n%s", page)
	}
	for _, want := range []string{"稿件《石家庄市开展法律援助宣传》被退回修改", "退回理由：请补充受援人数", `href="/newsroom/articles/1"`, "共 3 条通知，3 条未读。"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(page, "别人的通知") {
		t.Fatal("someone else's notification is listed")
	}

	// opening one marks it read and goes to what it is about
	csrf := b.csrf(page)
	code, loc, _ := b.post("/newsroom/notifications/read", url.Values{"csrf": {csrf}, "id": {itoa(added[0].ID)}, "open": {"1"}})
	if code != http.StatusSeeOther || loc != "/newsroom/articles/1" {
		t.Fatalf("open: %d %s", code, loc)
	}
	_, desk = b.get("/newsroom/")
	if got := bell(desk); got != "2" {
		t.Fatalf("after opening one the bell shows %q, want 2", got)
	}
	// someone else's notification is not theirs to mark
	b.post("/newsroom/notifications/read", url.Values{"csrf": {csrf}, "id": {itoa(added[3].ID)}})
	if n, _ := f.store.CountUnreadNotifications(context.Background(), other.ID); n != 1 {
		t.Fatalf("someone else's notification was marked read")
	}
	// without the form's token nothing changes
	if code, _, _ := b.post("/newsroom/notifications/read", url.Values{"all": {"1"}}); code != http.StatusForbidden {
		t.Fatalf("mark all without CSRF: %d", code)
	}
	code, loc, _ = b.post("/newsroom/notifications/read", url.Values{"csrf": {csrf}, "all": {"1"}})
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/newsroom/notifications") {
		t.Fatalf("mark all: %d %s", code, loc)
	}
	_, page = b.get(loc)
	if got := bell(page); got != "" {
		t.Fatalf("after marking all the bell shows %q", got)
	}
	if !strings.Contains(page, "已标记为已读。") || !strings.Contains(page, "共 3 条通知，0 条未读。") {
		t.Fatalf("after marking all:\n%s", page)
	}
	_, page = b.get("/newsroom/notifications?unread=1")
	if !strings.Contains(page, "没有未读通知。") {
		t.Fatal("the unread filter lists read notifications")
	}
	// a bad ID is refused
	if code, _, _ := b.post("/newsroom/notifications/read", url.Values{"csrf": {csrf}, "id": {"x"}}); code != http.StatusBadRequest {
		t.Fatalf("bad id: %d", code)
	}
}

func TestNotificationSettings(t *testing.T) {
	f := newFixture(t)
	gao := f.staffNamed(t, "gaofeng")
	b := f.browser(t)
	b.login("gaofeng")
	code, page := b.get(notify.PrefsPath)
	if code != http.StatusOK {
		t.Fatalf("settings page: %d", code)
	}
	// the defaults: everything in the newsroom, mail for assignments, overdue and rejections
	for _, want := range []string{`name="in_app.published" value="1" aria-describedby="hint-published" checked`,
		`name="email.rejected" value="1" aria-describedby="hint-rejected" checked`, `name="email.published" value="1" aria-describedby="hint-published">`,
		"没有配置邮件服务器"} {
		if !strings.Contains(page, want) {
			t.Errorf("the settings page lacks %q", want)
		}
	}
	code, loc, _ := b.post(notify.PrefsPath, url.Values{"csrf": {b.csrf(page)}, "in_app.rejected": {"1"}, "email.published": {"1"}})
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, notify.PrefsPath) {
		t.Fatalf("save: %d %s", code, loc)
	}
	prefs, err := f.store.FindNotificationPrefs(context.Background(), gao.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := herald.NotificationPrefs{herald.NotifyAssignment: {}, herald.NotifyDueSoon: {}, herald.NotifyOverdue: {},
		herald.NotifyRejected: {InApp: true}, herald.NotifyPublished: {Email: true}}
	for k, v := range want {
		if prefs[gao.ID][k] != v {
			t.Errorf("%s = %+v, want %+v", k, prefs[gao.ID][k], v)
		}
	}
	events, _ := f.store.FindEvents(context.Background(), herald.EventFilter{Entity: herald.EntityStaff, EntityID: gao.ID, Action: "notification_prefs"})
	if len(events) != 1 || events[0].ActorID != gao.ID {
		t.Fatalf("prefs events = %+v", events)
	}
}

func TestAccountEmail(t *testing.T) {
	f := newFixture(t)
	gao := f.staffNamed(t, "gaofeng")
	b := f.browser(t)
	b.login("gaofeng")
	_, page := b.get("/newsroom/account")
	if !strings.Contains(page, `value="gaofeng@sft.hebei.example"`) {
		t.Fatal("the account page does not show the address")
	}
	csrf := b.csrf(page)
	code, _, body := b.post("/newsroom/account/email", url.Values{"csrf": {csrf}, "email": {"not an address"}})
	if code != http.StatusBadRequest || !strings.Contains(body, "邮箱地址格式不正确") {
		t.Fatalf("bad address: %d", code)
	}
	code, _, body = b.post("/newsroom/account/email", url.Values{"csrf": {csrf}, "email": {"KongFanyu@sft.hebei.example"}})
	if code != http.StatusConflict || !strings.Contains(body, "已被其他工作人员使用") {
		t.Fatalf("someone else's address: %d", code)
	}
	if st, _ := f.store.FindStaffByID(context.Background(), gao.ID); st.Email != "gaofeng@sft.hebei.example" {
		t.Fatalf("a refused change was kept: %q", st.Email)
	}
	code, loc, _ := b.post("/newsroom/account/email", url.Values{"csrf": {csrf}, "email": {" Gao.Feng@SJZ.sft.hebei.example "}})
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/newsroom/account") {
		t.Fatalf("change: %d %s", code, loc)
	}
	if st, _ := f.store.FindStaffByID(context.Background(), gao.ID); st.Email != "gao.feng@sjz.sft.hebei.example" {
		t.Fatalf("stored %q", st.Email)
	}
	events, _ := f.store.FindEvents(context.Background(), herald.EventFilter{Entity: herald.EntityStaff, EntityID: gao.ID, Action: "email"})
	if len(events) != 1 || events[0].ActorID != gao.ID {
		t.Fatalf("email events = %+v", events)
	}
	// an admin sets someone's address on the staff form
	admin := f.browser(t)
	admin.login("zhaojun")
	_, form := admin.get("/newsroom/admin/staff/" + itoa(gao.ID))
	if !strings.Contains(form, `value="gao.feng@sjz.sft.hebei.example"`) {
		t.Fatal("the staff form does not show the address")
	}
	values := url.Values{"csrf": {admin.csrf(form)}, "name": {gao.Name}, "name_en": {gao.NameEn}, "staff_code": {gao.StaffCode},
		"unit_id": {itoa(gao.UnitID)}, "roles": {"correspondent"}, "email": {"gaofeng@sjz.sft.hebei.example"}}
	code, _, body = admin.post("/newsroom/admin/staff/"+itoa(gao.ID), values)
	if code != http.StatusSeeOther {
		t.Fatalf("admin change: %d %.500s", code, body)
	}
	if st, _ := f.store.FindStaffByID(context.Background(), gao.ID); st.Email != "gaofeng@sjz.sft.hebei.example" {
		t.Fatalf("stored %q after the admin's change", st.Email)
	}
	values.Set("email", "wangyalan@sft.hebei.example")
	if code, _, body = admin.post("/newsroom/admin/staff/"+itoa(gao.ID), values); code != http.StatusConflict || !strings.Contains(body, `id="f-email-error"`) {
		t.Fatalf("admin taking someone's address: %d", code)
	}
}
