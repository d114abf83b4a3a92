package portal

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/httpx"
	"github.com/heraldnews/herald/search"
)

// SearchPageSize is how many results a search page shows.
const SearchPageSize = 10

// MaxSearchPage is the last results page a reader can ask for: the index pages
// no further than search.MaxOffset.
const MaxSearchPage = search.MaxOffset/SearchPageSize + 1

// maxSearchQueryBytes bounds a search's query string. It is larger than the
// portal's MaxQueryBytes because a query of search.MaxQueryRunes Chinese
// characters alone takes 1,800 bytes once percent-encoded, and a reader who
// typed that should be told so by the search page, not by a generic 400.
const maxSearchQueryBytes = 8 << 10

// searchCacheControl is what the search pages tell caches. private: what a
// reader looks up (legal aid, a complaint, a name) is theirs, so no shared
// cache or proxy may keep it; max-age=0: results change with every
// publication and a retracted article must leave them at once, yet the
// browser may still show the page again on Back without asking.
const searchCacheControl = "private, max-age=0"

// searchFields names each search parameter (and each field the search
// service may complain about) in the readers' language.
var searchFields = map[string]string{
	"q": "搜索词", "column": "栏目", "theme": "专题", "unit": "单位", "lang": "语言",
	"from": "开始日期", "to": "结束日期", "until": "结束日期", "sort": "排序",
	"page": "页码", "offset": "页码", "limit": "页码",
}

// searchParams are the parameters a search reads; others (a campaign's
// tracking tags, say) are ignored, whatever they hold.
var searchParams = map[string]bool{"q": true, "column": true, "theme": true, "unit": true, "lang": true,
	"from": true, "to": true, "sort": true, "page": true}

// searchLanguages are the languages a reader can limit a search to, by the
// value the form sends (compared without case).
var searchLanguages = map[string]string{"zh-cn": "zh-CN", "en": "en"}

// searchForm is a search as the reader asked for it: the values refill the
// form and make the links to other pages of the same search.
type searchForm struct {
	Q, Column, Theme, Unit, Lang, From, To, Sort string
	Page                                         int
}

// filtering reports whether any filter narrows the search.
func (f searchForm) filtering() bool {
	return f.Column != "" || f.Theme != "" || f.Unit != "" || f.Lang != "" || f.From != "" || f.To != ""
}

// url is the address of the search f on path.
func (f searchForm) url(path string) string {
	v := url.Values{}
	for _, kv := range [][2]string{{"q", f.Q}, {"column", f.Column}, {"theme", f.Theme}, {"unit", f.Unit},
		{"lang", f.Lang}, {"from", f.From}, {"to", f.To}, {"sort", f.Sort}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	if f.Page > 1 {
		v.Set("page", strconv.Itoa(f.Page))
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// searchProblem is a parameter the portal could not use.
type searchProblem struct {
	Field, Name, Message string
}

// searchOption is one choice of a filter's select.
type searchOption struct {
	Value, Label string
	Selected     bool
}

// searchHit is one result as the page shows it.
type searchHit struct {
	URL, Lang         string
	Title, Snippet    []search.Span
	Byline            []search.Span // shown when the search matched a name
	Column, ColumnURL string
	Date, ISO, Unit   string
}

// partialLink offers one word of a query that found nothing together.
type partialLink struct {
	Text  string
	Total int
	URL   string
}

// searchData is the search page's content.
type searchData struct {
	Form                   searchForm
	Action                 string
	Columns, Themes, Units []searchOption
	Languages, Sorts       []searchOption
	Problems               []searchProblem
	Invalid                map[string]bool
	Searched, Building     bool
	Total, Pages           int
	Seconds                string
	Hits                   []searchHit
	Prev, Next             string
	Links                  []pageLink
	Unfiltered             int
	UnfilteredURL          string
	Partial                []partialLink
	Latest                 []item
	FiltersOpen            bool
	HomeURL, ResultsOf     string
}

// serveSearch answers GET /search and /m/search. The pages depend on the query,
// so they never enter the page cache.
func (p *Portal) serveSearch(w http.ResponseWriter, r *http.Request, phone bool) {
	ctx := r.Context()
	page, err := p.searchPage(ctx, r.URL.RawQuery, phone)
	if err != nil {
		if ctx.Err() != nil {
			return // the reader left
		}
		// not the query: what readers look up stays out of the logs, as it does
		// from the access log
		p.Log.Error("portal search", "request_id", httpx.RequestID(ctx), "path", r.URL.Path, "error", err)
		http.Error(w, "服务暂时不可用，请稍后再试。", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", page.ContentType)
	h.Set("X-Robots-Tag", "noindex")
	if page.Status == http.StatusOK {
		h.Set("Cache-Control", searchCacheControl)
	} else {
		h.Set("Cache-Control", "no-store")
	}
	h.Set("Content-Length", strconv.Itoa(len(page.Body)))
	w.WriteHeader(page.Status)
	if r.Method != http.MethodHead {
		w.Write(page.Body)
	}
}

// searchPage renders the search page for a raw query string, as GET /search
// (or, with phone, /m/search) would answer it. Bad parameters give a 400 page
// naming them (with a nil error).
func (p *Portal) searchPage(ctx context.Context, rawQuery string, phone bool) (*Page, error) {
	d, err := p.siteData(ctx)
	if err != nil {
		return nil, err
	}
	units, err := p.unitList(ctx)
	if err != nil {
		return nil, err
	}
	path := "/search"
	if phone {
		path = "/m/search"
	}
	q, form, problems := readSearch(d, units, rawQuery)
	data := &searchData{Form: form, Action: path, HomeURL: "/", Invalid: map[string]bool{}}
	if phone {
		data.HomeURL = "/m/"
	}
	articlePrefix := map[bool]string{true: "/m"}[phone]
	if len(problems) == 0 && strings.TrimSpace(form.Q) != "" {
		start := time.Now()
		res, err := p.Search.Search(ctx, q)
		elapsed := time.Since(start)
		switch herald.ErrorCode(err) {
		case "":
			data.Searched, data.Building = true, res.Building
			data.Total, data.Seconds = res.Total, fmt.Sprintf("%.3f", elapsed.Seconds())
			data.Pages = min((res.Total+SearchPageSize-1)/SearchPageSize, MaxSearchPage)
			if form.Page > max(1, data.Pages) {
				problems = append(problems, searchProblem{Field: "page", Message: fmt.Sprintf("超出范围：这次搜索共 %d 页", max(1, data.Pages))})
				data.Searched = false
				break
			}
			for _, h := range res.Hits {
				data.Hits = append(data.Hits, p.searchHit(d, units, h, articlePrefix))
			}
			if res.Total == 0 {
				if res.Unfiltered > 0 {
					all := searchForm{Q: form.Q, Sort: form.Sort}
					data.Unfiltered, data.UnfilteredURL = res.Unfiltered, all.url(path)
				}
				for _, part := range res.Partial {
					one := form
					one.Q, one.Page = part.Text, 1
					data.Partial = append(data.Partial, partialLink{Text: part.Text, Total: part.Total, URL: one.url(path)})
				}
			}
			data.Links, data.Prev, data.Next = searchPager(form, path, data.Pages)
		case herald.EINVALID:
			for _, f := range herald.ErrorFields(err) {
				problems = append(problems, searchProblem{Field: f.Field, Message: searchMessage(f.Field, f.Message)})
			}
		default:
			return nil, err
		}
	}
	for i := range problems {
		problems[i].Name = searchFields[problems[i].Field]
		if problems[i].Name == "" {
			problems[i].Name = problems[i].Field
		}
		data.Invalid[problems[i].Field] = true
	}
	if data.Invalid["until"] {
		data.Invalid["to"] = true
	}
	data.Problems = problems
	if !data.Searched || data.Total == 0 {
		latest, err := p.published(ctx, herald.ArticleFilter{Limit: 8, NoBody: true})
		if err != nil {
			return nil, err
		}
		data.Latest = toItems(latest)
		for i := range data.Latest {
			data.Latest[i].URL = articlePrefix + data.Latest[i].URL
		}
	}
	data.Columns, data.Themes, data.Units = searchOptions(d, units, form)
	data.Languages = []searchOption{{"", "全部语言", form.Lang == ""}, {"zh-CN", "中文", form.Lang == "zh-CN"}, {"en", "English", form.Lang == "en"}}
	data.Sorts = []searchOption{{"", "按相关度", form.Sort != string(search.ByDate)}, {string(search.ByDate), "按发布时间", form.Sort == string(search.ByDate)}}
	// The filters fold away until wanted, so that the results come first.
	data.FiltersOpen = form.filtering() || form.Sort != "" || len(problems) > 0

	v := p.newView(d, "zh-CN", path, false)
	// Two boxes of the same name on one page would confuse; the page's own
	// form comes first in the content.
	v.Title, v.NoIndex, v.SearchPage = "站内搜索", true, true
	if q := strings.TrimSpace(form.Q); q != "" && len(problems) == 0 {
		v.Title = "“" + q + "”的搜索结果"
		data.ResultsOf = q
	}
	if phone {
		v.Phone, v.DesktopURL = true, form.url("/search")
	} else {
		v.MobileURL = form.url("/m/search")
	}
	v.Data = data
	status := http.StatusOK
	if len(problems) > 0 {
		status = http.StatusBadRequest
	}
	page, err := p.render("search", status, v)
	if err != nil {
		return nil, err
	}
	page.MaxAge = 0 // never cached: the page depends on the query
	return page, nil
}

// readSearch reads a search's parameters. It decodes the query string itself
// rather than with url.ParseQuery so that a bad escape or invalid UTF-8 can
// be blamed on the parameter that holds it.
func readSearch(d *siteData, units *unitList, raw string) (search.Query, searchForm, []searchProblem) {
	var problems []searchProblem
	bad := func(field, format string, args ...any) {
		problems = append(problems, searchProblem{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	q := search.Query{Limit: SearchPageSize}
	form := searchForm{Page: 1}
	if len(raw) > maxSearchQueryBytes {
		bad("q", "太长了：最多 %d 个字", search.MaxQueryRunes)
		return q, form, problems
	}
	values := map[string]string{}
	for pair := range strings.SplitSeq(raw, "&") {
		k, v, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil || !searchParams[key] {
			continue // not one of ours: tracking parameters and the like
		}
		if _, seen := values[key]; seen {
			continue // the first wins, as with url.Values.Get
		}
		val, err := url.QueryUnescape(v)
		switch {
		case err != nil:
			bad(key, "网址中的编码有误")
			val = ""
		case !utf8.ValidString(val):
			bad(key, "含有无法识别的字符（不是有效的 UTF-8 文字）")
			val = ""
		}
		values[key] = val
	}

	form.Q = values["q"]
	if n := utf8.RuneCountInString(form.Q); n > search.MaxQueryRunes {
		bad("q", "太长了：最多 %d 个字，现有 %d 个字", search.MaxQueryRunes, n)
		form.Q = string([]rune(form.Q)[:search.MaxQueryRunes])
	} else {
		q.Text = form.Q
	}

	if s := strings.TrimSpace(values["column"]); s != "" {
		c := d.columnsBySlug[s]
		if id, err := strconv.ParseInt(s, 10, 64); c == nil && err == nil {
			c = d.columnsByID[id]
		}
		if c == nil {
			bad("column", "没有这个栏目")
		} else {
			q.ColumnID, form.Column = c.ID, c.Slug
		}
	}
	if s := strings.TrimSpace(values["theme"]); s != "" {
		t := d.themesBySlug[s]
		if id, err := strconv.ParseInt(s, 10, 64); t == nil && err == nil {
			t = d.themesByID[id]
		}
		if t == nil {
			bad("theme", "没有这个专题")
		} else {
			q.ThemeID, form.Theme = t.ID, t.Slug
		}
	}
	if s := strings.TrimSpace(values["unit"]); s != "" {
		u := units.byCode[strings.ToUpper(s)]
		if id, err := strconv.ParseInt(s, 10, 64); u == nil && err == nil {
			u = units.tree.Unit(id)
		}
		if u == nil {
			bad("unit", "没有这个单位")
		} else {
			form.Unit, q.UnitIDs = u.Code, units.tree.Subtree(u.ID)
		}
	}
	if s := strings.TrimSpace(values["lang"]); s != "" {
		if lang := searchLanguages[strings.ToLower(s)]; lang != "" {
			q.Language, form.Lang = lang, lang
		} else {
			bad("lang", "只能是 zh-CN（中文）或 en（英文）")
		}
	}
	var from, to time.Time
	for _, f := range []struct {
		field string
		at    *time.Time
		keep  *string
	}{{"from", &from, &form.From}, {"to", &to, &form.To}} {
		s := strings.TrimSpace(values[f.field])
		if s == "" {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02", s, CST)
		if err != nil {
			bad(f.field, "“%s”不是有效的日期，请写成“年-月-日”，例如 2026-01-31", clip(s, 20))
			continue
		}
		*f.at, *f.keep = t, s
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		bad("to", "不能早于开始日期")
	} else {
		// Dates are the site's (China Standard Time) and both ends are included.
		q.From = from
		if !to.IsZero() {
			q.Until = to.AddDate(0, 0, 1)
		}
	}
	switch s := strings.TrimSpace(values["sort"]); s {
	case "", string(search.ByRelevance):
	case string(search.ByDate):
		q.Sort, form.Sort = search.ByDate, s
	default:
		bad("sort", "只能按相关度（relevance）或按时间（date）排序")
	}
	if s := strings.TrimSpace(values["page"]); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxSearchPage {
			bad("page", "应是 1 到 %d 之间的数字", MaxSearchPage)
		} else {
			form.Page = n
			q.Offset = (n - 1) * SearchPageSize
		}
	}
	return q, form, problems
}

// searchMessage puts a message of the search service in the readers' language.
func searchMessage(field, msg string) string {
	switch {
	case strings.Contains(msg, "UTF-8"):
		return "含有无法识别的字符（不是有效的 UTF-8 文字）"
	case field == "q" && strings.Contains(msg, "at most"):
		return fmt.Sprintf("太长了：最多 %d 个字", search.MaxQueryRunes)
	case field == "until":
		return "不能早于开始日期"
	case field == "offset" || field == "limit":
		return fmt.Sprintf("应是 1 到 %d 之间的数字", MaxSearchPage)
	}
	return "无效"
}

// clip shortens what a reader typed for quoting it back.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

func (p *Portal) searchHit(d *siteData, units *unitList, h search.PageHit, articlePrefix string) searchHit {
	a := h.Article
	out := searchHit{URL: articlePrefix + herald.ArticlePath(a.ID), Title: h.Title, Snippet: h.Snippet}
	if search.Marked(h.Byline) {
		out.Byline = h.Byline
	}
	if !strings.HasPrefix(strings.ToLower(a.Language), "zh") {
		out.Lang = a.Language
	}
	if c := d.columnsByID[a.ColumnID]; c != nil {
		out.Column = c.Name
		if articlePrefix == "" {
			out.ColumnURL = ListingPath("columns", c.Slug, 0)
		}
	}
	if u := units.tree.Unit(a.UnitID); u != nil {
		out.Unit = u.Name
	}
	if a.PublishedAt != nil {
		out.Date, out.ISO = a.PublishedAt.In(CST).Format("2006-01-02"), a.PublishedAt.Format(time.RFC3339)
	}
	return out
}

// searchPager links the pages of a search: the first, the last and those
// around the current one.
func searchPager(form searchForm, path string, pages int) (links []pageLink, prev, next string) {
	if pages <= 1 {
		return nil, "", ""
	}
	at := func(n int) string {
		f := form
		f.Page = n
		return f.url(path)
	}
	if form.Page > 1 {
		prev = at(form.Page - 1)
	}
	if form.Page < pages {
		next = at(form.Page + 1)
	}
	for n := 1; n <= pages; n++ {
		if n != 1 && n != pages && (n < form.Page-3 || n > form.Page+3) {
			if n == 2 || n == pages-1 {
				links = append(links, pageLink{N: 0, Label: "…"})
			}
			continue
		}
		links = append(links, pageLink{N: n, Label: strconv.Itoa(n), URL: at(n), Current: n == form.Page})
	}
	return links, prev, next
}

// searchOptions are the choices of the column, theme and unit filters. Units
// offer the top two levels of the tree (each includes its subtree); a deeper
// unit given in the address is offered too, so the form shows it.
func searchOptions(d *siteData, units *unitList, form searchForm) (columns, themes, us []searchOption) {
	columns = []searchOption{{"", "全部栏目", form.Column == ""}}
	for _, c := range d.columns {
		columns = append(columns, searchOption{c.Slug, c.Name, c.Slug == form.Column})
	}
	themes = []searchOption{{"", "全部专题", form.Theme == ""}}
	for _, t := range d.themes {
		themes = append(themes, searchOption{t.Slug, t.Name, t.Slug == form.Theme})
	}
	us = []searchOption{{"", "全部单位", form.Unit == ""}}
	for _, root := range units.all {
		if root.ParentID != 0 {
			continue
		}
		us = append(us, searchOption{root.Code, root.Name, root.Code == form.Unit})
		for _, u := range units.all {
			if u.ParentID == root.ID || u.ParentID != 0 && u.Code == form.Unit && units.tree.Within(u.ID, root.ID) {
				us = append(us, searchOption{u.Code, "　" + u.Name, u.Code == form.Unit})
			}
		}
	}
	return columns, themes, us
}

// unitList is every unit, for the unit filter and the units named in results.
type unitList struct {
	all    []*herald.Unit // by code
	byCode map[string]*herald.Unit
	tree   *herald.UnitTree
}

func (p *Portal) unitList(ctx context.Context) (*unitList, error) {
	return p.units.get(p.Clock.Now(), func() (*unitList, error) {
		all, _, err := p.Store.FindUnits(ctx, herald.UnitFilter{})
		if err != nil {
			return nil, err
		}
		slices.SortFunc(all, func(a, b *herald.Unit) int { return strings.Compare(a.Code, b.Code) })
		l := &unitList{all: all, byCode: make(map[string]*herald.Unit, len(all)), tree: herald.NewUnitTree(all)}
		for _, u := range all {
			l.byCode[u.Code] = u
		}
		return l, nil
	})
}
