package newsroom

import (
	"encoding/csv"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/heraldnews/herald"
)

// auditData is a page of the audit log.
type auditData struct {
	Entity, Actor, Action, From, To string       // the filters, as typed
	Query                           template.URL // the filters as a query string (escaped by url.Values), for the next page and the CSV
	Rows                            []eventRow
	Next                            int64 // after_id of the next page, 0 for none
	Entities                        []string
}

// AuditPageSize is how many events the audit page shows at a time.
const AuditPageSize = 100

// auditReaders may read the whole audit log.
var auditReaders = []herald.Role{herald.RoleAdmin, herald.RoleEditorInChief}

func (s *Server) audit(w http.ResponseWriter, r *http.Request, req *request) {
	if !req.staff.HasRole(auditReaders...) {
		s.fail(w, r, req, herald.Errorf(herald.EFORBIDDEN, "Only admins and the editor-in-chief read the audit log."))
		return
	}
	q := r.URL.Query()
	f := herald.EventFilter{Entity: q.Get("entity"), Action: strings.TrimSpace(q.Get("action")), Limit: AuditPageSize}
	f.AfterID, _ = strconv.ParseInt(q.Get("after"), 10, 64)
	d := &auditData{Entity: f.Entity, Actor: strings.TrimSpace(q.Get("actor")), Action: f.Action, From: q.Get("from"), To: q.Get("to")}
	if d.Actor != "" {
		staff, _, err := s.Store.FindStaff(r.Context(), herald.StaffFilter{Username: strings.ToLower(d.Actor)})
		if err != nil {
			s.fail(w, r, req, err)
			return
		}
		if len(staff) == 0 {
			s.fail(w, r, req, herald.Invalid("actor", "no staff member has the username %q", d.Actor))
			return
		}
		f.ActorID = staff[0].ID
	}
	var err error
	if f.Since, err = parseDay(d.From, "from", false); err == nil {
		f.Until, err = parseDay(d.To, "to", true)
	}
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	d.Query = template.URL(url.Values{"entity": {d.Entity}, "actor": {d.Actor}, "action": {d.Action}, "from": {d.From}, "to": {d.To}}.Encode())
	csvOut := q.Get("format") == "csv"
	if csvOut {
		f.Limit = 0 // the whole log (or the filtered part of it)
	}
	events, err := s.Store.FindEvents(r.Context(), f)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	names := map[int64]string{}
	rows := make([]eventRow, len(events))
	for i, e := range events {
		if _, ok := names[e.ActorID]; !ok && e.ActorID != 0 {
			if st, err := s.Store.FindStaffByID(r.Context(), e.ActorID); err == nil {
				names[e.ActorID] = st.Byline()
			}
		}
		rows[i] = eventRow{Event: e, Actor: names[e.ActorID]}
	}
	if csvOut {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="herald-audit.csv"`)
		w.Write([]byte("\xef\xbb\xbf")) // a BOM, so that Excel and WPS read the Chinese as UTF-8
		cw := csv.NewWriter(w)
		cw.Write([]string{"id", "time (CST)", "actor", "entity", "entity_id", "action", "from", "to", "level", "comment"})
		for _, row := range rows {
			e := row.Event
			cw.Write([]string{strconv.FormatInt(e.ID, 10), e.At.In(CST).Format(time.DateTime), row.Actor, e.Entity,
				strconv.FormatInt(e.EntityID, 10), e.Action, e.FromStatus, e.ToStatus, strconv.Itoa(e.Level), spreadsheetSafe(e.Comment)})
		}
		cw.Flush()
		return
	}
	d.Rows, d.Entities = rows, []string{herald.EntityArticle, herald.EntityStaff, herald.EntityUnit,
		herald.EntityColumn, herald.EntityTheme, herald.EntitySettings, herald.EntityToken, herald.EntitySession, herald.EntityTip, herald.EntityMedia, herald.EntityWord, herald.EntitySearch, herald.EntityJob}
	if len(events) == AuditPageSize {
		d.Next = events[len(events)-1].ID
	}
	s.render(w, r, http.StatusOK, "audit", req, s.msgs.T(req.lang, "audit.title"), d)
}

func (s *Server) passwordPage(w http.ResponseWriter, r *http.Request, req *request) {
	s.render(w, r, http.StatusOK, "password", req, s.msgs.T(req.lang, "password.title"), "")
}

// changePassword changes the signed-in person's own password and signs them
// out everywhere, this browser included, so that a stolen session dies with
// the old password.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request, req *request) {
	next := r.PostFormValue("new")
	if next != r.PostFormValue("confirm") {
		s.render(w, r, http.StatusBadRequest, "password", req, s.msgs.T(req.lang, "password.title"), s.msgs.T(req.lang, "password.mismatch"))
		return
	}
	// SetPassword checks the current password and the new one, and signs the
	// person out everywhere.
	err := s.Directory.SetPassword(r.Context(), req.staff, req.staff.ID, r.PostFormValue("current"), next)
	if code := herald.ErrorCode(err); code == herald.EINVALID {
		problem := s.msgs.T(req.lang, "password.wrong_current")
		if fields := herald.ErrorFields(err); len(fields) > 0 && fields[0].Field != "current_password" {
			problem = s.problemText(req.lang, fields[0])
		}
		s.render(w, r, http.StatusBadRequest, "password", req, s.msgs.T(req.lang, "password.title"), problem)
		return
	} else if err != nil {
		s.fail(w, r, req, err)
		return
	}
	s.clearSessionCookie(w)
	http.Redirect(w, r, "/newsroom/login", http.StatusSeeOther)
}

// spreadsheetSafe keeps Excel and WPS from reading a typed comment as a
// formula: text starting with = + - @ (or a tab or carriage return) gets a
// leading apostrophe, which spreadsheets show as text.
func spreadsheetSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
