package main

import (
	"context"
	"fmt"
	"html"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/demo"
	"github.com/heraldnews/herald/search"
)

// world is what generated articles are made of: the province as the store
// has it (with its IDs), Markov chains trained on the demo articles, and
// pools of tags, sources and names. Article i is a pure function of the seed
// and i, so any pass can make it again.
type world struct {
	seed      uint64
	now, from time.Time

	units       []*herald.Unit
	unitCum     []float64
	unitByID    map[int64]*herald.Unit
	place       map[int64]string          // a unit's place name: 唐山市, 正定县…
	writers     map[int64][]*herald.Staff // who may write for a unit
	local       map[int64][]*herald.Staff // writers whose home is the unit itself
	editors     []*herald.Staff           // the publicity center's editors
	chief       *herald.Staff
	translators []*herald.Staff
	columns     []*herald.Column
	colCum      []float64
	themes      []*herald.Theme

	zh, zhHead, en *chain
	tagsZh, tagsEn []string
	sources        []string
}

// Shares of the generated corpus.
const (
	englishShare = 0.03
	// statuses: published up to pPublished, then retracted, then the
	// unpublished ones (about 10%)
	pPublished = 0.895
	pRetracted = 0.900
	pDraft     = 0.950
	pSubmitted = 0.980
	pRejected  = 0.988
	pApproved  = 0.995
	years      = 7
)

// How often articles come from each kind of unit, per unit.
var unitTypeWeight = map[herald.UnitType]float64{
	herald.UnitDepartment: 18, herald.UnitPublicityCenter: 2, herald.UnitCityBureau: 5, herald.UnitCountyBureau: 1.2,
	herald.UnitNotaryOffice: 1, herald.UnitLegalAidCenter: 1.5, herald.UnitJudicialOffice: 0.7,
}

// How often each column is used (the demo's spread, smoothed).
var columnWeight = map[string]float64{
	"work": 27, "headlines": 17, "legal-services": 16, "grassroots": 14, "law-popularization": 13, "figures": 9, "notices": 4,
}

const (
	surnames   = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文庞樊兰殷施陶翟安颜倪严牛温芦季俞章鲁葛伍韦申尤毕聂焦向柳邢"
	givenChars = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红玲芬燕彩春菊凤洁梅琳素云莲真环雪荣爱香月媛瑞凡佳嘉琼勤珍莉璐娅琦晶妍茜秋珊莎锦青倩婷婉瑾颖露瑶怡丹蓉君琴蕊薇岚馨韵园悦昭冰爽宁欣育柔竹凝晓欢枫芸菲亚宜舒阳妮宝志国建文海立新永庆振宏德学俊峰鹏辉斌波东亮林成福生龙元全胜祥才发武利清飞彬富顺信子杰涛昌进邦承乐绍功松善厚庆民友裕河哲江超浩"
	placeChars = "东西南北大小新老马王李张刘庄河口山屯营集店桥堡寨头沟坡岭湾台辛杨柳高后前中上下石安平和兴丰太古龙泉城里沙水田家坊寺官铺窑"
)

var roleTitles = []string{"人民调解员", "公证员", "专职律师", "司法所所长", "社区矫正社会工作者", "法律援助律师", "村法律顾问"}

var extraTagsEn = []string{"legal aid", "mediation", "notarization", "rule of law", "Xiong'an", "Winter Olympics",
	"public legal services", "community correction", "migrant workers", "Civil Code", "law popularization", "Hebei"}

// newWorld trains the chains on the demo corpus and reads the province back
// from the store.
func newWorld(ctx context.Context, s herald.Store, seed uint64, now time.Time) (*world, error) {
	c, err := demo.LoadCorpus()
	if err != nil {
		return nil, err
	}
	w := &world{seed: seed, now: now, from: now.AddDate(-years, 0, 0),
		unitByID: map[int64]*herald.Unit{}, place: map[int64]string{}, writers: map[int64][]*herald.Staff{}, local: map[int64][]*herald.Staff{},
		zh: newChain(""), zhHead: newChain(""), en: newChain(" ")}
	seenTag, seenSource := map[string]bool{}, map[string]bool{}
	for _, a := range c.Articles {
		text := search.PlainText(a.Body)
		if a.Language == "en" {
			for _, p := range strings.Split(text, "\n") {
				for _, s := range sentencesEn(p) {
					w.en.add(s, a.Column)
				}
			}
			for _, s := range sentencesEn(a.Summary) {
				w.en.add(s, a.Column)
			}
			for _, t := range a.Tags {
				if !seenTag[t] {
					seenTag[t] = true
					w.tagsEn = append(w.tagsEn, t)
				}
			}
			continue
		}
		for _, p := range strings.Split(text, "\n") {
			for _, s := range sentencesZh(strings.TrimSpace(p)) {
				w.zh.add(s, a.Column)
			}
		}
		for _, s := range sentencesZh(a.Summary) {
			w.zh.add(s, a.Column)
		}
		heads := a.Title + "\n" + a.Subtitle
		for _, part := range strings.Split(a.Body, "<h2>")[1:] {
			h, _, _ := strings.Cut(part, "</h2>")
			heads += "\n" + html.UnescapeString(h)
		}
		heads += "\n" + a.Summary
		for _, cl := range clausesZh(heads) {
			w.zhHead.add(cl, a.Column)
		}
		for _, t := range a.Tags {
			if !seenTag[t] {
				seenTag[t] = true
				w.tagsZh = append(w.tagsZh, t)
			}
		}
		if !seenSource[a.Source] {
			seenSource[a.Source] = true
			w.sources = append(w.sources, a.Source)
		}
	}
	w.tagsEn = append(w.tagsEn, extraTagsEn...)

	units, _, err := s.FindUnits(ctx, herald.UnitFilter{})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(units, func(a, b *herald.Unit) int { return int(a.ID - b.ID) })
	w.units = units
	total := 0.0
	for _, u := range units {
		w.unitByID[u.ID] = u
		total += unitTypeWeight[u.Type]
		w.unitCum = append(w.unitCum, total)
	}
	for _, u := range units {
		w.place[u.ID] = placeOf(w, u)
	}
	staff, _, err := s.FindStaff(ctx, herald.StaffFilter{})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(staff, func(a, b *herald.Staff) int { return int(a.ID - b.ID) })
	for _, st := range staff {
		home := w.unitByID[st.UnitID]
		switch {
		case st.HasRole(herald.RoleEditorInChief):
			w.chief = st
		case st.HasRole(herald.RoleEditor) && home.Type == herald.UnitPublicityCenter:
			w.editors = append(w.editors, st)
		}
		if st.HasRole(herald.RoleTranslator) {
			w.translators = append(w.translators, st)
		}
		if !st.HasRole(herald.RoleCorrespondent, herald.RoleEditor, herald.RoleEditorInChief) {
			continue
		}
		// staff of a publicity center write for the unit it serves
		if home.Type == herald.UnitPublicityCenter && home.ParentID != 0 {
			home = w.unitByID[home.ParentID]
		}
		w.local[home.ID] = append(w.local[home.ID], st)
		for _, u := range units {
			if w.isAncestorOrSelf(home.ID, u.ID) {
				w.writers[u.ID] = append(w.writers[u.ID], st)
			}
		}
	}
	if w.chief == nil || len(w.editors) < 2 || len(w.translators) == 0 {
		return nil, fmt.Errorf("the province needs an editor-in-chief, two publicity-center editors and a translator")
	}
	for _, u := range units {
		if len(w.writers[u.ID]) == 0 {
			return nil, fmt.Errorf("nobody may write for unit %s", u.Code)
		}
	}
	if w.columns, err = s.FindColumns(ctx); err != nil {
		return nil, err
	}
	total = 0
	for _, col := range w.columns {
		total += max(columnWeight[col.Slug], 1)
		w.colCum = append(w.colCum, total)
	}
	if w.themes, err = s.FindThemes(ctx); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *world) isAncestorOrSelf(anc, id int64) bool {
	for i := 0; id != 0 && i <= len(w.units); i++ {
		if id == anc {
			return true
		}
		id = w.unitByID[id].ParentID
	}
	return false
}

// placeOf names a unit's place: the city or county of a bureau, the province
// for the department.
func placeOf(w *world, u *herald.Unit) string {
	for _, suffix := range []string{"司法厅宣传中心", "司法厅", "司法局", "司法所", "公证处", "法律援助中心"} {
		if p, ok := strings.CutSuffix(u.Name, suffix); ok && p != "" {
			if strings.HasPrefix(p, "河北省") {
				return "河北省"
			}
			if u.Type == herald.UnitNotaryOffice || u.Type == herald.UnitLegalAidCenter {
				if parent := w.unitByID[u.ParentID]; parent != nil && parent.Type != herald.UnitDepartment {
					return placeOf(w, parent)
				}
			}
			return p
		}
	}
	return u.Name
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

func pickCum(rng *rand.Rand, cum []float64) int {
	x := rng.Float64() * cum[len(cum)-1]
	i, _ := slices.BinarySearch(cum, x)
	return min(i, len(cum)-1)
}

var surnameRunes, givenRunes, placeRunes = []rune(surnames), []rune(givenChars), []rune(placeChars)

func person(rng *rand.Rand) string {
	name := string(pick(rng, surnameRunes)) + string(pick(rng, givenRunes))
	if rng.Float64() < 0.7 {
		name += string(pick(rng, givenRunes))
	}
	return name
}

func village(rng *rand.Rand) string {
	return string(pick(rng, placeRunes)) + string(pick(rng, placeRunes)) + "村"
}

// date returns a time in the seven years before now, more of them recent:
// half spread evenly, half with a density rising toward now.
func (w *world) date(rng *rand.Rand) time.Time {
	x := rng.Float64()
	if rng.IntN(2) == 0 {
		x = math.Sqrt(x)
	}
	day := w.from.Add(time.Duration(x * float64(w.now.Sub(w.from)))).In(demo.CST)
	// office hours, China time
	t := time.Date(day.Year(), day.Month(), day.Day(), 8+rng.IntN(13), rng.IntN(60), rng.IntN(60), 0, demo.CST)
	if t.After(w.now) {
		t = w.now.Add(-time.Duration(rng.IntN(3600)) * time.Second)
	}
	return t.UTC()
}

// meta makes everything of article i but its text, which text adds.
func (w *world) meta(i int) *herald.Article {
	rng := rand.New(rand.NewPCG(w.seed, uint64(i)*2))
	a := &herald.Article{Reviewers: []int64{}}
	a.Language = "zh-CN"
	if rng.Float64() < englishShare {
		a.Language = "en"
	}
	u := w.units[pickCum(rng, w.unitCum)]
	a.UnitID = u.ID
	author := pick(rng, w.writers[u.ID])
	if l := w.local[u.ID]; len(l) > 0 && rng.Float64() < 0.6 {
		author = pick(rng, l)
	}
	a.CreatedBy = author.ID
	a.Authors = []herald.Author{{StaffID: author.ID}}
	if a.Language == "en" {
		a.Authors = append(a.Authors, herald.Author{Name: "Translated by " + pick(rng, w.translators).NameEn})
	} else if rng.Float64() < 0.3 {
		a.Authors = append(a.Authors, herald.Author{Name: "通讯员 " + person(rng)})
	}
	col := w.columns[pickCum(rng, w.colCum)]
	a.ColumnID = col.ID
	switch x := rng.Float64(); {
	case x < 0.2:
		a.ThemeIDs = []int64{pick(rng, w.themes).ID, pick(rng, w.themes).ID}
	case x < 0.6:
		a.ThemeIDs = []int64{pick(rng, w.themes).ID}
	}
	ntags := []int{1, 2, 2, 3, 3, 3, 3, 4, 4, 5}[rng.IntN(10)]
	for range ntags {
		if a.Language == "en" {
			a.Tags = append(a.Tags, pick(rng, w.tagsEn))
		} else {
			a.Tags = append(a.Tags, pick(rng, w.tagsZh))
		}
	}
	if a.Language != "en" && rng.Float64() < 0.3 {
		a.Tags = append(a.Tags, strings.TrimSuffix(w.place[u.ID], "市"))
	}
	switch x := rng.Float64(); {
	case a.Language == "en":
		a.Source = "Hebei Provincial Department of Justice"
	case x < 0.55:
		a.Source = u.Name
	case x < 0.8:
		a.Source = "河北省司法厅"
	default:
		a.Source = pick(rng, w.sources)
	}
	a.Channels = []herald.Channel{herald.ChannelWebsite}
	if rng.Float64() < 0.3 {
		a.Channels = append(a.Channels, herald.ChannelMicroblog)
	}
	if rng.Float64() < 0.2 {
		a.Channels = append(a.Channels, herald.ChannelPublicAccount)
	}
	if rng.Float64() < 0.05 {
		a.Channels = append(a.Channels, herald.ChannelPrint)
	}
	if a.Language == "en" {
		a.Channels = append(a.Channels, herald.ChannelForeign)
	}

	// the responsible editor and the reviewers of each level, none the author
	var eds []*herald.Staff
	for _, e := range w.editors {
		if e.ID != author.ID {
			eds = append(eds, e)
		}
	}
	k := rng.IntN(len(eds))
	editor := eds[k]
	reviewers := []int64{editor.ID}
	if col.ReviewLevels >= 2 {
		reviewers = append(reviewers, eds[(k+1)%len(eds)].ID)
	}
	if col.ReviewLevels >= 3 {
		reviewers = append(reviewers, w.chief.ID)
	}

	at := w.date(rng)
	recent := func() time.Time {
		if rng.Float64() < 0.7 {
			return w.now.Add(-time.Duration(rng.Int64N(int64(60 * 24 * time.Hour)))).Truncate(time.Second)
		}
		return at
	}
	switch x := rng.Float64(); {
	case x < pPublished:
		a.Status, a.EditorID, a.Reviewers, a.PublishedAt = herald.StatusPublished, editor.ID, reviewers, &at
		if rng.Float64() < 0.012 {
			fixed := at.Add(20 * time.Hour)
			a.CorrectedAt, a.CorrectionNote = &fixed, "更正：原文数据有误，已核实修改。"
		}
	case x < pRetracted:
		gone := at.Add(time.Duration(1+rng.IntN(240)) * time.Hour)
		a.Status, a.EditorID, a.Reviewers, a.PublishedAt, a.RetractedAt = herald.StatusRetracted, editor.ID, reviewers, &at, &gone
	case x < pDraft:
		a.Status, at = herald.StatusDraft, recent()
	case x < pSubmitted:
		a.Status, at = herald.StatusSubmitted, recent()
		a.ReviewLevel = 1 + rng.IntN(col.ReviewLevels)
		a.Reviewers = reviewers[:a.ReviewLevel-1]
		if a.ReviewLevel > 1 {
			a.EditorID = editor.ID
		}
	case x < pRejected:
		a.Status, a.EditorID, at = herald.StatusRejected, editor.ID, recent()
	case x < pApproved:
		a.Status, a.EditorID, a.Reviewers, at = herald.StatusApproved, editor.ID, reviewers, recent()
	default:
		when := w.now.Add(time.Duration(1+rng.IntN(96)) * time.Hour)
		a.Status, a.EditorID, a.Reviewers, a.ScheduledAt = herald.StatusScheduled, editor.ID, reviewers, &when
		at = w.now.Add(-time.Duration(1+rng.IntN(48)) * time.Hour)
	}
	a.Version, a.CreatedAt, a.UpdatedAt = 1, at, at
	return a
}

// article makes article i whole: its metadata, its text, normalized the way
// the store normalizes it, and the event that records its import.
func (w *world) article(i int) (*herald.Article, herald.Event) {
	a := w.meta(i)
	w.text(i, a)
	a.ID = int64(i + 1)
	a.Normalize()
	return a, w.event(a)
}

func (w *world) event(a *herald.Article) herald.Event {
	return herald.Event{At: a.CreatedAt, ActorID: a.CreatedBy, Entity: herald.EntityArticle, EntityID: a.ID, Action: "import", ToStatus: string(a.Status)}
}

// text writes an article's title, subtitle, summary and body.
func (w *world) text(i int, a *herald.Article) {
	rng := rand.New(rand.NewPCG(w.seed, uint64(i)*2+1))
	col := ""
	for _, c := range w.columns {
		if c.ID == a.ColumnID {
			col = c.Slug
		}
	}
	if a.Language == "en" {
		w.textEn(rng, a, col)
		return
	}
	place := w.place[a.UnitID]
	// title: one or two headline clauses, 12–30 characters
	target := 12 + rng.IntN(19)
	var b strings.Builder
	if rng.Float64() < 0.25 {
		b.WriteString(place)
	}
	for tries := 0; runeLen(b.String()) < target-3 && tries < 4; tries++ {
		if tries > 0 {
			b.WriteString(" ")
		}
		w.zhHead.sentence(rng, &b, col, 0.6, 24)
	}
	title := strings.TrimSpace(b.String())
	for runeLen(title) < 12 {
		title += place
	}
	if runeLen(title) > 30 {
		title = strings.TrimSpace(cutRunes(title, target))
		if runeLen(title) < 12 {
			title = cutRunes(title+place+"开展专项工作", 12)
		}
	}
	a.Title = title
	if col == "figures" || rng.Float64() < 0.04 {
		a.Subtitle = "记" + w.unitByID[a.UnitID].Name + pick(rng, roleTitles) + person(rng)
	}
	// summary: one or two sentences
	b.Reset()
	for runeLen(b.String()) < 40 {
		w.zh.sentence(rng, &b, col, 0.6, 120)
	}
	a.Summary = b.String()
	if runeLen(a.Summary) > 200 {
		a.Summary = cutRunes(a.Summary, 160) + "。"
	}
	// body: paragraphs of 80–350 characters, 400–2000 in all
	want := 400 + int(1600*math.Pow(rng.Float64(), 1.4))
	b.Reset()
	var para strings.Builder
	for n, chars := 0, 0; chars < want; n++ {
		if n > 0 && rng.Float64() < 0.06 {
			var h strings.Builder
			w.zhHead.sentence(rng, &h, col, 0.5, 16)
			b.WriteString("<h2>" + html.EscapeString(h.String()) + "</h2>")
		}
		plen := min(80+rng.IntN(270), want-chars+20)
		para.Reset()
		for runeLen(para.String()) < plen {
			if rng.Float64() < 0.1 {
				w.inject(rng, &para, a, place)
			}
			w.zh.sentence(rng, &para, col, 0.5, 160)
		}
		p := para.String()
		chars += runeLen(p)
		b.WriteString("<p>" + html.EscapeString(p) + "</p>")
	}
	a.Body = b.String()
}

// inject starts a sentence the way news does, with the names, places, dates
// and numbers a small corpus lacks.
func (w *world) inject(rng *rand.Rand, b *strings.Builder, a *herald.Article, place string) {
	year := a.CreatedAt.In(demo.CST).Year()
	switch rng.IntN(7) {
	case 0:
		fmt.Fprintf(b, "%d年%d月%d日，", year, 1+rng.IntN(12), 1+rng.IntN(28))
	case 1:
		fmt.Fprintf(b, "%s表示，", person(rng))
	case 2:
		fmt.Fprintf(b, "据%s司法所所长%s介绍，", place, person(rng))
	case 3:
		fmt.Fprintf(b, "在%s%s，", place, village(rng))
	case 4:
		fmt.Fprintf(b, "截至%d月底，已累计办理%d件，", 1+rng.IntN(12), 10+rng.IntN(5000))
	case 5:
		fmt.Fprintf(b, "%s村民%s说，", village(rng), person(rng))
	default:
		fmt.Fprintf(b, "%s%s人民调解委员会调解员%s", place, village(rng), person(rng))
	}
}

func (w *world) textEn(rng *rand.Rand, a *herald.Article, col string) {
	var b strings.Builder
	w.en.sentence(rng, &b, col, 0.5, 6+rng.IntN(7))
	words := strings.Fields(strings.TrimRight(b.String(), ".,;:!?\""))
	for i, wd := range words {
		if len(wd) > 3 {
			words[i] = strings.ToUpper(wd[:1]) + wd[1:]
		}
	}
	a.Title = strings.Join(words, " ")
	if len(a.Title) < 12 {
		a.Title += " in Hebei Province"
	}
	b.Reset()
	w.en.sentence(rng, &b, col, 0.6, 45)
	a.Summary = b.String()
	want := 3 * (400 + int(1600*math.Pow(rng.Float64(), 1.4)))
	b.Reset()
	var para strings.Builder
	for chars := 0; chars < want; {
		para.Reset()
		for n := 2 + rng.IntN(4); n > 0; n-- {
			if para.Len() > 0 {
				para.WriteString(" ")
			}
			w.en.sentence(rng, &para, col, 0.5, 60)
		}
		chars += para.Len()
		b.WriteString("<p>" + html.EscapeString(para.String()) + "</p>")
	}
	a.Body = b.String()
}
