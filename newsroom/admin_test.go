package newsroom_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/auth"
	"github.com/heraldnews/herald/demo"
	"github.com/heraldnews/herald/internal/browsertest"
	"github.com/heraldnews/herald/portal"
)

// adminPages are every page of the administration area that a GET opens.
var adminPages = []string{"/newsroom/admin/", "/newsroom/admin/units", "/newsroom/admin/units/new", "/newsroom/admin/staff",
	"/newsroom/admin/staff/new", "/newsroom/admin/columns", "/newsroom/admin/columns/new", "/newsroom/admin/themes",
	"/newsroom/admin/themes/new", "/newsroom/admin/settings"}

// token opens a page and returns its CSRF token.
func (b *browser) token(path string) string {
	b.t.Helper()
	code, page := b.get(path)
	if code != http.StatusOK {
		b.t.Fatalf("GET %s: %d %.500s", path, code, page)
	}
	return b.csrf(page)
}

// send posts a form with the session's CSRF token, taken from page.
func (b *browser) send(page, path string, form url.Values) (int, string, string) {
	b.t.Helper()
	form.Set("csrf", b.token(page))
	return b.post(path, form)
}

func (f *fixture) unit(t *testing.T, code string) *herald.Unit {
	t.Helper()
	units, _, err := f.store.FindUnits(context.Background(), herald.UnitFilter{Code: code})
	if err != nil || len(units) != 1 {
		t.Fatalf("unit %s: %v (%d found)", code, err, len(units))
	}
	return units[0]
}

func (f *fixture) member(t *testing.T, username string) *herald.Staff {
	t.Helper()
	staff, _, err := f.store.FindStaff(context.Background(), herald.StaffFilter{Username: username})
	if err != nil || len(staff) != 1 {
		t.Fatalf("staff %s: %v (%d found)", username, err, len(staff))
	}
	return staff[0]
}

func (f *fixture) lastEvent(t *testing.T) int64 {
	t.Helper()
	id, err := f.store.LastEventID(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// events returns the events after id.
func (f *fixture) eventsAfter(t *testing.T, id int64) []*herald.Event {
	t.Helper()
	events, err := f.store.FindEvents(context.Background(), herald.EventFilter{AfterID: id})
	if err != nil {
		t.Fatal(err)
	}
	return events
}

// fieldError returns the message shown next to a form field, "" if none.
func fieldError(page, name string) string {
	m := regexp.MustCompile(`<p class="field-error" id="f-` + regexp.QuoteMeta(name) + `-error">([^<]*)</p>`).FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

var savedMember = regexp.MustCompile(`^/newsroom/admin/staff/(\d+)\?done=1$`)

func TestAdminCreatesUnitAndStaff(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	admin := f.browser(t)
	admin.login("zhaojun") // the department's administrator, at the publicity center
	_, desk := admin.get("/newsroom/")
	if !strings.Contains(desk, `href="/newsroom/admin/"`) {
		t.Fatal("the admin's nav has no link to the administration")
	}
	for _, p := range adminPages {
		if code, page := admin.get(p); code != http.StatusOK || strings.Contains(page, "admin.") {
			t.Errorf("GET %s: %d, or a message key shows untranslated: %.300s", p, code, page)
		}
	}
	_, tree := admin.get("/newsroom/admin/units")
	if !strings.Contains(tree, "崇礼区西湾子镇司法所") || !strings.Contains(tree, "<code>ZJK-CL-XWZ</code>") || strings.Count(tree, "<ul>") < 4 {
		t.Fatal("the unit tree lacks the township office or its nesting")
	}

	sjz := f.unit(t, "SJZ")
	before := f.lastEvent(t)
	code, loc, body := admin.send("/newsroom/admin/units/new?parent="+itoa(sjz.ID), "/newsroom/admin/units", url.Values{
		"code": {"sjz-xh"}, "name": {"石家庄市新华区司法局"}, "name_en": {"Xinhua District Bureau of Justice"},
		"type": {"county_bureau"}, "parent_id": {itoa(sjz.ID)}})
	if code != http.StatusSeeOther || loc != "/newsroom/admin/units?done=1" {
		t.Fatalf("create unit: %d %s %.500s", code, loc, body)
	}
	xh := f.unit(t, "SJZ-XH")
	if xh.ParentID != sjz.ID || xh.Type != herald.UnitCountyBureau || xh.Name != "石家庄市新华区司法局" {
		t.Fatalf("created unit %+v", xh)
	}
	zhaojun := f.member(t, "zhaojun")
	if ev := f.eventsAfter(t, before); len(ev) != 1 || ev[0].Entity != herald.EntityUnit || ev[0].Action != "create" || ev[0].ActorID != zhaojun.ID || ev[0].EntityID != xh.ID {
		t.Fatalf("events of the unit's creation: %+v", ev)
	}
	if _, tree := admin.get("/newsroom/admin/units?done=1"); !strings.Contains(tree, "操作已完成") || !strings.Contains(tree, "石家庄市新华区司法局") {
		t.Fatal("the unit tree does not show the new unit with the done flash")
	}

	code, loc, body = admin.send("/newsroom/admin/staff/new", "/newsroom/admin/staff", url.Values{
		"username": {"LiMing "}, "name": {"李明"}, "staff_code": {"xh001"}, "unit_id": {itoa(xh.ID)},
		"roles": {"correspondent", "editor"}, "skills": {"新闻采写，摄影"}, "password": {"temporary pass 1"}, "confirm": {"temporary pass 1"}})
	m := savedMember.FindStringSubmatch(loc)
	if code != http.StatusSeeOther || m == nil {
		t.Fatalf("create staff: %d %s %.800s", code, loc, body)
	}
	liming := f.member(t, "liming")
	if itoa(liming.ID) != m[1] || liming.UnitID != xh.ID || liming.StaffCode != "XH001" || !liming.HasRole(herald.RoleEditor) ||
		!liming.HasRole(herald.RoleCorrespondent) || liming.HasRole(herald.RoleAdmin) || strings.Join(liming.Skills, "|") != "新闻采写|摄影" {
		t.Fatalf("created staff %+v", liming)
	}
	if _, page := admin.get(loc); !strings.Contains(page, "操作已完成") || !strings.Contains(page, `value="李明"`) {
		t.Fatal("the new person's page lacks the flash or their name")
	}
	newcomer := f.browser(t)
	if code, loc, _ := newcomer.post("/newsroom/login", url.Values{"username": {"liming"}, "password": {"temporary pass 1"}}); code != http.StatusSeeOther || loc != "/newsroom/" {
		t.Fatalf("the new staff member signs in: %d %s", code, loc)
	}
	if code, page := newcomer.get("/newsroom/"); code != http.StatusOK || strings.Contains(page, `href="/newsroom/admin/"`) {
		t.Fatalf("the newcomer's desk: %d, or it links to the administration", code)
	}

	// The list filters by unit (with or without sub-units), role and a search.
	for _, c := range []struct {
		query      string
		want, omit []string
	}{
		{"unit=" + itoa(sjz.ID) + "&sub=1", []string{"李明", "宋丽娜", "孔繁宇"}, []string{"董伟", "赵军"}},
		{"unit=" + itoa(sjz.ID), []string{"宋丽娜", "高峰"}, []string{"李明", "孔繁宇"}},
		{"role=admin", []string{"赵军"}, []string{"李明", "王亚兰"}},
		{"q=LIMING", []string{"李明"}, []string{"宋丽娜"}},
		{"q=DW11", []string{"王亚兰", "刘晓敏"}, []string{"李明"}},
	} {
		code, page := admin.get("/newsroom/admin/staff?" + c.query)
		if code != http.StatusOK {
			t.Fatalf("staff?%s: %d", c.query, code)
		}
		for _, w := range c.want {
			if !strings.Contains(page, ">"+w+"</a>") {
				t.Errorf("staff?%s lacks %s", c.query, w)
			}
		}
		for _, o := range c.omit {
			if strings.Contains(page, ">"+o+"</a>") {
				t.Errorf("staff?%s lists %s", c.query, o)
			}
		}
	}

	// Changing the person: another unit, another role set.
	code, loc, body = admin.send(loc, "/newsroom/admin/staff/"+itoa(liming.ID), url.Values{
		"name": {"李明"}, "staff_code": {"XH001"}, "unit_id": {itoa(sjz.ID)}, "roles": {"correspondent"}, "skills": {"新闻采写、摄影、无人机"}})
	if code != http.StatusSeeOther || loc != "/newsroom/admin/staff/"+itoa(liming.ID)+"?done=1" {
		t.Fatalf("update staff: %d %s %.500s", code, loc, body)
	}
	if got := f.member(t, "liming"); got.UnitID != sjz.ID || got.HasRole(herald.RoleEditor) || len(got.Skills) != 3 {
		t.Fatalf("after the update: %+v", got)
	}
	if st, _ := f.store.FindStaffByID(ctx, liming.ID); st.PasswordHash != liming.PasswordHash {
		t.Fatal("the profile update changed the password")
	}

	// In English too.
	if code, _, _ := admin.send("/newsroom/", "/newsroom/account/language", url.Values{"lang": {"en"}}); code != http.StatusSeeOther {
		t.Fatalf("choose English: %d", code)
	}
	for _, p := range append(adminPages, "/newsroom/admin/staff/"+itoa(liming.ID), "/newsroom/admin/units/"+itoa(xh.ID)) {
		if code, page := admin.get(p); code != http.StatusOK || strings.Contains(page, "admin.") || !strings.Contains(page, `<html lang="en">`) {
			t.Errorf("GET %s in English: %d, or not English: %.300s", p, code, page)
		}
	}
	if _, page := admin.get("/newsroom/admin/staff/" + itoa(liming.ID)); !strings.Contains(page, "Reset the password") {
		t.Error("the English staff page lacks the password reset")
	}
}

func TestAdminResetsPasswordAndDisables(t *testing.T) {
	f := newFixture(t)
	admin := f.browser(t)
	admin.login("zhaojun")
	user := f.browser(t)
	user.login("gaofeng")
	gaofeng := f.member(t, "gaofeng")
	page := "/newsroom/admin/staff/" + itoa(gaofeng.ID)

	if code, _, body := admin.send(page, page+"/password", url.Values{"password": {"new temp pass 9"}, "confirm": {"new temp pass 8"}}); code != http.StatusBadRequest || fieldError(body, "confirm") != "两次输入的密码不一致。" {
		t.Fatalf("mismatched confirmation: %d %q", code, fieldError(body, "confirm"))
	}
	before := f.lastEvent(t)
	code, loc, body := admin.send(page, page+"/password", url.Values{"password": {"new temp pass 9"}, "confirm": {"new temp pass 9"}})
	if code != http.StatusSeeOther || loc != page+"?done=1" {
		t.Fatalf("reset password: %d %s %.500s", code, loc, body)
	}
	if code, _ := user.get("/newsroom/"); code != http.StatusSeeOther {
		t.Fatalf("the person's session survived the reset: %d", code)
	}
	if code, _, _ := f.browser(t).post("/newsroom/login", url.Values{"username": {"gaofeng"}, "password": {demo.Password}}); code != http.StatusUnauthorized {
		t.Fatalf("the old password still signs in: %d", code)
	}
	if code, loc, _ := user.post("/newsroom/login", url.Values{"username": {"gaofeng"}, "password": {"new temp pass 9"}}); code != http.StatusSeeOther || loc != "/newsroom/" {
		t.Fatalf("sign in with the new password: %d %s", code, loc)
	}
	zhaojun := f.member(t, "zhaojun")
	events := f.eventsAfter(t, before)
	// One audited step: the reset, which ended the sessions (checked above) in
	// the same transaction.
	var reset bool
	for _, e := range events {
		reset = reset || e.Entity == herald.EntityStaff && e.EntityID == gaofeng.ID && e.Action == "password_reset" && e.ActorID == zhaojun.ID
	}
	if !reset {
		t.Fatalf("audit after the reset: %+v", events)
	}

	// Disabling signs them out and keeps them out; enabling lets them back in.
	if code, loc, _ := admin.send(page, page+"/disable", url.Values{}); code != http.StatusSeeOther || loc != page+"?done=1" {
		t.Fatalf("disable: %d %s", code, loc)
	}
	if code, _ := user.get("/newsroom/"); code != http.StatusSeeOther {
		t.Fatal("a disabled person's session goes on")
	}
	if code, _, body := user.post("/newsroom/login", url.Values{"username": {"gaofeng"}, "password": {"new temp pass 9"}}); code != http.StatusUnauthorized || !strings.Contains(body, "已停用") {
		t.Fatalf("a disabled person signs in: %d", code)
	}
	if _, list := admin.get("/newsroom/admin/staff?q=gaofeng"); !strings.Contains(list, `<span class="account-off">已停用</span>`) {
		t.Fatal("the staff list does not mark the disabled account")
	}
	if code, _, _ := admin.send(page, page+"/enable", url.Values{}); code != http.StatusSeeOther {
		t.Fatalf("enable: %d", code)
	}
	if code, _, _ := user.post("/newsroom/login", url.Values{"username": {"gaofeng"}, "password": {"new temp pass 9"}}); code != http.StatusSeeOther {
		t.Fatalf("sign in after enabling: %d", code)
	}
}

func TestAdminAreaIsForAdminsOnly(t *testing.T) {
	f := newFixture(t)
	sjz := f.unit(t, "SJZ")
	for _, who := range []string{"wangyalan", "guoting", "baiyonggang", "zhoulixin"} { // editor-in-chief, editor, correspondent, viewer
		b := f.browser(t)
		b.login(who)
		_, desk := b.get("/newsroom/")
		if strings.Contains(desk, "/newsroom/admin/") {
			t.Errorf("%s's nav links to the administration", who)
		}
		for _, p := range append(adminPages, "/newsroom/admin/units/"+itoa(sjz.ID)) {
			code, page := b.get(p)
			if code != http.StatusForbidden || !strings.Contains(page, "只有系统管理员可以使用系统管理") {
				t.Errorf("%s GET %s: %d, want 403 with the reason", who, p, code)
			}
		}
		before := f.lastEvent(t)
		if code, _, _ := b.send("/newsroom/", "/newsroom/admin/units", url.Values{"code": {"X1"}, "name": {"X"}, "type": {"county_bureau"},
			"parent_id": {itoa(sjz.ID)}}); code != http.StatusForbidden {
			t.Errorf("%s creates a unit: %d", who, code)
		}
		if code, _, _ := b.send("/newsroom/", "/newsroom/admin/settings", url.Values{"site_name": {"X"}}); code != http.StatusForbidden {
			t.Errorf("%s saves the settings: %d", who, code)
		}
		if after := f.lastEvent(t); after != before {
			t.Errorf("%s's refused posts wrote %d events", who, after-before)
		}
	}
}

// cityAdmin adds an administrator at the Shijiazhuang bureau and signs them in.
func cityAdmin(t *testing.T, f *fixture) (*browser, *herald.Staff) {
	t.Helper()
	hash, err := auth.HashPassword(demo.Password)
	if err != nil {
		t.Fatal(err)
	}
	st := &herald.Staff{Username: "sjzadmin", Name: "石家庄管理员", StaffCode: "SJZ001", UnitID: f.unit(t, "SJZ").ID,
		Roles: []herald.Role{herald.RoleAdmin}, PasswordHash: hash}
	if err := f.store.CreateStaff(context.Background(), st, herald.Event{At: *f.now, Action: "create"}); err != nil {
		t.Fatal(err)
	}
	b := f.browser(t)
	b.login("sjzadmin")
	return b, st
}

func TestCityAdminManagesOnlyTheirCity(t *testing.T) {
	f := newFixture(t)
	b, me := cityAdmin(t, f)
	sjz, ts, zd := f.unit(t, "SJZ"), f.unit(t, "TS"), f.unit(t, "SJZ-ZD")
	_, home := b.get("/newsroom/admin/")
	if !strings.Contains(home, "您管理“石家庄市司法局”及其下级单位") || strings.Contains(home, `href="/newsroom/admin/settings"`) {
		t.Fatal("the city admin's page does not state their scope, or offers the site settings")
	}
	for _, p := range []string{"/newsroom/admin/columns", "/newsroom/admin/themes/new", "/newsroom/admin/settings"} {
		if code, page := b.get(p); code != http.StatusForbidden || !strings.Contains(page, "由省厅的系统管理员维护") {
			t.Errorf("GET %s: %d, want 403", p, code)
		}
	}
	_, tree := b.get("/newsroom/admin/units")
	if !strings.Contains(tree, "正定县正定镇司法所") || strings.Contains(tree, "唐山市司法局") || strings.Contains(tree, "河北省司法厅") {
		t.Fatal("the city admin's unit tree is not their city's")
	}
	_, list := b.get("/newsroom/admin/staff")
	if !strings.Contains(list, ">宋丽娜</a>") || !strings.Contains(list, ">孔繁宇</a>") || strings.Contains(list, ">董伟</a>") || strings.Contains(list, ">赵军</a>") {
		t.Fatal("the city admin's staff list is not their city's")
	}

	dongwei := f.member(t, "dongwei") // a correspondent in Tangshan
	other := "/newsroom/admin/staff/" + itoa(dongwei.ID)
	if code, page := b.get(other); code != http.StatusForbidden || !strings.Contains(page, "您只能管理“石家庄市司法局”及其下级单位") {
		t.Fatalf("GET another city's staff member: %d", code)
	}
	before := f.lastEvent(t)
	token := b.token("/newsroom/admin/")
	for path, form := range map[string]url.Values{
		other:                                  {"name": {"改名"}, "staff_code": {"TS021"}, "unit_id": {itoa(sjz.ID)}, "roles": {"correspondent"}},
		other + "/password":                    {"password": {"taken over 123"}, "confirm": {"taken over 123"}},
		other + "/disable":                     {},
		"/newsroom/admin/units/" + itoa(ts.ID): {"name": {"改名"}, "type": {"city_bureau"}, "parent_id": {itoa(sjz.ID)}},
	} {
		form.Set("csrf", token)
		if code, _, _ := b.post(path, form); code != http.StatusForbidden {
			t.Errorf("POST %s: %d, want 403", path, code)
		}
	}
	// Their own forms refuse what lies outside their city, next to the field.
	code, _, body := b.send("/newsroom/admin/staff/new", "/newsroom/admin/staff", url.Values{"username": {"tsnew"}, "name": {"唐山新人"},
		"staff_code": {"TS099"}, "unit_id": {itoa(ts.ID)}, "roles": {"correspondent"}, "password": {"long enough 123"}, "confirm": {"long enough 123"}})
	if code != http.StatusForbidden || fieldError(body, "unit_id") != "只能选择“石家庄市司法局”或其下级单位。" {
		t.Fatalf("create staff in another city: %d %q", code, fieldError(body, "unit_id"))
	}
	code, _, body = b.send("/newsroom/admin/units/"+itoa(zd.ID), "/newsroom/admin/units/"+itoa(zd.ID), url.Values{"name": {zd.Name},
		"type": {"county_bureau"}, "parent_id": {itoa(ts.ID)}})
	if code != http.StatusForbidden || !strings.Contains(fieldError(body, "parent_id"), "石家庄市司法局") {
		t.Fatalf("move a county into another city: %d %q", code, fieldError(body, "parent_id"))
	}
	// Their own unit keeps its type and place: a publicity center acts for its
	// parent, so the change would hand them the province.
	_, own := b.get("/newsroom/admin/units/" + itoa(sjz.ID))
	if strings.Contains(own, `name="type"`) || strings.Contains(own, `name="parent_id"`) {
		t.Fatal("the city admin is offered their own unit's type or parent")
	}
	if code, _, _ := b.send("/newsroom/admin/units/"+itoa(sjz.ID), "/newsroom/admin/units/"+itoa(sjz.ID), url.Values{"name": {"石家庄市司法局"},
		"type": {"publicity_center"}, "parent_id": {itoa(zd.ID)}}); code != http.StatusSeeOther {
		t.Fatalf("save their own unit: %d", code)
	}
	if got := f.unit(t, "SJZ"); got.Type != herald.UnitCityBureau || got.ParentID != sjz.ParentID {
		t.Fatalf("the city admin changed their own unit's place: %+v", got)
	}
	if ev := f.eventsAfter(t, before); len(ev) != 1 || ev[0].Entity != herald.EntityUnit || ev[0].EntityID != sjz.ID {
		t.Fatalf("events: %+v, want only the update of their own unit", ev)
	}
	if got := f.member(t, "dongwei"); got.Name != dongwei.Name || got.PasswordHash != dongwei.PasswordHash || !got.Active() {
		t.Fatal("another city's staff member changed")
	}
	// Within the city all is theirs.
	gaofeng := f.member(t, "gaofeng")
	if code, _, body := b.send("/newsroom/admin/staff/"+itoa(gaofeng.ID), "/newsroom/admin/staff/"+itoa(gaofeng.ID), url.Values{"name": {"高峰"},
		"staff_code": {"SJZ015"}, "unit_id": {itoa(zd.ID)}, "roles": {"correspondent", "editor"}}); code != http.StatusSeeOther {
		t.Fatalf("the city admin updates a city correspondent: %d %.500s", code, body)
	}
	if got := f.member(t, "gaofeng"); got.UnitID != zd.ID || !got.HasRole(herald.RoleEditor) {
		t.Fatalf("after the update: %+v", got)
	}
	_ = me
}

func TestAdminRefusesBadInput(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	admin := f.browser(t)
	admin.login("zhaojun")
	zhaojun := f.member(t, "zhaojun")
	sjz, zd := f.unit(t, "SJZ"), f.unit(t, "SJZ-ZD")
	staffBefore, _, _ := f.store.FindStaff(ctx, herald.StaffFilter{})
	colsBefore, _ := f.store.FindColumns(ctx)
	before := f.lastEvent(t)

	newStaff := func(username, password string) url.Values {
		return url.Values{"username": {username}, "name": {"新同事"}, "staff_code": {"NEW001"}, "unit_id": {itoa(sjz.ID)},
			"roles": {"correspondent"}, "password": {password}, "confirm": {password}}
	}
	cases := []struct {
		name, page, path string
		form             url.Values
		status           int
		field, message   string
		kept             string // the input the re-rendered form still holds
	}{
		{"DuplicateUsername", "/newsroom/admin/staff/new", "/newsroom/admin/staff", newStaff("guoting", "long enough 123"),
			http.StatusConflict, "username", "已被使用，请换一个。", `value="新同事"`},
		{"DuplicateStaffCode", "/newsroom/admin/staff/new", "/newsroom/admin/staff", func() url.Values {
			v := newStaff("xintongshi", "long enough 123")
			v.Set("staff_code", "DW110")
			return v
		}(), http.StatusConflict, "staff_code", "已被使用，请换一个。", `value="DW110"`},
		{"WeakPassword", "/newsroom/admin/staff/new", "/newsroom/admin/staff", newStaff("xintongshi", "short"),
			http.StatusBadRequest, "password", "密码至少需要 10 个字符。", `value="xintongshi"`},
		{"NoRole", "/newsroom/admin/staff/new", "/newsroom/admin/staff", func() url.Values {
			v := newStaff("xintongshi", "long enough 123")
			v.Del("roles")
			return v
		}(), http.StatusBadRequest, "roles", "至少选择一个角色。", `value="NEW001"`},
		{"UnitCycle", "/newsroom/admin/units/" + itoa(sjz.ID), "/newsroom/admin/units/" + itoa(sjz.ID),
			url.Values{"name": {"石家庄市司法局（新）"}, "type": {"city_bureau"}, "parent_id": {itoa(zd.ID)}},
			http.StatusBadRequest, "parent_id", "不能把单位放到它自己或它的下级单位之下。", `value="石家庄市司法局（新）"`},
		{"UnitCodeTaken", "/newsroom/admin/units/new", "/newsroom/admin/units",
			url.Values{"code": {"SJZ-ZD"}, "name": {"重复代码"}, "type": {"county_bureau"}, "parent_id": {itoa(sjz.ID)}},
			http.StatusConflict, "code", "已被使用，请换一个。", `value="重复代码"`},
		{"ReviewLevels4", "/newsroom/admin/columns/new", "/newsroom/admin/columns",
			url.Values{"slug": {"fazhi-dongtai"}, "name": {"法治动态"}, "review_levels": {"4"}, "position": {"9"}},
			http.StatusBadRequest, "review_levels", "审核级数只能是 1、2 或 3。", `value="fazhi-dongtai"`},
		{"ReviewLevels4OnEdit", "/newsroom/admin/columns/" + itoa(colsBefore[0].ID), "/newsroom/admin/columns/" + itoa(colsBefore[0].ID),
			url.Values{"name": {"改名的栏目"}, "review_levels": {"4"}, "position": {"0"}},
			http.StatusBadRequest, "review_levels", "审核级数只能是 1、2 或 3。", `value="改名的栏目"`},
		{"PositionNotANumber", "/newsroom/admin/columns/new", "/newsroom/admin/columns",
			url.Values{"slug": {"fazhi"}, "name": {"法治"}, "review_levels": {"1"}, "position": {"第一"}},
			http.StatusBadRequest, "position", "请填写整数。", `value="第一"`},
		{"ThemeSlug", "/newsroom/admin/themes/new", "/newsroom/admin/themes",
			url.Values{"slug": {"Bad Slug!"}, "name": {"新主题"}}, http.StatusBadRequest, "slug", "只能使用小写字母和数字，词之间用“-”连接，最长 64 个字符。", `value="新主题"`},
		{"DisableSelf", "/newsroom/admin/staff/" + itoa(zhaojun.ID), "/newsroom/admin/staff/" + itoa(zhaojun.ID) + "/disable",
			url.Values{}, http.StatusBadRequest, "", "您不能停用自己的账号。", ""},
		{"UnadminSelf", "/newsroom/admin/staff/" + itoa(zhaojun.ID), "/newsroom/admin/staff/" + itoa(zhaojun.ID),
			url.Values{"name": {"赵军"}, "staff_code": {"DW101"}, "unit_id": {itoa(zhaojun.UnitID)}, "roles": {"editor"}},
			http.StatusBadRequest, "roles", "您不能去掉自己的系统管理员角色。", ""},
		{"ResetOwnPassword", "/newsroom/admin/staff/" + itoa(zhaojun.ID), "/newsroom/admin/staff/" + itoa(zhaojun.ID) + "/password",
			url.Values{"password": {"my own new one"}, "confirm": {"my own new one"}}, http.StatusBadRequest, "", "不能在这里重置自己的密码", ""},
		{"Mailbox", "/newsroom/admin/settings", "/newsroom/admin/settings",
			url.Values{"site_name": {"河北司法"}, "mailbox": {"not an address"}}, http.StatusBadRequest, "mailbox",
			"请填写电子邮箱地址，如 news@example.gov.cn。", `value="not an address"`},
		{"MourningOrder", "/newsroom/admin/settings", "/newsroom/admin/settings",
			url.Values{"site_name": {"河北司法"}, "mourning_from": {"2026-12-13T10:00"}, "mourning_until": {"2026-12-13T09:00"}},
			http.StatusBadRequest, "mourning_until", "结束时间必须晚于开始时间。", `value="2026-12-13T10:00"`},
		{"SiteNameRequired", "/newsroom/admin/settings", "/newsroom/admin/settings",
			url.Values{"site_name": {""}, "hotline": {"0311-1"}}, http.StatusBadRequest, "site_name", "此项必填。", `value="0311-1"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, body := admin.send(c.page, c.path, c.form)
			if code != c.status {
				t.Fatalf("status %d, want %d: %.1000s", code, c.status, body)
			}
			if c.field != "" {
				if got := fieldError(body, c.field); got != c.message {
					t.Errorf("message next to %s: %q, want %q", c.field, got, c.message)
				}
				if !strings.Contains(body, `id="f-`+c.field+`"`) || !regexp.MustCompile(`(?s)id="f-`+c.field+`"[^>]*aria-invalid="true"`).MatchString(body) &&
					!strings.Contains(body, `<fieldset id="f-`+c.field+`" aria-describedby="f-`+c.field+`-error`) {
					t.Errorf("the %s field is not marked invalid", c.field)
				}
			} else if !strings.Contains(html.UnescapeString(body), c.message) {
				t.Errorf("the page lacks %q", c.message)
			}
			if c.kept != "" && !strings.Contains(body, c.kept) {
				t.Errorf("the form lost the input %s", c.kept)
			}
			if strings.Contains(body, `type="password" value=`) {
				t.Error("a password is sent back in the form")
			}
		})
	}
	if after := f.lastEvent(t); after != before {
		t.Errorf("refused input wrote %d events: %+v", after-before, f.eventsAfter(t, before))
	}
	staffAfter, _, _ := f.store.FindStaff(ctx, herald.StaffFilter{})
	colsAfter, _ := f.store.FindColumns(ctx)
	if len(staffAfter) != len(staffBefore) || len(colsAfter) != len(colsBefore) || colsAfter[0].Name != colsBefore[0].Name {
		t.Error("refused input changed the staff or the columns")
	}
	if got := f.unit(t, "SJZ"); got.ParentID != sjz.ParentID || got.Name != sjz.Name {
		t.Error("the refused cycle moved the unit")
	}
	if got := f.member(t, "zhaojun"); !got.HasRole(herald.RoleAdmin) || !got.Active() {
		t.Error("the admin lost their role or account")
	}
}

func TestAdminColumnsAndThemes(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	admin := f.browser(t)
	admin.login("zhaojun")
	code, loc, body := admin.send("/newsroom/admin/columns/new", "/newsroom/admin/columns", url.Values{"slug": {"Fazhi-Dongtai"}, "name": {"法治动态"},
		"name_en": {"Rule of Law"}, "review_levels": {"2"}, "position": {"12"}, "check_cover": {"required"}, "check_editor": {""}})
	if code != http.StatusSeeOther || loc != "/newsroom/admin/columns?done=1" {
		t.Fatalf("create column: %d %s %.500s", code, loc, body)
	}
	var col *herald.Column
	cols, _ := f.store.FindColumns(ctx)
	for _, c := range cols {
		if c.Slug == "fazhi-dongtai" {
			col = c
		}
	}
	if col == nil || col.ReviewLevels != 2 || col.Position != 12 || col.NameEn != "Rule of Law" || len(col.Checklist) != 1 || col.Checklist["cover"] != "required" {
		t.Fatalf("created column %+v", col)
	}
	path := "/newsroom/admin/columns/" + itoa(col.ID)
	_, page := admin.get(path)
	if !regexp.MustCompile(`<select id="f-check_cover" name="check_cover">.*<option value="required" selected>`).MatchString(page) ||
		strings.Contains(page, "checklist.") || !strings.Contains(page, "默认（") {
		t.Fatal("the column form does not show the column's checklist in words")
	}
	if code, _, _ := admin.send(path, path, url.Values{"name": {"法治动态"}, "review_levels": {"3"}, "position": {"1"}, "check_links": {"off"}}); code != http.StatusSeeOther {
		t.Fatalf("update column: %d", code)
	}
	cols, _ = f.store.FindColumns(ctx)
	for _, c := range cols {
		if c.ID == col.ID && (c.ReviewLevels != 3 || c.Position != 1 || c.Slug != "fazhi-dongtai" || c.NameEn != "" ||
			len(c.Checklist) != 1 || c.Checklist["links"] != "off") {
			t.Fatalf("updated column %+v", c)
		}
	}
	if code, _, body := admin.send(path, path, url.Values{"name": {"法治动态"}, "review_levels": {"3"}, "check_links": {"sometimes"}}); code != http.StatusBadRequest || !strings.Contains(body, "sometimes") {
		t.Fatalf("an unknown severity: %d", code)
	}
	if _, list := admin.get("/newsroom/admin/columns"); !strings.Contains(list, "法治动态") || !strings.Contains(list, "3 审") {
		t.Fatal("the column list lacks the column's name or review levels")
	}

	code, loc, body = admin.send("/newsroom/admin/themes/new", "/newsroom/admin/themes", url.Values{"slug": {"jingjin-ji"}, "name": {"京津冀协同发展"},
		"description": {"京津冀协同发展中的司法行政工作。"}})
	if code != http.StatusSeeOther || loc != "/newsroom/admin/themes?done=1" {
		t.Fatalf("create theme: %d %s %.500s", code, loc, body)
	}
	themes, _ := f.store.FindThemes(ctx)
	var theme *herald.Theme
	for _, th := range themes {
		if th.Slug == "jingjin-ji" {
			theme = th
		}
	}
	if theme == nil || theme.Description != "京津冀协同发展中的司法行政工作。" {
		t.Fatalf("created theme %+v", theme)
	}
	path = "/newsroom/admin/themes/" + itoa(theme.ID)
	if code, _, _ := admin.send(path, path, url.Values{"name": {"京津冀协同发展"}, "name_en": {"Beijing-Tianjin-Hebei"}}); code != http.StatusSeeOther {
		t.Fatalf("update theme: %d", code)
	}
	themes, _ = f.store.FindThemes(ctx)
	for _, th := range themes {
		if th.ID == theme.ID && (th.NameEn != "Beijing-Tianjin-Hebei" || th.Description != "") {
			t.Fatalf("updated theme %+v", th)
		}
	}
	for _, missing := range []string{"/newsroom/admin/columns/999999", "/newsroom/admin/themes/999999", "/newsroom/admin/themes/x"} {
		if code, page := admin.get(missing); code != http.StatusNotFound || !strings.Contains(page, "没有这个") {
			t.Errorf("%s: %d, want 404 saying there is no such column or theme", missing, code)
		}
	}
	zhaojun := f.member(t, "zhaojun")
	for _, c := range []struct {
		entity string
		id     int64
	}{{herald.EntityColumn, col.ID}, {herald.EntityTheme, theme.ID}} {
		events, _ := f.store.FindEvents(ctx, herald.EventFilter{Entity: c.entity, EntityID: c.id})
		if len(events) != 2 || events[0].Action != "create" || events[1].Action != "update" || events[1].ActorID != zhaojun.ID {
			t.Errorf("%s events: %+v", c.entity, events)
		}
	}
}

func TestAdminSiteSettings(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	admin := f.browser(t)
	admin.login("zhaojun")
	saved, err := f.store.FindSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, page := admin.get("/newsroom/admin/settings")
	for _, v := range []string{saved.SiteName, saved.Supervisor, saved.ICP} {
		if !strings.Contains(page, `value="`+html.EscapeString(v)+`"`) {
			t.Errorf("the settings form does not hold %q", v)
		}
	}
	// Every field of the form, as it stands, with a few changes.
	form := url.Values{}
	for _, m := range regexp.MustCompile(`<(?:input|textarea) id="f-([a-z_]+)" name="([a-z_]+)"`).FindAllStringSubmatch(page, -1) {
		form.Set(m[2], "")
	}
	for _, name := range []string{"site_name", "site_name_en", "supervisor", "guidance", "copyright", "icp", "public_security_filing",
		"news_licence", "disclaimer", "hotline", "mailbox", "submission_group", "staff_inquiries", "legal_counsel", "public_account_name",
		"public_account_url", "about_html", "contact_html", "description", "mourning_from", "mourning_until"} {
		if _, ok := form[name]; !ok {
			t.Errorf("the settings form has no field %s", name)
		}
	}
	form.Set("site_name", saved.SiteName)
	form.Set("supervisor", "河北省司法厅（测试）")
	form.Set("icp", saved.ICP)
	form.Set("hotline", "0311-66668888")
	form.Set("mailbox", "tougao@example.gov.cn")
	form.Set("legal_counsel", "河北某律师事务所")
	form.Set("about_html", `<p>关于本站</p><script>alert(1)</script>`)
	form.Set("mourning_from", "2026-12-13T00:00")
	before := f.lastEvent(t)
	code, loc, body := admin.send("/newsroom/admin/settings", "/newsroom/admin/settings", form)
	if code != http.StatusSeeOther || loc != "/newsroom/admin/settings?done=1" {
		t.Fatalf("save settings: %d %s %.1000s", code, loc, body)
	}
	got, _ := f.store.FindSettings(ctx)
	wantFrom := time.Date(2026, 12, 12, 16, 0, 0, 0, time.UTC)
	if got.Supervisor != "河北省司法厅（测试）" || got.Hotline != "0311-66668888" || got.Mailbox != "tougao@example.gov.cn" ||
		got.LegalCounsel != "河北某律师事务所" || got.Guidance != "" || strings.Contains(got.AboutHTML, "script") ||
		got.MourningFrom == nil || !got.MourningFrom.Equal(wantFrom) || got.MourningUntil != nil {
		t.Fatalf("saved settings %+v", got)
	}
	if ev := f.eventsAfter(t, before); len(ev) != 1 || ev[0].Entity != herald.EntitySettings || ev[0].Action != "update" {
		t.Fatalf("events: %+v", ev)
	}
	if _, page := admin.get(loc); !strings.Contains(page, `value="2026-12-13T00:00"`) || !strings.Contains(page, "操作已完成") {
		t.Fatal("the settings page does not show the mourning start in China time, or the flash")
	}

	// The public portal's footer shows them.
	site, err := portal.New(f.store, nil, func() time.Time { return *f.now }, slog.New(slog.NewTextHandler(io.Discard, nil)), "https://news.example.gov.cn")
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(site)
	defer hs.Close()
	res, err := http.Get(hs.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	home, _ := io.ReadAll(res.Body)
	res.Body.Close()
	footer := string(home)
	if i := strings.Index(footer, "<footer"); i >= 0 {
		footer = footer[i:]
	}
	for _, want := range []string{"河北省司法厅（测试）", "0311-66668888", "tougao@example.gov.cn"} {
		if !strings.Contains(footer, want) {
			t.Errorf("the portal's footer lacks %q", want)
		}
	}
}

func TestAdminFormsNeedTheCSRFToken(t *testing.T) {
	f := newFixture(t)
	admin := f.browser(t)
	admin.login("zhaojun")
	sjz := f.unit(t, "SJZ")
	gaofeng := f.member(t, "gaofeng")
	before := f.lastEvent(t)
	for _, token := range []string{"", "forged"} {
		for path, form := range map[string]url.Values{
			"/newsroom/admin/units":                                   {"code": {"CSRF1"}, "name": {"伪造"}, "type": {"county_bureau"}, "parent_id": {itoa(sjz.ID)}},
			"/newsroom/admin/staff/" + itoa(gaofeng.ID) + "/password": {"password": {"stolen password 1"}, "confirm": {"stolen password 1"}},
			"/newsroom/admin/settings":                                {"site_name": {"伪造"}},
		} {
			if token != "" {
				form.Set("csrf", token)
			}
			if code, _, body := admin.post(path, form); code != http.StatusForbidden || !strings.Contains(body, "页面已过期") {
				t.Errorf("POST %s with CSRF token %q: %d, want 403", path, token, code)
			}
		}
	}
	if after := f.lastEvent(t); after != before {
		t.Errorf("forged posts wrote %d events", after-before)
	}
}

// TestBrowserAdmin opens the administration pages in headless Chromium on a
// tablet (768 px) and a desktop (1280 px): axe-core finds no serious
// accessibility problem, no page scrolls sideways (wide tables scroll in
// their own box), and a refused form is read out and keeps the input.
func TestBrowserAdmin(t *testing.T) {
	chromium, axe := browsertest.Needs(t)
	d := newNewsroomDay(t)
	d.browser = browsertest.Start(t, chromium)
	const admin = "zhaojun"
	d.meet(t, admin)
	ctx := context.Background()
	staff, _, _ := d.store.FindStaff(ctx, herald.StaffFilter{Username: "gaofeng"})
	units, _, _ := d.store.FindUnits(ctx, herald.UnitFilter{Code: "SJZ"})
	cols, _ := d.store.FindColumns(ctx)
	pages := append(adminPages, "/newsroom/admin/staff/"+itoa(staff[0].ID), "/newsroom/admin/units/"+itoa(units[0].ID),
		"/newsroom/admin/columns/"+itoa(cols[0].ID))
	for _, width := range []int64{768, 1280} {
		for _, path := range pages {
			p := d.as(t, admin)
			browsertest.Viewport(t, p.ctx, width, 1024)
			p.open(path)
			where := fmt.Sprintf("%s at %dpx", path, width)
			browsertest.Audit(t, p.ctx, axe, where)
			if over := browsertest.Eval[int](t, p.ctx, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); over > 0 {
				t.Errorf("%s scrolls sideways by %dpx", where, over)
			}
		}
	}

	p := d.as(t, admin)
	browsertest.Viewport(t, p.ctx, 768, 1024)
	p.open("/newsroom/")
	p.submit(`header nav a[href="/newsroom/admin/"]`) // 系统管理
	p.submit(`main a[href="/newsroom/admin/staff"]`)
	p.submit(`main a[href="/newsroom/admin/staff/new"]`)
	p.typeIn("#f-username", "guoting") // taken
	p.typeIn("#f-name", "郭婷")
	p.typeIn("#f-staff_code", "TMP001")
	p.typeIn("#f-password", "long enough 123")
	p.typeIn("#f-confirm", "long enough 123")
	resp, err := chromedp.RunResponse(p.ctx, chromedp.Click(chromedp.CSS(`form[action="/newsroom/admin/staff"] button[type=submit]`)))
	if err != nil || resp == nil || resp.Status != http.StatusConflict {
		t.Fatalf("create with a taken username: %v %+v", err, resp)
	}
	if a := p.alert(); !strings.Contains(a, "1 处需要修改") {
		t.Errorf("alert %q", a)
	}
	if msg := p.text("#f-username-error"); msg != "已被使用，请换一个。" {
		t.Errorf("message next to the username: %q", msg)
	}
	if v := browsertest.Eval[string](t, p.ctx, `document.querySelector('#f-name').value`); v != "郭婷" {
		t.Errorf("the name field holds %q after the refusal", v)
	}
	browsertest.Audit(t, p.ctx, axe, "refused staff form at 768px")
}
