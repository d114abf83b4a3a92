package newsroom_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/heraldnews/herald"
)

// ruleInput matches an input of the rules form: its name and value.
var ruleInput = regexp.MustCompile(`<input id="rule-[^"]+" name="([a-z_.]+)" inputmode="[a-z]+" autocomplete="off" maxlength="12" value="([^"]*)"`)

// rulesFormValues reads the rules form's values from the page.
func rulesFormValues(t *testing.T, page string) url.Values {
	t.Helper()
	form := url.Values{}
	for _, m := range ruleInput.FindAllStringSubmatch(page, -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	if len(form) != 25 { // adoption by each of the six kinds (profile since issue 9)
		t.Fatalf("the rules form has %d number fields, want 25: %v", len(form), form)
	}
	m := regexp.MustCompile(`<input id="effective_from" name="effective_from" type="date" min="([^"]+)" required value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the rules form has no effective_from")
	}
	form.Set("effective_from", m[2])
	return form
}

// ruleError is the message next to a rule's input ("reads.per"), "" if none.
func ruleError(page, id string) string {
	m := regexp.MustCompile(`<p class="field-error" id="` + regexp.QuoteMeta(id) + `-error">([^<]*)</p>`).FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

func TestRulesPage(t *testing.T) {
	f := newFixtureWithHistory(t)
	ctx := context.Background()
	versions, err := f.store.FindRules(ctx)
	if err != nil || len(versions) != 2 {
		t.Fatalf("the demo's rules: %d versions, %v", len(versions), err)
	}
	v2 := versions[1]
	admin := f.browser(t)
	admin.login("zhaojun")
	_, page := admin.get("/newsroom/rules")
	base := rulesFormValues(t, page)
	base.Set("csrf", admin.csrf(page))

	t.Run("EditorReads", func(t *testing.T) {
		editor := f.browser(t)
		editor.login("guoting")
		code, page := editor.get("/newsroom/rules")
		if code != http.StatusOK {
			t.Fatalf("an editor's rules page: %d", code)
		}
		for _, want := range []string{`<a href="/newsroom/rules">积分规则</a>`, `<tr class="current selected">`,
			`<span class="badge rules-current">现行</span>`, `<span class="badge rules-past">已被取代</span>`,
			"第2版规则（2026-07-01 起施行）", "<caption>见报（按媒体级别）</caption>", `<th scope="row">全国</th><td class="num">9.00 分</td>`,
			`<th scope="row">每多少次阅读</th><td class="num">1000 次</td>`, `<th scope="row">第一作者比例</th><td class="num">60%</td>`,
			"每个版本从施行日期起计分，不改变此前已经获得的积分", `<a href="/newsroom/quotas">任务数</a>`} {
			if !strings.Contains(page, want) {
				t.Errorf("the editor's rules page lacks %s", want)
			}
		}
		if strings.Contains(page, `action="/newsroom/rules"`) {
			t.Error("an editor is offered the form")
		}
		_, page = editor.get("/newsroom/rules?version=1")
		if !strings.Contains(page, `<th scope="row">全国</th><td class="num">8.00 分</td>`) || !strings.Contains(page, `<tr class=" selected">`) {
			t.Error("version 1's rules are not shown on asking")
		}
		form := url.Values{}
		for k, v := range base {
			form[k] = v
		}
		form.Set("csrf", editor.csrf(page))
		if code, _, _ := editor.post("/newsroom/rules", form); code != http.StatusForbidden {
			t.Errorf("an editor posts rules: %d", code)
		}
		correspondent := f.browser(t)
		correspondent.login("gaofeng")
		if code, _ := correspondent.get("/newsroom/rules"); code != http.StatusForbidden {
			t.Errorf("a correspondent opens the rules: %d", code)
		}
	})

	t.Run("FormFilledFromTheLatest", func(t *testing.T) {
		for _, want := range []string{"制定第3版", "已按第2版填好。只改需要调整的数值。", `min="2026-11-25" required value="2026-11-26"`} {
			if !strings.Contains(page, want) {
				t.Errorf("the admin's form lacks %s", want)
			}
		}
		for name, want := range map[string]string{"placement.national": "9.00", "reads.per": "1000", "reads.cap_per_piece": "5.00",
			"split.first_author_percent": "60", "adoption.in_depth": "5.00", "bonus.endorsement": "5.00"} {
			if got := base.Get(name); got != want {
				t.Errorf("%s is filled with %q, want %q", name, got, want)
			}
		}
	})

	refused := func(t *testing.T, change map[string]string, status int) string {
		t.Helper()
		form := url.Values{}
		for k, v := range base {
			form[k] = v
		}
		for k, v := range change {
			form.Set(k, v)
		}
		code, _, body := admin.post("/newsroom/rules", form)
		if code != status {
			t.Fatalf("posting %v: %d, want %d\n%.1500s", change, code, status, body)
		}
		if !strings.Contains(body, "新版本未能发布") {
			t.Error("the refusal is not said above the form")
		}
		for name, v := range change {
			if name == "effective_from" {
				continue
			}
			if m := regexp.MustCompile(`name="` + regexp.QuoteMeta(name) + `" inputmode="[a-z]+" autocomplete="off" maxlength="12" value="([^"]*)"`).FindStringSubmatch(body); m == nil || html.UnescapeString(m[1]) != v {
				t.Errorf("%s keeps %v, want %q", name, m, v)
			}
		}
		if after, _ := f.store.FindRules(ctx); len(after) != 2 {
			t.Errorf("a refused form stored a version: %d versions", len(after))
		}
		return body
	}

	t.Run("ContradictionsRefused", func(t *testing.T) {
		body := refused(t, map[string]string{"reads.per": "", "reads.points": "0.5", "placement.national": "3",
			"reads.cap_per_month": "10", "reads.cap_per_piece": "5", "split.unit_percent": "120"}, http.StatusBadRequest)
		for id, want := range map[string]string{
			"rule-reads-per":                  "阅读计分时须填写每多少次阅读计分，至少为 1（阅读量要除以它）。",
			"rule-placement-national":         "低于省级见报的分值（3.00 < 4.00）：级别高的媒体不能少计分。",
			"rule-reads-cap_per_month":        "高于每篇累计上限（10.00 > 5.00），一个月永远达不到这个上限。",
			"rule-split-unit_percent":         "须在 0 到 100 之间。",
			"rule-reads-points":               "",
			"rule-placement-central":          "",
			"rule-split-first_author_percent": "",
		} {
			if got := ruleError(body, id); got != want {
				t.Errorf("%s: the message is %q, want %q", id, got, want)
			}
		}
		if !strings.Contains(body, `aria-describedby="rule-reads-per-unit rule-reads-per-error" aria-invalid="true"`) {
			t.Error("the bad input is not marked invalid and described by its message")
		}
	})

	t.Run("NotNumbersRefused", func(t *testing.T) {
		body := refused(t, map[string]string{"adoption.news": "三分", "adoption.photo": "1.234", "reads.per": "1e3", "placement.county": "9"},
			http.StatusBadRequest)
		for id, want := range map[string]string{
			"rule-adoption-news":  "请填写分值：数字，最多两位小数，如 2 或 1.5。",
			"rule-adoption-photo": "请填写分值：数字，最多两位小数，如 2 或 1.5。",
			"rule-reads-per":      "请填写阅读次数：整数，如 1000。",
			// checked with the others: a county placement above the city's
			"rule-placement-city": "低于县级见报的分值（2.00 < 9.00）：级别高的媒体不能少计分。",
		} {
			if got := ruleError(body, id); got != want {
				t.Errorf("%s: the message is %q, want %q", id, got, want)
			}
		}
	})

	t.Run("PastDayRefused", func(t *testing.T) {
		body := refused(t, map[string]string{"effective_from": "2026-11-20"}, http.StatusBadRequest)
		if got := ruleError(body, "effective_from"); got != "施行日期不能早于今天：规则的变化不改变已经获得的积分。" {
			t.Errorf("a past day: %q", got)
		}
		if !strings.Contains(body, `required value="2026-11-20"`) {
			t.Error("the refused day is not kept")
		}
		body = refused(t, map[string]string{"effective_from": "26/11/2026"}, http.StatusBadRequest)
		if got := ruleError(body, "effective_from"); got != "请按 2026-11-26 的格式填写日期。" {
			t.Errorf("a day that is none: %q", got)
		}
	})

	t.Run("AdminCreatesAVersion", func(t *testing.T) {
		before := f.lastEvent(t)
		form := url.Values{}
		for k, v := range base {
			form[k] = v
		}
		form.Set("adoption.news", "3.5")
		form.Set("effective_from", "2026-12-01")
		form.Set("note", "提高消息分值")
		code, loc, body := admin.post("/newsroom/rules", form)
		if code != http.StatusSeeOther || loc != "/newsroom/rules?done=rules_created&version=3" {
			t.Fatalf("creating a version: %d %s\n%.1500s", code, loc, body)
		}
		after, err := f.store.FindRules(ctx)
		if err != nil || len(after) != 3 {
			t.Fatalf("after creating: %d versions, %v", len(after), err)
		}
		v3 := after[2]
		want := v2.Rules
		want.Adoption = map[herald.ArticleKind]herald.Points{}
		for k, v := range v2.Rules.Adoption {
			want.Adoption[k] = v
		}
		want.Adoption[herald.KindNews] = 350
		if !reflect.DeepEqual(v3.Rules, want) || v3.Note != "提高消息分值" || v3.EffectiveFrom.Format("2006-01-02") != "2026-12-01" ||
			v3.CreatedBy != f.member(t, "zhaojun").ID {
			t.Errorf("version 3: %+v\nwant rules %+v", v3, want)
		}
		events := f.eventsAfter(t, before)
		if len(events) == 0 || events[0].Entity != herald.EntityRules || events[0].Action != "create" || events[0].EntityID != 3 {
			t.Errorf("the audit events: %+v", events)
		}
		_, page := admin.get(loc)
		for _, want := range []string{"新版积分规则已发布，将从施行日期起计分。", "第3版规则（2026-12-01 起施行）",
			`<span class="badge rules-future">待施行</span>`, `<th scope="row">消息</th><td class="num">3.50 分</td>`, "制定第4版",
			`required value="2026-12-02"`, "提高消息分值"} {
			if !strings.Contains(page, want) {
				t.Errorf("the page after creating lacks %s", want)
			}
		}
		// Another version on the same day is refused: versions follow each other.
		form.Set("csrf", admin.csrf(page))
		code, _, body = admin.post("/newsroom/rules", form)
		if code != http.StatusConflict || ruleError(body, "effective_from") != "第3版自 2026-12-01 起施行，新版本的施行日期必须晚于这一天。" {
			t.Errorf("a second version on the same day: %d %q", code, ruleError(body, "effective_from"))
		}
	})
}

// quotaValue is the value of a unit's quota input on a page.
func quotaValue(page string, unit int64) (string, bool) {
	m := regexp.MustCompile(`<input id="target-` + itoa(unit) + `" name="target-` + itoa(unit) + `" inputmode="numeric" autocomplete="off" maxlength="6" value="([^"]*)"`).FindStringSubmatch(page)
	if m == nil {
		return "", false
	}
	return html.UnescapeString(m[1]), true
}

func TestQuotasPage(t *testing.T) {
	f := newFixtureWithHistory(t)
	ctx := context.Background()
	sjz, ts, bd := f.unit(t, "SJZ"), f.unit(t, "TS"), f.unit(t, "BD")
	chief := f.browser(t)
	chief.login("wangyalan")

	code, page := chief.get("/newsroom/quotas?month=2026-12")
	if code != http.StatusOK {
		t.Fatalf("the quotas page: %d", code)
	}
	// The units in tree order, indented.
	last := -1
	for _, want := range []string{`<th scope="row" class="quota-unit depth-0"><label for="target-` + itoa(f.unit(t, "HEB").ID) + `">河北省司法厅</label>`,
		`class="quota-unit depth-1"><label for="target-` + itoa(f.unit(t, "HEB-XC").ID) + `">河北省司法厅宣传中心</label>`,
		`class="quota-unit depth-1"><label for="target-` + itoa(sjz.ID) + `">石家庄市司法局</label>`,
		`class="quota-unit depth-2"><label for="target-` + itoa(f.unit(t, "SJZ-ZD").ID) + `">正定县司法局</label>`,
		`class="quota-unit depth-3"><label for="target-` + itoa(f.unit(t, "SJZ-ZD-ZDZ").ID) + `">正定县正定镇司法所</label>`,
		`class="quota-unit depth-1"><label for="target-` + itoa(ts.ID) + `">唐山市司法局</label>`} {
		i := strings.Index(page, want)
		if i < last {
			t.Errorf("%s is missing or out of tree order", want)
		}
		last = i
	}
	csrf := chief.csrf(page)

	t.Run("ChiefSetsTargets", func(t *testing.T) {
		before := f.lastEvent(t)
		form := url.Values{"csrf": {csrf}, "month": {"2026-12"}, "target-" + itoa(sjz.ID): {"6"}, "target-" + itoa(ts.ID): {" 3 "}, "target-" + itoa(bd.ID): {""}}
		code, loc, body := chief.post("/newsroom/quotas", form)
		if code != http.StatusSeeOther || loc != "/newsroom/quotas?done=quotas_saved&month=2026-12" {
			t.Fatalf("setting quotas: %d %s\n%.1500s", code, loc, body)
		}
		qs, err := f.store.FindQuotas(ctx, "2026-12")
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64]int{}
		for _, q := range qs {
			got[q.UnitID] = q.Target
		}
		if !reflect.DeepEqual(got, map[int64]int{sjz.ID: 6, ts.ID: 3}) {
			t.Errorf("December's quotas: %v", got)
		}
		events := f.eventsAfter(t, before)
		n := 0
		for _, e := range events {
			if e.Entity == herald.EntityQuota && e.Action == "set" && e.ActorID == f.member(t, "wangyalan").ID {
				n++
			}
		}
		if n != 2 {
			t.Errorf("%d quota events, want 2: %+v", n, events)
		}
		_, page := chief.get(loc)
		if v, _ := quotaValue(page, sjz.ID); v != "6" || !strings.Contains(page, "任务数已保存。") || !strings.Contains(page, "2 个单位有任务，合计 9 篇") {
			t.Errorf("the page after saving: 石家庄 %q", v)
		}
	})

	t.Run("BadTargetsRefused", func(t *testing.T) {
		form := url.Values{"csrf": {csrf}, "month": {"2026-12"}, "target-" + itoa(sjz.ID): {"7"}, "target-" + itoa(ts.ID): {"-1"},
			"target-" + itoa(bd.ID): {"五"}}
		code, _, body := chief.post("/newsroom/quotas", form)
		if code != http.StatusBadRequest || !strings.Contains(body, "未能保存") {
			t.Fatalf("bad quotas: %d", code)
		}
		for unit, want := range map[int64]string{ts.ID: "须在 0 到 10000 篇之间。", bd.ID: "请填写整数篇数。"} {
			if !strings.Contains(body, `<p class="field-error" id="target-`+itoa(unit)+`-error">`+want+`</p>`) {
				t.Errorf("unit %d lacks the message %s", unit, want)
			}
		}
		for unit, want := range map[int64]string{sjz.ID: "7", ts.ID: "-1", bd.ID: "五"} {
			if v, ok := quotaValue(body, unit); !ok || v != want {
				t.Errorf("unit %d keeps %q, want %q", unit, v, want)
			}
		}
		qs, _ := f.store.FindQuotas(ctx, "2026-12")
		for _, q := range qs {
			if q.UnitID == sjz.ID && q.Target != 6 {
				t.Errorf("a refused form changed 石家庄's quota to %d", q.Target)
			}
		}
	})

	t.Run("ProgressAndMonths", func(t *testing.T) {
		_, page := chief.get("/newsroom/quotas?month=2026-10") // the demo's city bureaus had quotas
		for _, want := range []string{`<svg class="quota-bar`, `<rect class="done" width="`, "完成 ", `<a href="/newsroom/quotas?month=2026-09" rel="prev">`} {
			if !strings.Contains(page, want) {
				t.Errorf("October's quotas lack %s", want)
			}
		}
		code, page := chief.get("/newsroom/quotas?month=2026-13")
		if code != http.StatusBadRequest || !strings.Contains(page, "“2026-13”不是有效的月份，请写作 2026-11。") {
			t.Errorf("a bad month: %d", code)
		}
	})

	t.Run("WhoMay", func(t *testing.T) {
		editor := f.browser(t)
		editor.login("guoting")
		code, page := editor.get("/newsroom/quotas?month=2026-12")
		if code != http.StatusOK || strings.Contains(page, `method="post" action="/newsroom/quotas"`) || !strings.Contains(page, "只有总编辑和系统管理员可以修改任务数。") {
			t.Errorf("an editor's quotas page: %d", code)
		}
		form := url.Values{"csrf": {editor.csrf(page)}, "month": {"2026-12"}, "target-" + itoa(sjz.ID): {"1"}}
		if code, _, _ := editor.post("/newsroom/quotas", form); code != http.StatusForbidden {
			t.Errorf("an editor sets quotas: %d", code)
		}
		correspondent := f.browser(t)
		correspondent.login("gaofeng")
		_, desk := correspondent.get("/newsroom/")
		if code, _ := correspondent.get("/newsroom/quotas"); code != http.StatusForbidden {
			t.Errorf("a correspondent opens the quotas: %d", code)
		}
		form.Set("csrf", correspondent.csrf(desk))
		if code, _, _ := correspondent.post("/newsroom/quotas", form); code != http.StatusForbidden {
			t.Errorf("a correspondent sets quotas: %d", code)
		}
	})
}
