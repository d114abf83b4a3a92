package newsroom

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/auth"
	"github.com/heraldnews/herald/directory"
	"github.com/heraldnews/herald/httpx"
)

// adminRoutes adds the administration pages: units, staff, columns, themes and
// site settings. Only admins enter; an admin below the province manages the
// units and staff of their own subtree, and only admins of the whole province
// manage columns, themes and the site settings.
func (s *Server) adminRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /newsroom/admin", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/newsroom/admin/", http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /newsroom/admin/{$}", s.admin(s.adminIndex))

	mux.HandleFunc("GET /newsroom/admin/units", s.admin(s.adminUnits))
	mux.HandleFunc("GET /newsroom/admin/units/new", s.admin(s.adminNewUnit))
	mux.HandleFunc("POST /newsroom/admin/units", s.admin(s.adminCreateUnit))
	mux.HandleFunc("GET /newsroom/admin/units/{id}", s.admin(s.adminEditUnit))
	mux.HandleFunc("POST /newsroom/admin/units/{id}", s.admin(s.adminUpdateUnit))

	mux.HandleFunc("GET /newsroom/admin/staff", s.admin(s.adminStaff))
	mux.HandleFunc("GET /newsroom/admin/staff/new", s.admin(s.adminNewMember))
	mux.HandleFunc("POST /newsroom/admin/staff", s.admin(s.adminCreateMember))
	mux.HandleFunc("GET /newsroom/admin/staff/{id}", s.admin(s.adminEditMember))
	mux.HandleFunc("POST /newsroom/admin/staff/{id}", s.admin(s.adminUpdateMember))
	mux.HandleFunc("POST /newsroom/admin/staff/{id}/disable", s.admin(s.adminDisableMember))
	mux.HandleFunc("POST /newsroom/admin/staff/{id}/enable", s.admin(s.adminEnableMember))
	mux.HandleFunc("POST /newsroom/admin/staff/{id}/password", s.admin(s.adminResetPassword))
	mux.HandleFunc("POST /newsroom/admin/staff/{id}/totp", s.admin(s.adminClearTOTP))

	mux.HandleFunc("GET /newsroom/admin/columns", s.provinceAdmin(s.adminColumns))
	mux.HandleFunc("GET /newsroom/admin/columns/new", s.provinceAdmin(s.adminNewColumn))
	mux.HandleFunc("POST /newsroom/admin/columns", s.provinceAdmin(s.adminCreateColumn))
	mux.HandleFunc("GET /newsroom/admin/columns/{id}", s.provinceAdmin(s.adminEditColumn))
	mux.HandleFunc("POST /newsroom/admin/columns/{id}", s.provinceAdmin(s.adminUpdateColumn))

	mux.HandleFunc("GET /newsroom/admin/themes", s.provinceAdmin(s.adminThemes))
	mux.HandleFunc("GET /newsroom/admin/themes/new", s.provinceAdmin(s.adminNewTheme))
	mux.HandleFunc("POST /newsroom/admin/themes", s.provinceAdmin(s.adminCreateTheme))
	mux.HandleFunc("GET /newsroom/admin/themes/{id}", s.provinceAdmin(s.adminEditTheme))
	mux.HandleFunc("POST /newsroom/admin/themes/{id}", s.provinceAdmin(s.adminUpdateTheme))

	mux.HandleFunc("GET /newsroom/admin/settings", s.provinceAdmin(s.adminSettings))
	mux.HandleFunc("POST /newsroom/admin/settings", s.provinceAdmin(s.adminSaveSettings))
}

// adminRequest is a signed-in admin's request, with the unit tree and the part
// of it they manage.
type adminRequest struct {
	*request
	units    []*herald.Unit // every unit, by code
	tree     *herald.UnitTree
	root     int64 // the root of the subtree they manage
	province bool  // they manage the whole province: columns, themes and settings too
	dir      *directory.Service
}

// inScope reports whether unit id is one the admin manages.
func (a *adminRequest) inScope(id int64) bool { return a.tree.Within(id, a.root) }

// admin admits active admins, and loads the units they manage.
func (s *Server) admin(h func(w http.ResponseWriter, r *http.Request, a *adminRequest)) http.HandlerFunc {
	return s.signedIn(func(w http.ResponseWriter, r *http.Request, req *request) {
		if !req.staff.Active() || !req.staff.HasRole(herald.RoleAdmin) {
			s.fail(w, r, req, herald.Errorf(herald.EFORBIDDEN, "%s", s.msgs.T(req.lang, "admin.forbidden")))
			return
		}
		units, _, err := s.Store.FindUnits(r.Context(), herald.UnitFilter{})
		if err != nil {
			s.fail(w, r, req, err)
			return
		}
		a := &adminRequest{request: req, units: units, tree: herald.NewUnitTree(units), dir: s.Directory}
		a.root = a.tree.ScopeRoot(req.staff.UnitID)
		if u := a.tree.Unit(a.root); u != nil && u.ParentID == 0 {
			a.province = true
		}
		h(w, r, a)
	})
}

// provinceAdmin admits admins of the whole province only.
func (s *Server) provinceAdmin(h func(w http.ResponseWriter, r *http.Request, a *adminRequest)) http.HandlerFunc {
	return s.admin(func(w http.ResponseWriter, r *http.Request, a *adminRequest) {
		if !a.province {
			s.fail(w, r, a.request, herald.Errorf(herald.EFORBIDDEN, "%s", s.msgs.T(a.lang, "admin.forbidden_province")))
			return
		}
		h(w, r, a)
	})
}

// adminHome is the area's front page: what the admin manages.
type adminHome struct {
	Scope    *herald.Unit
	Province bool
}

func (s *Server) adminIndex(w http.ResponseWriter, r *http.Request, a *adminRequest) {
	s.render(w, r, http.StatusOK, "admin", a.request, s.msgs.T(a.lang, "admin.title"),
		&adminHome{Scope: a.tree.Unit(a.root), Province: a.province})
}

// outOfScope is the error for a unit or person outside the admin's subtree.
func (s *Server) outOfScope(a *adminRequest) error {
	return herald.Errorf(herald.EFORBIDDEN, "%s", s.msgs.T(a.lang, "admin.out_of_scope", a.scopeName()))
}

func (a *adminRequest) scopeName() string {
	if u := a.tree.Unit(a.root); u != nil {
		return u.Name
	}
	return ""
}

// --- forms -------------------------------------------------------------------

// adminForm is a page of one or more forms, all drawn by the admin-form
// template: every input has its label, and a refused one its message next to
// it.
type adminForm struct {
	Title string
	Back  link // where the page belongs, shown above the title
	Intro string
	Links []link // shown after the intro
	Forms []*formSpec
	// Training is a staff member's training record, shown on their page.
	Training *trainingRecord
}

type link struct{ URL, Text string }

// formSpec is one form: where it posts, its fields in groups, and what went
// wrong the last time it was sent.
type formSpec struct {
	ID, Action, Heading, Submit string
	Note                        string   // what the form does, shown before its button
	Secondary                   bool     // a lesser action: the quieter button
	Problems                    []string // messages that belong to no field shown
	Invalid                     int      // how many fields are refused
	Groups                      []*fieldGroup
}

type fieldGroup struct {
	Legend, Hint string
	Fields       []*field
}

// field is one input. Type is an <input> type, or "textarea", "select",
// "checkboxes" or "static" (shown, not sent).
type field struct {
	Name, Label, Type, Value, Hint, Error, Autocomplete string
	Options                                             []option
	Required                                            bool
	Max, Rows                                           int
}

type option struct {
	Value, Label string
	Selected     bool
}

// ID is the element ID of the field's input.
func (f *field) ID() string { return "f-" + f.Name }

// ErrorID is the element ID of the field's message.
func (f *field) ErrorID() string { return "f-" + f.Name + "-error" }

// HintID is the element ID of the field's hint.
func (f *field) HintID() string { return "f-" + f.Name + "-hint" }

// Describedby lists the IDs of what describes the input.
func (f *field) Describedby() string {
	var ids []string
	if f.Error != "" {
		ids = append(ids, f.ErrorID())
	}
	if f.Hint != "" {
		ids = append(ids, f.HintID())
	}
	return strings.Join(ids, " ")
}

// fields lists every field of the form.
func (f *formSpec) fields() []*field {
	var out []*field
	for _, g := range f.Groups {
		out = append(out, g.Fields...)
	}
	return out
}

// problem puts a message next to a field, or above the form when the form has
// no such field.
func (f *formSpec) problem(name, msg string) {
	for _, fl := range f.fields() {
		if fl.Name == name && fl.Type != "static" {
			if fl.Error == "" {
				f.Invalid++
				fl.Error = msg
			} else {
				fl.Error += " " + msg
			}
			return
		}
	}
	f.Problems = append(f.Problems, msg)
}

// finishForm ends a form's post: after success it goes on to next; input that
// was refused shows the form again with the reasons; anything else is an error
// page.
func (s *Server) finishForm(w http.ResponseWriter, r *http.Request, a *adminRequest, d *adminForm, f *formSpec, err error, next string) {
	switch {
	case err == nil:
		http.Redirect(w, r, next, http.StatusSeeOther)
	case s.refuse(a.lang, f, err):
		s.renderForm(w, r, a, httpx.Status(err), d)
	default:
		s.fail(w, r, a.request, err)
	}
}

// refuse shows what was wrong with the form's input: each field's message
// next to it, in the reader's language. It reports false for errors that are
// not about the input, which the caller shows as an error page.
func (s *Server) refuse(lang string, f *formSpec, err error) bool {
	switch herald.ErrorCode(err) {
	case herald.EINVALID, herald.ECONFLICT:
	default:
		return false
	}
	fields := herald.ErrorFields(err)
	if len(fields) == 0 {
		f.Problems = append(f.Problems, herald.ErrorMessage(err))
	}
	for _, fe := range fields {
		f.problem(fe.Field, s.problemText(lang, fe))
	}
	return true
}

// problemText is a field's problem in the reader's language. The domain's
// messages are English sentences for API clients; the known ones have their
// translation in the catalogs, and any other shows as it is.
func (s *Server) problemText(lang string, fe herald.FieldError) string {
	if p, ok := problemKeys[fe.Message]; ok {
		return s.msgs.T(lang, p.key, p.args...)
	}
	return fe.Message
}

type catalogText struct {
	key  string
	args []any
}

// problemKeys maps the domain's (and the store's) field messages to catalog
// keys; admin_internal_test.go checks that every message the validators give
// is here.
var problemKeys = func() map[string]catalogText {
	m := map[string]catalogText{
		"is required":                    {key: "admin.problem.required"},
		"must be one line of valid text": {key: "admin.problem.one_line"},
		"must be valid text":             {key: "admin.problem.text"},
		"is already taken":               {key: "admin.problem.taken"},
		"must be 1-32 upper-case letters, digits, '-' or '_', starting with a letter or digit": {key: "admin.problem.code"},
		"must be 1-32 upper-case letters, digits, '-' or '_'":                                  {key: "admin.problem.code"},
		"must be 2-32 lower-case letters, digits, '.', '_' or '-', starting with a letter":     {key: "admin.problem.username"},
		"must name at least one role":                                                          {key: "admin.problem.roles"},
		"at most 20 skills":                                                                    {key: "admin.problem.skills_count"},
		"each skill must be 1-40 characters":                                                   {key: "admin.problem.skill"},
		"a unit cannot be placed under itself or its own sub-units":                            {key: "admin.problem.cycle"},
		"is required: the unit tree has one root":                                              {key: "admin.problem.one_root"},
		"must be 1-64 lower-case letters and digits in words joined by '-'":                    {key: "admin.problem.slug"},
		"must be 1, 2 or 3":                                                                    {key: "admin.problem.review_levels"},
		"must be valid text of at most 2000 characters":                                        {key: "admin.problem.too_long", args: []any{2000}},
		"must be valid text of at most 200000 bytes":                                           {key: "admin.problem.too_big"},
		"must be an e-mail address such as news@example.gov.cn":                                {key: "admin.problem.mailbox"},
		"must be an http(s) URL or a path on this site":                                        {key: "admin.problem.url"},
		"is required when mourning_until is set":                                               {key: "admin.problem.mourning_from"},
		"must be after mourning_from":                                                          {key: "admin.problem.mourning_until"},
		"you cannot disable your own account":                                                  {key: "admin.problem.disable_self"},
		"you cannot remove your own admin role":                                                {key: "admin.problem.unadmin_self"},
		fmt.Sprintf("must be at least %d characters", auth.MinPasswordRunes):                   {key: "admin.problem.password_short", args: []any{auth.MinPasswordRunes}},
	}
	types := make([]string, len(herald.UnitTypes))
	for i, t := range herald.UnitTypes {
		types[i] = string(t)
	}
	m["must be one of "+strings.Join(types, ", ")] = catalogText{key: "admin.problem.choose"}
	for _, n := range []int{200, 300, 2000, auth.MaxPasswordRunes} {
		m[fmt.Sprintf("must be at most %d characters", n)] = catalogText{key: "admin.problem.too_long", args: []any{n}}
	}
	return m
}()

// renderForm draws an admin form page; status says whether it was refused.
func (s *Server) renderForm(w http.ResponseWriter, r *http.Request, a *adminRequest, status int, d *adminForm) {
	s.render(w, r, status, "admin-form", a.request, d.Title, d)
}

// unitOptions lists the units an admin manages, depth first, indented by depth,
// leaving out the subtree of skip (a unit cannot move under itself).
func (a *adminRequest) unitOptions(selected, skip int64) []option {
	var out []option
	for _, n := range a.subtree() {
		n.walk(0, func(n *unitNode, depth int) bool {
			if skip != 0 && n.Unit.ID == skip {
				return false
			}
			out = append(out, option{Value: idText(n.Unit.ID), Label: strings.Repeat("\u3000", depth) + n.Unit.Name + "（" + n.Unit.Code + "）",
				Selected: n.Unit.ID == selected})
			return true
		})
	}
	return out
}

// unitNode is a unit with its sub-units.
type unitNode struct {
	Unit     *herald.Unit
	Type     string // its type, in the reader's language
	Staff    int    // how many people belong to it directly
	Children []*unitNode
}

// walk visits the node and, while visit says so, its descendants.
func (n *unitNode) walk(depth int, visit func(*unitNode, int) bool) {
	if !visit(n, depth) {
		return
	}
	for _, c := range n.Children {
		c.walk(depth+1, visit)
	}
}

// subtree returns the tree the admin manages, as its root node (a list of one).
func (a *adminRequest) subtree() []*unitNode {
	nodes := make(map[int64]*unitNode, len(a.units))
	for _, u := range a.units {
		nodes[u.ID] = &unitNode{Unit: u}
	}
	for _, u := range a.units {
		if p := nodes[u.ParentID]; p != nil {
			p.Children = append(p.Children, nodes[u.ID])
		}
	}
	// Sub-units by kind (the publicity center first, offices last), then by code.
	for _, n := range nodes {
		slices.SortStableFunc(n.Children, func(x, y *unitNode) int {
			return cmp.Or(cmp.Compare(slices.Index(herald.UnitTypes, x.Unit.Type), slices.Index(herald.UnitTypes, y.Unit.Type)),
				strings.Compare(x.Unit.Code, y.Unit.Code))
		})
	}
	if n := nodes[a.root]; n != nil {
		return []*unitNode{n}
	}
	return nil
}

func (s *Server) roleName(lang string, r herald.Role) string {
	return s.msgs.T(lang, "admin.role."+string(r))
}

func (s *Server) unitTypeName(lang string, t herald.UnitType) string {
	return s.msgs.T(lang, "admin.unit_type."+string(t))
}

// roleNames lists roles in the reader's language, in the order of herald.Roles.
func (s *Server) roleNames(lang string, roles []herald.Role) string {
	var names []string
	for _, r := range herald.Roles {
		if slices.Contains(roles, r) {
			names = append(names, s.roleName(lang, r))
		}
	}
	return strings.Join(names, s.msgs.T(lang, "admin.list_sep"))
}

func idText(id int64) string { return strconv.FormatInt(id, 10) }

// formID reads an ID from a form or query value; 0 when there is none.
func formID(v string) int64 {
	id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || id < 0 {
		return 0
	}
	return id
}
