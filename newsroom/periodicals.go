package newsroom

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/httpx"
	"github.com/heraldnews/herald/periodicals"
	"github.com/heraldnews/herald/print"
	"github.com/heraldnews/herald/search"
)

// The print pages: the periodicals with their issues, and an issue's page,
// where an editor picks published articles, puts them in print order, writes
// the editor's note and downloads the PDF for the printer. Every change is a
// plain form that saves the issue at once, carrying the version it changes,
// so that the pages work without JavaScript and two editors cannot overwrite
// each other's picks unknowingly.

// periodicalEditors may see and change periodicals, as package periodicals
// rules: print is editorial work.
var periodicalEditors = []herald.Role{herald.RoleEditor, herald.RoleEditorInChief}

// mayEditPeriodicals reports whether st may use the print pages.
func mayEditPeriodicals(st *herald.Staff) bool {
	return st.Active() && st.HasRole(periodicalEditors...)
}

// candidatesPageSize is how many published articles the issue page offers at a time.
const candidatesPageSize = 20

// periodicalService is the service the print pages run on: the one the
// newsroom was given, or one over its store.
func (s *Server) periodicalService() *periodicals.Service {
	if s.Periodicals != nil {
		return s.Periodicals
	}
	return periodicals.New(s.Store, s.Auth.Clock)
}

// periodicalsData is the list of periodicals, with the forms that add a
// periodical or an issue.
type periodicalsData struct {
	Rows          []*periodicalRow
	NewPeriodical periodicalForm
}

// periodicalRow is one periodical with its issues, newest first.
type periodicalRow struct {
	Periodical *herald.Periodical
	Name       string // in the reader's language
	Publisher  string
	Issues     []issueRow
	NewIssue   issueForm
}

// issueRow is one issue of the list.
type issueRow struct {
	Issue *herald.Issue
	Label string // 第2026卷第11期
	Date  string
}

// periodicalForm is the form that adds a periodical, kept after an error.
type periodicalForm struct {
	Slug, Name, NameEn string
	Units              []option // the editor's unit and those above it
	Fields             map[string]string
	Problems           []string
}

// issueForm is the form that adds an issue to a periodical, kept after an error.
type issueForm struct {
	Volume, Number, Date string
	Fields               map[string]string
	Problems             []string
}

func (s *Server) refusePeriodicals(w http.ResponseWriter, r *http.Request, req *request) bool {
	if mayEditPeriodicals(req.staff) {
		return false
	}
	s.fail(w, r, req, herald.Errorf(herald.EFORBIDDEN, "%s", s.msgs.T(req.lang, "periodicals.forbidden")))
	return true
}

func (s *Server) periodicalsPage(w http.ResponseWriter, r *http.Request, req *request) {
	if s.refusePeriodicals(w, r, req) {
		return
	}
	s.renderPeriodicals(w, r, req, http.StatusOK, periodicalForm{}, 0, nil)
}

// renderPeriodicals draws the list. A refused form is passed back: the new
// periodical's, or the new issue's of periodical issueFor.
func (s *Server) renderPeriodicals(w http.ResponseWriter, r *http.Request, req *request, status int, pf periodicalForm, issueFor int64, refused *issueForm) {
	ctx := r.Context()
	ps, err := s.Store.FindPeriodicals(ctx)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	units, _, err := s.Store.FindUnits(ctx, herald.UnitFilter{})
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	tree := herald.NewUnitTree(units)
	today := herald.CSTDay(s.Auth.Clock.Now())
	d := &periodicalsData{NewPeriodical: pf}
	for _, p := range ps {
		issues, err := s.Store.FindIssues(ctx, p.ID)
		if err != nil {
			s.fail(w, r, req, err)
			return
		}
		row := &periodicalRow{Periodical: p, Name: periodicalName(req.lang, p), NewIssue: newIssueDefaults(issues, today)}
		if u := tree.Unit(p.UnitID); u != nil {
			row.Publisher = u.Name
		}
		for _, is := range issues {
			row.Issues = append(row.Issues, issueRow{Issue: is, Label: s.issueLabel(req.lang, is), Date: herald.DayString(is.Date)})
		}
		if refused != nil && p.ID == issueFor {
			row.NewIssue = *refused
		}
		d.Rows = append(d.Rows, row)
	}
	chosen := formID(r.PostFormValue("unit_id"))
	if chosen == 0 {
		chosen = req.staff.UnitID
	}
	// A periodical is published by the editor's unit or one above it (the
	// department, for the bulletin of its publicity center).
	for id := req.staff.UnitID; id != 0; {
		u := tree.Unit(id)
		if u == nil {
			break
		}
		d.NewPeriodical.Units = append([]option{{Value: idText(u.ID), Label: u.Name, Selected: u.ID == chosen}}, d.NewPeriodical.Units...)
		id = u.ParentID
		if len(d.NewPeriodical.Units) > len(units) {
			break // a loop in the tree
		}
	}
	s.render(w, r, status, "periodicals", req, s.msgs.T(req.lang, "periodicals.title"), d)
}

// newIssueDefaults proposes the next issue: this year's volume, the number
// after the highest of that volume, dated today.
func newIssueDefaults(issues []*herald.Issue, today time.Time) issueForm {
	volume, number := today.Year(), 0
	for _, is := range issues {
		if is.Volume == volume {
			number = max(number, is.Number)
		}
	}
	return issueForm{Volume: strconv.Itoa(volume), Number: strconv.Itoa(number + 1), Date: today.Format(time.DateOnly)}
}

// periodicalName is the periodical's name in lang.
func periodicalName(lang string, p *herald.Periodical) string {
	if lang == "en" && p.NameEn != "" {
		return p.NameEn
	}
	return p.Name
}

// issueLabel designates an issue as the printed cover does: 第2026卷第11期.
func (s *Server) issueLabel(lang string, is *herald.Issue) string {
	return s.msgs.T(lang, "periodicals.issue_label", is.Volume, is.Number)
}

func (s *Server) createPeriodical(w http.ResponseWriter, r *http.Request, req *request) {
	if s.refusePeriodicals(w, r, req) {
		return
	}
	p := &herald.Periodical{Slug: strings.TrimSpace(r.PostFormValue("slug")), Name: strings.TrimSpace(r.PostFormValue("name")),
		NameEn: strings.TrimSpace(r.PostFormValue("name_en")), UnitID: formID(r.PostFormValue("unit_id"))}
	err := s.periodicalService().CreatePeriodical(r.Context(), req.staff, p)
	if err == nil {
		http.Redirect(w, r, withFlash("/newsroom/periodicals", "periodical_created")+"#periodical-"+idText(p.ID), http.StatusSeeOther)
		return
	}
	if code := herald.ErrorCode(err); code != herald.EINVALID && code != herald.ECONFLICT {
		s.fail(w, r, req, err)
		return
	}
	f := periodicalForm{Slug: p.Slug, Name: p.Name, NameEn: p.NameEn}
	f.Fields, f.Problems = s.printProblems(req.lang, err, "slug", "name", "name_en", "unit_id")
	s.renderPeriodicals(w, r, req, httpx.Status(err), f, 0, nil)
}

func (s *Server) createIssue(w http.ResponseWriter, r *http.Request, req *request) {
	if s.refusePeriodicals(w, r, req) {
		return
	}
	pid, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || pid <= 0 {
		s.fail(w, r, req, herald.Errorf(herald.ENOTFOUND, "%s", s.msgs.T(req.lang, "periodicals.not_found")))
		return
	}
	f := issueForm{Volume: strings.TrimSpace(r.PostFormValue("volume")), Number: strings.TrimSpace(r.PostFormValue("number")),
		Date: strings.TrimSpace(r.PostFormValue("date"))}
	is := &herald.Issue{PeriodicalID: pid, Volume: formInt(f.Volume), Number: formInt(f.Number)}
	day, err := issueDate(f.Date)
	if err == nil {
		is.Date = day
		err = s.periodicalService().CreateIssue(r.Context(), req.staff, is)
	}
	if err == nil {
		http.Redirect(w, r, withFlash(issuePath(is.ID), "issue_created"), http.StatusSeeOther)
		return
	}
	if code := herald.ErrorCode(err); code != herald.EINVALID && code != herald.ECONFLICT {
		s.fail(w, r, req, err)
		return
	}
	for _, fe := range herald.ErrorFields(err) {
		if fe.Field == "periodical_id" { // there is no such periodical to show the form of
			s.fail(w, r, req, herald.Errorf(herald.ENOTFOUND, "%s", s.msgs.T(req.lang, "periodicals.not_found")))
			return
		}
	}
	f.Fields, f.Problems = s.printProblems(req.lang, err, "volume", "number", "date")
	s.renderPeriodicals(w, r, req, httpx.Status(err), periodicalForm{}, pid, &f)
}

// issueData is an issue's page: its header fields and articles as the form
// holds them, and the published articles offered for it.
type issueData struct {
	Periodical *herald.Periodical
	Name       string // the periodical's, in the reader's language
	Issue      *herald.Issue
	Label      string
	PDF        string // the download's address
	// the form: the version it changes and its values, the stored ones or
	// those of a refused change
	Version                          int
	Volume, Number, Date, EditorNote string
	Articles                         []issueArticle
	Fields                           map[string]string
	Problem                          string   // what stopped the change, shown above the form
	Conflict                         bool     // someone else saved the issue meanwhile
	Stored                           []string // then: the titles the issue holds now
	MaxNote                          int
	// Pages is the typeset issue's page count, when the editor asked for it.
	Pages int
	// offered articles: a search's results or the latest published
	SearchOn                  bool
	Q                         string
	Found                     int
	Candidates                []candidate
	PageNo, Prev, Next, Total int
}

// issueArticle is one article of the issue, in print order.
type issueArticle struct {
	ID      int64
	Article *herald.Article // nil when the reader may not see it, or it does not exist
	Column  string
	Date    string
	Problem string // why it cannot go to print
	Page    int    // the page it starts on, when the issue was typeset
	First   bool
	Last    bool
}

// candidate is a published article offered for the issue.
type candidate struct {
	Article *herald.Article
	Column  string
	Date    string
	InIssue bool
	Checked bool
}

// issueState is what the issue form holds.
type issueState struct {
	Version                          int
	Volume, Number, Date, EditorNote string
	IDs                              []int64
}

func stateOf(is *herald.Issue) issueState {
	return issueState{Version: is.Version, Volume: strconv.Itoa(is.Volume), Number: strconv.Itoa(is.Number),
		Date: herald.DayString(is.Date), EditorNote: is.EditorNote, IDs: is.ArticleIDs}
}

func issuePath(id int64) string { return "/newsroom/issues/" + idText(id) }

// loadIssue finds the issue the path names.
func (s *Server) loadIssue(r *http.Request, req *request) (*herald.Issue, error) {
	return loadByID(s, r, req, "issue.not_found", s.Store.FindIssueByID)
}

func (s *Server) issuePage(w http.ResponseWriter, r *http.Request, req *request) {
	if s.refusePeriodicals(w, r, req) {
		return
	}
	is, err := s.loadIssue(r, req)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	d := &issueData{}
	if r.URL.Query().Get("pages") != "" {
		res, err := s.periodicalService().PDF(r.Context(), req.staff, is.ID, print.Options{})
		switch {
		case err == nil:
			d.Pages = res.Pages
			s.renderIssue(w, r, req, http.StatusOK, is, stateOf(is), d, res.ArticlePages)
			return
		case herald.ErrorCode(err) == herald.EINVALID:
			s.refuseIssue(w, r, req, is, stateOf(is), d, "issue.pdf_refused", err)
			return
		default:
			s.fail(w, r, req, err)
			return
		}
	}
	s.renderIssue(w, r, req, http.StatusOK, is, stateOf(is), d, nil)
}

// renderIssue draws the issue page with the form holding st; startPages, if
// given, are the pages on which the stored articles start.
func (s *Server) renderIssue(w http.ResponseWriter, r *http.Request, req *request, status int, is *herald.Issue, st issueState, d *issueData, startPages []int) {
	ctx := r.Context()
	ps, err := s.Store.FindPeriodicals(ctx)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	for _, p := range ps {
		if p.ID == is.PeriodicalID {
			d.Periodical = p
		}
	}
	if d.Periodical == nil {
		s.fail(w, r, req, herald.Errorf(herald.ENOTFOUND, "%s", s.msgs.T(req.lang, "periodicals.not_found")))
		return
	}
	d.Name, d.Issue, d.Label, d.PDF = periodicalName(req.lang, d.Periodical), is, s.issueLabel(req.lang, is), issuePath(is.ID)+"/pdf"
	d.Version, d.Volume, d.Number, d.Date, d.EditorNote = st.Version, st.Volume, st.Number, st.Date, st.EditorNote
	d.MaxNote = herald.MaxEditorNoteRunes
	if d.Fields == nil {
		d.Fields = map[string]string{}
	}
	columns, err := s.columnNames(ctx)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	if d.Articles, err = s.issueArticles(ctx, req, st.IDs, columns); err != nil {
		s.fail(w, r, req, err)
		return
	}
	if len(startPages) == len(d.Articles) {
		for i := range d.Articles {
			d.Articles[i].Page = startPages[i]
		}
	}
	if err := s.offerArticles(r, req, d, st.IDs, columns); err != nil {
		s.fail(w, r, req, err)
		return
	}
	s.render(w, r, status, "issue", req, d.Name+" "+d.Label, d)
}

func (s *Server) columnNames(ctx context.Context) (map[int64]string, error) {
	cols, err := s.Store.FindColumns(ctx)
	if err != nil {
		return nil, err
	}
	names := make(map[int64]string, len(cols))
	for _, c := range cols {
		names[c.ID] = c.Name
	}
	return names, nil
}

// issueArticles describes the articles ids in print order, each that cannot
// be printed with the reason. Titles are shown only of articles the reader
// may see: an ID typed into a forged form reveals nothing.
func (s *Server) issueArticles(ctx context.Context, req *request, ids []int64, columns map[int64]string) ([]issueArticle, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	all, _, err := s.Store.FindArticles(ctx, herald.ArticleFilter{IDs: ids, NoBody: true, NoCount: true})
	if err != nil {
		return nil, err
	}
	status := make(map[int64]herald.Status, len(all))
	for _, a := range all {
		status[a.ID] = a.Status
	}
	visible, err := s.visibleArticles(ctx, req.staff, ids)
	if err != nil {
		return nil, err
	}
	out := make([]issueArticle, len(ids))
	for i, id := range ids {
		row := issueArticle{ID: id, Article: visible[id], First: i == 0, Last: i == len(ids)-1}
		if st, ok := status[id]; !ok || st != herald.StatusPublished {
			row.Problem = s.msgs.T(req.lang, "issue.problem.unavailable")
			if ok && row.Article != nil {
				row.Problem = s.msgs.T(req.lang, "issue.problem.unpublished", s.msgs.T(req.lang, "status."+string(st)))
			}
		}
		if a := row.Article; a != nil {
			row.Column = columns[a.ColumnID]
			if a.PublishedAt != nil {
				row.Date = herald.DayString(*a.PublishedAt)
			}
		}
		out[i] = row
	}
	return out, nil
}

// offerArticles lists the published articles an editor may add: those a
// search finds, with the newsroom's search, or else the latest published.
func (s *Server) offerArticles(r *http.Request, req *request, d *issueData, inIssue []int64, columns map[int64]string) error {
	ctx := r.Context()
	d.SearchOn = s.Search != nil
	d.Q = strings.TrimSpace(r.FormValue("q"))
	d.PageNo, _ = strconv.Atoi(r.FormValue("page"))
	d.PageNo = max(d.PageNo, 1)
	offset := (d.PageNo - 1) * candidatesPageSize
	checked := formIDs(r.PostForm["add"])
	var found []*herald.Article
	if d.Q != "" && d.SearchOn {
		// Statuses and Private left empty: published articles only, of every unit.
		page, err := s.Search.Search(ctx, search.Query{Text: d.Q, Limit: candidatesPageSize, Offset: offset})
		if herald.ErrorCode(err) == herald.EINVALID {
			fields, problems := s.printProblems(req.lang, err, "q")
			d.Fields["q"] = strings.TrimSpace(fields["q"] + " " + strings.Join(problems, " "))
			return nil
		} else if err != nil {
			return err
		}
		for _, h := range page.Hits {
			found = append(found, h.Article)
		}
		d.Total = min(page.Total, search.MaxOffset+candidatesPageSize)
		d.Found = page.Total
	} else {
		var err error
		found, d.Total, err = s.Store.FindArticles(ctx, herald.ArticleFilter{Statuses: []herald.Status{herald.StatusPublished},
			Order: herald.ByPublished, NoBody: true, Limit: candidatesPageSize, Offset: offset})
		if err != nil {
			return err
		}
	}
	for _, a := range found {
		c := candidate{Article: a, Column: columns[a.ColumnID], InIssue: slices.Contains(inIssue, a.ID), Checked: slices.Contains(checked, a.ID)}
		if a.PublishedAt != nil {
			c.Date = herald.DayString(*a.PublishedAt)
		}
		d.Candidates = append(d.Candidates, c)
	}
	if d.PageNo > 1 {
		d.Prev = d.PageNo - 1
	}
	if d.PageNo*candidatesPageSize < d.Total {
		d.Next = d.PageNo + 1
	}
	return nil
}

// CandidatesURL is the address of a page of offered articles.
func (d *issueData) CandidatesURL(page int) string {
	v := url.Values{}
	if d.Q != "" {
		v.Set("q", d.Q)
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	u := issuePath(d.Issue.ID)
	if len(v) > 0 {
		u += "?" + v.Encode()
	}
	return u + "#add"
}

// saveIssue applies one change of the issue form — save the fields, move an
// article up or down, take one out, add the checked ones — and saves the
// issue with the fields as they are in the form.
func (s *Server) saveIssue(w http.ResponseWriter, r *http.Request, req *request) {
	if s.refusePeriodicals(w, r, req) {
		return
	}
	is, err := s.loadIssue(r, req)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	st := issueState{Volume: strings.TrimSpace(r.PostFormValue("volume")), Number: strings.TrimSpace(r.PostFormValue("number")),
		Date: strings.TrimSpace(r.PostFormValue("date")), EditorNote: strings.ReplaceAll(r.PostFormValue("editor_note"), "\r\n", "\n"),
		IDs: formIDs(r.PostForm["article"])}
	st.Version, _ = strconv.Atoi(r.PostFormValue("version"))
	op, arg, _ := strings.Cut(r.PostFormValue("op"), ":")
	target := formID(arg)
	anchor := ""
	switch op {
	case "save":
	case "up", "down", "remove":
		i := slices.Index(st.IDs, target)
		if i < 0 {
			break // gone meanwhile: the save says what else changed
		}
		switch {
		case op == "up" && i > 0:
			st.IDs[i-1], st.IDs[i] = st.IDs[i], st.IDs[i-1]
		case op == "down" && i < len(st.IDs)-1:
			st.IDs[i+1], st.IDs[i] = st.IDs[i], st.IDs[i+1]
		case op == "remove":
			st.IDs = slices.Delete(st.IDs, i, i+1)
		}
		anchor = "#article-" + idText(target)
		if op == "remove" {
			anchor = "#articles"
		}
	case "add":
		added := 0
		for _, id := range formIDs(r.PostForm["add"]) {
			if !slices.Contains(st.IDs, id) {
				st.IDs = append(st.IDs, id)
				added++
			}
		}
		if added == 0 {
			d := &issueData{Fields: map[string]string{"add": s.msgs.T(req.lang, "issue.add_none")}}
			d.Problem = d.Fields["add"]
			s.renderIssue(w, r, req, http.StatusBadRequest, is, st, d, nil)
			return
		}
		anchor = "#articles"
	default:
		s.fail(w, r, req, herald.Invalid("op", "must be save, up, down, remove or add"))
		return
	}
	change := periodicals.IssueChange{Version: st.Version, EditorNote: &st.EditorNote, ArticleIDs: st.IDs}
	if change.ArticleIDs == nil {
		change.ArticleIDs = []int64{} // nil would leave the articles as they are
	}
	volume, number := formInt(st.Volume), formInt(st.Number)
	change.Volume, change.Number = &volume, &number
	day, err := issueDate(st.Date)
	if err == nil {
		change.Date = &day
		_, err = s.periodicalService().UpdateIssue(r.Context(), req.staff, is.ID, change)
	}
	if err == nil {
		next := withFlash(issuePath(is.ID), "issue_saved")
		if q := strings.TrimSpace(r.PostFormValue("q")); q != "" || r.PostFormValue("page") != "" {
			next = withFlash(issuePath(is.ID)+"?"+url.Values{"q": {q}, "page": {r.PostFormValue("page")}}.Encode(), "issue_saved")
		}
		http.Redirect(w, r, next+anchor, http.StatusSeeOther)
		return
	}
	d := &issueData{}
	if herald.ErrorCode(err) == herald.ECONFLICT {
		// Keep the editor's form, now based on the stored version: saving it
		// again overwrites the other change knowingly.
		now, ferr := s.Store.FindIssueByID(r.Context(), is.ID)
		if ferr != nil {
			s.fail(w, r, req, ferr)
			return
		}
		d.Conflict = true
		d.Problem = s.msgs.T(req.lang, "issue.conflict", now.Version, st.Version)
		if d.Stored, ferr = s.storedTitles(r.Context(), req, now.ArticleIDs); ferr != nil {
			s.fail(w, r, req, ferr)
			return
		}
		st.Version = now.Version
		s.renderIssue(w, r, req, http.StatusConflict, now, st, d, nil)
		return
	}
	s.refuseIssue(w, r, req, is, st, d, "issue.save_refused", err)
}

// refuseIssue shows the issue page with the form holding st and what was
// wrong next to the field it names; summary introduces it above the form.
// Errors that are not about the input show as an error page.
func (s *Server) refuseIssue(w http.ResponseWriter, r *http.Request, req *request, is *herald.Issue, st issueState, d *issueData, summary string, err error) {
	if herald.ErrorCode(err) != herald.EINVALID {
		s.fail(w, r, req, err)
		return
	}
	fields, problems := s.printProblems(req.lang, err, "volume", "number", "date", "editor_note", "article_ids")
	if _, ok := fields["article_ids"]; ok {
		// Name the articles that cannot go to print: the store's message
		// gives only their IDs.
		rows, rerr := s.issueArticles(r.Context(), req, st.IDs, nil)
		if rerr != nil {
			s.fail(w, r, req, rerr)
			return
		}
		var names []string
		for _, row := range rows {
			if row.Problem == "" {
				continue
			}
			name := s.msgs.T(req.lang, "issue.article_id", row.ID)
			if row.Article != nil {
				name = "《" + row.Article.Title + "》"
			}
			names = append(names, name)
		}
		if len(names) > 0 {
			fields["article_ids"] = s.msgs.T(req.lang, "issue.problem.not_printable", len(names), strings.Join(names, s.msgs.T(req.lang, "admin.list_sep")))
		}
	}
	d.Fields = fields
	parts := []string{s.msgs.T(req.lang, summary)}
	if msg, ok := fields["article_ids"]; ok {
		parts = append(parts, msg) // the list is long: say it at the top too
	}
	d.Problem = strings.Join(append(parts, problems...), " ")
	s.renderIssue(w, r, req, httpx.Status(err), is, st, d, nil)
}

// storedTitles names the articles an issue holds, for the conflict notice.
func (s *Server) storedTitles(ctx context.Context, req *request, ids []int64) ([]string, error) {
	rows, err := s.issueArticles(ctx, req, ids, nil)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(rows))
	for i, row := range rows {
		out[i] = s.msgs.T(req.lang, "issue.article_id", row.ID)
		if row.Article != nil {
			out[i] = row.Article.Title
		}
	}
	return out, nil
}

// issuePDF sends the issue's print-ready PDF. An issue that cannot be
// printed (no articles, one no longer published) shows its page with the
// reason instead.
func (s *Server) issuePDF(w http.ResponseWriter, r *http.Request, req *request) {
	if s.refusePeriodicals(w, r, req) {
		return
	}
	is, err := s.loadIssue(r, req)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	res, err := s.periodicalService().PDF(r.Context(), req.staff, is.ID, print.Options{})
	if err != nil {
		s.refuseIssue(w, r, req, is, stateOf(is), &issueData{}, "issue.pdf_refused", err)
		return
	}
	slug := "issue"
	if ps, err := s.Store.FindPeriodicals(r.Context()); err == nil {
		for _, p := range ps {
			if p.ID == is.PeriodicalID {
				slug = p.Slug // lower-case letters, digits and '-': safe in the header
			}
		}
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%d-%02d.pdf"`, slug, is.Volume, is.Number))
	h.Set("Content-Length", strconv.Itoa(len(res.PDF)))
	h.Set("X-Pages", strconv.Itoa(res.Pages))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	w.Write(res.PDF)
}

// issueDate reads an issue's date (YYYY-MM-DD, China time).
func issueDate(text string) (time.Time, error) {
	if text == "" {
		return time.Time{}, herald.Invalid("date", "is required")
	}
	t, err := parseDay(text, "date", false)
	if err != nil {
		return time.Time{}, err
	}
	return *t, nil
}

// formInt reads a whole number from a form; 0 (which no issue field allows)
// when it is not one.
func formInt(v string) int {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0
	}
	return n
}

// formIDs reads a list of IDs, leaving out what is not one and repeats.
func formIDs(vs []string) []int64 {
	var out []int64
	for _, v := range vs {
		if id := formID(v); id > 0 && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// printProblems puts err's field messages, in lang, next to the form's
// fields; the messages of other fields, or of none, are returned apart.
func (s *Server) printProblems(lang string, err error, formFields ...string) (map[string]string, []string) {
	return fieldProblems(err, func(fe herald.FieldError) string { return s.printProblemText(lang, fe) }, formFields...)
}

// printProblemPatterns translate the field messages of periodicals and
// issues that carry numbers; the captured numbers are the catalog text's
// arguments.
var printProblemPatterns = []struct {
	re  *regexp.Regexp
	key string
}{
	{regexp.MustCompile(`^must be between (\d+) and (\d+)$`), "periodicals.problem.range"},
	{regexp.MustCompile(`^issue (\d+) of volume (\d+) exists already$`), "periodicals.problem.issue_taken"},
	{regexp.MustCompile(`^must be text of at most (\d+) characters$`), "admin.problem.too_long"},
	{regexp.MustCompile(`^may list at most (\d+) articles$`), "periodicals.problem.too_many"},
	{regexp.MustCompile(`^must list each article once, by its ID$`), "periodicals.problem.twice"},
	{regexp.MustCompile(`^the issue has no articles yet$`), "periodicals.problem.empty"},
	{regexp.MustCompile(`^must be a date like \d{4}-\d{2}-\d{2}$`), "periodicals.problem.date"},
	{regexp.MustCompile(`^no unit has ID (\d+)$`), "periodicals.problem.unit"},
}

// printProblemText is a field message of the print pages in lang.
func (s *Server) printProblemText(lang string, fe herald.FieldError) string {
	for _, p := range printProblemPatterns {
		m := p.re.FindStringSubmatch(fe.Message)
		if m == nil {
			continue
		}
		args := make([]any, len(m)-1)
		for i, v := range m[1:] {
			args[i], _ = strconv.Atoi(v)
		}
		return s.msgs.T(lang, p.key, args...)
	}
	return s.problemText(lang, fe)
}
