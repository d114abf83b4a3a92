package newsroom_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/demo"
	"github.com/heraldnews/herald/syndication"
)

// tokenBox is the token a partner page shows once.
var tokenBox = regexp.MustCompile(`<code class="token" id="partner-token">(hrp_[^<]+)</code>`)

// anyToken matches a partner token anywhere in a page.
var anyToken = regexp.MustCompile(`hrp_[A-Za-z0-9_-]{8,}`)

// syndicationOf is a syndication service over the fixture's store.
func syndicationOf(f *fixture) *syndication.Service {
	return syndication.New(f.store, func() time.Time { return *f.now }, "", nil)
}

// demoPartner is the demo's partner newspaper, 河北法制报.
func demoPartner(t *testing.T, f *fixture) *herald.Partner {
	t.Helper()
	ps, err := f.store.FindPartners(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.Slug == "hebei-legal-daily" {
			return p
		}
	}
	t.Fatal("the demo has no partner hebei-legal-daily")
	return nil
}

// partnerByID reads a partner back from the store.
func partnerByID(t *testing.T, f *fixture, id int64) *herald.Partner {
	t.Helper()
	p, err := f.store.FindPartnerByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// postRaw posts a form and returns the whole response, body read.
func (b *browser) postRaw(path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	res, err := b.c.PostForm(b.f.url+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	return res, readAll(res.Body)
}

func TestChiefAddsAPartnerAndSeesItsTokenOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	chief := f.browser(t)
	chief.login("wangyalan") // the editor-in-chief

	_, desk := chief.get("/newsroom/")
	if !strings.Contains(desk, `<a href="/newsroom/partners">合作媒体</a>`) {
		t.Fatal("the editor-in-chief's navigation has no 合作媒体")
	}
	code, list := chief.get("/newsroom/partners")
	for _, want := range []string{`<a href="/newsroom/partners/` + itoa(demoPartner(t, f).ID) + `">河北法制报</a>`, ">报纸</td>", ">省级</td>",
		">全部语言</td>", ">NINJS</td>", "仅拉取", "尚未拉取", `<span class="badge partner-enabled">启用中</span>`, `<form method="post" action="/newsroom/partners" class="partner-form">`} {
		if !strings.Contains(list, want) {
			t.Errorf("the partners page (%d) lacks %s", code, want)
		}
	}
	csrf := chief.csrf(list)

	// Input the service refuses comes back with each problem next to its field.
	bad := url.Values{"csrf": {csrf}, "name": {"燕赵都市报"}, "slug": {"Yan Zhao"}, "kind": {"newspaper"}, "level": {"city"},
		"languages": {"zh-CN, ZH_cn"}, "format": {"ninjs"}, "push_url": {"ftp://push.example.cn/herald"}}
	code, _, body := chief.post("/newsroom/partners", bad)
	if code != http.StatusBadRequest {
		t.Fatalf("a bad partner: %d\n%.2000s", code, body)
	}
	for field, want := range map[string]string{
		"slug":      "只能使用小写字母和数字，词之间用“-”连接，最长 64 个字符。",
		"languages": `"ZH_cn" 不是语言代码，请填写如 zh-CN 或 en 的代码。`,
		"push_url":  "请填写 http 或 https 地址，地址中不能含用户名或密码。",
	} {
		m := regexp.MustCompile(`<p class="field-error" id="` + field + `-error">([^<]*)</p>`).FindStringSubmatch(body)
		if m == nil || html.UnescapeString(m[1]) != want {
			t.Errorf("%s: the message is %v, want %q", field, m, want)
		}
	}
	for _, kept := range []string{`value="燕赵都市报"`, `value="Yan Zhao"`, `value="zh-CN, ZH_cn"`, `value="ftp://push.example.cn/herald"`,
		`<option value="city" selected>市级</option>`} {
		if !strings.Contains(body, kept) {
			t.Errorf("the refused form does not keep %s", kept)
		}
	}
	if anyToken.MatchString(body) {
		t.Error("a refused form shows a token")
	}
	// A slug that is taken.
	taken := url.Values{"csrf": {csrf}, "name": {"又一家"}, "slug": {"hebei-legal-daily"}, "kind": {"newspaper"}, "level": {"city"}, "format": {"ninjs"}}
	if code, _, body := chief.post("/newsroom/partners", taken); code != http.StatusConflict ||
		!strings.Contains(body, `<p class="field-error" id="slug-error">这个代号已被另一家合作媒体使用，请换一个。</p>`) {
		t.Errorf("a taken slug: %d\n%.2000s", code, body)
	}

	before := f.lastEvent(t)
	good := url.Values{"csrf": {csrf}, "name": {"燕赵都市报"}, "slug": {"yanzhao-metro"}, "kind": {"newspaper"}, "level": {"city"},
		"languages": {"zh-CN，en"}, "format": {"newsml"}, "push_url": {"https://push.example.cn/herald"}}
	res, page := chief.postRaw("/newsroom/partners", good)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("add a partner: %d\n%.2000s", res.StatusCode, page)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("the token page may be cached: Cache-Control %q", cc)
	}
	m := tokenBox.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the new partner's page shows no token\n%.3000s", page)
	}
	token := m[1]
	if !strings.Contains(page, "令牌只显示这一次") {
		t.Error("the token box does not say it is shown once")
	}
	if curl := "curl -s -H &#39;Authorization: Bearer " + token + "&#39; " + f.url + "/api/v1/syndication/items"; !strings.Contains(page, curl) {
		t.Errorf("the page lacks the pull example %s", curl)
	}
	p, err := syndicationOf(f).Authenticate(ctx, token)
	if err != nil {
		t.Fatalf("the token shown does not authenticate: %v", err)
	}
	if loc := res.Header.Get("Location"); loc != "/newsroom/partners/"+itoa(p.ID) {
		t.Errorf("Location %q", loc)
	}
	if p.Slug != "yanzhao-metro" || p.Name != "燕赵都市报" || p.Level != herald.LevelCity || p.Format != herald.FormatNewsML ||
		!slices.Equal(p.Languages, []string{"zh-CN", "en"}) || p.PushURL != "https://push.example.cn/herald" || p.Disabled {
		t.Errorf("the stored partner: %+v", p)
	}
	events := f.eventsAfter(t, before)
	if len(events) != 1 || events[0].Entity != herald.EntityPartner || events[0].Action != "create" || events[0].ActorID != f.member(t, "wangyalan").ID {
		t.Errorf("the audit events: %+v", events)
	}

	// Reloading the list, or opening the partner's page, shows no token.
	_, list = chief.get("/newsroom/partners")
	if strings.Contains(list, token) || anyToken.MatchString(list) {
		t.Error("the list shows the token again")
	}
	for _, want := range []string{">燕赵都市报</a>", ">市级</td>", ">zh-CN, en</td>", ">NewsML-G2</td>", "https://push.example.cn/herald"} {
		if !strings.Contains(list, want) {
			t.Errorf("the list lacks %s", want)
		}
	}
	_, again := chief.get("/newsroom/partners/" + itoa(p.ID))
	if strings.Contains(again, token) || strings.Contains(again, `id="partner-token"`) {
		t.Error("the partner's page shows the token again")
	}
	if !strings.Contains(again, "X-Herald-Signature") || !strings.Contains(again, "最近没有向这家媒体推送稿件。") {
		t.Error("the partner's page lacks the signature note or the empty push list")
	}
}

func TestRotatingAndDisablingAPartner(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	svc := syndicationOf(f)
	p := demoPartner(t, f)
	if _, err := svc.Authenticate(ctx, demo.PartnerToken); err != nil {
		t.Fatalf("the demo token: %v", err)
	}
	chief := f.browser(t)
	chief.login("wangyalan")
	path := "/newsroom/partners/" + itoa(p.ID)
	_, page := chief.get(path)
	csrf := chief.csrf(page)
	if !strings.Contains(page, `action="`+path+`/token"`) || !strings.Contains(page, `action="`+path+`/disable"`) {
		t.Fatal("the editor-in-chief is not offered to rotate the token or disable the partner")
	}

	// 更换令牌: the new token is shown in the answer, the old one stops working.
	res, page := chief.postRaw(path+"/token", url.Values{"csrf": {csrf}, "version": {itoa(int64(p.Version))}})
	m := tokenBox.FindStringSubmatch(page)
	if res.StatusCode != http.StatusOK || m == nil || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("rotate the token: %d, token shown: %v", res.StatusCode, m != nil)
	}
	if _, err := svc.Authenticate(ctx, demo.PartnerToken); herald.ErrorCode(err) != herald.EUNAUTHORIZED {
		t.Errorf("the old token after rotation: %v", err)
	}
	if got, err := svc.Authenticate(ctx, m[1]); err != nil || got.ID != p.ID {
		t.Errorf("the new token: %v, %v", got, err)
	}
	// A second rotation from the page seen before is stale: refused, no token.
	res, page = chief.postRaw(path+"/token", url.Values{"csrf": {csrf}, "version": {itoa(int64(p.Version))}})
	if res.StatusCode != http.StatusConflict || anyToken.MatchString(page) ||
		!strings.Contains(page, "这家合作媒体已被他人修改（现在是第 2 版，您看到的是第 1 版），这次操作没有执行。") {
		t.Fatalf("a stale rotation: %d\n%.2000s", res.StatusCode, page)
	}
	if _, err := svc.Authenticate(ctx, m[1]); err != nil {
		t.Errorf("the refused rotation changed the token: %v", err)
	}

	// 停用: the token stops working; 启用 brings it back.
	code, loc, _ := chief.post(path+"/disable", url.Values{"csrf": {csrf}, "version": {"2"}})
	if code != http.StatusSeeOther || loc != path+"?done=partner_disabled" {
		t.Fatalf("disable: %d %s", code, loc)
	}
	if _, err := svc.Authenticate(ctx, m[1]); herald.ErrorCode(err) != herald.EUNAUTHORIZED {
		t.Errorf("the token of a disabled partner: %v", err)
	}
	_, page = chief.get(loc)
	if !strings.Contains(page, "已停用，对方的令牌已失效。") || !strings.Contains(page, `action="`+path+`/enable"`) {
		t.Error("after disabling, the page does not say so or offer to enable")
	}
	_, list := chief.get("/newsroom/partners")
	if !strings.Contains(list, `<span class="badge partner-disabled">已停用</span>`) {
		t.Error("the list does not show the partner disabled")
	}
	if code, _, _ := chief.post(path+"/disable", url.Values{"csrf": {csrf}, "version": {"2"}}); code != http.StatusConflict {
		t.Errorf("a stale disable: %d", code)
	}
	if code, loc, _ := chief.post(path+"/enable", url.Values{"csrf": {csrf}, "version": {"3"}}); code != http.StatusSeeOther || loc != path+"?done=partner_enabled" {
		t.Fatalf("enable: %d %s", code, loc)
	}
	if _, err := svc.Authenticate(ctx, m[1]); err != nil {
		t.Errorf("the token after enabling: %v", err)
	}
	var actions []string
	events, _ := f.store.FindEvents(ctx, herald.EventFilter{Entity: herald.EntityPartner, EntityID: p.ID})
	for _, e := range events {
		actions = append(actions, e.Action)
	}
	if !slices.Contains(actions, "rotate_token") || !slices.Contains(actions, "disable") || !slices.Contains(actions, "enable") {
		t.Errorf("the partner's audit events: %v", actions)
	}
}

func TestStalePartnerEditIsRefused(t *testing.T) {
	f := newFixture(t)
	p := demoPartner(t, f)
	path := "/newsroom/partners/" + itoa(p.ID)
	chief := f.browser(t)
	chief.login("wangyalan")
	admin := f.browser(t)
	admin.login("zhaojun") // an administrator manages partners too
	_, page := chief.get(path)
	csrf := chief.csrf(page)
	edit := func(name string, version int) url.Values {
		return url.Values{"csrf": {csrf}, "version": {itoa(int64(version))}, "name": {name}, "kind": {"newspaper"}, "level": {"provincial"},
			"languages": {"zh-CN"}, "format": {"ninjs"}, "push_url": {""}}
	}
	// The administrator saves first.
	adminEdit := edit("河北法制报社", p.Version)
	adminEdit.Set("csrf", admin.token(path))
	if code, loc, body := admin.post(path, adminEdit); code != http.StatusSeeOther || loc != path+"?done=partner_saved" {
		t.Fatalf("the administrator's edit: %d %s %.1000s", code, loc, body)
	}
	// The editor-in-chief's form was of the version before: refused, kept.
	code, _, body := chief.post(path, edit("河北法制报（新）", p.Version))
	if code != http.StatusConflict {
		t.Fatalf("a stale edit: %d", code)
	}
	for _, want := range []string{"这家合作媒体已被他人修改（现在是第 2 版，您修改的是第 1 版），您的修改没有保存。", `value="河北法制报（新）"`,
		`name="version" value="2"`, "<h1>河北法制报社 "} {
		if !strings.Contains(body, want) {
			t.Errorf("the refused edit lacks %s", want)
		}
	}
	if got := partnerByID(t, f, p.ID); got.Name != "河北法制报社" || got.Version != 2 {
		t.Errorf("after the stale edit the partner is %q version %d", got.Name, got.Version)
	}
	// Saving the kept form again puts it in place.
	if code, _, _ := chief.post(path, edit("河北法制报（新）", 2)); code != http.StatusSeeOther {
		t.Fatalf("saving again: %d", code)
	}
	if got := partnerByID(t, f, p.ID); got.Name != "河北法制报（新）" || !slices.Equal(got.Languages, []string{"zh-CN"}) {
		t.Errorf("after saving again the partner is %+v", got)
	}
	// Bad input is shown next to its field, the input kept.
	bad := edit("", 3)
	bad.Set("push_url", "https://user:secret@push.example.cn/")
	code, _, body = chief.post(path, bad)
	if code != http.StatusBadRequest || !strings.Contains(body, `<p class="field-error" id="name-error">此项必填。</p>`) ||
		!strings.Contains(body, `<p class="field-error" id="push_url-error">`) || !strings.Contains(body, `value="https://user:secret@push.example.cn/"`) {
		t.Errorf("a bad edit: %d\n%.2000s", code, body)
	}
}

func TestPartnerPagesAreForEditors(t *testing.T) {
	f := newFixture(t)
	p := demoPartner(t, f)
	path := "/newsroom/partners/" + itoa(p.ID)

	editor := f.browser(t)
	editor.login("guoting")
	code, list := editor.get("/newsroom/partners")
	if code != http.StatusOK || !strings.Contains(list, "河北法制报") || !strings.Contains(list, `<a href="/newsroom/partners">合作媒体</a>`) {
		t.Fatalf("the editor's partners page: %d", code)
	}
	if strings.Contains(list, `action="/newsroom/partners"`) {
		t.Error("an editor is offered the new-partner form")
	}
	code, page := editor.get(path)
	if code != http.StatusOK || strings.Contains(page, `action="`+path) || !strings.Contains(page, "只有总编辑和系统管理员可以修改合作媒体。") {
		t.Errorf("the editor's partner page (%d) offers changes or does not say why not", code)
	}
	csrf := editor.csrf(page)
	form := url.Values{"csrf": {csrf}, "version": {itoa(int64(p.Version))}, "name": {"改名"}, "slug": {"x"}, "kind": {"newspaper"},
		"level": {"city"}, "format": {"ninjs"}}
	for _, post := range []string{"/newsroom/partners", path, path + "/disable", path + "/enable", path + "/token"} {
		code, _, body := editor.post(post, form)
		if code != http.StatusForbidden || anyToken.MatchString(body) {
			t.Errorf("an editor's POST %s: %d", post, code)
		}
	}
	if got := partnerByID(t, f, p.ID); got.Version != p.Version {
		t.Errorf("the editor changed the partner: version %d", got.Version)
	}

	for _, who := range []string{"baiyonggang", "zhoulixin"} { // a correspondent, a viewer
		b := f.browser(t)
		b.login(who)
		_, desk := b.get("/newsroom/")
		if strings.Contains(desk, `href="/newsroom/partners"`) {
			t.Errorf("%s's navigation offers the partners", who)
		}
		for _, get := range []string{"/newsroom/partners", path} {
			if code, body := b.get(get); code != http.StatusForbidden || !strings.Contains(body, "只有编辑、总编辑和系统管理员可以查看合作媒体。") {
				t.Errorf("%s GET %s: %d", who, get, code)
			}
		}
	}
	if code, _ := editor.get("/newsroom/partners/99999"); code != http.StatusNotFound {
		t.Errorf("a partner that does not exist: %d", code)
	}
}

func TestPartnerPageListsPushesAndPlacements(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := demoPartner(t, f)
	pls, total, err := f.store.FindPlacements(ctx, herald.PlacementFilter{PartnerID: p.ID})
	if err != nil || total != 3 {
		t.Fatalf("the demo partner's placements: %d, %v", total, err)
	}
	// A push to the partner, and one to another partner, which its page leaves out.
	a, err := f.store.FindArticleByID(ctx, pls[0].ArticleID)
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"partner:" + p.Slug, "partner:someone-else"} {
		d := &herald.Delivery{ArticleID: a.ID, Channel: herald.ChannelPrint, Target: target, Action: herald.ActionCreate, Version: a.Version, UpdatedAt: *f.now}
		if _, err := f.store.PlanDelivery(ctx, d, deliverJob); err != nil {
			t.Fatal(err)
		}
	}
	editor := f.browser(t)
	editor.login("guoting")
	_, page := editor.get("/newsroom/partners/" + itoa(p.ID))
	pushes := page[strings.Index(page, `id="pushes"`):strings.Index(page, `id="placements"`)]
	if n := strings.Count(pushes, "<li>"); n != 1 || !strings.Contains(pushes, `<span class="badge delivery-pending">待投递</span> <strong><a href="/newsroom/articles/`+itoa(a.ID)+`">`+html.EscapeString(a.Title)+`</a></strong>`) {
		t.Errorf("the pushes listed (%d):\n%s", n, pushes)
	}
	if !strings.Contains(page, "报送的见报记录（共 3 条）") {
		t.Error("the page does not count the placements")
	}
	for _, pl := range pls {
		if !strings.Contains(page, `<a href="/newsroom/articles/`+itoa(pl.ArticleID)+`">`) || !strings.Contains(page, pl.Page) {
			t.Errorf("the page lacks the placement of article %d on %s", pl.ArticleID, pl.Page)
		}
	}
	if !strings.Contains(page, "已核实 · 河北法制报 报送") {
		t.Error("the placements do not say they are verified and reported by the partner")
	}
}

func TestArticlePageShowsPlacements(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	chief := f.member(t, "wangyalan")
	published, _, err := f.store.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusPublished}, Order: herald.ByPublished, NoBody: true})
	if err != nil {
		t.Fatal(err)
	}
	var a, without *herald.Article
	for _, c := range published {
		_, n, err := f.store.FindPlacements(ctx, herald.PlacementFilter{ArticleID: c.ID})
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 && a == nil {
			a = c
		} else if n == 0 && without == nil {
			without = c
		}
	}
	if a == nil || without == nil {
		t.Fatal("no published articles without placements")
	}
	day := herald.CSTDay(*f.now).AddDate(0, 0, -1)
	pl := &herald.Placement{ArticleID: a.ID, Outlet: "燕赵晚报", Level: herald.LevelCity, Date: day, Page: "A5",
		URL: "https://paper.example.cn/2026-11-24/a5.html", Status: herald.PlacementPending, CreatedBy: chief.ID, Evidence: "/media/1-0123456789abcdef/large.png"}
	if err := f.store.CreatePlacement(ctx, pl, herald.Event{At: *f.now, ActorID: chief.ID}); err != nil {
		t.Fatal(err)
	}
	viewer := f.browser(t) // a viewer, who sees the article but not the partners
	viewer.login("zhoulixin")
	code, page := viewer.get("/newsroom/articles/" + itoa(a.ID))
	if code != http.StatusOK {
		t.Fatalf("the article page: %d", code)
	}
	for _, want := range []string{`<h2 id="placements-h">见报记录</h2>`, "<strong>燕赵晚报</strong>", `<span class="meta">市级</span>`,
		`<time datetime="2026-11-24">2026-11-24</time>`, `<a href="https://paper.example.cn/2026-11-24/a5.html" rel="noopener noreferrer" target="_blank">A5`,
		"待核实", "王亚兰_DW110 登记"} {
		if !strings.Contains(page, want) {
			t.Errorf("the article page lacks %s", want)
		}
	}
	if _, page := viewer.get("/newsroom/articles/" + itoa(without.ID)); strings.Contains(page, "见报记录") {
		t.Error("an article that ran nowhere shows a placements section")
	}
}

// TestTokenPageIsNotShownAgain: a GET of the address a rotation answered at
// (a reload, or the way back after switching the language) goes to the
// partner's page, which shows no token.
func TestTokenPageIsNotShownAgain(t *testing.T) {
	f := newFixture(t)
	p := demoPartner(t, f)
	path := "/newsroom/partners/" + itoa(p.ID)
	chief := f.browser(t)
	chief.login("wangyalan")
	csrf := chief.token(path)
	if _, page := chief.postRaw(path+"/token", url.Values{"csrf": {csrf}, "version": {itoa(int64(p.Version))}}); !tokenBox.MatchString(page) {
		t.Fatal("the rotation shows no token")
	}
	res, err := chief.c.Get(f.url + path + "/token")
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != path || anyToken.MatchString(body) {
		t.Errorf("GET the rotation's address: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
}
