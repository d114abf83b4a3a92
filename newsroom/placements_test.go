package newsroom_test

import (
	"bytes"
	"context"
	"html"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/scoring"
)

// postMultipart posts a multipart form, with the image data as the file
// field evidence_file when data is not nil.
func (b *browser) postMultipart(path string, form url.Values, data []byte) (int, string, string) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if data != nil {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="evidence_file"; filename="第3版.png"`)
		h.Set("Content-Type", "image/png")
		part, _ := mw.CreatePart(h)
		part.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", b.f.url+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	return res.StatusCode, res.Header.Get("Location"), readAll(res.Body)
}

// placementFieldError is the message next to a field of the placements
// page, "" if none.
func placementFieldError(page, id string) string {
	m := regexp.MustCompile(`<p class="field-error" id="` + regexp.QuoteMeta(id) + `-error">([^<]*)</p>`).FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// publishedOf is a published article of the staff member's unit.
func publishedOf(t *testing.T, f *fixture, st *herald.Staff) *herald.Article {
	t.Helper()
	return untouchedArticle(t, f.store, st)
}

// untouchedArticle is the latest published article of the staff member's
// unit that has neither placements nor recognitions yet.
func untouchedArticle(t *testing.T, store herald.Store, st *herald.Staff) *herald.Article {
	t.Helper()
	ctx := context.Background()
	as, _, err := store.FindArticles(ctx, herald.ArticleFilter{UnitIDs: []int64{st.UnitID},
		Statuses: []herald.Status{herald.StatusPublished}, Order: herald.ByPublished, NoBody: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		_, placed, err := store.FindPlacements(ctx, herald.PlacementFilter{ArticleID: a.ID})
		if err != nil {
			t.Fatal(err)
		}
		rs, err := store.FindRecognitions(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if placed == 0 && len(rs) == 0 {
			return a
		}
	}
	t.Fatalf("%s's unit has no published article without placements and recognitions", st.Username)
	return nil
}

// placementForm is a complete record form for article a.
func placementForm(csrf string, a *herald.Article, outlet, date, page, link string) url.Values {
	return url.Values{"csrf": {csrf}, "article_id": {itoa(a.ID)}, "outlet": {outlet}, "level": {"provincial"}, "date": {date},
		"page": {page}, "url": {link}}
}

// record records a placement through the page and returns it.
func record(t *testing.T, f *fixture, b *browser, a *herald.Article, outlet, page string, pic []byte) *herald.Placement {
	t.Helper()
	_, form := b.get("/newsroom/placements")
	code, loc, body := b.postMultipart("/newsroom/placements", placementForm(b.csrf(form), a, outlet, "2026-11-24", page, ""), pic)
	if code != http.StatusSeeOther || loc != "/newsroom/placements?done=placement_recorded#mine" {
		t.Fatalf("record %s %s: %d %s\n%.3000s", outlet, page, code, loc, body)
	}
	pls, _, err := f.store.FindPlacements(context.Background(), herald.PlacementFilter{ArticleID: a.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, pl := range pls {
		if pl.Outlet == outlet && pl.Page == page {
			return pl
		}
	}
	t.Fatalf("the placement in %s %s is not recorded", outlet, page)
	return nil
}

func TestCorrespondentRecordsAPlacement(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	bai := f.member(t, "baiyonggang")
	a := publishedOf(t, f, bai)
	b := f.browser(t)
	b.login("baiyonggang")

	_, desk := b.get("/newsroom/")
	if !strings.Contains(desk, `<a href="/newsroom/placements">见报登记</a>`) {
		t.Fatal("the correspondent's navigation has no 见报登记")
	}
	_, articlePage := b.get(articlePath(a.ID))
	if !strings.Contains(articlePage, `href="/newsroom/placements?article=`+itoa(a.ID)+`#record">登记见报</a>`) {
		t.Fatal("the published article's page has no link to record a placement")
	}
	code, page := b.get("/newsroom/placements?article=" + itoa(a.ID))
	if code != http.StatusOK || !strings.Contains(page, `<option value="`+itoa(a.ID)+`" selected>`+html.EscapeString(a.Title)) {
		t.Fatalf("the placements page (%d) does not offer the article chosen on its page\n%.3000s", code, page)
	}
	if !strings.Contains(page, `value="2026-11-25"`) || !strings.Contains(page, `max="2026-11-25"`) {
		t.Error("the date does not default to today (CST), or allows the future")
	}
	csrf := b.csrf(page)

	// No evidence and a date in the future: both named, the input kept.
	form := placementForm(csrf, a, "张家口日报", "2026-11-26", "第3版", "https://zjkrb.example.cn/2026/11/24/3.html")
	code, _, body := b.postMultipart("/newsroom/placements", form, nil)
	if code != http.StatusBadRequest {
		t.Fatalf("no evidence and a future date: %d\n%.3000s", code, body)
	}
	for id, want := range map[string]string{"evidence": "请上传见报证明：版面照片、剪报扫描件或网页截图。", "date": "日期不能晚于今天。"} {
		if got := placementFieldError(body, id); got != want {
			t.Errorf("%s: the message is %q, want %q", id, got, want)
		}
	}
	for _, kept := range []string{`value="张家口日报"`, `value="2026-11-26"`, `value="第3版"`, `value="https://zjkrb.example.cn/2026/11/24/3.html"`,
		`<option value="` + itoa(a.ID) + `" selected>`, `<option value="provincial" selected>省级</option>`} {
		if !strings.Contains(body, kept) {
			t.Errorf("the refused form does not keep %s", kept)
		}
	}
	if n, _, _ := f.store.FindPlacements(ctx, herald.PlacementFilter{ArticleID: a.ID, CreatedBy: bai.ID}); len(n) != 0 {
		t.Fatal("a refused form recorded a placement")
	}

	// The image comes with a still-wrong date: it is kept, not asked for again.
	code, _, body = b.postMultipart("/newsroom/placements", form, testPNG(900, 600))
	if code != http.StatusBadRequest || placementFieldError(body, "date") == "" || placementFieldError(body, "evidence") != "" {
		t.Fatalf("a future date with evidence: %d, date %q, evidence %q", code, placementFieldError(body, "date"), placementFieldError(body, "evidence"))
	}
	m := regexp.MustCompile(`<input type="hidden" name="evidence" value="(/media/[^"]+)">`).FindStringSubmatch(body)
	if m == nil || !strings.Contains(body, "已上传，无需再次选择") {
		t.Fatalf("the uploaded evidence is not kept\n%.3000s", body)
	}
	evidence := m[1]
	form.Set("date", "2026-11-24")
	form.Set("evidence", evidence)
	form.Set("csrf", b.csrf(body))
	code, loc, body := b.postMultipart("/newsroom/placements", form, nil)
	if code != http.StatusSeeOther || loc != "/newsroom/placements?done=placement_recorded#mine" {
		t.Fatalf("record: %d %s\n%.3000s", code, loc, body)
	}
	pls, _, err := f.store.FindPlacements(ctx, herald.PlacementFilter{ArticleID: a.ID, CreatedBy: bai.ID})
	if err != nil || len(pls) != 1 {
		t.Fatalf("placements recorded: %v %v", pls, err)
	}
	pl := pls[0]
	if pl.Status != herald.PlacementPending || pl.Outlet != "张家口日报" || pl.Level != herald.LevelProvincial || pl.Page != "第3版" ||
		pl.Evidence != evidence || pl.Date.Format(time.DateOnly) != "2026-11-24" {
		t.Errorf("the stored placement: %+v", pl)
	}
	_, page = b.get("/newsroom/placements?done=placement_recorded")
	mine := page[strings.Index(page, `id="mine"`):]
	for _, want := range []string{"见报情况已登记，等待编辑核实。", `<span class="badge placement-pending">待核实</span>`, "<strong>张家口日报</strong>",
		`<a class="evidence" href="` + evidence + `"`, `alt="见报证明：张家口日报 2026-11-24（打开原图）"`, html.EscapeString(a.Title)} {
		if !strings.Contains(page, want) {
			t.Errorf("my records lack %s", want)
		}
	}
	if !regexp.MustCompile(`<img src="/media/[^"]+/thumb\.(png|jpg)" width="\d+" height="\d+"`).MatchString(mine) {
		t.Error("my records show no thumbnail of the evidence")
	}
	if strings.Contains(page, `id="review"`) {
		t.Error("a correspondent is shown the review queue")
	}

	// The same placement again (article, outlet, day and page), and the
	// same URL as another one.
	form.Del("url")
	code, _, body = b.postMultipart("/newsroom/placements", form, nil)
	if code != http.StatusConflict || !strings.Contains(body, "这次见报已经登记过了") {
		t.Errorf("a duplicate placement: %d", code)
	}
	again := placementForm(b.csrf(body), a, "河北法制报", "2026-11-24", "第2版", "https://zjkrb.example.cn/2026/11/24/3.html")
	again.Set("evidence", evidence)
	code, _, body = b.postMultipart("/newsroom/placements", again, nil)
	if got := placementFieldError(body, "url"); code != http.StatusBadRequest || got != "这个网址已经登记过另一条见报记录。" {
		t.Errorf("a URL recorded already: %d %q", code, got)
	}
	// Not an image.
	code, _, body = b.postMultipart("/newsroom/placements", placementForm(b.csrf(body), a, "河北法制报", "2026-11-24", "第2版", ""), []byte("%PDF-1.7"))
	if got := placementFieldError(body, "evidence"); code != http.StatusBadRequest || !strings.HasPrefix(got, "所选文件不是支持的图片") {
		t.Errorf("a PDF as evidence: %d %q", code, got)
	}
}

func TestCorrespondentOfAnotherUnitCannotRecord(t *testing.T) {
	f := newFixture(t)
	a := publishedOf(t, f, f.member(t, "baiyonggang"))
	gao := f.browser(t)
	gao.login("gaofeng") // a correspondent in Shijiazhuang
	_, page := gao.get(articlePath(a.ID))
	if strings.Contains(page, "/newsroom/placements?article=") {
		t.Error("the article page offers a correspondent of another unit to record its placement")
	}
	code, page := gao.get("/newsroom/placements?article=" + itoa(a.ID))
	if code != http.StatusOK || placementFieldError(page, "article_id") == "" {
		t.Errorf("coming from another unit's article: %d %q", code, placementFieldError(page, "article_id"))
	}
	form := placementForm(gao.csrf(page), a, "石家庄日报", "2026-11-24", "第1版", "")
	code, _, body := gao.postMultipart("/newsroom/placements", form, testPNG(300, 200))
	if got := placementFieldError(body, "article_id"); code != http.StatusForbidden || got != "只有稿件的作者、稿件所属单位的人员和编辑可以登记这篇稿件的见报情况。" {
		t.Errorf("recording another unit's piece: %d %q", code, got)
	}
	if pls, _, _ := f.store.FindPlacements(context.Background(), herald.PlacementFilter{ArticleID: a.ID, CreatedBy: f.member(t, "gaofeng").ID}); len(pls) != 0 {
		t.Error("the placement was recorded")
	}
	// Viewers do not record at all.
	viewer := f.browser(t)
	viewer.login("zhoulixin")
	if _, desk := viewer.get("/newsroom/"); strings.Contains(desk, `href="/newsroom/placements"`) {
		t.Error("a viewer's navigation offers 见报登记")
	}
	if code, _ := viewer.get("/newsroom/placements"); code != http.StatusForbidden {
		t.Errorf("a viewer opens the placements page: %d", code)
	}
}

func TestEditorsReviewPlacements(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := publishedOf(t, f, f.member(t, "baiyonggang"))
	bai := f.browser(t)
	bai.login("baiyonggang")
	first := record(t, f, bai, a, "张家口日报", "第3版", testPNG(400, 300))
	second := record(t, f, bai, a, "河北日报", "第7版", testPNG(401, 300))

	_, pending, err := f.store.FindPlacements(ctx, herald.PlacementFilter{Statuses: []herald.PlacementStatus{herald.PlacementPending}})
	if err != nil {
		t.Fatal(err)
	}
	guo := f.browser(t)
	guo.login("guoting") // an editor
	_, queue := guo.get("/newsroom/placements")
	review := queue[strings.Index(queue, `id="review"`):]
	for _, want := range []string{"待核实（共 " + itoa(int64(pending)) + " 条）", `action="/newsroom/placements/` + itoa(first.ID) + `/verify"`,
		`action="/newsroom/placements/` + itoa(second.ID) + `/reject"`, "白永刚_XWZ001 登记", html.EscapeString(a.Title), `class="evidence"`} {
		if !strings.Contains(review, want) {
			t.Errorf("the review queue lacks %s", want)
		}
	}
	code, loc, _ := guo.post("/newsroom/placements/"+itoa(first.ID)+"/verify", url.Values{"csrf": {guo.csrf(queue)}})
	if code != http.StatusSeeOther || loc != "/newsroom/placements?done=placement_verified#review" {
		t.Fatalf("verify: %d %s", code, loc)
	}
	if pl, _ := f.store.FindPlacementByID(ctx, first.ID); pl.Status != herald.PlacementVerified || pl.ReviewedBy != f.member(t, "guoting").ID {
		t.Errorf("after verifying: %+v", pl)
	}

	liu := f.browser(t)
	liu.login("liuxiaomin") // another editor
	_, queue = liu.get("/newsroom/placements")
	csrf := liu.csrf(queue)
	code, _, body := liu.post("/newsroom/placements/"+itoa(second.ID)+"/reject", url.Values{"csrf": {csrf}, "reason": {"  "}})
	if got := placementFieldError(body, "reason-"+itoa(second.ID)); code != http.StatusBadRequest || got != "请填写驳回理由。" {
		t.Errorf("reject without a reason: %d %q", code, got)
	}
	if pl, _ := f.store.FindPlacementByID(ctx, second.ID); pl.Status != herald.PlacementPending {
		t.Errorf("a rejection without a reason changed the placement: %s", pl.Status)
	}
	code, _, _ = liu.post("/newsroom/placements/"+itoa(second.ID)+"/reject", url.Values{"csrf": {csrf}, "reason": {"截图与所登记版面不符"}})
	if pl, _ := f.store.FindPlacementByID(ctx, second.ID); code != http.StatusSeeOther || pl.Status != herald.PlacementRejected || pl.Reason != "截图与所登记版面不符" {
		t.Errorf("reject: %d %+v", code, pl)
	}
	// A verified one can still be rejected.
	code, _, _ = liu.post("/newsroom/placements/"+itoa(first.ID)+"/reject", url.Values{"csrf": {csrf}, "reason": {"该报当天无此版面"}})
	if pl, _ := f.store.FindPlacementByID(ctx, first.ID); code != http.StatusSeeOther || pl.Status != herald.PlacementRejected {
		t.Errorf("reject a verified placement: %d %+v", code, pl)
	}
	// A rejected one is not verified afterwards.
	_, queue = guo.get("/newsroom/placements")
	code, _, body = guo.post("/newsroom/placements/"+itoa(second.ID)+"/verify", url.Values{"csrf": {guo.csrf(queue)}})
	if code == http.StatusSeeOther || !strings.Contains(body, "这条记录已被其他编辑处理，现在的状态是“已驳回”") {
		t.Errorf("verify a rejected placement: %d", code)
	}
	_, page := bai.get("/newsroom/placements")
	for _, want := range []string{`<span class="badge placement-rejected">已驳回</span>`, "驳回理由：截图与所登记版面不符", "驳回理由：该报当天无此版面",
		"刘晓敏_DW112 于 2026-11-25 18:00 驳回"} {
		if !strings.Contains(page, want) {
			t.Errorf("the correspondent's records lack %s", want)
		}
	}

	// An editor does not review a placement they recorded.
	own := record(t, f, guo, a, "燕赵都市报", "A5", testPNG(402, 300))
	_, queue = guo.get("/newsroom/placements")
	if strings.Contains(queue, `action="/newsroom/placements/`+itoa(own.ID)+`/verify"`) || !strings.Contains(queue, "这是您登记的记录，须由其他编辑核实。") {
		t.Error("the queue offers an editor to verify their own record")
	}
	code, _, body = guo.post("/newsroom/placements/"+itoa(own.ID)+"/verify", url.Values{"csrf": {guo.csrf(queue)}})
	if code != http.StatusForbidden || !strings.Contains(body, "这是您登记的记录，须由其他编辑核实或驳回。") {
		t.Errorf("verify one's own record: %d", code)
	}
	if pl, _ := f.store.FindPlacementByID(ctx, own.ID); pl.Status != herald.PlacementPending {
		t.Errorf("one's own record after verifying it: %s", pl.Status)
	}
	// Correspondents review nothing.
	if code, _, _ := bai.post("/newsroom/placements/"+itoa(own.ID)+"/verify", url.Values{"csrf": {bai.csrf(page)}}); code != http.StatusForbidden {
		t.Errorf("a correspondent verifies: %d", code)
	}
}

func TestChiefRecordsRecognitions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := publishedOf(t, f, f.member(t, "baiyonggang"))
	path := articlePath(a.ID)
	chief := f.browser(t)
	chief.login("wangyalan")
	_, page := chief.get(path)
	if !strings.Contains(page, "领导批示与首发") || !strings.Contains(page, `action="`+path+`/recognitions"`) {
		t.Fatal("the editor-in-chief's article page has no recognition form")
	}
	csrf := chief.csrf(page)
	code, _, body := chief.post(path+"/recognitions", url.Values{"csrf": {csrf}, "kind": {"endorsement"}, "day": {"2026-11-26"}, "note": {"王厅长批示：经验值得推广。"}})
	if got := placementFieldError(body, "recognition-day"); code != http.StatusBadRequest || got != "日期不能晚于今天。" {
		t.Errorf("a recognition in the future: %d %q\n%s", code, got, body[strings.Index(body, `id="recognitions"`):])
	}
	if !strings.Contains(body, "王厅长批示：经验值得推广。</textarea>") || !strings.Contains(body, `value="2026-11-26"`) {
		t.Error("the refused recognition form does not keep its input")
	}
	code, loc, _ := chief.post(path+"/recognitions", url.Values{"csrf": {csrf}, "kind": {"endorsement"}, "day": {"2026-11-24"}, "note": {"王厅长批示：经验值得推广。"}})
	if code != http.StatusSeeOther || loc != path+"?done=recognition_added#recognitions" {
		t.Fatalf("recognize: %d %s", code, loc)
	}
	rs, err := f.store.FindRecognitions(ctx, a.ID)
	if err != nil || len(rs) != 1 || rs[0].Kind != herald.RecognitionEndorsement || rs[0].Note != "王厅长批示：经验值得推广。" {
		t.Fatalf("recognitions: %v %v", rs, err)
	}
	_, page = chief.get(path)
	if !strings.Contains(page, `<option value="first_report" selected>首发</option>`) || strings.Contains(page, `<option value="endorsement"`) {
		t.Error("the form still offers the kind the article has, or not the other")
	}
	for _, want := range []string{"<strong>领导批示</strong>", `<time datetime="2026-11-24">`, "王亚兰_DW110 记录", `/recognitions/` + itoa(rs[0].ID) + `/withdraw"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the article page lacks %s", want)
		}
	}
	// The same kind again.
	code, _, body = chief.post(path+"/recognitions", url.Values{"csrf": {csrf}, "kind": {"endorsement"}, "day": {"2026-11-24"}})
	if got := placementFieldError(body, "recognition-kind"); code != http.StatusConflict || got != "这篇稿件已经有这一类记录了。" {
		t.Errorf("the same recognition again: %d %q", code, got)
	}

	editor := f.browser(t)
	editor.login("guoting")
	_, page = editor.get(path)
	if !strings.Contains(page, "<strong>领导批示</strong>") || strings.Contains(page, "/recognitions\"") || strings.Contains(page, "/withdraw\"") {
		t.Error("an editor sees no recognitions, or is offered to change them")
	}
	if code, _, _ := editor.post(path+"/recognitions", url.Values{"csrf": {editor.csrf(page)}, "kind": {"first_report"}, "day": {"2026-11-24"}}); code != http.StatusForbidden {
		t.Errorf("an editor records a first report: %d", code)
	}
	if code, _, _ := editor.post(path+"/recognitions/"+itoa(rs[0].ID)+"/withdraw", url.Values{"csrf": {editor.csrf(page)}}); code != http.StatusForbidden {
		t.Errorf("an editor withdraws a recognition: %d", code)
	}

	code, loc, _ = chief.post(path+"/recognitions/"+itoa(rs[0].ID)+"/withdraw", url.Values{"csrf": {csrf}})
	if code != http.StatusSeeOther || loc != path+"?done=recognition_withdrawn#recognitions" {
		t.Fatalf("withdraw: %d %s", code, loc)
	}
	_, page = chief.get(path)
	if !strings.Contains(page, "已于 2026-11-25 18:00 撤销") || strings.Contains(page, "/withdraw\"") {
		t.Error("the withdrawn recognition does not show as withdrawn, or can be withdrawn again")
	}
	code, _, body = chief.post(path+"/recognitions/"+itoa(rs[0].ID)+"/withdraw", url.Values{"csrf": {csrf}})
	if code != http.StatusConflict || !strings.Contains(body, "这条记录已经撤销") {
		t.Errorf("withdraw twice: %d", code)
	}
	// withdrawn in error, the endorsement may be recorded again
	if !strings.Contains(page, `<option value="endorsement"`) {
		t.Error("after the withdrawal the form does not offer the endorsement again")
	}
	code, loc, _ = chief.post(path+"/recognitions", url.Values{"csrf": {csrf}, "kind": {"endorsement"}, "day": {"2026-11-24"}, "note": {"重新登记"}})
	if code != http.StatusSeeOther || loc != path+"?done=recognition_added#recognitions" {
		t.Fatalf("record again: %d %s", code, loc)
	}
	if rs, err = f.store.FindRecognitions(ctx, a.ID); err != nil || len(rs) != 2 || rs[1].WithdrawnAt != nil || rs[1].Note != "重新登记" {
		t.Fatalf("recognitions after recording again: %+v %v", rs, err)
	}
}

func TestDeskShowsTheUnitsQuota(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// The unit that published most this month (CST), counted here the long
	// way, and one of its staff.
	all, _, err := f.store.FindArticles(ctx, herald.ArticleFilter{NoBody: true})
	if err != nil {
		t.Fatal(err)
	}
	adoptedBy := map[int64]int{}
	var unit int64
	for _, a := range all {
		if a.PublishedAt != nil && a.Status != herald.StatusRetracted && a.PublishedAt.In(herald.CST).Format("2006-01") == "2026-11" {
			adoptedBy[a.UnitID]++
			if adoptedBy[a.UnitID] > adoptedBy[unit] {
				unit = a.UnitID
			}
		}
	}
	adopted := adoptedBy[unit]
	staff, _, err := f.store.FindStaff(ctx, herald.StaffFilter{UnitID: unit})
	if err != nil || len(staff) == 0 || adopted == 0 {
		t.Fatalf("the demo's busiest unit this month: %d with %d pieces and staff %v (%v)", unit, adopted, staff, err)
	}
	b := f.browser(t)
	b.login(staff[0].Username)
	quotas, err := f.store.FindQuotas(ctx, "2026-11")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(quotas, func(q *herald.Quota) bool { return q.UnitID == unit }) {
		if _, desk := b.get("/newsroom/"); strings.Contains(desk, "本月任务") {
			t.Error("the desk shows a quota the unit does not have")
		}
	}
	chief := f.member(t, "wangyalan")
	svc := scoring.New(f.store, func() time.Time { return *f.now }, nil)
	target := adopted + 1
	for _, q := range []*herald.Quota{{UnitID: unit, Month: "2026-11", Target: target}, {UnitID: unit, Month: "2026-10", Target: 99}} {
		if err := svc.SetQuota(ctx, chief, q); err != nil {
			t.Fatal(err)
		}
	}
	_, desk := b.get("/newsroom/")
	want := "本月任务 " + itoa(int64(target)) + " 篇，已采用 " + itoa(int64(adopted)) + " 篇（" + itoa(int64(adopted*100/target)) + "%）"
	if !strings.Contains(desk, want) {
		t.Errorf("the desk lacks %q\n%.2000s", want, desk)
	}
	if !strings.Contains(desk, `<progress max="`+itoa(int64(target))+`" value="`+itoa(int64(adopted))+`"`) {
		t.Error("the desk has no progress bar of the quota")
	}
	if strings.Contains(desk, `href="/newsroom/quotas"`) && !scoring.MaySetQuotas(staff[0]) {
		t.Error("someone who does not set quotas is offered to")
	}
	c := f.browser(t)
	c.login("wangyalan")
	if _, desk := c.get("/newsroom/"); !strings.Contains(desk, `<a href="/newsroom/quotas">设定各单位任务</a>`) {
		t.Error("the editor-in-chief's desk has no link to set quotas")
	}
}
