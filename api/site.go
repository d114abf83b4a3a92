package api

import (
	"net/http"
	"net/url"

	"github.com/heraldnews/herald"
)

func (s *Server) getSettings(w http.ResponseWriter, r *http.Request, _ *herald.Staff) {
	set, err := s.Store.FindSettings(r.Context())
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, set)
}

// settingsInput is the whole of the site settings; fields left out are emptied.
type settingsInput struct {
	herald.SiteSettings
	UpdatedAt *struct{} `json:"updated_at,omitempty"` // read-only: refused if sent
}

func (s *Server) putSettings(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	var in settingsInput
	if err := decode(r, &in); err != nil {
		s.problem(w, r, err)
		return
	}
	if in.UpdatedAt != nil {
		s.problem(w, r, herald.Invalid("updated_at", "is set by the server"))
		return
	}
	set := in.SiteSettings
	if err := s.Directory.UpdateSettings(r.Context(), actor, &set); err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, &set)
}

// tipReaders may read the news mailbox.
var tipReaders = []herald.Role{herald.RoleEditor, herald.RoleEditorInChief}

func (s *Server) listTips(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	if !actor.HasRole(tipReaders...) {
		s.problem(w, r, herald.Errorf(herald.EFORBIDDEN, "Only editors read the news mailbox."))
		return
	}
	limit, err := queryInt(r, "limit", 50, 1, 500)
	var offset int
	if err == nil {
		offset, err = queryInt(r, "offset", 0, 0, 1<<30)
	}
	if err != nil {
		s.problem(w, r, err)
		return
	}
	tips, total, err := s.Store.FindTips(r.Context(), offset, limit)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, list(tips, total))
}

func (s *Server) getTipAttachment(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	if !actor.HasRole(tipReaders...) {
		s.problem(w, r, herald.Errorf(herald.EFORBIDDEN, "Only editors read the news mailbox."))
		return
	}
	id, err := pathID(r, "id")
	var aid int64
	if err == nil {
		aid, err = pathID(r, "attachment")
	}
	if err != nil {
		s.problem(w, r, err)
		return
	}
	a, err := s.Store.FindTipAttachment(r.Context(), id, aid)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	// Served as a download with its sniffed type, never rendered inline.
	w.Header().Set("Content-Type", a.ContentType)
	w.Header().Set("Content-Disposition", `attachment; filename*=UTF-8''`+url.PathEscape(a.Filename))
	w.Header().Set("Content-Security-Policy", "sandbox")
	w.Write(a.Data)
}
