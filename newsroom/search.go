package newsroom

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/search"
)

// searchPageSize is how many results a newsroom search page shows.
const searchPageSize = 20

// searchData is the newsroom search page.
type searchData struct {
	Q, Status, Sort, Lang, From, To string
	Column, Theme, Unit             int64
	Statuses                        []herald.Status
	Columns                         []*herald.Column
	Themes                          []*herald.Theme
	Units                           []*herald.Unit
	Page                            *search.Page
	PageNo, Pages, Prev, Next       int
	Query                           template.URL // the filters, for paging links
	UnitNames                       map[int64]string
}

// searchArticles searches every article the person may see: published ones
// anywhere, the rest within their unit's scope, as the desk shows them.
func (s *Server) searchArticles(w http.ResponseWriter, r *http.Request, req *request) {
	if s.Search == nil {
		s.fail(w, r, req, herald.Errorf(herald.ENOTFOUND, "Search is not available."))
		return
	}
	ctx := r.Context()
	q := r.URL.Query()
	d := &searchData{Q: q.Get("q"), Status: q.Get("status"), Sort: q.Get("sort"), Lang: q.Get("lang"), From: q.Get("from"), To: q.Get("to"),
		Statuses: herald.Statuses, UnitNames: map[int64]string{}}
	units, _, err := s.Store.FindUnits(ctx, herald.UnitFilter{})
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	tree := herald.NewUnitTree(units)
	scope := tree.ScopeRoot(req.staff.UnitID)
	query := search.Query{Text: d.Q, Sort: search.Sort(d.Sort), Language: d.Lang, Limit: searchPageSize, Statuses: herald.Statuses,
		Private: tree.Subtree(scope)}
	for _, u := range units {
		d.UnitNames[u.ID] = u.Name
		if tree.Within(u.ID, scope) {
			d.Units = append(d.Units, u)
		}
	}
	var problems herald.Problems
	for _, f := range []struct {
		name string
		dst  *int64
	}{{"column", &d.Column}, {"theme", &d.Theme}, {"unit", &d.Unit}} {
		if v := q.Get(f.name); v != "" {
			if *f.dst, err = strconv.ParseInt(v, 10, 64); err != nil || *f.dst <= 0 {
				problems.Add(f.name, "must be an ID")
			}
		}
	}
	query.ColumnID, query.ThemeID = d.Column, d.Theme
	if d.Unit != 0 {
		query.UnitIDs = tree.Subtree(d.Unit)
	}
	if d.Status != "" {
		if !herald.Status(d.Status).Valid() {
			problems.Add("status", "must be a workflow status")
		}
		query.Statuses = []herald.Status{herald.Status(d.Status)}
	}
	from, errFrom := parseDay(d.From, "from", false)
	until, errTo := parseDay(d.To, "to", true)
	for _, e := range []error{errFrom, errTo} {
		for _, f := range herald.ErrorFields(e) {
			problems.Add(f.Field, "%s", f.Message)
		}
	}
	if from != nil {
		query.From = *from
	}
	if until != nil {
		query.Until = *until
	}
	d.PageNo, _ = strconv.Atoi(q.Get("page"))
	d.PageNo = max(d.PageNo, 1)
	query.Offset = (d.PageNo - 1) * searchPageSize
	if err := problems.Err(); err != nil {
		s.fail(w, r, req, err)
		return
	}
	if d.Columns, err = s.Store.FindColumns(ctx); err != nil {
		s.fail(w, r, req, err)
		return
	}
	if d.Themes, err = s.Store.FindThemes(ctx); err != nil {
		s.fail(w, r, req, err)
		return
	}
	if strings.TrimSpace(d.Q) != "" {
		if d.Page, err = s.Search.Search(ctx, query); err != nil {
			s.fail(w, r, req, err)
			return
		}
		d.Pages = min((d.Page.Total+searchPageSize-1)/searchPageSize, (search.MaxOffset+searchPageSize)/searchPageSize)
		if d.PageNo > 1 {
			d.Prev = d.PageNo - 1
		}
		if d.PageNo < d.Pages {
			d.Next = d.PageNo + 1
		}
	}
	d.Query = template.URL(url.Values{"q": {d.Q}, "status": {d.Status}, "sort": {d.Sort}, "lang": {d.Lang}, "from": {d.From}, "to": {d.To},
		"column": {q.Get("column")}, "theme": {q.Get("theme")}, "unit": {q.Get("unit")}}.Encode())
	s.render(w, r, http.StatusOK, "search", req, s.msgs.T(req.lang, "search.title"), d)
}

// parseDay reads a date field (YYYY-MM-DD, China time); next moves it to the
// start of the following day, for inclusive "to" dates. Empty gives nil.
func parseDay(text, field string, next bool) (*time.Time, error) {
	if text == "" {
		return nil, nil
	}
	t, err := time.ParseInLocation(time.DateOnly, text, CST)
	if err != nil {
		return nil, herald.Invalid(field, "must be a date like 2026-11-25")
	}
	if next {
		t = t.AddDate(0, 0, 1)
	}
	return &t, nil
}
