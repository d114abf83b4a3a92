package newsroom

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/checklist"
)

func (s *Server) adminColumns(w http.ResponseWriter, r *http.Request, a *adminRequest) {
	cols, err := s.Store.FindColumns(r.Context())
	if err != nil {
		s.fail(w, r, a.request, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin-columns", a.request, s.msgs.T(a.lang, "admin.columns"), cols)
}

// columnForm is the form for a new column (c.ID 0) or for changing one,
// holding c as typed; position is the position field as typed.
func (s *Server) columnForm(a *adminRequest, c *herald.Column, position string) (*adminForm, *formSpec) {
	T := func(key string, args ...any) string { return s.msgs.T(a.lang, key, args...) }
	d := &adminForm{Back: link{"/newsroom/admin/columns", T("admin.columns")}}
	f := &formSpec{ID: "column", Submit: T("admin.save")}
	var fields []*field
	if c.ID == 0 {
		d.Title, f.Action = T("admin.column.new"), "/newsroom/admin/columns"
		fields = append(fields, &field{Name: "slug", Label: T("admin.slug"), Type: "text", Value: c.Slug, Required: true, Max: 64,
			Hint: T("admin.slug_hint"), Autocomplete: "off"})
	} else {
		d.Title, f.Action = T("admin.column.edit", c.Name), "/newsroom/admin/columns/"+idText(c.ID)
		fields = append(fields, &field{Name: "slug", Label: T("admin.slug"), Type: "static", Value: c.Slug, Hint: T("admin.slug_fixed")})
	}
	levels := &field{Name: "review_levels", Label: T("admin.column.review_levels"), Type: "select", Required: true, Hint: T("admin.column.review_levels_hint")}
	for n := 1; n <= herald.MaxReviewLevels; n++ {
		levels.Options = append(levels.Options, option{Value: strconv.Itoa(n), Label: T("admin.column.levels_" + strconv.Itoa(n)), Selected: n == c.ReviewLevels})
	}
	fields = append(fields,
		&field{Name: "name", Label: T("admin.column.name"), Type: "text", Value: c.Name, Required: true, Max: 200},
		&field{Name: "name_en", Label: T("admin.name_en"), Type: "text", Value: c.NameEn, Max: 200, Hint: T("admin.optional")},
		levels,
		&field{Name: "position", Label: T("admin.column.position"), Type: "number", Value: position, Hint: T("admin.column.position_hint")})
	checks := &fieldGroup{Legend: T("admin.column.checklist"), Hint: T("admin.column.checklist_hint")}
	defaults := checklist.DefaultPolicy()
	for _, rule := range checklist.Rules {
		current := c.Checklist[string(rule)]
		fl := &field{Name: "check_" + string(rule), Label: T("checklist.rule." + string(rule)), Type: "select",
			Options: []option{{Value: "", Label: T("admin.column.check_default", T("checklist.severity."+string(defaults[rule]))), Selected: current == ""}}}
		for _, sev := range checklist.Severities {
			fl.Options = append(fl.Options, option{Value: string(sev), Label: T("checklist.severity." + string(sev)), Selected: current == string(sev)})
		}
		checks.Fields = append(checks.Fields, fl)
	}
	f.Groups = []*fieldGroup{{Fields: fields}, checks}
	d.Forms = []*formSpec{f}
	return d, f
}

// columnFromForm reads a column form over base, reporting a position that is
// not a whole number.
func columnFromForm(r *http.Request, base herald.Column) (c herald.Column, position string, positionOK bool) {
	c = base
	if c.ID == 0 {
		c.Slug = strings.ToLower(strings.TrimSpace(r.PostFormValue("slug")))
	}
	c.Name, c.NameEn = strings.TrimSpace(r.PostFormValue("name")), strings.TrimSpace(r.PostFormValue("name_en"))
	c.ReviewLevels, _ = strconv.Atoi(r.PostFormValue("review_levels")) // anything else is 0, which the column refuses
	c.Checklist = map[string]string{}                                  // a rule left at its default is not stored
	for _, rule := range checklist.Rules {
		if v := r.PostFormValue("check_" + string(rule)); v != "" {
			c.Checklist[string(rule)] = v
		}
	}
	position = strings.TrimSpace(r.PostFormValue("position"))
	positionOK = true
	if position == "" {
		c.Position = 0
	} else if n, err := strconv.Atoi(position); err == nil {
		c.Position = n
	} else {
		positionOK = false
	}
	return c, position, positionOK
}

func (s *Server) adminNewColumn(w http.ResponseWriter, r *http.Request, a *adminRequest) {
	cols, err := s.Store.FindColumns(r.Context())
	if err != nil {
		s.fail(w, r, a.request, err)
		return
	}
	next := 0
	for _, c := range cols {
		next = max(next, c.Position+1)
	}
	d, _ := s.columnForm(a, &herald.Column{ReviewLevels: 2, Position: next}, strconv.Itoa(next))
	s.renderForm(w, r, a, http.StatusOK, d)
}

func (s *Server) adminCreateColumn(w http.ResponseWriter, r *http.Request, a *adminRequest) {
	c, position, ok := columnFromForm(r, herald.Column{})
	d, f := s.columnForm(a, &c, position)
	if !ok {
		f.problem("position", s.msgs.T(a.lang, "admin.problem.whole_number"))
		s.refuse(a.lang, f, c.Validate())
		s.renderForm(w, r, a, http.StatusBadRequest, d)
		return
	}
	if _, err := checklist.ParsePolicy(c.Checklist); err != nil {
		s.refuse(a.lang, f, err)
		s.renderForm(w, r, a, http.StatusBadRequest, d)
		return
	}
	s.finishForm(w, r, a, d, f, a.dir.CreateColumn(r.Context(), a.staff, &c), "/newsroom/admin/columns?done=1")
}

// findColumn is the column the path names.
func (s *Server) findColumn(r *http.Request, a *adminRequest) (*herald.Column, error) {
	cols, err := s.Store.FindColumns(r.Context())
	return pathItem(r, cols, err, func(c *herald.Column) int64 { return c.ID }, s.msgs.T(a.lang, "admin.no_column"))
}

// pathItem is the item of list (found with err) whose ID the path names,
// or a not-found error saying missing.
func pathItem[T any](r *http.Request, list []T, err error, id func(T) int64, missing string) (T, error) {
	var zero T
	if err != nil {
		return zero, err
	}
	want := formID(r.PathValue("id"))
	for _, it := range list {
		if id(it) == want {
			return it, nil
		}
	}
	return zero, herald.Errorf(herald.ENOTFOUND, "%s", missing)
}

func (s *Server) adminEditColumn(w http.ResponseWriter, r *http.Request, a *adminRequest) {
	c, err := s.findColumn(r, a)
	if err != nil {
		s.fail(w, r, a.request, err)
		return
	}
	d, _ := s.columnForm(a, c, strconv.Itoa(c.Position))
	s.renderForm(w, r, a, http.StatusOK, d)
}

func (s *Server) adminUpdateColumn(w http.ResponseWriter, r *http.Request, a *adminRequest) {
	saved, err := s.findColumn(r, a)
	if err != nil {
		s.fail(w, r, a.request, err)
		return
	}
	c, position, ok := columnFromForm(r, *saved)
	d, f := s.columnForm(a, &c, position)
	d.Title = s.msgs.T(a.lang, "admin.column.edit", saved.Name)
	if !ok {
		f.problem("position", s.msgs.T(a.lang, "admin.problem.whole_number"))
		s.refuse(a.lang, f, c.Validate())
		s.renderForm(w, r, a, http.StatusBadRequest, d)
		return
	}
	if _, err := checklist.ParsePolicy(c.Checklist); err != nil {
		s.refuse(a.lang, f, err)
		s.renderForm(w, r, a, http.StatusBadRequest, d)
		return
	}
	upd := herald.ColumnUpdate{Name: &c.Name, NameEn: &c.NameEn, ReviewLevels: &c.ReviewLevels, Position: &c.Position, Checklist: &c.Checklist}
	_, err = a.dir.UpdateColumn(r.Context(), a.staff, saved.ID, upd)
	s.finishForm(w, r, a, d, f, err, "/newsroom/admin/columns?done=1")
}

func (s *Server) adminThemes(w http.ResponseWriter, r *http.Request, a *adminRequest) {
	themes, err := s.Store.FindThemes(r.Context())
	if err != nil {
		s.fail(w, r, a.request, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin-themes", a.request, s.msgs.T(a.lang, "admin.themes"), themes)
}

// themeForm is the form for a new theme (t.ID 0) or for changing one, holding
// t as typed.
func (s *Server) themeForm(a *adminRequest, t *herald.Theme) (*adminForm, *formSpec) {
	T := func(key string, args ...any) string { return s.msgs.T(a.lang, key, args...) }
	d := &adminForm{Back: link{"/newsroom/admin/themes", T("admin.themes")}}
	f := &formSpec{ID: "theme", Submit: T("admin.save")}
	var fields []*field
	if t.ID == 0 {
		d.Title, f.Action = T("admin.theme.new"), "/newsroom/admin/themes"
		fields = append(fields, &field{Name: "slug", Label: T("admin.slug"), Type: "text", Value: t.Slug, Required: true, Max: 64,
			Hint: T("admin.slug_hint"), Autocomplete: "off"})
	} else {
		d.Title, f.Action = T("admin.theme.edit", t.Name), "/newsroom/admin/themes/"+idText(t.ID)
		fields = append(fields, &field{Name: "slug", Label: T("admin.slug"), Type: "static", Value: t.Slug, Hint: T("admin.slug_fixed")})
	}
	fields = append(fields,
		&field{Name: "name", Label: T("admin.theme.name"), Type: "text", Value: t.Name, Required: true, Max: 200},
		&field{Name: "name_en", Label: T("admin.name_en"), Type: "text", Value: t.NameEn, Max: 200, Hint: T("admin.optional")},
		&field{Name: "description", Label: T("admin.theme.description"), Type: "textarea", Value: t.Description, Max: 2000, Rows: 4, Hint: T("admin.optional")})
	f.Groups = []*fieldGroup{{Fields: fields}}
	d.Forms = []*formSpec{f}
	return d, f
}

func themeFromForm(r *http.Request, base herald.Theme) herald.Theme {
	t := base
	if t.ID == 0 {
		t.Slug = strings.ToLower(strings.TrimSpace(r.PostFormValue("slug")))
	}
	t.Name, t.NameEn = strings.TrimSpace(r.PostFormValue("name")), strings.TrimSpace(r.PostFormValue("name_en"))
	t.Description = strings.TrimSpace(r.PostFormValue("description"))
	return t
}

func (s *Server) adminNewTheme(w http.ResponseWriter, r *http.Request, a *adminRequest) {
	d, _ := s.themeForm(a, &herald.Theme{})
	s.renderForm(w, r, a, http.StatusOK, d)
}

func (s *Server) adminCreateTheme(w http.ResponseWriter, r *http.Request, a *adminRequest) {
	t := themeFromForm(r, herald.Theme{})
	d, f := s.themeForm(a, &t)
	s.finishForm(w, r, a, d, f, a.dir.CreateTheme(r.Context(), a.staff, &t), "/newsroom/admin/themes?done=1")
}

// findTheme is the theme the path names.
func (s *Server) findTheme(r *http.Request, a *adminRequest) (*herald.Theme, error) {
	themes, err := s.Store.FindThemes(r.Context())
	return pathItem(r, themes, err, func(t *herald.Theme) int64 { return t.ID }, s.msgs.T(a.lang, "admin.no_theme"))
}

func (s *Server) adminEditTheme(w http.ResponseWriter, r *http.Request, a *adminRequest) {
	t, err := s.findTheme(r, a)
	if err != nil {
		s.fail(w, r, a.request, err)
		return
	}
	d, _ := s.themeForm(a, t)
	s.renderForm(w, r, a, http.StatusOK, d)
}

func (s *Server) adminUpdateTheme(w http.ResponseWriter, r *http.Request, a *adminRequest) {
	saved, err := s.findTheme(r, a)
	if err != nil {
		s.fail(w, r, a.request, err)
		return
	}
	t := themeFromForm(r, *saved)
	d, f := s.themeForm(a, &t)
	d.Title = s.msgs.T(a.lang, "admin.theme.edit", saved.Name)
	upd := herald.ThemeUpdate{Name: &t.Name, NameEn: &t.NameEn, Description: &t.Description}
	_, err = a.dir.UpdateTheme(r.Context(), a.staff, saved.ID, upd)
	s.finishForm(w, r, a, d, f, err, "/newsroom/admin/themes?done=1")
}
