package demo

import (
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

const seedTitle = "Provincial Judicial Administration System Publicity Training Course Held in Shijiazhuang"

func TestLoadCorpus(t *testing.T) {
	c, err := LoadCorpus()
	if err != nil {
		t.Fatalf("LoadCorpus: %v", err)
	}
	if n := len(c.Articles); n < 64 {
		t.Errorf("have %d articles, want at least 64", n)
	}
	for i := 1; i < len(c.Articles); i++ {
		if c.Articles[i-1].File >= c.Articles[i].File {
			t.Errorf("articles not sorted: %s before %s", c.Articles[i-1].File, c.Articles[i].File)
		}
	}

	// The seed article: the English version of the first article, its Chinese original.
	original, seed := c.Articles[0], c.Articles[1]
	if original.File != "articles/000.txt" || seed.File != "articles/001.txt" || seed.TranslationOf != "000.txt" || original.Language != "zh-CN" {
		t.Fatalf("first articles are %s and %s (translating %q), want the seed's Chinese original and the seed", original.File, seed.File, seed.TranslationOf)
	}
	if seed.Title != seedTitle {
		t.Errorf("seed title = %q", seed.Title)
	}
	want := time.Date(2019, 12, 19, 16, 14, 4, 0, time.FixedZone("", 8*3600))
	if !seed.Time.Equal(want) {
		t.Errorf("seed time = %v, want %v", seed.Time, want)
	}
	if _, off := seed.Time.Zone(); off != 8*3600 {
		t.Errorf("seed time zone offset = %d, want +8h", off)
	}
	if seed.Source != "Hebei Legal Network Hebei Party Network" {
		t.Errorf("seed source = %q", seed.Source)
	}
	if seed.Editor != "wangyalan" || seed.State != "published" || seed.Language != "en" ||
		seed.Column != "headlines" || seed.Unit != "HEB" {
		t.Errorf("seed header: editor=%s state=%s language=%s column=%s unit=%s",
			seed.Editor, seed.State, seed.Language, seed.Column, seed.Unit)
	}
	if len(seed.Themes) != len(c.Themes) {
		t.Errorf("seed has %d themes, want all %d", len(seed.Themes), len(c.Themes))
	}
	if ps := paragraphs(seed.Body); len(ps) != 4 {
		t.Errorf("seed has %d paragraphs, want 4", len(ps))
	} else if !strings.HasPrefix(ps[3], "It is understood that the Provincial Justice Department Party Committee") {
		t.Errorf("seed last paragraph = %.60q...", ps[3])
	}

	// States.
	states := map[string]int{}
	for _, a := range c.Articles {
		states[a.State]++
	}
	for _, s := range States {
		if states[s] < 2 {
			t.Errorf("state %s appears %d times, want at least 2", s, states[s])
		}
	}
	if n := states["published"] + states["corrected"]; n < 40 {
		t.Errorf("%d published+corrected articles, want at least 40", n)
	}

	// Units, staff, roles.
	cities := 0
	for _, u := range c.Units {
		if u.Type == "city_bureau" {
			cities++
		}
	}
	if cities != 11 {
		t.Errorf("%d city bureaus, want 11", cities)
	}
	if len(c.Staff) < 28 {
		t.Errorf("%d staff, want at least 28", len(c.Staff))
	}
	roles := map[string]bool{}
	for _, s := range c.Staff {
		for _, r := range s.Roles {
			roles[r] = true
		}
	}
	for _, r := range Roles {
		if !roles[r] {
			t.Errorf("no staff member has role %s", r)
		}
	}
	if s := c.staff("wangyalan"); s == nil || s.StaffCode != "DW110" || s.Unit != "HEB-XC" || !contains(s.Roles, "editor_in_chief") {
		t.Errorf("wangyalan = %+v", s)
	}
	if len(c.Columns) != 7 || len(c.Themes) != 7 {
		t.Errorf("%d columns, %d themes; want 7 and 7", len(c.Columns), len(c.Themes))
	}

	// Article content.
	titles := map[string]string{}
	paras := map[string]string{}
	lo := time.Date(2026, 8, 1, 0, 0, 0, 0, CST)
	hi := time.Date(2026, 11, 25, 0, 0, 0, 0, CST)
	for _, a := range c.Articles {
		if prev, ok := titles[a.Title]; ok {
			t.Errorf("%s: title %q already used by %s", a.File, a.Title, prev)
		}
		titles[a.Title] = a.File
		if len(a.Body) < 200 {
			t.Errorf("%s: body is %d bytes, want at least 200", a.File, len(a.Body))
		}
		for _, p := range paragraphs(a.Body) {
			if prev, ok := paras[p]; ok {
				t.Errorf("%s: paragraph %.40q... also in %s", a.File, p, prev)
			}
			paras[p] = a.File
		}
		if a.File == seed.File || a.File == original.File {
			continue
		}
		if len(a.Themes) > 3 {
			t.Errorf("%s: %d themes, want at most 3", a.File, len(a.Themes))
		}
		if a.State == "scheduled" {
			if !a.Time.After(hi) {
				t.Errorf("%s: scheduled for %v, want after the rest of the corpus", a.File, a.Time)
			}
		} else if a.Time.Before(lo) || !a.Time.Before(hi) {
			t.Errorf("%s: time %v outside 2026-08-01..2026-11-24", a.File, a.Time)
		}
	}
}

var paraRE = regexp.MustCompile(`(?s)<p>(.*?)</p>`)

func paragraphs(body string) []string {
	var out []string
	for _, m := range paraRE.FindAllStringSubmatch(body, -1) {
		if p := strings.TrimSpace(m[1]); p != "" {
			out = append(out, p)
		}
	}
	return out
}

const testProvince = `{
  "units": [
    {"code":"HEB","name":"河北省司法厅","name_en":"Hebei DoJ","type":"department","parent":""},
    {"code":"HEB-XC","name":"宣传中心","name_en":"Publicity Center","type":"publicity_center","parent":"HEB"},
    {"code":"SJZ","name":"石家庄市司法局","name_en":"Shijiazhuang","type":"city_bureau","parent":"HEB"},
    {"code":"TS","name":"唐山市司法局","name_en":"Tangshan","type":"city_bureau","parent":"HEB"}
  ],
  "staff": [
    {"username":"wangyalan","name":"王亚兰","name_en":"Wang Yalan","staff_code":"DW110","unit":"HEB-XC","roles":["editor_in_chief"],"skills":[]},
    {"username":"zhanghua","name":"张华","name_en":"Zhang Hua","staff_code":"DW115","unit":"HEB-XC","roles":["editor","correspondent"]},
    {"username":"gaofeng","name":"高峰","name_en":"Gao Feng","staff_code":"SJZ015","unit":"SJZ","roles":["correspondent"]},
    {"username":"songlina","name":"宋丽娜","name_en":"Song Lina","staff_code":"SJZ008","unit":"SJZ","roles":["editor"]}
  ],
  "columns": [
    {"slug":"headlines","name":"司法要闻","name_en":"Headlines","review_levels":3,"position":1},
    {"slug":"work","name":"工作动态","name_en":"Work","review_levels":2,"position":2},
    {"slug":"grassroots","name":"基层传真","name_en":"Grassroots","review_levels":1,"position":3}
  ],
  "themes": [
    {"slug":"jing-jin-ji","name":"京津冀协同发展","name_en":"BTH","description":"d"}
  ]
}`

const testArticle = `title: 石家庄市召开会议
summary: 摘要。
language: zh-CN
column: work
themes: jing-jin-ji
tags: 会议, 石家庄
unit: SJZ
author: gaofeng
authors_extra: 通讯员 李明，王芳
editor: wangyalan
source: 石家庄市司法局
state: published
time: 2026-09-01 10:00:00
---
<p>正文第一段。</p>
`

func testFS(province string, articles map[string]string) fstest.MapFS {
	m := fstest.MapFS{"province.json": {Data: []byte(province)}}
	for name, body := range articles {
		m["articles/"+name] = &fstest.MapFile{Data: []byte(body)}
	}
	return m
}

func TestParseCorpusValid(t *testing.T) {
	c, err := ParseCorpus(testFS(testProvince, map[string]string{
		"002.txt": testArticle,
		"001.txt": strings.Replace(testArticle, "title: 石家庄市召开会议", "title: 另一篇", 1),
	}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Articles) != 2 || c.Articles[0].File != "articles/001.txt" {
		t.Fatalf("articles = %+v", c.Articles)
	}
	a := c.Articles[1]
	if a.Title != "石家庄市召开会议" || a.Body != "<p>正文第一段。</p>" {
		t.Errorf("title=%q body=%q", a.Title, a.Body)
	}
	if got := strings.Join(a.Tags, "|"); got != "会议|石家庄" {
		t.Errorf("tags = %q", got)
	}
	if got := strings.Join(a.ExtraAuthors, "|"); got != "通讯员 李明|王芳" {
		t.Errorf("extra authors = %q", got)
	}
	if want := time.Date(2026, 9, 1, 2, 0, 0, 0, time.UTC); !a.Time.Equal(want) {
		t.Errorf("time = %v, want %v", a.Time, want)
	}
}

func TestParseCorpusErrors(t *testing.T) {
	edit := func(old, new string) string {
		if !strings.Contains(testArticle, old) {
			panic("test article lacks " + old)
		}
		return strings.Replace(testArticle, old, new, 1)
	}
	editProv := func(old, new string) string {
		if !strings.Contains(testProvince, old) {
			panic("test province lacks " + old)
		}
		return strings.Replace(testProvince, old, new, 1)
	}
	tests := []struct {
		name     string
		province string // defaults to testProvince
		article  string // defaults to testArticle
		file     string // expected in the error
		field    string // expected in the error
	}{
		{name: "missing title", article: edit("title: 石家庄市召开会议\n", ""), field: `"title"`},
		{name: "empty summary", article: edit("summary: 摘要。", "summary:"), field: `"summary"`},
		{name: "unknown key", article: edit("summary:", "abstract: x\nsummary:"), field: `"abstract"`},
		{name: "duplicate key", article: edit("tags:", "unit: SJZ\ntags:"), field: `"unit"`},
		{name: "malformed line", article: edit("tags:", "just some text\ntags:"), field: "line 6"},
		{name: "no separator", article: edit("---\n", ""), field: `"---"`},
		{name: "empty body", article: edit("<p>正文第一段。</p>\n", ""), field: `"body"`},
		{name: "bad time", article: edit("2026-09-01 10:00:00", "2026/09/01 10:00"), field: `"time"`},
		{name: "bad state", article: edit("state: published", "state: online"), field: `"state"`},
		{name: "bad language", article: edit("language: zh-CN", "language: fr"), field: `"language"`},
		{name: "unknown column", article: edit("column: work", "column: sports"), field: `"column"`},
		{name: "unknown theme", article: edit("themes: jing-jin-ji", "themes: jing-jin-ji, olympics"), field: `"themes"`},
		{name: "too many tags", article: edit("tags: 会议, 石家庄", "tags: a, b, c, d, e, f"), field: `"tags"`},
		{name: "unknown unit", article: edit("unit: SJZ", "unit: XYZ"), field: `"unit"`},
		{name: "unknown author", article: edit("author: gaofeng", "author: nobody"), field: `"author"`},
		{name: "author of other unit", article: edit("unit: SJZ", "unit: TS"), field: `"author"`},
		{name: "unknown editor", article: edit("editor: wangyalan", "editor: nobody"), field: `"editor"`},
		{name: "editor not at HEB-XC", article: edit("editor: wangyalan", "editor: songlina"), field: `"editor"`},
		{name: "editor missing for published", article: edit("editor: wangyalan\n", ""), field: `"editor"`},
		{name: "note missing for rejected", article: edit("state: published", "state: rejected"), field: `"note"`},
		{name: "note missing for retracted", article: edit("state: published", "state: retracted"), field: `"note"`},
		{name: "review2 in one-level column",
			article: strings.NewReplacer("column: work", "column: grassroots", "state: published", "state: review2").Replace(testArticle),
			field:   `"state"`},
		{name: "review3 in two-level column", article: edit("state: published", "state: review3"), field: `"state"`},

		{name: "bad json", province: "{", file: "province.json", field: "unexpected EOF"},
		{name: "unknown json field", province: editProv(`"themes": [`, `"colour": 1, "themes": [`), file: "province.json", field: "colour"},
		{name: "duplicate unit", province: editProv(`"code":"TS"`, `"code":"SJZ"`), file: "province.json", field: `"units[3].code"`},
		{name: "bad unit type", province: editProv(`"type":"city_bureau","parent":"HEB"},
    {"code":"TS"`, `"type":"bureau","parent":"HEB"},
    {"code":"TS"`), file: "province.json", field: `"units[2].type"`},
		{name: "unknown parent", province: editProv(`"type":"city_bureau","parent":"HEB"}
  ]`, `"type":"city_bureau","parent":"HBE"}
  ]`), file: "province.json", field: `"units[3].parent"`},
		{name: "two roots", province: editProv(`"type":"city_bureau","parent":"HEB"}
  ]`, `"type":"city_bureau","parent":""}
  ]`), file: "province.json", field: `"units"`},
		{name: "duplicate username", province: editProv(`"username":"songlina"`, `"username":"gaofeng"`), file: "province.json", field: `"staff[3].username"`},
		{name: "non-ascii username", province: editProv(`"username":"songlina"`, `"username":"宋丽娜"`), file: "province.json", field: `"staff[3].username"`},
		{name: "duplicate staff code", province: editProv(`"staff_code":"SJZ008"`, `"staff_code":"SJZ015"`), file: "province.json", field: `"staff[3].staff_code"`},
		{name: "unknown role", province: editProv(`"roles":["editor"]}`, `"roles":["boss"]}`), file: "province.json", field: `"staff[3].roles"`},
		{name: "staff unknown unit", province: editProv(`"unit":"SJZ","roles":["editor"]`, `"unit":"BD","roles":["editor"]`), file: "province.json", field: `"staff[3].unit"`},
		{name: "bad review levels", province: editProv(`"review_levels":1`, `"review_levels":4`), file: "province.json", field: `"columns[2].review_levels"`},
		{name: "duplicate theme", province: editProv(`"themes": [`, `"themes": [{"slug":"jing-jin-ji","name":"x","name_en":"x"},`), file: "province.json", field: `"themes[1].slug"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prov, art, file := tt.province, tt.article, tt.file
			if prov == "" {
				prov = testProvince
			}
			if art == "" {
				art = testArticle
			}
			if file == "" {
				file = "articles/007.txt"
			}
			_, err := ParseCorpus(testFS(prov, map[string]string{"007.txt": art}))
			if err == nil {
				t.Fatal("ParseCorpus succeeded, want error")
			}
			msg := err.Error()
			if !strings.Contains(msg, file) || !strings.Contains(msg, tt.field) {
				t.Errorf("error %q does not name %s and %s", msg, file, tt.field)
			}
		})
	}
}

func TestParseCorpusMissingFiles(t *testing.T) {
	if _, err := ParseCorpus(fstest.MapFS{}); err == nil || !strings.Contains(err.Error(), "province.json") {
		t.Errorf("missing province.json: err = %v", err)
	}
	if _, err := ParseCorpus(fstest.MapFS{"province.json": {Data: []byte(testProvince)}}); err == nil || !strings.Contains(err.Error(), "articles") {
		t.Errorf("missing articles: err = %v", err)
	}
}
