package api

import (
	"net/http"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/directory"
)

func (s *Server) listUnits(w http.ResponseWriter, r *http.Request, _ *herald.Staff) {
	var f herald.UnitFilter
	var err error
	if f.ParentID, err = queryID(r, "parent_id"); err != nil {
		s.problem(w, r, err)
		return
	}
	f.Code = r.URL.Query().Get("code")
	units, total, err := s.Store.FindUnits(r.Context(), f)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, list(units, total))
}

func (s *Server) getUnit(w http.ResponseWriter, r *http.Request, _ *herald.Staff) {
	id, err := pathID(r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	u, err := s.Store.FindUnitByID(r.Context(), id)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, u)
}

// unitInput is what a client may set on a new unit.
type unitInput struct {
	ParentID int64           `json:"parent_id"`
	Code     string          `json:"code"`
	Name     string          `json:"name"`
	NameEn   string          `json:"name_en"`
	Type     herald.UnitType `json:"type"`
}

func (s *Server) createUnit(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	var in unitInput
	if err := decode(r, &in); err != nil {
		s.problem(w, r, err)
		return
	}
	u := &herald.Unit{ParentID: in.ParentID, Code: in.Code, Name: in.Name, NameEn: in.NameEn, Type: in.Type}
	if err := s.Directory.CreateUnit(r.Context(), actor, u); err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusCreated, u)
}

func (s *Server) updateUnit(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	id, err := pathID(r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	var upd herald.UnitUpdate
	if err := decode(r, &upd); err != nil {
		s.problem(w, r, err)
		return
	}
	u, err := s.Directory.UpdateUnit(r.Context(), actor, id, upd)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, u)
}

func (s *Server) listStaff(w http.ResponseWriter, r *http.Request, _ *herald.Staff) {
	var f herald.StaffFilter
	var err error
	if f.UnitID, err = queryID(r, "unit_id"); err != nil {
		s.problem(w, r, err)
		return
	}
	if f.Role = herald.Role(r.URL.Query().Get("role")); f.Role != "" && !f.Role.Valid() {
		s.problem(w, r, herald.Invalid("role", "unknown role %q", f.Role))
		return
	}
	f.Username = r.URL.Query().Get("username")
	if f.Limit, err = queryInt(r, "limit", 100, 1, 1000); err != nil {
		s.problem(w, r, err)
		return
	}
	if f.Offset, err = queryInt(r, "offset", 0, 0, 1<<30); err != nil {
		s.problem(w, r, err)
		return
	}
	staff, total, err := s.Store.FindStaff(r.Context(), f)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, list(staff, total))
}

func (s *Server) getStaff(w http.ResponseWriter, r *http.Request, _ *herald.Staff) {
	id, err := pathID(r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	st, err := s.Store.FindStaffByID(r.Context(), id)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, st)
}

// staffInput is what a client may set on a new staff member.
type staffInput struct {
	Username  string        `json:"username"`
	Name      string        `json:"name"`
	NameEn    string        `json:"name_en"`
	StaffCode string        `json:"staff_code"`
	UnitID    int64         `json:"unit_id"`
	Roles     []herald.Role `json:"roles"`
	Skills    []string      `json:"skills"`
	Password  string        `json:"password"`
}

func (s *Server) createStaff(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	var in staffInput
	if err := decode(r, &in); err != nil {
		s.problem(w, r, err)
		return
	}
	st, err := s.Directory.CreateStaff(r.Context(), actor, directory.NewStaff{Password: in.Password, Staff: herald.Staff{
		Username: in.Username, Name: in.Name, NameEn: in.NameEn, StaffCode: in.StaffCode, UnitID: in.UnitID, Roles: in.Roles, Skills: in.Skills,
	}})
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusCreated, st)
}

func (s *Server) updateStaff(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	id, err := pathID(r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	var upd herald.StaffUpdate
	if err := decode(r, &upd); err != nil {
		s.problem(w, r, err)
		return
	}
	st, err := s.Directory.UpdateStaff(r.Context(), actor, id, upd)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, st)
}

// passwordInput changes a password; current_password is needed for one's own.
type passwordInput struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

func (s *Server) setPassword(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	id, in, err := idAndBody[passwordInput](r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	if err := s.Directory.SetPassword(r.Context(), actor, id, in.CurrentPassword, in.NewPassword); err != nil {
		s.problem(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listColumns(w http.ResponseWriter, r *http.Request, _ *herald.Staff) {
	cols, err := s.Store.FindColumns(r.Context())
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, list(cols, len(cols)))
}

// columnInput is what a client may set on a new column.
type columnInput struct {
	Slug         string `json:"slug"`
	Name         string `json:"name"`
	NameEn       string `json:"name_en"`
	ReviewLevels int    `json:"review_levels"`
	Position     int    `json:"position"`
}

func (s *Server) createColumn(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	var in columnInput
	if err := decode(r, &in); err != nil {
		s.problem(w, r, err)
		return
	}
	c := &herald.Column{Slug: in.Slug, Name: in.Name, NameEn: in.NameEn, ReviewLevels: in.ReviewLevels, Position: in.Position}
	if err := s.Directory.CreateColumn(r.Context(), actor, c); err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusCreated, c)
}

func (s *Server) updateColumn(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	id, err := pathID(r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	var upd herald.ColumnUpdate
	if err := decode(r, &upd); err != nil {
		s.problem(w, r, err)
		return
	}
	c, err := s.Directory.UpdateColumn(r.Context(), actor, id, upd)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, c)
}

func (s *Server) listThemes(w http.ResponseWriter, r *http.Request, _ *herald.Staff) {
	themes, err := s.Store.FindThemes(r.Context())
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, list(themes, len(themes)))
}

// themeInput is what a client may set on a new theme.
type themeInput struct {
	Slug        string `json:"slug"`
	Name        string `json:"name"`
	NameEn      string `json:"name_en"`
	Description string `json:"description"`
}

func (s *Server) createTheme(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	var in themeInput
	if err := decode(r, &in); err != nil {
		s.problem(w, r, err)
		return
	}
	t := &herald.Theme{Slug: in.Slug, Name: in.Name, NameEn: in.NameEn, Description: in.Description}
	if err := s.Directory.CreateTheme(r.Context(), actor, t); err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusCreated, t)
}

func (s *Server) updateTheme(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	id, err := pathID(r, "id")
	if err != nil {
		s.problem(w, r, err)
		return
	}
	var upd herald.ThemeUpdate
	if err := decode(r, &upd); err != nil {
		s.problem(w, r, err)
		return
	}
	t, err := s.Directory.UpdateTheme(r.Context(), actor, id, upd)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, t)
}
