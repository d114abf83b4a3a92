package demo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/heraldnews/herald"
)

// The demo's year of publicity work before its present weeks: what the
// incentive mechanism and the dashboards need to show trends and rankings.
// The correspondents of the city and county units submit pieces month by
// month; the center's editors adopt most and send some back; adopted pieces
// run in outside papers and sites, recorded with a clipping and checked by
// an editor; leaders endorse a few; the city bureaus have monthly quotas;
// the scoring rules change once in the middle of the year. Everything is
// written with the times it happened, deterministic for a fixed seed.

// HistoryMonths is how far back the history goes.
const HistoryMonths = 12

// historyQuiet is how long before the present the history's last piece is
// written: it is published two days later at the latest, so that the news
// of today and yesterday, which the portal, the bulletin and the partner's
// pull show first, is the corpus's.
const historyQuiet = 4 * 24 * time.Hour

// historyTopics are the kinds of local news a unit reports, with their
// column, theme and kind of piece.
var historyTopics = []struct {
	title  string // %s is the place
	column string
	theme  string
	kind   herald.ArticleKind
}{
	{"%s开展“法律进乡村”宣传活动", "law-popularization", "grassroots-governance", herald.KindNews},
	{"%s举办人民调解员业务培训班", "grassroots", "grassroots-governance", herald.KindNews},
	{"%s公共法律服务中心推出“周末不打烊”服务", "legal-services", "public-legal-services", herald.KindNews},
	{"%s深入开展民法典宣传月活动", "law-popularization", "law-based-government", herald.KindPhoto},
	{"%s召开社区矫正工作推进会", "work", "three-systems", herald.KindNews},
	{"%s开展行政执法案卷评查", "work", "law-based-government", herald.KindNews},
	{"%s法律援助中心为农民工讨回欠薪", "legal-services", "public-legal-services", herald.KindInDepth},
	{"%s“法律明白人”培养工程见实效", "grassroots", "grassroots-governance", herald.KindInDepth},
	{"%s组织“宪法进万家”主题宣传", "law-popularization", "law-based-government", herald.KindPhoto},
	{"%s推进京津冀法律服务协同", "work", "jing-jin-ji", herald.KindNews},
	{"%s人民调解委员会化解邻里纠纷", "grassroots", "grassroots-governance", herald.KindVideo},
	{"让法治成为%s基层治理的底色", "work", "grassroots-governance", herald.KindCommentary},
	{"%s公证处开通“跨省通办”服务", "legal-services", "public-legal-services", herald.KindNews},
	{"%s司法所：群众身边的“法治驿站”", "figures", "grassroots-governance", herald.KindInDepth},
}

// historyParagraphs make the bodies; %s is the place.
var historyParagraphs = []string{
	"近日，%s结合本地实际，组织干部职工和法律服务工作者深入基层，面对面为群众答疑解惑，发放宣传资料，受到群众欢迎。",
	"活动中，工作人员围绕群众关心的婚姻家庭、劳动报酬、土地承包等问题，结合典型案例进行讲解，引导群众依法表达诉求、理性维护权益。",
	"%s负责同志表示，下一步将持续完善工作机制，推动公共法律服务资源向基层延伸，让群众在家门口就能享受到便捷高效的法律服务。",
	"据统计，今年以来%s已累计开展各类法治宣传活动数十场次，受众群众上万人次，群众法治意识明显增强。",
	"与会人员一致认为，要坚持和发展新时代“枫桥经验”，把矛盾纠纷化解在基层、化解在萌芽状态。",
}

// historyOutlets are outside outlets by level; %s is the unit's city.
var historyOutlets = map[herald.OutletLevel][]string{
	herald.LevelCounty:     {"%s融媒体中心"},
	herald.LevelCity:       {"%s日报", "%s晚报"},
	herald.LevelProvincial: {"河北日报", "河北法制报", "长城网"},
	herald.LevelNational:   {"法治日报", "中国普法"},
	herald.LevelCentral:    {"人民日报", "新华社客户端"},
}

// historyRules are the scoring rules the demo's year ran under: the first
// version from the start of the history, the second, which adds points for
// reads and raises the highest outlets, from four months before the present.
func historyRules() (v1, v2 herald.Rules) {
	v1 = herald.Rules{
		Submission: 100,
		Adoption: map[herald.ArticleKind]herald.Points{herald.KindNews: 300, herald.KindInDepth: 500, herald.KindPhoto: 200,
			herald.KindVideo: 400, herald.KindCommentary: 400},
		Channel: map[herald.Channel]herald.Points{herald.ChannelMicroblog: 50, herald.ChannelPublicAccount: 50, herald.ChannelPrint: 100,
			herald.ChannelForeign: 100},
		Placement: map[herald.OutletLevel]herald.Points{herald.LevelCounty: 100, herald.LevelCity: 200, herald.LevelProvincial: 400,
			herald.LevelNational: 800, herald.LevelCentral: 1000},
		Bonus:       map[herald.RecognitionKind]herald.Points{herald.RecognitionEndorsement: 500, herald.RecognitionFirstReport: 200},
		MissedQuota: 200,
		Split:       herald.Split{FirstAuthorPercent: 60, UnitPercent: 100},
	}
	v2 = v1
	v2.Placement = map[herald.OutletLevel]herald.Points{herald.LevelCounty: 100, herald.LevelCity: 200, herald.LevelProvincial: 400,
		herald.LevelNational: 900, herald.LevelCentral: 1200}
	v2.Reads = herald.ReadRule{Per: 1000, Points: 50, CapPerMonth: 200, CapPerPiece: 500}
	return v1, v2
}

// history is what seeding the history needs of the demo province.
type history struct {
	s       herald.Store
	rng     *rand.Rand
	now     time.Time
	staff   map[string]*herald.Staff
	units   map[string]*herald.Unit
	columns map[string]*herald.Column
	themes  map[string]*herald.Theme
	editors []*herald.Staff // the center's editors, who adopt and check
	chief   *herald.Staff
	admin   *herald.Staff
	clip    string        // the clipping image the placements show
	levels  map[int64]int // review levels by column
	urls    int
}

// seedHistory writes the year before the present.
func seedHistory(ctx context.Context, s herald.Store, now time.Time, staff map[string]*herald.Staff, units map[string]*herald.Unit,
	columns map[string]*herald.Column, themes map[string]*herald.Theme) (int, error) {
	h := &history{s: s, rng: rand.New(rand.NewPCG(2026, 1125)), now: now, staff: staff, units: units, columns: columns, themes: themes,
		chief: staff["wangyalan"], admin: staff["zhaojun"]}
	h.levels = map[int64]int{}
	for _, c := range columns {
		h.levels[c.ID] = c.ReviewLevels
	}
	for _, u := range []string{"liuxiaomin", "guoting", "sunpeng"} {
		h.editors = append(h.editors, staff[u])
	}
	start := historyStart(now)
	v1, v2 := historyRules()
	if err := s.CreateRules(ctx, &herald.RuleSet{EffectiveFrom: start, Rules: v1, Note: "全省司法行政宣传工作积分规则（试行）"},
		herald.Event{At: start.UTC(), ActorID: h.admin.ID}); err != nil {
		return 0, fmt.Errorf("rules: %w", err)
	}
	v2From := start.AddDate(0, HistoryMonths-4, 0)
	if err := s.CreateRules(ctx, &herald.RuleSet{EffectiveFrom: v2From, Rules: v2, Note: "增加阅读量积分，提高中央和全国媒体见报积分"},
		herald.Event{At: v2From.AddDate(0, 0, -7).UTC(), ActorID: h.admin.ID}); err != nil {
		return 0, fmt.Errorf("rules: %w", err)
	}
	var err error
	if h.clip, err = h.clipping(ctx); err != nil {
		return 0, err
	}
	pieces := 0
	var writers []*herald.Staff
	for _, st := range staff {
		if st.HasRole(herald.RoleCorrespondent) && units[unitCode(units, st.UnitID)].Type != herald.UnitPublicityCenter {
			writers = append(writers, st)
		}
	}
	slices.SortFunc(writers, func(a, b *herald.Staff) int { return strings.Compare(a.Username, b.Username) })
	// the months before the present's, and the present's as far as it has
	// gone: without its pieces the last weeks of every chart would fall off
	for m := range HistoryMonths + 1 {
		month := start.AddDate(0, m, 0)
		if err := h.quotas(ctx, month); err != nil {
			return 0, err
		}
		var published []*herald.Article
		for _, w := range writers {
			for range 1 + h.rng.IntN(4) {
				a, err := h.piece(ctx, w, month)
				if err != nil {
					return 0, err
				}
				if a != nil {
					pieces++
				}
				if a != nil && a.Status == herald.StatusPublished {
					published = append(published, a)
				}
			}
		}
		if err := h.recognitions(ctx, published); err != nil {
			return 0, err
		}
	}
	return pieces, nil
}

func unitCode(units map[string]*herald.Unit, id int64) string {
	for code, u := range units {
		if u.ID == id {
			return code
		}
	}
	return ""
}

// place is how a unit is named in a headline: 石家庄市, 正定县, 廊坊市公证处.
func place(u *herald.Unit) string {
	name := strings.TrimSuffix(u.Name, "司法局")
	name = strings.TrimPrefix(name, "河北省")
	return name
}

// city is the city a unit belongs to, for its local papers.
func (h *history) city(u *herald.Unit) string {
	for u.Type != herald.UnitCityBureau && u.ParentID != 0 {
		var parent *herald.Unit
		for _, p := range h.units {
			if p.ID == u.ParentID {
				parent = p
			}
		}
		if parent == nil {
			break
		}
		u = parent
	}
	if u.Type != herald.UnitCityBureau {
		return "石家庄"
	}
	return strings.TrimSuffix(u.Name, "市司法局")
}

// at is a working-day time in month: day d (clamped to the month and to
// before now), at hour.
func (h *history) at(month time.Time, day, hour int) time.Time {
	t := month.AddDate(0, 0, day).Add(time.Duration(hour)*time.Hour + time.Duration(h.rng.IntN(60))*time.Minute)
	if end := month.AddDate(0, 1, 0).Add(-time.Hour); t.After(end) {
		t = end
	}
	if limit := h.now.Add(-36 * time.Hour); t.After(limit) {
		t = limit
	}
	return t.UTC().Truncate(time.Microsecond)
}

// piece writes, submits and settles one piece by w in month: most are
// adopted, some sent back.
func (h *history) piece(ctx context.Context, w *herald.Staff, month time.Time) (*herald.Article, error) {
	u := h.units[unitCode(h.units, w.UnitID)]
	topic := historyTopics[h.rng.IntN(len(historyTopics))]
	where := place(u)
	var body strings.Builder
	for _, i := range h.rng.Perm(len(historyParagraphs))[:3] {
		p := historyParagraphs[i]
		if strings.Contains(p, "%s") {
			p = fmt.Sprintf(p, where)
		}
		body.WriteString("<p>" + p + "</p>")
	}
	c := herald.ArticleContent{Title: fmt.Sprintf(topic.title, where), Body: body.String(), Source: u.Name, Language: herald.DefaultLanguage,
		Kind: topic.kind, ColumnID: h.columns[topic.column].ID, ThemeIDs: []int64{h.themes[topic.theme].ID},
		Authors: []herald.Author{{StaffID: w.ID}}, Channels: []herald.Channel{herald.ChannelWebsite}}
	for _, ch := range []struct {
		c herald.Channel
		p int
	}{{herald.ChannelMicroblog, 60}, {herald.ChannelPublicAccount, 40}, {herald.ChannelPrint, 50}} {
		if h.rng.IntN(100) < ch.p {
			c.Channels = append(c.Channels, ch.c)
		}
	}
	editor := h.editors[h.rng.IntN(len(h.editors))]
	c.EditorID = editor.ID
	written := h.at(month, h.rng.IntN(27), 9)
	if !written.Before(h.now.Add(-historyQuiet)) {
		return nil, nil // the month is not long enough yet
	}
	a := &herald.Article{ArticleContent: c, UnitID: u.ID, CreatedBy: w.ID, Status: herald.StatusDraft}
	if err := h.s.CreateArticle(ctx, a, herald.Event{At: written, ActorID: w.ID}); err != nil {
		return nil, fmt.Errorf("history piece: %w", err)
	}
	step := func(actor *herald.Staff, at time.Time, action string, set func(a *herald.Article)) error {
		_, err := h.s.UpdateArticle(ctx, a.ID, func(a *herald.Article) (herald.ArticleChange, error) {
			set(a)
			return herald.ArticleChange{Event: herald.Event{At: at, ActorID: actor.ID, Action: action}}, nil
		})
		return err
	}
	submitted := written.Add(time.Duration(1+h.rng.IntN(5)) * time.Hour)
	if err := step(w, submitted, "submit", func(a *herald.Article) { a.Status, a.ReviewLevel = herald.StatusSubmitted, 1 }); err != nil {
		return nil, err
	}
	decided := submitted.Add(time.Duration(3+h.rng.IntN(40)) * time.Hour)
	if decided.After(h.now.Add(-time.Hour)) {
		decided = h.now.Add(-time.Hour)
	}
	if h.rng.IntN(100) < 14 {
		err := step(editor, decided, "reject", func(a *herald.Article) { a.Status, a.ReviewLevel = herald.StatusRejected, 0 })
		return a, err
	}
	// as many levels of review as the column has, the editor first
	reviewers := []int64{editor.ID}
	for _, e := range append(slices.Clone(h.editors), h.chief) {
		if len(reviewers) < h.levels[c.ColumnID] && !slices.Contains(reviewers, e.ID) {
			reviewers = append(reviewers, e.ID)
		}
	}
	err := step(editor, decided, "publish", func(a *herald.Article) {
		at := decided
		a.Status, a.ReviewLevel, a.PublishedAt, a.Reviewers = herald.StatusPublished, 0, &at, reviewers
	})
	if err != nil {
		return nil, err
	}
	a, err = h.s.FindArticleByID(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	return a, h.placements(ctx, a, w, u)
}

// placements records where a piece ran outside, now and then: the writer
// records it with the clipping, an editor checks it a day or two later.
func (h *history) placements(ctx context.Context, a *herald.Article, w *herald.Staff, u *herald.Unit) error {
	n := 0
	switch r := h.rng.IntN(100); {
	case r < 5:
		n = 2
	case r < 32:
		n = 1
	}
	levels := []herald.OutletLevel{herald.LevelCounty, herald.LevelCity, herald.LevelCity, herald.LevelProvincial, herald.LevelProvincial,
		herald.LevelProvincial, herald.LevelNational, herald.LevelCentral}
	if u.Type == herald.UnitCityBureau {
		levels = levels[1:]
	}
	for i := range n {
		level := levels[h.rng.IntN(len(levels))]
		names := historyOutlets[level]
		outlet := names[h.rng.IntN(len(names))]
		if strings.Contains(outlet, "%s") {
			outlet = fmt.Sprintf(outlet, h.city(u))
		}
		ran := herald.CSTDay(a.PublishedAt.AddDate(0, 0, 1+i+h.rng.IntN(4)))
		recorded := ran.Add(time.Duration(10+h.rng.IntN(40)) * time.Hour)
		if !recorded.Before(h.now) {
			continue
		}
		pl := &herald.Placement{ArticleID: a.ID, Outlet: outlet, Level: level, Date: ran, Status: herald.PlacementPending, CreatedBy: w.ID, Evidence: h.clip}
		if strings.HasSuffix(outlet, "网") || strings.HasSuffix(outlet, "客户端") || strings.HasSuffix(outlet, "中心") {
			h.urls++
			pl.URL = fmt.Sprintf("https://news.example.cn/%s/%d.html", ran.Format("2006/01/02"), 10000+h.urls)
		} else {
			pl.Page = fmt.Sprintf("第%d版", 1+h.rng.IntN(8))
		}
		err := h.s.CreatePlacement(ctx, pl, herald.Event{At: recorded.UTC().Truncate(time.Microsecond), ActorID: w.ID})
		if herald.ErrorCode(err) == herald.ECONFLICT {
			continue // the same outlet and page twice: the writer would have been told
		} else if err != nil {
			return fmt.Errorf("history placement: %w", err)
		}
		reviewed := recorded.Add(time.Duration(20+h.rng.IntN(50)) * time.Hour)
		if !reviewed.Before(h.now) {
			continue // still waiting for an editor
		}
		verdict, reason := herald.PlacementVerified, ""
		if h.rng.IntN(100) < 8 {
			verdict, reason = herald.PlacementRejected, "截图与所报版面不符"
		}
		editor := h.editors[h.rng.IntN(len(h.editors))]
		if _, err := h.s.ReviewPlacement(ctx, pl.ID, herald.Event{At: reviewed.UTC().Truncate(time.Microsecond), ActorID: editor.ID},
			func(pl *herald.Placement) error { pl.Status, pl.Reason = verdict, reason; return nil }); err != nil {
			return fmt.Errorf("history review: %w", err)
		}
	}
	return nil
}

// recognitions: each month leaders endorse one or two of the month's
// pieces, and one is marked as a first report.
func (h *history) recognitions(ctx context.Context, published []*herald.Article) error {
	if len(published) == 0 {
		return nil
	}
	picks := h.rng.Perm(len(published))
	for i, kind := range []herald.RecognitionKind{herald.RecognitionEndorsement, herald.RecognitionFirstReport, herald.RecognitionEndorsement} {
		if i >= len(picks) || i == 2 && h.rng.IntN(2) == 0 {
			break
		}
		a := published[picks[i]]
		day := herald.CSTDay(a.PublishedAt.AddDate(0, 0, 2))
		at := day.Add(16 * time.Hour)
		if !at.Before(h.now) {
			continue
		}
		note := "省司法厅主要负责同志批示肯定"
		if kind == herald.RecognitionFirstReport {
			note = "全省首发"
		}
		if err := h.s.CreateRecognition(ctx, &herald.Recognition{ArticleID: a.ID, Kind: kind, Day: day, Note: note},
			herald.Event{At: at.UTC(), ActorID: h.chief.ID}); err != nil {
			return fmt.Errorf("history recognition: %w", err)
		}
	}
	return nil
}

// quotas gives the city bureaus their targets for a month, set on its
// first day.
func (h *history) quotas(ctx context.Context, month time.Time) error {
	codes := make([]string, 0, len(h.units))
	for code, u := range h.units {
		if u.Type == herald.UnitCityBureau {
			codes = append(codes, code)
		}
	}
	slices.Sort(codes)
	for _, code := range codes {
		q := &herald.Quota{UnitID: h.units[code].ID, Month: month.Format("2006-01"), Target: 3 + h.rng.IntN(3)}
		if err := h.s.SetQuota(ctx, q, herald.Event{At: month.Add(9 * time.Hour).UTC(), ActorID: h.chief.ID}); err != nil {
			return fmt.Errorf("history quota: %w", err)
		}
	}
	return nil
}

// clipping stores the image the history's placements give as evidence: a
// newspaper page in miniature.
func (h *history) clipping(ctx context.Context) (string, error) {
	img := image.NewGray(image.Rect(0, 0, 240, 320))
	for y := range 320 {
		for x := range 240 {
			c := uint8(246)
			if y > 20 && y < 44 && x > 16 && x < 224 || (y-60)%12 < 3 && y > 60 && x > 16 && x < 224 && (x/112)%2 == (y/140)%2 {
				c = 90
			}
			img.SetGray(x, y, color.Gray{Y: c})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", err
	}
	sum := sha256.Sum256(buf.Bytes())
	m := &herald.Media{SHA256: hex.EncodeToString(sum[:]), Format: "png", Width: 240, Height: 320, Filename: "剪报.png",
		UploadedBy: h.staff["gaofeng"].ID, Renditions: []herald.MediaRendition{
			{Name: "original", ContentType: "image/png", Width: 240, Height: 320, Data: buf.Bytes()},
			{Name: "large", ContentType: "image/png", Width: 240, Height: 320, Data: buf.Bytes()},
		}}
	if err := h.s.CreateMedia(ctx, m, herald.Event{At: h.now.AddDate(-1, 0, 0).UTC(), ActorID: m.UploadedBy}); err != nil {
		return "", fmt.Errorf("clipping: %w", err)
	}
	return m.URL("large"), nil
}
