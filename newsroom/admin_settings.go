package newsroom

import (
	"net/http"
	"strings"
	"time"

	"github.com/heraldnews/herald"
)

// settingsField is one field of the site settings form; its label and hint are
// the catalogs' admin.settings.NAME and admin.settings.NAME_hint.
type settingsField struct {
	name, kind string
	max, rows  int
	hint       bool
}

// settingsGroups lay out every field of herald.SiteSettings, in the order of
// the public page: the site, its header and footer lines, contacts, the public
// account, the about and contact pages, and mourning days.
var settingsGroups = []struct {
	legend string
	fields []settingsField
}{
	{"admin.settings.site", []settingsField{{name: "site_name", kind: "text", max: 200}, {name: "site_name_en", kind: "text", max: 200},
		{name: "description", kind: "textarea", max: 300, rows: 2, hint: true}}},
	{"admin.settings.footer", []settingsField{{name: "supervisor", kind: "text", max: 300}, {name: "guidance", kind: "text", max: 300},
		{name: "copyright", kind: "text", max: 300}, {name: "icp", kind: "text", max: 300, hint: true},
		{name: "public_security_filing", kind: "text", max: 300}, {name: "news_licence", kind: "text", max: 300},
		{name: "disclaimer", kind: "textarea", max: 2000, rows: 3}}},
	{"admin.settings.contacts", []settingsField{{name: "hotline", kind: "tel", max: 300}, {name: "mailbox", kind: "email", max: 300},
		{name: "submission_group", kind: "text", max: 300}, {name: "staff_inquiries", kind: "text", max: 300},
		{name: "legal_counsel", kind: "text", max: 300}}},
	{"admin.settings.account", []settingsField{{name: "public_account_name", kind: "text", max: 300},
		{name: "public_account_url", kind: "text", max: 500, hint: true}}},
	{"admin.settings.pages", []settingsField{{name: "about_html", kind: "textarea", rows: 8, hint: true},
		{name: "contact_html", kind: "textarea", rows: 8, hint: true}}},
	{"admin.settings.mourning", []settingsField{{name: "mourning_from", kind: "datetime-local", hint: true},
		{name: "mourning_until", kind: "datetime-local", hint: true}}},
}

// settingsText points at the text fields of the settings by form name.
func settingsText(set *herald.SiteSettings) map[string]*string {
	return map[string]*string{
		"site_name": &set.SiteName, "site_name_en": &set.SiteNameEn, "description": &set.Description,
		"supervisor": &set.Supervisor, "guidance": &set.Guidance, "copyright": &set.Copyright, "icp": &set.ICP,
		"public_security_filing": &set.PublicSecurityFiling, "news_licence": &set.NewsLicence, "disclaimer": &set.Disclaimer,
		"hotline": &set.Hotline, "mailbox": &set.Mailbox, "submission_group": &set.SubmissionGroup,
		"staff_inquiries": &set.StaffInquiries, "legal_counsel": &set.LegalCounsel,
		"public_account_name": &set.PublicAccountName, "public_account_url": &set.PublicAccountURL,
		"about_html": &set.AboutHTML, "contact_html": &set.ContactHTML,
	}
}

// localTimeLayout is how datetime-local inputs send a time (China time here).
const localTimeLayout = "2006-01-02T15:04"

// settingsForm is the settings form holding set as typed; times holds the
// mourning fields as typed.
func (s *Server) settingsForm(a *adminRequest, set *herald.SiteSettings, times map[string]string) (*adminForm, *formSpec) {
	T := func(key string, args ...any) string { return s.msgs.T(a.lang, key, args...) }
	d := &adminForm{Title: T("admin.settings"), Back: link{"/newsroom/admin/", T("admin.title")}, Intro: T("admin.settings.intro")}
	if !set.UpdatedAt.IsZero() {
		d.Intro += " " + T("admin.settings.saved_at", cstTime(&set.UpdatedAt))
	}
	f := &formSpec{ID: "settings", Action: "/newsroom/admin/settings", Submit: T("admin.save")}
	text := settingsText(set)
	for _, g := range settingsGroups {
		group := &fieldGroup{Legend: T(g.legend)}
		for _, sf := range g.fields {
			fl := &field{Name: sf.name, Label: T("admin.settings." + sf.name), Type: sf.kind, Max: sf.max, Rows: sf.rows, Required: sf.name == "site_name"}
			if p := text[sf.name]; p != nil {
				fl.Value = *p
			} else {
				fl.Value = times[sf.name]
			}
			if sf.hint {
				fl.Hint = T("admin.settings." + sf.name + "_hint")
			}
			if sf.kind != "textarea" {
				fl.Autocomplete = "off"
			}
			group.Fields = append(group.Fields, fl)
		}
		f.Groups = append(f.Groups, group)
	}
	d.Forms = []*formSpec{f}
	return d, f
}

// mourningTimes are the mourning fields as the form shows them.
func mourningTimes(set *herald.SiteSettings) map[string]string {
	m := map[string]string{}
	for name, t := range map[string]*time.Time{"mourning_from": set.MourningFrom, "mourning_until": set.MourningUntil} {
		if t != nil {
			m[name] = t.In(CST).Format(localTimeLayout)
		}
	}
	return m
}

func (s *Server) adminSettings(w http.ResponseWriter, r *http.Request, a *adminRequest) {
	set, err := s.Store.FindSettings(r.Context())
	if err != nil {
		s.fail(w, r, a.request, err)
		return
	}
	d, _ := s.settingsForm(a, set, mourningTimes(set))
	s.renderForm(w, r, a, http.StatusOK, d)
}

func (s *Server) adminSaveSettings(w http.ResponseWriter, r *http.Request, a *adminRequest) {
	saved, err := s.Store.FindSettings(r.Context())
	if err != nil {
		s.fail(w, r, a.request, err)
		return
	}
	set := herald.SiteSettings{UpdatedAt: saved.UpdatedAt}
	for name, p := range settingsText(&set) {
		*p = strings.TrimSpace(r.PostFormValue(name))
	}
	times := map[string]string{}
	var badTimes []string
	for name, dst := range map[string]**time.Time{"mourning_from": &set.MourningFrom, "mourning_until": &set.MourningUntil} {
		v := strings.TrimSpace(r.PostFormValue(name))
		times[name] = v
		if v == "" {
			continue
		}
		t, err := time.ParseInLocation(localTimeLayout, v, CST)
		if err != nil {
			badTimes = append(badTimes, name)
			continue
		}
		*dst = &t
	}
	d, f := s.settingsForm(a, &set, times)
	if len(badTimes) > 0 {
		for _, name := range badTimes {
			f.problem(name, s.msgs.T(a.lang, "admin.problem.datetime"))
		}
		s.refuse(a.lang, f, set.Validate())
		s.renderForm(w, r, a, http.StatusBadRequest, d)
		return
	}
	stored := set // the store sanitizes the pages of its copy; the form keeps what was typed
	s.finishForm(w, r, a, d, f, a.dir.UpdateSettings(r.Context(), a.staff, &stored), "/newsroom/admin/settings?done=1")
}
