package search

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldnews/herald"
)

var day = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

func doc(id int64, title, body string) *Document {
	return &Document{ID: id, Title: title, Body: body, Status: herald.StatusPublished, Language: "zh-CN", UnitID: 1, ColumnID: 1, Date: day}
}

func ids(t *testing.T, ix *Index, q Query) []int64 {
	t.Helper()
	if q.Now.IsZero() {
		q.Now = day
	}
	q.Limit = 50
	res, err := ix.Search(q)
	if err != nil {
		t.Fatalf("Search(%q): %v", q.Text, err)
	}
	var out []int64
	for _, h := range res.Hits {
		out = append(out, h.ID)
	}
	slices.Sort(out)
	return out
}

func TestAnalyzeFolds(t *testing.T) {
	var terms []string
	analyze("ＡＰＰ上线　Trainings：Café，ﬁle 司法", 0, func(tk token) { terms = append(terms, tk.term) })
	want := []string{"app", "上", "上线", "线", "train", "cafe", "file", "司", "司法", "法"}
	if !slices.Equal(terms, want) {
		t.Fatalf("terms = %q, want %q", terms, want)
	}
}

func TestSearchChinese(t *testing.T) {
	ix := NewIndex()
	ix.Put(doc(1, "全省公共法律服务工作会议召开", "会议部署公共法律服务体系建设。"))
	ix.Put(doc(2, "法律援助中心开展服务活动", "律师提供公共服务，法律咨询。"))
	ix.Put(doc(3, "雄安新区司法所揭牌", "雄安新区设立司法所。"))
	ix.Put(doc(4, "安新县召开办公安排会", "安新县部署办公安排。"))
	ix.Put(doc(5, "市公安局与司法局座谈", "公安机关与司法行政机关座谈。"))
	ix.Put(doc(6, "Public legal services reach villages", "Lawyers trained volunteers in public legal services."))
	ix.Put(doc(7, "政务ＡＰＰ上线", "新版政务APP提供5G办事。"))
	ix.Put(doc(8, "统计工作", "数量、子女、计划、算术、机关。"))
	cases := []struct {
		q    string
		want []int64
	}{
		{"公共法律服务", []int64{1}}, // a phrase, not its pairs anywhere
		{"雄安", []int64{3}},     // not 安新县
		{"雄安新区", []int64{3}},
		{"公安局", []int64{5}},
		{"司法", []int64{3, 5}},
		{"法", []int64{1, 2, 3, 5}},    // one character
		{"司法 座谈", []int64{5}},         // both words
		{"司法所 OR 公安局", []int64{3, 5}}, // alternatives
		{"司法 -公安", []int64{3}},        // exclusion
		{"app", []int64{7}},           // full-width folded in the text
		{"ＡＰＰ", []int64{7}},           // and in the query
		{"政务APP", []int64{7}},         // mixed run: both parts
		{"5g", []int64{7}},
		{`"public legal services"`, []int64{6}},
		{`"legal public"`, nil},
		{"training", []int64{6}}, // stemming: trained
		{"SERVICE", []int64{6}},  // case folding and stemming
		{"公共法律服务会议", []int64{1}}, // 务会 occurs nowhere: split into 公共法律服务 and 会议
		{"", nil},
		{`"`, nil},
		{`((* OR`, nil},
		{"-", nil},
	}
	for _, c := range cases {
		if got := ids(t, ix, Query{Text: c.q}); !slices.Equal(got, c.want) {
			t.Errorf("%q: got %v, want %v", c.q, got, c.want)
		}
	}
}

func TestBigramAcrossWordsRanksBelow(t *testing.T) {
	// Pairs of characters cannot tell 公安 (police) from 办公安排 (office
	// arrangements); the article about the police must still come first.
	ix := NewIndex()
	ix.Put(doc(1, "安新县召开会议", "会议对办公安排作出部署。"))
	ix.Put(doc(2, "市公安局与司法局座谈", "公安机关与司法行政机关座谈。"))
	res, _ := ix.Search(Query{Text: "公安", Now: day})
	if len(res.Hits) != 2 || res.Hits[0].ID != 2 {
		t.Fatalf("hits = %+v, want article 2 first", res.Hits)
	}
}

func TestPhraseScoresCountThePhraseNotItsWords(t *testing.T) {
	// Both hold the phrase twice in seven words; the first also holds its
	// words apart, which must not raise its score, whatever the sort.
	ix := NewIndex()
	ix.Put(doc(1, "report", "legal aid legal legal aid aid x"))
	ix.Put(doc(2, "report", "legal aid x legal aid x x"))
	ix.Put(doc(3, "report", "legal x aid x x x x"))
	for _, sort := range []Sort{ByRelevance, ByDate} {
		res, err := ix.Search(Query{Text: `"legal aid"`, Now: day, Sort: sort})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 2 || len(res.Hits) != 2 || res.Hits[0].Score != res.Hits[1].Score {
			t.Fatalf("%s: %+v, want articles 1 and 2 with the same score", sort, res.Hits)
		}
	}
	one, _ := ix.Search(Query{Text: `"legal aid" x`, Now: day})
	if one.Total != 2 || one.Hits[0].ID != 2 {
		t.Fatalf("with x, the article with more x should lead: %+v", one.Hits)
	}
}

func TestSearchRanksTitleAndFreshnessHigher(t *testing.T) {
	ix := NewIndex()
	ix.Put(doc(1, "工作简报", "本期介绍普法宣传工作。"+strings.Repeat("其他内容。", 20)))
	ix.Put(doc(2, "普法宣传进社区", "活动现场。"+strings.Repeat("其他内容。", 20)))
	old := doc(3, "普法宣传进校园", "活动现场。"+strings.Repeat("其他内容。", 20))
	old.Date = day.AddDate(-3, 0, 0)
	ix.Put(old)
	res, err := ix.Search(Query{Text: "普法宣传", Now: day})
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, h := range res.Hits {
		got = append(got, h.ID)
	}
	if !slices.Equal(got, []int64{2, 3, 1}) {
		t.Fatalf("order = %v, want [2 3 1] (title matches first, the newer first)", got)
	}
	res, _ = ix.Search(Query{Text: "普法宣传", Now: day, Sort: ByDate})
	if res.Hits[2].ID != 3 {
		t.Fatalf("by date, the oldest should come last: %+v", res.Hits)
	}
}

func TestSearchFiltersAndPermissions(t *testing.T) {
	ix := NewIndex()
	a := doc(1, "调解工作", "")
	b := doc(2, "调解工作草稿", "")
	b.Status, b.UnitID = herald.StatusDraft, 7
	c := doc(3, "调解 English", "")
	c.Language, c.ColumnID, c.ThemeIDs = "en", 2, []int64{9}
	for _, d := range []*Document{a, b, c} {
		ix.Put(d)
	}
	all := []herald.Status{herald.StatusDraft, herald.StatusPublished}
	cases := []struct {
		name string
		q    Query
		want []int64
	}{
		{"public sees published", Query{Text: "调解"}, []int64{1, 3}},
		{"drafts need scope", Query{Text: "调解", Statuses: all}, []int64{1, 3}},
		{"in scope", Query{Text: "调解", Statuses: all, Private: []int64{7}}, []int64{1, 2, 3}},
		{"language prefix", Query{Text: "调解", Language: "zh"}, []int64{1}},
		{"column", Query{Text: "调解", ColumnID: 2}, []int64{3}},
		{"theme", Query{Text: "调解", ThemeID: 9}, []int64{3}},
		{"unit", Query{Text: "调解", UnitIDs: []int64{7}, Statuses: all, Private: []int64{7}}, []int64{2}},
		{"dates", Query{Text: "调解", From: day.Add(time.Hour)}, nil},
	}
	for _, c := range cases {
		if got := ids(t, ix, c.q); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func TestIndexReplaceDeleteCompact(t *testing.T) {
	ix := NewIndex()
	for i := range int64(3000) {
		ix.Put(doc(i+1, "旧标题", "司法行政宣传"))
	}
	for i := range int64(3000) {
		if i%2 == 0 {
			ix.Put(doc(i+1, "新标题", "普法宣传"))
		} else {
			ix.Delete(i + 1)
		}
	}
	if ix.Len() != 1500 {
		t.Fatalf("Len = %d, want 1500", ix.Len())
	}
	res, _ := ix.Search(Query{Text: "旧标题", Now: day})
	if res.Total != 0 {
		t.Fatalf("replaced text still found: %d", res.Total)
	}
	res, _ = ix.Search(Query{Text: "新标题 宣传", Now: day})
	if res.Total != 1500 {
		t.Fatalf("new text found %d times, want 1500", res.Total)
	}
	if ix.dead*4 >= ix.postings && ix.dead >= 4096 {
		t.Fatalf("index never compacted: %d dead of %d", ix.dead, ix.postings)
	}
}

func TestPagingIsStable(t *testing.T) {
	ix := NewIndex()
	for i := range int64(25) {
		ix.Put(doc(i+1, "宣传", "宣传"))
	}
	seen := map[int64]bool{}
	for page := 0; page < 3; page++ {
		res, err := ix.Search(Query{Text: "宣传", Offset: page * 10, Limit: 10, Now: day})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 25 {
			t.Fatalf("total %d", res.Total)
		}
		for _, h := range res.Hits {
			if seen[h.ID] {
				t.Fatalf("article %d on two pages", h.ID)
			}
			seen[h.ID] = true
		}
	}
	if len(seen) != 25 {
		t.Fatalf("saw %d of 25", len(seen))
	}
}

func TestEmptyResultSuggestsParts(t *testing.T) {
	ix := NewIndex()
	ix.Put(doc(1, "司法宣传", ""))
	d := doc(2, "冬奥会保障", "")
	d.ColumnID = 5
	ix.Put(d)
	res, _ := ix.Search(Query{Text: "司法 冬奥会", Now: day})
	if res.Total != 0 || len(res.Partial) != 2 || res.Partial[0].Total != 1 || res.Partial[1].Total != 1 {
		t.Fatalf("partial = %+v", res.Partial)
	}
	res, _ = ix.Search(Query{Text: "冬奥会", ColumnID: 1, Now: day})
	if res.Total != 0 || res.Unfiltered != 1 {
		t.Fatalf("unfiltered = %d", res.Unfiltered)
	}
}

func TestBadQueries(t *testing.T) {
	ix := NewIndex()
	ix.Put(doc(1, "司法", ""))
	for _, q := range []Query{{Text: strings.Repeat("司", MaxQueryRunes+1)}, {Text: "\xff\xfe"}, {Text: "x", Limit: 500}, {Text: "x", Sort: "best"}, {Text: "x", Offset: -1}} {
		_, err := ix.Search(q)
		if herald.ErrorCode(err) != herald.EINVALID || len(herald.ErrorFields(err)) == 0 {
			t.Errorf("%.20q: err = %v, want EINVALID naming a field", q.Text, err)
		}
	}
}

func TestHighlightAndSnippet(t *testing.T) {
	ix := NewIndex()
	body := strings.Repeat("无关的内容。", 30) + "全省公共法律服务体系建设取得成效。" + strings.Repeat("其他。", 30)
	ix.Put(doc(1, "公共法律服务", body))
	res, _ := ix.Search(Query{Text: "公共法律服务", Now: day})
	var marked []string
	text := ""
	for _, s := range res.Marks.Snippet(body, 60) {
		text += s.Text
		if s.Mark {
			marked = append(marked, s.Text)
		}
	}
	if !slices.Equal(marked, []string{"公共法律服务"}) || !strings.HasPrefix(text, "…") || !strings.HasSuffix(text, "…") {
		t.Fatalf("snippet %q marks %q", text, marked)
	}
	spans := res.Marks.Highlight("Ａ公共法律服务Ｂ")
	if len(spans) != 3 || !spans[1].Mark || spans[1].Text != "公共法律服务" {
		t.Fatalf("highlight = %+v", spans)
	}
}

func TestSuggest(t *testing.T) {
	ix := NewIndex()
	ix.Put(doc(1, "雄安新区司法所揭牌", ""))
	older := doc(2, "关于雄安的报道", "")
	older.Date = day.AddDate(0, 0, -1)
	ix.Put(older)
	draft := doc(3, "雄安草稿", "")
	draft.Status = herald.StatusDraft
	ix.Put(draft)
	en := doc(4, "Xiongan New Area", "")
	en.Language = "en"
	ix.Put(en)
	got, err := ix.Suggest("雄安", "", 5)
	if err != nil || len(got) != 2 || got[0].ID != 1 || got[1].ID != 2 {
		t.Fatalf("Suggest = %+v, %v", got, err)
	}
	if got, _ := ix.Suggest("ＸＩＯＮＧ", "en", 5); len(got) != 1 || got[0].ID != 4 {
		t.Fatalf("Suggest folded = %+v", got)
	}
}

// TestJoinEqualsOneIndex builds the same documents into one index and into
// three joined parts: every search answers alike.
func TestJoinEqualsOneIndex(t *testing.T) {
	one := NewIndex()
	parts := []*Index{NewIndex(), NewIndex(), NewIndex()}
	bodies := []string{"公共法律服务体系建设", "雄安新区司法所", "普法宣传进社区", "Public legal services", "法律援助中心"}
	for i := range int64(300) {
		d := doc(i+1, bodies[i%5], bodies[(i+2)%5]+"。"+bodies[(i+3)%5])
		d.Date = day.Add(-time.Duration(i) * time.Hour)
		if i%4 == 0 {
			d.Language = "en-GB" // parts learn languages in different orders
		}
		one.Put(d)
		parts[(i*7)%3].Put(d)
	}
	joined := join(parts)
	if joined.Len() != one.Len() {
		t.Fatalf("joined %d documents, one index %d", joined.Len(), one.Len())
	}
	for _, q := range []Query{{Text: "法律"}, {Text: "公共法律服务"}, {Text: `"legal services"`}, {Text: "宣传 OR 雄安"}, {Text: "司法 -雄安"}, {Text: "法"},
		{Text: "法律", Language: "en"}, {Text: "法律", Language: "zh"}} {
		q.Now, q.Limit = day, 50
		a, _ := one.Search(q)
		b, _ := joined.Search(q)
		if a.Total != b.Total || len(a.Hits) != len(b.Hits) {
			t.Fatalf("%+v: one index %d, joined %d", q, a.Total, b.Total)
		}
		for i := range a.Hits {
			if a.Hits[i].ID != b.Hits[i].ID {
				t.Fatalf("%+v: hit %d is %d in one index, %d joined", q, i, a.Hits[i].ID, b.Hits[i].ID)
			}
		}
	}
	joined.Put(doc(5, "新标题", "")) // the joined index takes changes like any
	if res, _ := joined.Search(Query{Text: "新标题", Now: day}); res.Total != 1 || res.Hits[0].ID != 5 {
		t.Fatalf("after a change: %+v", res)
	}
}

// TestSkipsAndCoresChangeNothing matches clauses common enough to run on
// several cores and to jump through skip entries, in an index built in joined
// parts and compacted after deletions, and compares with a plain walk of
// every posting on one core.
func TestSkipsAndCoresChangeNothing(t *testing.T) {
	parts := []*Index{NewIndex(), NewIndex()}
	texts := []string{"公共法律服务体系建设", "司法行政宣传工作", "法律援助中心", "人民调解委员会", "12348热线"}
	for i := range int64(40000) {
		d := doc(i+1, texts[i%5], texts[(i*3)%5]+texts[(i*7)%5])
		if i%997 == 0 {
			d.Body += "农民工讨薪"
		}
		parts[i%2].Put(d)
	}
	ix := join(parts)
	for i := range int64(40000) {
		if i%3 == 0 {
			ix.Delete(i + 1) // enough to compact
		}
	}
	if len(ix.docs) == 40000 {
		t.Fatal("the deletions never compacted the index")
	}
	for _, q := range []string{"法律", "法律援助", "公共法律服务", "农民工 法律援助", "12348 宣传"} {
		p, _ := parse(q)
		for _, c := range ix.resolve(p)[0] {
			lists := make([]*postingList, len(c.elems))
			for i, e := range c.elems {
				pl := *ix.list(e.term)
				pl.skips = nil
				lists[i] = &pl
			}
			plain := ix.matchRange(c, lists, 0, int32(len(ix.docs)), nil)
			got := ix.matches(c)
			if len(plain) == 0 || !slices.Equal(got, plain) {
				t.Fatalf("%q (%s): %d matches with skips and cores, %d walking every posting", q, c.text, len(got), len(plain))
			}
		}
		res, _ := ix.Search(Query{Text: q, Now: day})
		if res.Total == 0 {
			t.Fatalf("%q finds nothing", q)
		}
	}
}
