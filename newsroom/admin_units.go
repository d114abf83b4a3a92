package newsroom

import (
	"net/http"
	"strings"

	"github.com/heraldnews/herald"
)

// unitsPage is the tree of units an admin manages.
type unitsPage struct {
	Tree []*unitNode
}

func (s *Server) adminUnits(w http.ResponseWriter, r *http.Request, a *adminRequest) {
	staff, _, err := s.Store.FindStaff(r.Context(), herald.StaffFilter{})
	if err != nil {
		s.fail(w, r, a.request, err)
		return
	}
	count := map[int64]int{}
	for _, st := range staff {
		count[st.UnitID]++
	}
	tree := a.subtree()
	for _, n := range tree {
		n.walk(0, func(n *unitNode, _ int) bool {
			n.Type, n.Staff = s.unitTypeName(a.lang, n.Unit.Type), count[n.Unit.ID]
			return true
		})
	}
	s.render(w, r, http.StatusOK, "admin-units", a.request, s.msgs.T(a.lang, "admin.units"), &unitsPage{Tree: tree})
}

// placeLocked says which of a unit's type and parent the admin may not change:
// the root of their subtree stays where it is (its parent is not theirs), and
// below the province its type stays too, since a publicity center acts for
// its parent unit and the change would widen their own reach.
func (a *adminRequest) placeLocked(u *herald.Unit) (typeLocked, parentLocked bool) {
	if u.ID == 0 || u.ID != a.root {
		return false, false
	}
	return !a.province, true
}

// widens reports whether changing unit u as proposed would let the admin
// act beyond the subtree they manage now.
func (a *adminRequest) widens(proposed *herald.Unit) bool {
	units := make([]*herald.Unit, len(a.units))
	for i, u := range a.units {
		units[i] = u
		if u.ID == proposed.ID {
			units[i] = proposed
		}
	}
	t := herald.NewUnitTree(units)
	return !t.Within(t.ScopeRoot(a.staff.UnitID), a.root)
}

// unitForm is the form for a new unit (u.ID 0) or for changing one, holding u
// as typed.
func (s *Server) unitForm(a *adminRequest, u *herald.Unit) (*adminForm, *formSpec) {
	T := func(key string, args ...any) string { return s.msgs.T(a.lang, key, args...) }
	d := &adminForm{Back: link{"/newsroom/admin/units", T("admin.units")}}
	f := &formSpec{ID: "unit", Submit: T("admin.save")}
	var fields []*field
	if u.ID == 0 {
		d.Title, f.Action = T("admin.unit.new"), "/newsroom/admin/units"
		fields = append(fields, &field{Name: "code", Label: T("admin.unit.code"), Type: "text", Value: u.Code, Required: true, Max: 32,
			Hint: T("admin.unit.code_hint"), Autocomplete: "off"})
	} else {
		d.Title, f.Action = T("admin.unit.edit", u.Name), "/newsroom/admin/units/"+idText(u.ID)
		fields = append(fields, &field{Name: "code", Label: T("admin.unit.code"), Type: "static", Value: u.Code, Hint: T("admin.unit.code_fixed")})
	}
	fields = append(fields,
		&field{Name: "name", Label: T("admin.unit.name"), Type: "text", Value: u.Name, Required: true, Max: 200},
		&field{Name: "name_en", Label: T("admin.unit.name_en"), Type: "text", Value: u.NameEn, Max: 200, Hint: T("admin.optional")})
	typeLocked, parentLocked := a.placeLocked(u)
	if typeLocked {
		fields = append(fields, &field{Name: "type", Label: T("admin.unit.type"), Type: "static", Value: s.unitTypeName(a.lang, u.Type), Hint: T("admin.unit.type_locked")})
	} else {
		types := &field{Name: "type", Label: T("admin.unit.type"), Type: "select", Required: true}
		for _, t := range herald.UnitTypes {
			types.Options = append(types.Options, option{Value: string(t), Label: s.unitTypeName(a.lang, t), Selected: t == u.Type})
		}
		fields = append(fields, types)
	}
	if parentLocked {
		parent := T("admin.unit.no_parent")
		if p := a.tree.Unit(u.ParentID); p != nil {
			parent = p.Name
		}
		fields = append(fields, &field{Name: "parent_id", Label: T("admin.unit.parent"), Type: "static", Value: parent, Hint: T("admin.unit.parent_locked")})
	} else {
		fields = append(fields, &field{Name: "parent_id", Label: T("admin.unit.parent"), Type: "select", Required: true,
			Options: a.unitOptions(u.ParentID, u.ID), Hint: T("admin.unit.parent_hint")})
	}
	f.Groups = []*fieldGroup{{Fields: fields}}
	d.Forms = []*formSpec{f}
	return d, f
}

// unitFromForm reads the fields a unit form sends over base.
func unitFromForm(r *http.Request, base herald.Unit, typeLocked, parentLocked bool) herald.Unit {
	u := base
	if u.ID == 0 {
		u.Code = strings.ToUpper(strings.TrimSpace(r.PostFormValue("code")))
	}
	u.Name, u.NameEn = strings.TrimSpace(r.PostFormValue("name")), strings.TrimSpace(r.PostFormValue("name_en"))
	if !typeLocked {
		u.Type = herald.UnitType(r.PostFormValue("type"))
	}
	if !parentLocked {
		u.ParentID = formID(r.PostFormValue("parent_id"))
	}
	return u
}

func (s *Server) adminNewUnit(w http.ResponseWriter, r *http.Request, a *adminRequest) {
	parent := formID(r.URL.Query().Get("parent"))
	if !a.inScope(parent) {
		parent = a.root
	}
	d, _ := s.unitForm(a, &herald.Unit{ParentID: parent, Type: herald.UnitCountyBureau})
	s.renderForm(w, r, a, http.StatusOK, d)
}

func (s *Server) adminCreateUnit(w http.ResponseWriter, r *http.Request, a *adminRequest) {
	u := unitFromForm(r, herald.Unit{}, false, false)
	d, f := s.unitForm(a, &u)
	if !a.inScope(u.ParentID) {
		f.problem("parent_id", s.msgs.T(a.lang, "admin.problem.parent_scope", a.scopeName()))
		s.renderForm(w, r, a, http.StatusForbidden, d)
		return
	}
	s.finishForm(w, r, a, d, f, a.dir.CreateUnit(r.Context(), a.staff, &u), "/newsroom/admin/units?done=1")
}

// managedUnit is the unit the path names, if the admin manages it.
func (s *Server) managedUnit(r *http.Request, a *adminRequest) (*herald.Unit, error) {
	u := a.tree.Unit(formID(r.PathValue("id")))
	if u == nil {
		return nil, herald.Errorf(herald.ENOTFOUND, "%s", s.msgs.T(a.lang, "admin.no_unit"))
	}
	if !a.inScope(u.ID) {
		return nil, s.outOfScope(a)
	}
	return u, nil
}

func (s *Server) adminEditUnit(w http.ResponseWriter, r *http.Request, a *adminRequest) {
	u, err := s.managedUnit(r, a)
	if err != nil {
		s.fail(w, r, a.request, err)
		return
	}
	d, _ := s.unitForm(a, u)
	s.renderForm(w, r, a, http.StatusOK, d)
}

func (s *Server) adminUpdateUnit(w http.ResponseWriter, r *http.Request, a *adminRequest) {
	u, err := s.managedUnit(r, a)
	if err != nil {
		s.fail(w, r, a.request, err)
		return
	}
	typeLocked, parentLocked := a.placeLocked(u)
	typed := unitFromForm(r, *u, typeLocked, parentLocked)
	d, f := s.unitForm(a, &typed)
	d.Title = s.msgs.T(a.lang, "admin.unit.edit", u.Name)
	upd := herald.UnitUpdate{Name: &typed.Name, NameEn: &typed.NameEn}
	if !typeLocked {
		upd.Type = &typed.Type
	}
	if typed.ParentID != u.ParentID {
		upd.ParentID = &typed.ParentID
		if !a.inScope(typed.ParentID) {
			f.problem("parent_id", s.msgs.T(a.lang, "admin.problem.parent_scope", a.scopeName()))
			s.renderForm(w, r, a, http.StatusForbidden, d)
			return
		}
	}
	if a.widens(&typed) {
		f.problem("type", s.msgs.T(a.lang, "admin.problem.widens"))
		s.renderForm(w, r, a, http.StatusForbidden, d)
		return
	}
	_, err = a.dir.UpdateUnit(r.Context(), a.staff, u.ID, upd)
	s.finishForm(w, r, a, d, f, err, "/newsroom/admin/units?done=1")
}
