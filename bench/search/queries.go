package main

import (
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/search"
)

// benchQuery is one query of the mixed set.
type benchQuery struct {
	kind string
	name string // how the table shows it
	q    search.Query
}

// querySet returns the mixed query set: every kind of search readers and
// editors make, including those that find nothing.
func querySet(w *world) []benchQuery {
	col := func(slug string) int64 {
		for _, c := range w.columns {
			if c.Slug == slug {
				return c.ID
			}
		}
		panic("no column " + slug)
	}
	theme := func(slug string) int64 {
		for _, t := range w.themes {
			if t.Slug == slug {
				return t.ID
			}
		}
		panic("no theme " + slug)
	}
	unit := func(code string) int64 {
		for _, u := range w.units {
			if u.Code == code {
				return u.ID
			}
		}
		panic("no unit " + code)
	}
	year := func(y int) (time.Time, time.Time) {
		return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(y+1, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	var out []benchQuery
	add := func(kind, name string, q search.Query) {
		if q.Text == "" {
			q.Text = name
		}
		out = append(out, benchQuery{kind, name, q})
	}
	text := func(kind string, texts ...string) {
		for _, t := range texts {
			add(kind, t, search.Query{})
		}
	}
	text("1 char", "法", "调", "援", "矫", "村", "证")
	text("2 chars", "司法", "宣传", "调解", "律师", "公证", "普法", "矫正", "援助", "雄安", "冬奥")
	text("3 chars", "民法典", "司法所", "公证处", "调解员", "农民工", "司法局")
	text("4+ chars", "公共法律服务", "雄安新区", "法律援助中心", "社区矫正", "法治政府建设", "人民调解委员会", "京津冀协同发展", "行政执法监督")
	text("several words", "法律援助 农民工", "人民调解 矛盾纠纷", "普法 民法典 社区", "司法 宣传 培训", "法律援助 OR 公证", "调解 -诉讼", "张华", "司法行政宣传")
	text("quoted phrase", `"法律明白人"`, `"最多跑一次"`, `"跨省通办"`, `“公共法律服务中心”`, `"一村一法律顾问"`)
	text("English", "legal", "mediation", "notarization", `"rule of law"`, "Hebei", "legal aid", "training", "Zhang Hua")
	text("mixed", "12348 法律援助", "H5 普法", "APP 公证", "Xiong'an 雄安")

	from2023, until2023 := year(2023)
	add("filter", "调解 · column grassroots", search.Query{Text: "调解", ColumnID: col("grassroots")})
	add("filter", "法律援助 · column legal-services", search.Query{Text: "法律援助", ColumnID: col("legal-services")})
	add("filter", "公证 · 2023", search.Query{Text: "公证", From: from2023, Until: until2023})
	add("filter", "司法 · last 90 days", search.Query{Text: "司法", From: w.now.AddDate(0, 0, -90)})
	add("filter", "legal · language en", search.Query{Text: "legal", Language: "en"})
	add("filter", "普法 · language zh", search.Query{Text: "普法", Language: "zh"})
	add("filter", "公共法律服务 · theme", search.Query{Text: "公共法律服务", ThemeID: theme("public-legal-services")})
	add("filter", "调解 · unit TS", search.Query{Text: "调解", UnitIDs: []int64{unit("TS")}})

	add("sort=date", "司法 · by date", search.Query{Text: "司法", Sort: search.ByDate})
	add("sort=date", "公共法律服务 · by date", search.Query{Text: "公共法律服务", Sort: search.ByDate})
	add("sort=date", "调解 · grassroots · by date", search.Query{Text: "调解", ColumnID: col("grassroots"), Sort: search.ByDate})
	add("sort=date", "法 · by date", search.Query{Text: "法", Sort: search.ByDate})

	add("offset 100", "司法 · offset 100", search.Query{Text: "司法", Offset: 100})
	add("offset 100", "调解 · by date · offset 100", search.Query{Text: "调解", Sort: search.ByDate, Offset: 100})
	add("offset 100", "法 · offset 100", search.Query{Text: "法", Offset: 100})
	add("offset 100", "法律援助 · offset 100", search.Query{Text: "法律援助", Offset: 100})

	text("nothing", "量子计算机", "xyzzy", `"区块链金融"`, "宇宙飞船 登月")
	from1990, until1990 := year(1990)
	add("nothing", "法律 · 1990", search.Query{Text: "法律", From: from1990, Until: until1990})

	all := make([]int64, len(w.units))
	for i, u := range w.units {
		all[i] = u.ID
	}
	add("newsroom", "调解 · every status", search.Query{Text: "调解", Statuses: herald.Statuses, Private: all})
	add("newsroom", "司法 · every status · by date", search.Query{Text: "司法", Statuses: herald.Statuses, Private: all, Sort: search.ByDate})
	return out
}
