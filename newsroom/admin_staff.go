package newsroom

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/auth"
	"github.com/heraldnews/herald/directory"
	"github.com/heraldnews/herald/httpx"
)

// staffPageSize is how many people the staff list shows at a time.
const staffPageSize = 100

// staffPage is the list of people an admin manages, filtered.
type staffPage struct {
	Rows        []staffRow
	Units       []option
	Roles       []option
	Query       string
	Sub         bool // the unit filter takes in its sub-units
	Total       int
	From, To    int
	Prev, Next  string // links to the neighbouring pages, "" at the ends
	FilteredOut bool   // a filter is set
}

type staffRow struct {
	Staff       *herald.Staff
	Unit, Roles string
}

func (s *Server) adminStaff(w http.ResponseWriter, r *http.Request, a *adminRequest) {
	q := r.URL.Query()
	unitID := formID(q.Get("unit"))
	if !a.inScope(unitID) {
		unitID = 0
	}
	role := herald.Role(q.Get("role"))
	if !role.Valid() {
		role = ""
	}
	// The sub-unit box counts only once the filter form was sent: by default the
	// list takes in the sub-units.
	sub := q.Get("sub") != "" || !q.Has("unit")
	search := strings.TrimSpace(q.Get("q"))
	all, _, err := s.Store.FindStaff(r.Context(), herald.StaffFilter{Role: role})
	if err != nil {
		s.fail(w, r, a.request, err)
		return
	}
	d := &staffPage{Query: search, Sub: sub, Units: a.unitOptions(unitID, 0), FilteredOut: unitID != 0 || role != "" || search != ""}
	for _, rl := range herald.Roles {
		d.Roles = append(d.Roles, option{Value: string(rl), Label: s.roleName(a.lang, rl), Selected: rl == role})
	}
	var rows []staffRow
	for _, st := range all {
		switch {
		case !a.inScope(st.UnitID):
			continue
		case unitID != 0 && sub && !a.tree.Within(st.UnitID, unitID):
			continue
		case unitID != 0 && !sub && st.UnitID != unitID:
			continue
		case search != "" && !matchesStaff(st, search):
			continue
		}
		row := staffRow{Staff: st, Roles: s.roleNames(a.lang, st.Roles)}
		if u := a.tree.Unit(st.UnitID); u != nil {
			row.Unit = u.Name
		}
		rows = append(rows, row)
	}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	d.Total = len(rows)
	from := min((page-1)*staffPageSize, d.Total)
	to := min(from+staffPageSize, d.Total)
	d.Rows, d.From, d.To = rows[from:to], from+1, to
	pageURL := func(n int) string {
		v := url.Values{}
		for _, k := range []string{"unit", "role", "q", "sub"} {
			if q.Get(k) != "" {
				v.Set(k, q.Get(k))
			}
		}
		v.Set("page", strconv.Itoa(n))
		return "/newsroom/admin/staff?" + v.Encode()
	}
	if from > 0 {
		d.Prev = pageURL(page - 1)
	}
	if to < d.Total {
		d.Next = pageURL(page + 1)
	}
	s.render(w, r, http.StatusOK, "admin-staff", a.request, s.msgs.T(a.lang, "admin.staff"), d)
}

// matchesStaff reports whether a search matches a person's name, English name,
// username or staff code.
func matchesStaff(st *herald.Staff, search string) bool {
	search = strings.ToLower(search)
	for _, v := range []string{st.Name, st.NameEn, st.Username, st.StaffCode} {
		if strings.Contains(strings.ToLower(v), search) {
			return true
		}
	}
	return false
}

// memberForms are the forms of a staff member's page.
type memberForms struct {
	page                    *adminForm
	profile, status, secret *formSpec
}

// memberPage is the page for a new staff member (st.ID 0) or for changing one:
// the profile as typed, and for an existing one their status and password.
// saved is the person as stored (nil for a new one).
func (s *Server) memberPage(a *adminRequest, saved, st *herald.Staff) *memberForms {
	T := func(key string, args ...any) string { return s.msgs.T(a.lang, key, args...) }
	m := &memberForms{page: &adminForm{Back: link{"/newsroom/admin/staff", T("admin.staff")}}}
	p := &formSpec{ID: "profile", Submit: T("admin.save")}
	var fields []*field
	if saved == nil {
		m.page.Title, p.Action = T("admin.member.new"), "/newsroom/admin/staff"
		fields = append(fields, &field{Name: "username", Label: T("admin.member.username"), Type: "text", Value: st.Username, Required: true, Max: 32,
			Hint: T("admin.member.username_hint"), Autocomplete: "off"})
	} else {
		m.page.Title, p.Action = T("admin.member.edit", saved.Name), "/newsroom/admin/staff/"+idText(saved.ID)
		p.Heading = T("admin.member.profile")
		fields = append(fields, &field{Name: "username", Label: T("admin.member.username"), Type: "static", Value: saved.Username})
	}
	roles := &field{Name: "roles", Label: T("admin.member.roles"), Type: "checkboxes", Hint: T("admin.member.roles_hint")}
	for _, r := range herald.Roles {
		roles.Options = append(roles.Options, option{Value: string(r), Label: s.roleName(a.lang, r), Selected: slices.Contains(st.Roles, r)})
	}
	fields = append(fields,
		&field{Name: "name", Label: T("admin.member.name"), Type: "text", Value: st.Name, Required: true, Max: 200, Autocomplete: "off"},
		&field{Name: "name_en", Label: T("admin.member.name_en"), Type: "text", Value: st.NameEn, Max: 200, Hint: T("admin.optional"), Autocomplete: "off"},
		&field{Name: "staff_code", Label: T("admin.member.staff_code"), Type: "text", Value: st.StaffCode, Required: true, Max: 32,
			Hint: T("admin.member.staff_code_hint"), Autocomplete: "off"},
		&field{Name: "email", Label: T("notify.email_label"), Type: "email", Value: st.Email, Max: herald.MaxEmailBytes, Autocomplete: "off",
			Hint: T("admin.member.email_hint")},
		&field{Name: "unit_id", Label: T("admin.member.unit"), Type: "select", Required: true, Options: a.unitOptions(st.UnitID, 0)},
		roles,
		&field{Name: "skills", Label: T("admin.member.skills"), Type: "text", Value: strings.Join(st.Skills, "，"), Hint: T("admin.member.skills_hint")})
	if saved == nil {
		fields = append(fields,
			&field{Name: "password", Label: T("admin.member.password"), Type: "password", Required: true, Max: auth.MaxPasswordRunes,
				Autocomplete: "new-password", Hint: T("admin.member.password_hint", auth.MinPasswordRunes)},
			&field{Name: "confirm", Label: T("admin.member.confirm"), Type: "password", Required: true, Max: auth.MaxPasswordRunes, Autocomplete: "new-password"})
	}
	p.Groups = []*fieldGroup{{Fields: fields}}
	m.profile = p
	m.page.Forms = []*formSpec{p}
	if saved == nil {
		return m
	}
	self := saved.ID == a.staff.ID
	if self {
		m.page.Intro = T("admin.member.self")
		m.page.Links = []link{{"/newsroom/password", T("nav.password")}}
	}
	state := T("admin.member.active")
	if !saved.Active() {
		state = T("admin.member.disabled_since", cstTime(saved.DisabledAt))
	}
	m.status = &formSpec{ID: "status", Heading: T("admin.member.status"), Secondary: true,
		Groups: []*fieldGroup{{Fields: []*field{{Name: "state", Label: T("admin.member.status"), Type: "static", Value: state}}}}}
	switch {
	case self:
		m.status.Note = T("admin.member.status_self")
	case saved.Active():
		m.status.Action, m.status.Submit, m.status.Note = "/newsroom/admin/staff/"+idText(saved.ID)+"/disable", T("admin.member.disable"), T("admin.member.disable_hint")
	default:
		m.status.Action, m.status.Submit = "/newsroom/admin/staff/"+idText(saved.ID)+"/enable", T("admin.member.enable")
	}
	m.page.Forms = append(m.page.Forms, m.status)
	if !self {
		m.secret = &formSpec{ID: "password", Heading: T("admin.member.reset"), Action: "/newsroom/admin/staff/" + idText(saved.ID) + "/password",
			Submit: T("admin.member.reset_submit"), Note: T("admin.member.reset_hint"),
			Groups: []*fieldGroup{{Fields: []*field{
				{Name: "password", Label: T("admin.member.new_password"), Type: "password", Required: true, Max: auth.MaxPasswordRunes,
					Autocomplete: "new-password", Hint: T("admin.member.password_hint", auth.MinPasswordRunes)},
				{Name: "confirm", Label: T("admin.member.confirm"), Type: "password", Required: true, Max: auth.MaxPasswordRunes, Autocomplete: "new-password"},
			}}}}
		m.page.Forms = append(m.page.Forms, m.secret)
		if saved.TOTPSecret != "" {
			m.page.Forms = append(m.page.Forms, &formSpec{ID: "totp", Heading: T("account.totp"), Secondary: true,
				Action: "/newsroom/admin/staff/" + idText(saved.ID) + "/totp", Submit: T("admin.member.totp_clear"), Note: T("admin.member.totp_hint")})
		}
	}
	return m
}

// adminClearTOTP turns off someone's second factor when they lost their phone;
// they sign in with the password and may enrol again.
func (s *Server) adminClearTOTP(w http.ResponseWriter, r *http.Request, a *adminRequest) {
	saved, err := s.managedMember(r, a)
	if err == nil && saved.ID == a.staff.ID { // their own goes off on the account page, with the password
		err = herald.Errorf(herald.EFORBIDDEN, "%s", s.msgs.T(a.lang, "admin.member.totp_self"))
	}
	if err == nil {
		err = s.Auth.DisableTOTP(r.Context(), saved.ID, a.staff.ID)
	}
	if err != nil {
		s.fail(w, r, a.request, err)
		return
	}
	http.Redirect(w, r, "/newsroom/admin/staff/"+idText(saved.ID)+"?done=1", http.StatusSeeOther)
}

// cstTime formats a time as the newsroom shows it.
func cstTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(CST).Format("2006-01-02 15:04")
}

// memberFromForm reads the profile fields of the staff form over base.
func memberFromForm(r *http.Request, base herald.Staff) herald.Staff {
	st := base
	if st.ID == 0 {
		st.Username = strings.ToLower(strings.TrimSpace(r.PostFormValue("username")))
	}
	st.Name, st.NameEn = strings.TrimSpace(r.PostFormValue("name")), strings.TrimSpace(r.PostFormValue("name_en"))
	st.StaffCode = strings.ToUpper(strings.TrimSpace(r.PostFormValue("staff_code")))
	st.UnitID = formID(r.PostFormValue("unit_id"))
	st.Email = strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	st.Roles = []herald.Role{}
	for _, v := range r.PostForm["roles"] {
		st.Roles = append(st.Roles, herald.Role(v))
	}
	st.Skills = splitTags(r.PostFormValue("skills"))
	if st.Skills == nil {
		st.Skills = []string{}
	}
	return st
}

func (s *Server) adminNewMember(w http.ResponseWriter, r *http.Request, a *adminRequest) {
	unit := formID(r.URL.Query().Get("unit"))
	if !a.inScope(unit) {
		unit = a.root
	}
	m := s.memberPage(a, nil, &herald.Staff{UnitID: unit, Roles: []herald.Role{herald.RoleCorrespondent}})
	s.renderForm(w, r, a, http.StatusOK, m.page)
}

func (s *Server) adminCreateMember(w http.ResponseWriter, r *http.Request, a *adminRequest) {
	st := memberFromForm(r, herald.Staff{})
	password := r.PostFormValue("password")
	m := s.memberPage(a, nil, &st)
	if !a.inScope(st.UnitID) {
		m.profile.problem("unit_id", s.msgs.T(a.lang, "admin.problem.unit_scope", a.scopeName()))
		s.renderForm(w, r, a, http.StatusForbidden, m.page)
		return
	}
	if password != r.PostFormValue("confirm") {
		m.profile.problem("confirm", s.msgs.T(a.lang, "admin.problem.password_mismatch"))
		s.refuse(a.lang, m.profile, st.Validate())
		s.renderForm(w, r, a, http.StatusBadRequest, m.page)
		return
	}
	created, err := a.dir.CreateStaff(r.Context(), a.staff, directory.NewStaff{Staff: st, Password: password})
	next := ""
	if err == nil {
		next = "/newsroom/admin/staff/" + idText(created.ID) + "?done=1"
	}
	s.finishForm(w, r, a, m.page, m.profile, err, next)
}

// managedMember is the staff member the path names, if the admin manages them.
func (s *Server) managedMember(r *http.Request, a *adminRequest) (*herald.Staff, error) {
	st, err := s.Store.FindStaffByID(r.Context(), formID(r.PathValue("id")))
	if herald.ErrorCode(err) == herald.ENOTFOUND {
		return nil, herald.Errorf(herald.ENOTFOUND, "%s", s.msgs.T(a.lang, "admin.no_member"))
	} else if err != nil {
		return nil, err
	}
	if !a.inScope(st.UnitID) {
		return nil, s.outOfScope(a)
	}
	return st, nil
}

func (s *Server) adminEditMember(w http.ResponseWriter, r *http.Request, a *adminRequest) {
	st, err := s.managedMember(r, a)
	if err != nil {
		s.fail(w, r, a.request, err)
		return
	}
	m := s.memberPage(a, st, st)
	// the admin sees the member's training hours, courses and certificates
	// where they manage the member (training.go)
	if m.page.Training, err = s.trainingRecord(r.Context(), st.ID); err != nil {
		s.fail(w, r, a.request, err)
		return
	}
	s.renderForm(w, r, a, http.StatusOK, m.page)
}

func (s *Server) adminUpdateMember(w http.ResponseWriter, r *http.Request, a *adminRequest) {
	saved, err := s.managedMember(r, a)
	if err != nil {
		s.fail(w, r, a.request, err)
		return
	}
	st := memberFromForm(r, *saved)
	m := s.memberPage(a, saved, &st)
	if !a.inScope(st.UnitID) {
		m.profile.problem("unit_id", s.msgs.T(a.lang, "admin.problem.unit_scope", a.scopeName()))
		s.renderForm(w, r, a, http.StatusForbidden, m.page)
		return
	}
	upd := herald.StaffUpdate{Name: &st.Name, NameEn: &st.NameEn, StaffCode: &st.StaffCode, UnitID: &st.UnitID, Roles: &st.Roles, Skills: &st.Skills, Email: &st.Email}
	_, err = a.dir.UpdateStaff(r.Context(), a.staff, saved.ID, upd)
	s.finishForm(w, r, a, m.page, m.profile, err, "/newsroom/admin/staff/"+idText(saved.ID)+"?done=1")
}

func (s *Server) adminDisableMember(w http.ResponseWriter, r *http.Request, a *adminRequest) {
	s.setMemberDisabled(w, r, a, true)
}

func (s *Server) adminEnableMember(w http.ResponseWriter, r *http.Request, a *adminRequest) {
	s.setMemberDisabled(w, r, a, false)
}

// setMemberDisabled disables or enables an account. Disabling also ends the
// person's sessions, so that enabling the account later does not revive them.
func (s *Server) setMemberDisabled(w http.ResponseWriter, r *http.Request, a *adminRequest, disabled bool) {
	saved, err := s.managedMember(r, a)
	if err != nil {
		s.fail(w, r, a.request, err)
		return
	}
	_, err = a.dir.UpdateStaff(r.Context(), a.staff, saved.ID, herald.StaffUpdate{Disabled: &disabled})
	if err != nil {
		m := s.memberPage(a, saved, saved)
		if !s.refuse(a.lang, m.status, err) {
			s.fail(w, r, a.request, err)
			return
		}
		s.renderForm(w, r, a, httpx.Status(err), m.page)
		return
	}
	http.Redirect(w, r, "/newsroom/admin/staff/"+idText(saved.ID)+"?done=1", http.StatusSeeOther)
}

// adminResetPassword sets a temporary password for someone who lost theirs,
// and ends all their sessions. Admins change their own on the password page,
// which asks for the current one.
func (s *Server) adminResetPassword(w http.ResponseWriter, r *http.Request, a *adminRequest) {
	saved, err := s.managedMember(r, a)
	if err != nil {
		s.fail(w, r, a.request, err)
		return
	}
	m := s.memberPage(a, saved, saved)
	password := r.PostFormValue("password")
	switch {
	case saved.ID == a.staff.ID:
		m.profile.problem("password", s.msgs.T(a.lang, "admin.problem.reset_self"))
		s.renderForm(w, r, a, http.StatusBadRequest, m.page)
		return
	case password != r.PostFormValue("confirm"):
		m.secret.problem("confirm", s.msgs.T(a.lang, "admin.problem.password_mismatch"))
		s.refuse(a.lang, m.secret, auth.ValidatePassword(password))
		s.renderForm(w, r, a, http.StatusBadRequest, m.page)
		return
	}
	err = a.dir.SetPassword(r.Context(), a.staff, saved.ID, "", password)
	s.finishForm(w, r, a, m.page, m.secret, err, "/newsroom/admin/staff/"+idText(saved.ID)+"?done=1")
}
