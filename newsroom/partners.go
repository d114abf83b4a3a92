package newsroom

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/httpx"
	"github.com/heraldnews/herald/syndication"
)

// The partner pages: the outside newspapers, periodicals and sites that take
// the print channel's stories (package syndication), what was pushed to them
// and where the stories ran. Editors see them; the editor-in-chief and
// administrators — the syndication service's managers — add partners, change
// them and issue their tokens.
//
// A token is shown once, in the answer to the form that made it: the page is
// rendered in the POST's own response, never behind a redirect, so that the
// token is in no URL, history entry, Referer or access log, and no-store keeps
// it out of caches. Reloading that answer posts the form again, which a taken
// slug (a new partner) or a stale version (a rotation) refuses: the token
// cannot be issued twice by accident.

func mayManagePartners(st *herald.Staff) bool { return syndication.MayManage(st) == nil }

// Page sizes of a partner's page.
const (
	partnerDeliveriesShown = 20
	partnerPlacementsShown = 50
	articlePlacementsShown = 100
)

// syndicationService is the service the partner pages run on: the one the
// newsroom was given, or one over its store.
func (s *Server) syndicationService() *syndication.Service {
	if s.Syndication != nil {
		return s.Syndication
	}
	return syndication.New(s.Store, s.Auth.Clock, s.BaseURL, s.Log)
}

// partnersView is what the partner pages' template gets: the list, or one
// partner's page.
type partnersView struct {
	List *partnerList
	One  *partnerPage
}

// partnerList is the list of partners with the form that adds one.
type partnerList struct {
	Rows      []partnerRow
	CanManage bool
	New       partnerForm
}

// partnerRow is a partner with its fields in the reader's language.
type partnerRow struct {
	Partner                        *herald.Partner
	Kind, Level, Format, Languages string
}

// partnerForm is the form that adds or changes a partner, holding the
// stored values or those of a refused post.
type partnerForm struct {
	Slug, Name, Kind, Level, Languages, Format, PushURL string
	Version                                             int
	Kinds, Levels, Formats                              []option
	Fields                                              map[string]string
	Problems                                            []string
}

// partnerPage is one partner's page.
type partnerPage struct {
	Row       partnerRow
	CanManage bool
	Form      partnerForm
	// Token is the token just issued, shown this once, and Curl a pull with it.
	Token, Curl string
	// Problem is what stopped a change, shown above the page; Conflict says
	// someone else changed the partner meanwhile.
	Problem  string
	Conflict bool
	// Deliveries are the latest pushes to the partner.
	Deliveries []partnerDelivery
	// Placements are the latest of the PlacementsTotal the partner reported.
	Placements      []placementRow
	PlacementsTotal int
	// kept says Form holds a refused post, not the stored partner.
	kept bool
}

// partnerDelivery is one push to a partner.
type partnerDelivery struct {
	Delivery *herald.Delivery
	Article  *herald.Article // nil when the reader may not see it
}

// placementRow is one placement as the pages list it.
type placementRow struct {
	Placement  *herald.Placement
	Article    *herald.Article // on a partner's page; nil when the reader may not see it
	Level      string
	Date       string
	Status     string
	ReportedBy string
}

func partnerPath(id int64) string { return "/newsroom/partners/" + idText(id) }

// refusePartnerViewers answers 403 to those who may not see partners.
func (s *Server) refusePartnerViewers(w http.ResponseWriter, r *http.Request, req *request) bool {
	if syndication.MayView(req.staff) == nil {
		return false
	}
	s.fail(w, r, req, herald.Errorf(herald.EFORBIDDEN, "%s", s.msgs.T(req.lang, "partners.forbidden")))
	return true
}

// refusePartnerChanges answers 403 to those who may not change partners.
func (s *Server) refusePartnerChanges(w http.ResponseWriter, r *http.Request, req *request) bool {
	if s.refusePartnerViewers(w, r, req) {
		return true
	}
	if mayManagePartners(req.staff) {
		return false
	}
	s.fail(w, r, req, herald.Errorf(herald.EFORBIDDEN, "%s", s.msgs.T(req.lang, "partners.managers_only")))
	return true
}

// loadPartner finds the partner the path names.
func (s *Server) loadPartner(r *http.Request, req *request) (*herald.Partner, error) {
	return loadByID(s, r, req, "partners.not_found", s.Store.FindPartnerByID)
}

func (s *Server) partnersPage(w http.ResponseWriter, r *http.Request, req *request) {
	if s.refusePartnerViewers(w, r, req) {
		return
	}
	s.renderPartners(w, r, req, http.StatusOK, partnerForm{Kind: string(herald.KindNewspaper), Level: string(herald.LevelProvincial), Format: herald.FormatNINJS})
}

// renderPartners draws the list, with the new-partner form holding f.
func (s *Server) renderPartners(w http.ResponseWriter, r *http.Request, req *request, status int, f partnerForm) {
	ps, err := s.Store.FindPartners(r.Context())
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	d := &partnerList{CanManage: mayManagePartners(req.staff), New: f}
	for _, p := range ps {
		d.Rows = append(d.Rows, s.partnerRow(req.lang, p))
	}
	s.partnerOptions(req.lang, &d.New)
	s.render(w, r, status, "partners", req, s.msgs.T(req.lang, "partners.title"), partnersView{List: d})
}

// partnerRow describes a partner in lang.
func (s *Server) partnerRow(lang string, p *herald.Partner) partnerRow {
	row := partnerRow{Partner: p, Kind: s.msgs.T(lang, "partners.kind."+string(p.Kind)), Level: s.levelName(lang, p.Level),
		Format: formatName(p.Format), Languages: strings.Join(p.Languages, ", ")}
	if row.Languages == "" {
		row.Languages = s.msgs.T(lang, "partners.all_languages")
	}
	return row
}

func (s *Server) levelName(lang string, l herald.OutletLevel) string {
	return s.msgs.T(lang, "partners.level."+string(l))
}

// formatName is a feed format's name, the same in every language.
func formatName(format string) string {
	switch format {
	case herald.FormatNINJS:
		return "NINJS"
	case herald.FormatNewsML:
		return "NewsML-G2"
	}
	return format
}

// partnerOptions fills the form's choices, marking its values.
func (s *Server) partnerOptions(lang string, f *partnerForm) {
	f.Kinds, f.Levels, f.Formats = nil, nil, nil
	for _, k := range herald.OutletKinds {
		f.Kinds = append(f.Kinds, option{Value: string(k), Label: s.msgs.T(lang, "partners.kind."+string(k)), Selected: string(k) == f.Kind})
	}
	for _, l := range herald.OutletLevels {
		f.Levels = append(f.Levels, option{Value: string(l), Label: s.levelName(lang, l), Selected: string(l) == f.Level})
	}
	for _, format := range []string{herald.FormatNINJS, herald.FormatNewsML} {
		f.Formats = append(f.Formats, option{Value: format, Label: s.msgs.T(lang, "partners.format."+format), Selected: format == f.Format})
	}
	if f.Fields == nil {
		f.Fields = map[string]string{}
	}
}

// formOfPartner is the form holding a partner's stored values.
func formOfPartner(p *herald.Partner) partnerForm {
	return partnerForm{Slug: p.Slug, Name: p.Name, Kind: string(p.Kind), Level: string(p.Level), Languages: strings.Join(p.Languages, ", "),
		Format: p.Format, PushURL: p.PushURL, Version: p.Version}
}

// postedPartnerForm reads the partner form as posted.
func postedPartnerForm(r *http.Request) partnerForm {
	f := partnerForm{Slug: strings.TrimSpace(r.PostFormValue("slug")), Name: strings.TrimSpace(r.PostFormValue("name")),
		Kind: r.PostFormValue("kind"), Level: r.PostFormValue("level"), Languages: strings.TrimSpace(r.PostFormValue("languages")),
		Format: r.PostFormValue("format"), PushURL: strings.TrimSpace(r.PostFormValue("push_url"))}
	f.Version, _ = strconv.Atoi(r.PostFormValue("version"))
	return f
}

// splitLanguages reads the languages field: tags separated by commas (the
// Chinese ones too) or spaces, each once; none means every language.
func splitLanguages(v string) []string {
	out := []string{}
	for _, tag := range strings.FieldsFunc(v, func(r rune) bool {
		return r == ',' || r == '，' || r == '、' || r == ';' || r == '；' || unicode.IsSpace(r)
	}) {
		if !slices.Contains(out, tag) {
			out = append(out, tag)
		}
	}
	return out
}

func (s *Server) createPartner(w http.ResponseWriter, r *http.Request, req *request) {
	if s.refusePartnerChanges(w, r, req) {
		return
	}
	f := postedPartnerForm(r)
	p := &herald.Partner{Slug: f.Slug, Name: f.Name, Kind: herald.OutletKind(f.Kind), Level: herald.OutletLevel(f.Level),
		Languages: splitLanguages(f.Languages), Format: f.Format, PushURL: f.PushURL}
	token, err := s.syndicationService().CreatePartner(r.Context(), req.staff, p)
	if err == nil {
		w.Header().Set("Location", partnerPath(p.ID))
		s.renderPartner(w, r, req, http.StatusCreated, p, &partnerPage{Token: token})
		return
	}
	switch herald.ErrorCode(err) {
	case herald.EINVALID:
		f.Fields, f.Problems = s.partnerProblems(req.lang, err)
	case herald.ECONFLICT: // the store's only conflict on creation: the slug is taken
		f.Fields = map[string]string{"slug": s.msgs.T(req.lang, "partners.problem.slug_taken")}
	default:
		s.fail(w, r, req, err)
		return
	}
	s.renderPartners(w, r, req, httpx.Status(err), f)
}

func (s *Server) partnerPage(w http.ResponseWriter, r *http.Request, req *request) {
	if s.refusePartnerViewers(w, r, req) {
		return
	}
	p, err := s.loadPartner(r, req)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	s.renderPartner(w, r, req, http.StatusOK, p, &partnerPage{})
}

// renderPartner draws a partner's page; d brings what the request adds (a
// token just issued, a refused form, a problem).
func (s *Server) renderPartner(w http.ResponseWriter, r *http.Request, req *request, status int, p *herald.Partner, d *partnerPage) {
	ctx := r.Context()
	d.Row, d.CanManage = s.partnerRow(req.lang, p), mayManagePartners(req.staff)
	if !d.kept {
		d.Form = formOfPartner(p)
	}
	s.partnerOptions(req.lang, &d.Form)
	if d.Token != "" {
		d.Curl = "curl -s -H 'Authorization: Bearer " + d.Token + "' " + s.siteURL(r) + "/api/v1/syndication/items"
	}
	var err error
	if d.Deliveries, err = s.partnerDeliveries(ctx, req, p); err != nil {
		s.fail(w, r, req, err)
		return
	}
	pls, total, err := s.Store.FindPlacements(ctx, herald.PlacementFilter{PartnerID: p.ID, Limit: partnerPlacementsShown})
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	d.PlacementsTotal = total
	if d.Placements, err = s.placementRows(ctx, req, pls, true); err != nil {
		s.fail(w, r, req, err)
		return
	}
	s.render(w, r, status, "partners", req, p.Name, partnersView{One: d})
}

// partnerDeliveries finds the latest pushes to p.
func (s *Server) partnerDeliveries(ctx context.Context, req *request, p *herald.Partner) ([]partnerDelivery, error) {
	mine, _, err := s.Store.FindDeliveries(ctx, herald.DeliveryFilter{Channel: herald.ChannelPrint, Target: syndication.Target(p), Limit: partnerDeliveriesShown})
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(mine))
	for i, d := range mine {
		ids[i] = d.ArticleID
	}
	visible, err := s.visibleArticles(ctx, req.staff, ids)
	if err != nil {
		return nil, err
	}
	out := make([]partnerDelivery, len(mine))
	for i, d := range mine {
		out[i] = partnerDelivery{Delivery: d, Article: visible[d.ArticleID]}
	}
	return out, nil
}

// placementRows describes placements in the reader's language; withArticles
// finds the articles too, for a partner's page, naming only those the
// reader may see.
func (s *Server) placementRows(ctx context.Context, req *request, pls []*herald.Placement, withArticles bool) ([]placementRow, error) {
	if len(pls) == 0 {
		return nil, nil
	}
	visible := map[int64]*herald.Article{}
	if withArticles {
		var ids []int64
		for _, pl := range pls {
			ids = append(ids, pl.ArticleID)
		}
		var err error
		if visible, err = s.visibleArticles(ctx, req.staff, ids); err != nil {
			return nil, err
		}
	}
	partners, err := s.Store.FindPartners(ctx)
	if err != nil {
		return nil, err
	}
	partnerNames := map[int64]string{}
	for _, p := range partners {
		partnerNames[p.ID] = p.Name
	}
	staffNames := map[int64]string{}
	out := make([]placementRow, len(pls))
	for i, pl := range pls {
		row := placementRow{Placement: pl, Article: visible[pl.ArticleID], Level: s.levelName(req.lang, pl.Level),
			Date: pl.Date.In(CST).Format("2006-01-02"), Status: s.msgs.T(req.lang, "placements.status."+string(pl.Status))}
		switch {
		case pl.PartnerID != 0:
			name := partnerNames[pl.PartnerID]
			if name == "" {
				name = pl.Outlet
			}
			row.ReportedBy = s.msgs.T(req.lang, "placements.by_partner", name)
		case pl.CreatedBy != 0:
			name, ok := staffNames[pl.CreatedBy]
			if !ok {
				if st, err := s.Store.FindStaffByID(ctx, pl.CreatedBy); err == nil {
					name = st.Byline()
				} else if herald.ErrorCode(err) != herald.ENOTFOUND {
					return nil, err
				}
				staffNames[pl.CreatedBy] = name
			}
			row.ReportedBy = s.msgs.T(req.lang, "placements.by_staff", name)
		}
		out[i] = row
	}
	return out, nil
}

// articlePlacements lists where an article ran, for its page.
func (s *Server) articlePlacements(ctx context.Context, req *request, a *herald.Article) ([]placementRow, error) {
	pls, _, err := s.Store.FindPlacements(ctx, herald.PlacementFilter{ArticleID: a.ID, Limit: articlePlacementsShown})
	if err != nil {
		return nil, err
	}
	return s.placementRows(ctx, req, pls, false)
}

func (s *Server) savePartner(w http.ResponseWriter, r *http.Request, req *request) {
	if s.refusePartnerChanges(w, r, req) {
		return
	}
	p, err := s.loadPartner(r, req)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	f := postedPartnerForm(r)
	f.Slug = p.Slug // not changed here: pushes and the partner's own records name it
	kind, level, languages := herald.OutletKind(f.Kind), herald.OutletLevel(f.Level), splitLanguages(f.Languages)
	change := herald.PartnerUpdate{Version: f.Version, Name: &f.Name, Kind: &kind, Level: &level, Languages: &languages,
		Format: &f.Format, PushURL: &f.PushURL}
	_, err = s.syndicationService().UpdatePartner(r.Context(), req.staff, p.ID, change)
	switch herald.ErrorCode(err) {
	case "":
		http.Redirect(w, r, withFlash(partnerPath(p.ID), "partner_saved"), http.StatusSeeOther)
	case herald.ECONFLICT:
		// Keep the editor's form, now based on the stored version: saving it
		// again overwrites the other change knowingly.
		now, ferr := s.Store.FindPartnerByID(r.Context(), p.ID)
		if ferr != nil {
			s.fail(w, r, req, ferr)
			return
		}
		had := f.Version
		f.Version = now.Version
		s.renderPartner(w, r, req, http.StatusConflict, now, &partnerPage{Form: f, kept: true, Conflict: true,
			Problem: s.msgs.T(req.lang, "partners.conflict_edit", now.Version, had)})
	case herald.EINVALID:
		f.Fields, f.Problems = s.partnerProblems(req.lang, err)
		s.renderPartner(w, r, req, http.StatusBadRequest, p, &partnerPage{Form: f, kept: true,
			Problem: strings.Join(append([]string{s.msgs.T(req.lang, "partners.save_refused")}, f.Problems...), " ")})
	default:
		s.fail(w, r, req, err)
	}
}

func (s *Server) disablePartner(w http.ResponseWriter, r *http.Request, req *request) {
	s.switchPartner(w, r, req, true)
}

func (s *Server) enablePartner(w http.ResponseWriter, r *http.Request, req *request) {
	s.switchPartner(w, r, req, false)
}

// switchPartner disables or enables a partner: a disabled one can neither
// pull nor report, and is pushed nothing.
func (s *Server) switchPartner(w http.ResponseWriter, r *http.Request, req *request, disabled bool) {
	if s.refusePartnerChanges(w, r, req) {
		return
	}
	p, err := s.loadPartner(r, req)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	_, err = s.syndicationService().UpdatePartner(r.Context(), req.staff, p.ID, herald.PartnerUpdate{Version: version, Disabled: &disabled})
	switch herald.ErrorCode(err) {
	case "":
		done := map[bool]string{true: "partner_disabled", false: "partner_enabled"}[disabled]
		http.Redirect(w, r, withFlash(partnerPath(p.ID), done), http.StatusSeeOther)
	case herald.ECONFLICT:
		s.partnerConflict(w, r, req, p.ID, version)
	default:
		s.fail(w, r, req, err)
	}
}

// rotatePartnerToken issues a partner a new token and shows it, this once;
// the old one stops working at once.
func (s *Server) rotatePartnerToken(w http.ResponseWriter, r *http.Request, req *request) {
	if s.refusePartnerChanges(w, r, req) {
		return
	}
	p, err := s.loadPartner(r, req)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	token, saved, err := s.syndicationService().RotateToken(r.Context(), req.staff, p.ID, version)
	switch herald.ErrorCode(err) {
	case "":
		s.renderPartner(w, r, req, http.StatusOK, saved, &partnerPage{Token: token})
	case herald.ECONFLICT:
		s.partnerConflict(w, r, req, p.ID, version)
	default:
		s.fail(w, r, req, err)
	}
}

// backToPartner sends a GET of an action's address — the page a POST answered
// with, reloaded or come back to after switching the language — to the
// partner's page: a token once shown is not shown again.
func (s *Server) backToPartner(w http.ResponseWriter, r *http.Request, req *request) {
	if s.refusePartnerViewers(w, r, req) {
		return
	}
	p, err := s.loadPartner(r, req)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	http.Redirect(w, r, partnerPath(p.ID), http.StatusSeeOther)
}

// partnerConflict shows the partner as it is now, saying that an action
// taken on version had was not carried out.
func (s *Server) partnerConflict(w http.ResponseWriter, r *http.Request, req *request, id int64, had int) {
	now, err := s.Store.FindPartnerByID(r.Context(), id)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	s.renderPartner(w, r, req, http.StatusConflict, now, &partnerPage{Conflict: true,
		Problem: s.msgs.T(req.lang, "partners.conflict", now.Version, had)})
}

// partnerFormFields are the fields of the partner form, as the service's
// errors name them.
var partnerFormFields = []string{"slug", "name", "kind", "level", "languages", "format", "push_url"}

// partnerProblems puts err's field messages, in lang, next to the partner
// form's fields; the messages of other fields, or of none, are returned apart.
func (s *Server) partnerProblems(lang string, err error) (map[string]string, []string) {
	return fieldProblems(err, func(fe herald.FieldError) string { return s.partnerProblemText(lang, fe) }, partnerFormFields...)
}

// partnerProblemPatterns translate the field messages of partners that the
// admin pages' table has not; the captured text is the catalog text's argument.
var partnerProblemPatterns = []struct {
	re  *regexp.Regexp
	key string
}{
	{regexp.MustCompile(`^must be one of [a-z_, ]+$`), "admin.problem.choose"},
	{regexp.MustCompile(`^must be ` + herald.FormatNINJS + ` or ` + herald.FormatNewsML + `$`), "admin.problem.choose"},
	{regexp.MustCompile(`^(".*") is not a BCP 47 language tag such as zh-CN or en$`), "partners.problem.language"},
	{regexp.MustCompile(`^must be an http or https URL without credentials$`), "partners.problem.push_url"},
}

// partnerProblemText is a field message of the partner form in lang.
func (s *Server) partnerProblemText(lang string, fe herald.FieldError) string {
	return s.patternProblemText(lang, fe, partnerProblemPatterns)
}
