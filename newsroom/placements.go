package newsroom

import (
	"cmp"
	"context"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/httpx"
	"github.com/heraldnews/herald/scoring"
	"github.com/heraldnews/herald/search"
)

// The placements page (见报登记): staff record that an outside outlet
// carried one of their unit's published pieces, with a clipping or
// screenshot uploaded in the same form; they follow what became of their
// records; editors verify or reject the records of others. The scoring
// service decides who may record and review, and audits each change; the
// page offers only what it would allow and shows its refusals next to the
// field they concern.
//
// The form is multipart and works without JavaScript. An image that came
// with a refused form has been stored already: the form gives back its path
// in a hidden field, with its thumbnail, so that it is not uploaded again.

// placementRecorders are the roles that see the page: everyone but those
// who only read.
var placementRecorders = []herald.Role{herald.RoleAdmin, herald.RoleEditorInChief, herald.RoleEditor, herald.RoleCorrespondent,
	herald.RoleTranslator, herald.RoleTrainer}

// mayRecordPlacements reports whether st gets the placements page.
func mayRecordPlacements(st *herald.Staff) bool {
	return st.Active() && st.HasRole(placementRecorders...)
}

// mayRecordPlacementOf reports whether st may record where a published
// article ran, as the scoring service rules: its authors, its unit's staff
// and the reviewers.
func mayRecordPlacementOf(st *herald.Staff, a *herald.Article) bool {
	return mayRecordPlacements(st) && a.Status == herald.StatusPublished &&
		(a.IsAuthor(st.ID) || a.UnitID == st.UnitID || scoring.MayReview(st))
}

// Sizes of the page's lists.
const (
	placementArticlesOffered = 30  // published pieces offered in the form
	placementArticlesScanned = 300 // recent pieces a search without the search service looks through
	placementsMineShown      = 50
	placementsPendingShown   = 100
	placementsVerifiedShown  = 20
)

// placementsData is the placements page.
type placementsData struct {
	Form placementForm
	// Mine are the reader's records and those of their unit's pieces;
	// MineMore says there are older ones.
	Mine     []placementItem
	MineMore bool
	// CanReview offers the queue: Pending waits for an editor, Verified may
	// still be rejected.
	CanReview         bool
	Pending, Verified []placementItem
	PendingTotal      int
	// ReviewProblem is why a review was refused, said at the top of the
	// page, with a link to the placement when a list shows it (ReviewedID).
	ReviewProblem string
	ReviewedID    int64
}

// placementForm is the form that records a placement, holding what was
// posted when it was refused.
type placementForm struct {
	// the search that chooses the offered pieces
	Q        string
	Articles []option
	// the fields
	ArticleID                                int64
	Outlet, Level, Date, Page, URL, Evidence string
	Thumb                                    *evidenceView // of Evidence
	Levels                                   []option
	Outlets                                  []string // partners' names, offered while typing
	Today                                    string
	Fields                                   map[string]string
	Problem                                  string // a refusal about no one field: a duplicate
}

// placementItem is one placement of the page's lists.
type placementItem struct {
	placementRow
	Evidence   *evidenceView
	ReviewedBy string
	Reviewed   string // when, CST
	// Mine says the reader recorded it: another editor reviews it.
	Mine bool
	// Problem is why a review of it was just refused, and Reason the
	// refused rejection's reason, kept.
	Problem, Reason string
	Field           string // "reason" when Problem is about the reason
}

// evidenceView is an evidence image: the full image and its thumbnail.
type evidenceView struct {
	Href, Src     string
	Width, Height int
}

func placementsPath() string { return "/newsroom/placements" }

// refusePlacementReaders answers 403 to those who only read.
func (s *Server) refusePlacementReaders(w http.ResponseWriter, r *http.Request, req *request) bool {
	if mayRecordPlacements(req.staff) {
		return false
	}
	s.fail(w, r, req, herald.Errorf(herald.EFORBIDDEN, "%s", s.msgs.T(req.lang, "placements.forbidden")))
	return true
}

func (s *Server) placementsPage(w http.ResponseWriter, r *http.Request, req *request) {
	if s.refusePlacementReaders(w, r, req) {
		return
	}
	f := placementForm{Q: strings.TrimSpace(r.URL.Query().Get("q")), Level: string(herald.LevelProvincial),
		ArticleID: formID(r.URL.Query().Get("article")), Fields: map[string]string{}}
	if f.ArticleID != 0 {
		visible, err := s.visibleArticles(r.Context(), req.staff, []int64{f.ArticleID})
		if err != nil {
			s.fail(w, r, req, err)
			return
		}
		switch a := visible[f.ArticleID]; {
		case a == nil:
			f.ArticleID = 0
		case !mayRecordPlacementOf(req.staff, a):
			f.Fields["article_id"] = s.msgs.T(req.lang, "placements.problem.not_yours")
			if a.Status != herald.StatusPublished {
				f.Fields["article_id"] = s.msgs.T(req.lang, "placements.problem.unpublished")
			}
		}
	}
	s.renderPlacements(w, r, req, http.StatusOK, &f, nil)
}

// renderPlacements draws the page with the form holding f; reviewed, if
// given, is a placement whose review was refused, with why.
func (s *Server) renderPlacements(w http.ResponseWriter, r *http.Request, req *request, status int, f *placementForm, reviewed *placementItem) {
	ctx := r.Context()
	d := &placementsData{Form: *f, CanReview: scoring.MayReview(req.staff)}
	if err := s.fillPlacementForm(ctx, req, &d.Form); err != nil {
		s.fail(w, r, req, err)
		return
	}
	thumbs := evidenceThumbs{}
	var err error
	if d.Mine, d.MineMore, err = s.myPlacements(ctx, req, thumbs); err != nil {
		s.fail(w, r, req, err)
		return
	}
	if d.CanReview {
		pending, total, err := s.Store.FindPlacements(ctx, herald.PlacementFilter{Statuses: []herald.PlacementStatus{herald.PlacementPending},
			Limit: placementsPendingShown})
		if err != nil {
			s.fail(w, r, req, err)
			return
		}
		d.PendingTotal = total
		if d.Pending, err = s.placementItems(ctx, req, pending, thumbs); err != nil {
			s.fail(w, r, req, err)
			return
		}
		verified, _, err := s.Store.FindPlacements(ctx, herald.PlacementFilter{Statuses: []herald.PlacementStatus{herald.PlacementVerified},
			Limit: placementsVerifiedShown})
		if err != nil {
			s.fail(w, r, req, err)
			return
		}
		if d.Verified, err = s.placementItems(ctx, req, verified, thumbs); err != nil {
			s.fail(w, r, req, err)
			return
		}
		if reviewed != nil {
			d.ReviewProblem = reviewed.Problem
			for _, list := range [][]placementItem{d.Pending, d.Verified} {
				for i := range list {
					if list[i].Placement.ID == reviewed.Placement.ID {
						list[i].Problem, list[i].Reason, list[i].Field = reviewed.Problem, reviewed.Reason, reviewed.Field
						d.ReviewedID = reviewed.Placement.ID
					}
				}
			}
		}
	}
	s.render(w, r, status, "placements", req, s.msgs.T(req.lang, "placements.page_title"), d)
}

// fillPlacementForm adds the form's choices: the pieces offered, the
// levels, the outlets, today's date and the evidence's thumbnail.
func (s *Server) fillPlacementForm(ctx context.Context, req *request, f *placementForm) error {
	today := herald.CSTDay(s.Auth.Clock.Now()).Format(time.DateOnly)
	f.Today = today
	if f.Date == "" {
		f.Date = today
	}
	if f.Fields == nil {
		f.Fields = map[string]string{}
	}
	f.Levels = nil
	for _, l := range herald.OutletLevels {
		f.Levels = append(f.Levels, option{Value: string(l), Label: s.levelName(req.lang, l), Selected: string(l) == f.Level})
	}
	partners, err := s.Store.FindPartners(ctx)
	if err != nil {
		return err
	}
	for _, p := range partners {
		if !slices.Contains(f.Outlets, p.Name) {
			f.Outlets = append(f.Outlets, p.Name)
		}
	}
	offered, err := s.offeredArticles(ctx, req, f.Q)
	if err != nil {
		return err
	}
	// The piece chosen (from its page, or in a refused form) is offered
	// even when the list would not have it, if the reader may see it.
	if f.ArticleID != 0 && !slices.ContainsFunc(offered, func(a *herald.Article) bool { return a.ID == f.ArticleID }) {
		visible, err := s.visibleArticles(ctx, req.staff, []int64{f.ArticleID})
		if err != nil {
			return err
		}
		if a := visible[f.ArticleID]; a != nil {
			offered = append([]*herald.Article{a}, offered...)
		}
	}
	f.Articles = nil
	for _, a := range offered {
		label := a.Title
		if a.PublishedAt != nil {
			label += "（" + herald.DayString(*a.PublishedAt) + "）"
		}
		f.Articles = append(f.Articles, option{Value: idText(a.ID), Label: label, Selected: a.ID == f.ArticleID})
	}
	if f.Evidence != "" {
		if f.Thumb, err = (evidenceThumbs{}).of(ctx, s.Store, f.Evidence); err != nil {
			return err
		}
	}
	return nil
}

// offeredArticles are the published pieces the reader may record a
// placement of, newest first: of their unit and their own, or of every
// unit for a reviewer; those a search for q finds, when q is given.
func (s *Server) offeredArticles(ctx context.Context, req *request, q string) ([]*herald.Article, error) {
	me := req.staff
	all := scoring.MayReview(me)
	published := []herald.Status{herald.StatusPublished}
	var found []*herald.Article
	if q != "" && s.Search != nil {
		query := search.Query{Text: q, Limit: placementArticlesOffered, Sort: search.ByDate}
		if !all {
			query.UnitIDs = []int64{me.UnitID}
		}
		page, err := s.Search.Search(ctx, query)
		if err != nil && herald.ErrorCode(err) != herald.EINVALID {
			return nil, err
		}
		if page != nil {
			for _, h := range page.Hits {
				found = append(found, h.Article)
			}
		}
	} else {
		limit := placementArticlesOffered
		if q != "" {
			limit = placementArticlesScanned
		}
		f := herald.ArticleFilter{Statuses: published, Order: herald.ByPublished, NoBody: true, NoCount: true, Limit: limit}
		if !all {
			f.UnitIDs = []int64{me.UnitID}
		}
		var err error
		if found, _, err = s.Store.FindArticles(ctx, f); err != nil {
			return nil, err
		}
	}
	if !all {
		// their own pieces of other units (a correspondent who moved, a
		// piece written with another unit)
		own, _, err := s.Store.FindArticles(ctx, herald.ArticleFilter{Statuses: published, CreatedBy: me.ID, Order: herald.ByPublished,
			NoBody: true, NoCount: true, Limit: placementArticlesOffered})
		if err != nil {
			return nil, err
		}
		for _, a := range own {
			if !slices.ContainsFunc(found, func(b *herald.Article) bool { return b.ID == a.ID }) && (q == "" || titleHas(a, q)) {
				found = append(found, a)
			}
		}
	}
	out := found[:0:0]
	for _, a := range found {
		if a.Status == herald.StatusPublished && (q == "" || s.Search != nil || titleHas(a, q)) {
			out = append(out, a)
		}
	}
	slices.SortStableFunc(out, func(a, b *herald.Article) int { return publishedTime(b).Compare(publishedTime(a)) })
	if len(out) > placementArticlesOffered {
		out = out[:placementArticlesOffered]
	}
	return out, nil
}

func titleHas(a *herald.Article, q string) bool {
	return strings.Contains(strings.ToLower(a.Title), strings.ToLower(q))
}

func publishedTime(a *herald.Article) time.Time {
	if a.PublishedAt == nil {
		return time.Time{}
	}
	return *a.PublishedAt
}

// myPlacements are the placements the reader recorded and those of their
// unit's pieces, newest day first; more says there are older ones.
func (s *Server) myPlacements(ctx context.Context, req *request, thumbs evidenceThumbs) (items []placementItem, more bool, err error) {
	mine, mineTotal, err := s.Store.FindPlacements(ctx, herald.PlacementFilter{CreatedBy: req.staff.ID, Limit: placementsMineShown})
	if err != nil {
		return nil, false, err
	}
	unit, unitTotal, err := s.Store.FindPlacements(ctx, herald.PlacementFilter{UnitIDs: []int64{req.staff.UnitID}, Limit: placementsMineShown})
	if err != nil {
		return nil, false, err
	}
	more = mineTotal > len(mine) || unitTotal > len(unit)
	pls := mine
	for _, pl := range unit {
		if !slices.ContainsFunc(pls, func(p *herald.Placement) bool { return p.ID == pl.ID }) {
			pls = append(pls, pl)
		}
	}
	slices.SortFunc(pls, func(a, b *herald.Placement) int { return cmp.Or(b.Date.Compare(a.Date), cmp.Compare(b.ID, a.ID)) })
	if len(pls) > placementsMineShown {
		pls, more = pls[:placementsMineShown], true
	}
	items, err = s.placementItems(ctx, req, pls, thumbs)
	return items, more, err
}

// placementItems describes placements for the page's lists.
func (s *Server) placementItems(ctx context.Context, req *request, pls []*herald.Placement, thumbs evidenceThumbs) ([]placementItem, error) {
	rows, err := s.placementRows(ctx, req, pls, true)
	if err != nil {
		return nil, err
	}
	reviewers := map[int64]string{}
	out := make([]placementItem, len(rows))
	for i, row := range rows {
		pl := row.Placement
		it := placementItem{placementRow: row, Mine: pl.CreatedBy == req.staff.ID}
		if pl.Evidence != "" {
			if it.Evidence, err = thumbs.of(ctx, s.Store, pl.Evidence); err != nil {
				return nil, err
			}
		}
		if pl.ReviewedBy != 0 {
			name, ok := reviewers[pl.ReviewedBy]
			if !ok {
				if st, err := s.Store.FindStaffByID(ctx, pl.ReviewedBy); err == nil {
					name = st.Byline()
				} else if herald.ErrorCode(err) != herald.ENOTFOUND {
					return nil, err
				}
				reviewers[pl.ReviewedBy] = name
			}
			it.ReviewedBy, it.Reviewed = name, cstTime(pl.ReviewedAt)
		}
		out[i] = it
	}
	return out, nil
}

// evidenceThumbs finds the thumbnails of evidence images, each once.
type evidenceThumbs map[string]*evidenceView

// of is the evidence at path with its thumbnail; a path that is not an
// image of Herald's (none is stored so) links to itself without one.
func (t evidenceThumbs) of(ctx context.Context, store herald.Store, path string) (*evidenceView, error) {
	if v, ok := t[path]; ok {
		return v, nil
	}
	v := &evidenceView{Href: path}
	if id, key, _, ok := herald.ParseMediaURL(path); ok {
		m, err := store.FindMediaByID(ctx, id)
		switch {
		case err == nil && m.Key() == key:
			// the smallest size there is: an image imported without
			// the upload's processing may lack the thumbnail
			for _, name := range []string{"original", "large", "medium", "thumb"} {
				for _, rd := range m.Renditions {
					if rd.Name == name {
						v.Src, v.Width, v.Height = m.URL(name), rd.Width, rd.Height
					}
				}
			}
		case err != nil && herald.ErrorCode(err) != herald.ENOTFOUND:
			return nil, err
		}
	}
	t[path] = v
	return v, nil
}

// placementFormFields are the record form's fields, as the service's
// errors name them.
var placementFormFields = []string{"article_id", "outlet", "level", "date", "page", "url", "evidence"}

func (s *Server) recordPlacement(w http.ResponseWriter, r *http.Request, req *request) {
	if s.refusePlacementReaders(w, r, req) {
		return
	}
	ctx := r.Context()
	f := placementForm{Q: strings.TrimSpace(r.PostFormValue("q")), ArticleID: formID(r.PostFormValue("article_id")),
		Outlet: strings.TrimSpace(r.PostFormValue("outlet")), Level: r.PostFormValue("level"), Date: strings.TrimSpace(r.PostFormValue("date")),
		Page: strings.TrimSpace(r.PostFormValue("page")), URL: strings.TrimSpace(r.PostFormValue("url")),
		Evidence: strings.TrimSpace(r.PostFormValue("evidence")), Fields: map[string]string{}}
	// A new image replaces the one kept from an earlier try; it is stored
	// first, so that whatever else is wrong, it need not be sent again.
	if r.MultipartForm != nil && len(r.MultipartForm.File["evidence_file"]) > 0 {
		m, err := s.acceptImage(r, req, "evidence_file")
		switch code := herald.ErrorCode(err); {
		case err == nil:
			f.Evidence = m.URL("original")
		case code == herald.EINVALID || code == herald.ETOOLARGE:
			f.Fields["evidence"] = s.uploadProblemText(req.lang, err)
		default:
			s.fail(w, r, req, err)
			return
		}
	}
	pl := &herald.Placement{ArticleID: f.ArticleID, Outlet: f.Outlet, Level: herald.OutletLevel(f.Level), Page: f.Page, URL: f.URL,
		Evidence: f.Evidence, Status: herald.PlacementPending}
	if f.Date != "" {
		day, err := herald.ParseDay(f.Date)
		if err != nil {
			f.Fields["date"] = s.msgs.T(req.lang, "placements.problem.date_format")
		}
		pl.Date = day
	}
	// Everything the form can tell is said at once: the service stops at
	// the first kind of problem it finds.
	err := pl.Validate(s.Auth.Clock.Now())
	if fields, _ := s.placementProblems(req.lang, err, placementFormFields...); len(fields) > 0 || len(f.Fields) > 0 {
		for k, v := range fields {
			if f.Fields[k] == "" {
				f.Fields[k] = v
			}
		}
		s.renderPlacements(w, r, req, http.StatusBadRequest, &f, nil)
		return
	}
	err = s.scoringService().RecordPlacement(ctx, req.staff, pl)
	switch herald.ErrorCode(err) {
	case "":
		http.Redirect(w, r, withFlash(placementsPath(), "placement_recorded")+"#mine", http.StatusSeeOther)
		return
	case herald.EINVALID:
		var rest []string
		f.Fields, rest = s.placementProblems(req.lang, err, placementFormFields...)
		f.Problem = strings.Join(rest, " ")
	case herald.ECONFLICT: // the same article, outlet, day and page recorded already
		f.Problem = s.msgs.T(req.lang, "placements.problem.duplicate")
	case herald.EFORBIDDEN:
		f.Fields["article_id"] = s.msgs.T(req.lang, "placements.problem.not_yours")
	default:
		s.fail(w, r, req, err)
		return
	}
	s.renderPlacements(w, r, req, httpx.Status(err), &f, nil)
}

func (s *Server) verifyPlacement(w http.ResponseWriter, r *http.Request, req *request) {
	s.reviewPlacement(w, r, req, true)
}

func (s *Server) rejectPlacement(w http.ResponseWriter, r *http.Request, req *request) {
	s.reviewPlacement(w, r, req, false)
}

// reviewPlacement verifies a placement, or rejects it with the reason
// posted, and goes back to the queue; a refusal is shown at the placement.
func (s *Server) reviewPlacement(w http.ResponseWriter, r *http.Request, req *request, verify bool) {
	if s.refusePlacementReaders(w, r, req) {
		return
	}
	ctx := r.Context()
	id := formID(r.PathValue("id"))
	notFound := herald.Errorf(herald.ENOTFOUND, "%s", s.msgs.T(req.lang, "placements.not_found"))
	if id == 0 {
		s.fail(w, r, req, notFound)
		return
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	_, err := s.scoringService().ReviewPlacement(ctx, req.staff, id, verify, reason)
	if err == nil {
		done := "placement_verified"
		if !verify {
			done = "placement_rejected"
		}
		http.Redirect(w, r, withFlash(placementsPath(), done)+"#review", http.StatusSeeOther)
		return
	}
	pl, ferr := s.Store.FindPlacementByID(ctx, id)
	switch {
	case herald.ErrorCode(ferr) == herald.ENOTFOUND:
		s.fail(w, r, req, notFound)
		return
	case ferr != nil:
		s.fail(w, r, req, ferr)
		return
	}
	it := &placementItem{placementRow: placementRow{Placement: pl}, Reason: reason}
	switch herald.ErrorCode(err) {
	case herald.EFORBIDDEN:
		if !scoring.MayReview(req.staff) {
			s.fail(w, r, req, herald.Errorf(herald.EFORBIDDEN, "%s", s.msgs.T(req.lang, "placements.reviewers_only")))
			return
		}
		it.Problem = s.msgs.T(req.lang, "placements.problem.own")
	case herald.ECONFLICT: // reviewed meanwhile: it shows as it is now
		it.Problem = s.msgs.T(req.lang, "placements.problem.reviewed", s.msgs.T(req.lang, "placements.status."+string(pl.Status)))
	case herald.EINVALID:
		fields, rest := s.placementProblems(req.lang, err, "reason")
		it.Problem, it.Field = strings.Join(append(rest, fields["reason"]), " "), "reason"
	default:
		s.fail(w, r, req, err)
		return
	}
	s.renderPlacements(w, r, req, httpx.Status(err), &placementForm{Level: string(herald.LevelProvincial)}, it)
}

// backToPlacements sends a GET of a review's address — the page a refused
// review answered with, reloaded or come back to after switching the
// language — to the placements page.
func (s *Server) backToPlacements(w http.ResponseWriter, r *http.Request, req *request) {
	http.Redirect(w, r, placementsPath()+"#review", http.StatusSeeOther)
}

// placementProblems puts err's field messages, in lang, next to the form's
// fields; the others are returned apart.
func (s *Server) placementProblems(lang string, err error, formFields ...string) (map[string]string, []string) {
	if err == nil {
		return map[string]string{}, nil
	}
	return fieldProblems(err, func(fe herald.FieldError) string { return s.placementProblemText(lang, fe) }, formFields...)
}

// placementProblemPatterns translate the field messages of placements and
// recognitions; a field of "" matches any. The captured text is the
// catalog text's argument.
var placementProblemPatterns = []struct {
	field string
	re    *regexp.Regexp
	key   string
}{
	{"article_id", regexp.MustCompile(`^(is required|no (published )?article has ID \d+)$`), "placements.problem.article"},
	{"date", regexp.MustCompile(`^may not be in the future$`), "placements.problem.future"},
	{"day", regexp.MustCompile(`^may not be in the future$`), "placements.problem.future"},
	{"page", regexp.MustCompile(`^must be one line of at most 40 characters$`), "placements.problem.page"},
	{"page", regexp.MustCompile(`^or url is required`), "placements.problem.where"},
	{"url", regexp.MustCompile(`^must be an http or https URL$`), "placements.problem.url"},
	{"url", regexp.MustCompile(`^is recorded already`), "placements.problem.url_taken"},
	{"evidence", regexp.MustCompile(`^is required`), "placements.problem.evidence"},
	{"evidence", regexp.MustCompile(`^must be an (uploaded image's path|image uploaded to Herald)$`), "placements.problem.evidence_path"},
	{"reason", regexp.MustCompile(`^is required`), "placements.problem.reason"},
	{"", regexp.MustCompile(`^must be one of [a-z_, ]+$`), "admin.problem.choose"},
	{"", regexp.MustCompile(`^must be at most (\d+) characters$`), "admin.problem.too_long"},
}

// placementProblemText is a field message of the placement and recognition
// forms in lang.
func (s *Server) placementProblemText(lang string, fe herald.FieldError) string {
	for _, p := range placementProblemPatterns {
		if p.field != "" && p.field != fe.Field {
			continue
		}
		m := p.re.FindStringSubmatch(fe.Message)
		if m == nil {
			continue
		}
		var args []any
		if p.key == "admin.problem.too_long" {
			n, _ := strconv.Atoi(m[1])
			args = append(args, n)
		}
		return s.msgs.T(lang, p.key, args...)
	}
	return s.problemText(lang, fe)
}

// uploadProblemPatterns translate why an image was refused (package media).
var uploadProblemPatterns = []struct {
	re  *regexp.Regexp
	key string
}{
	{regexp.MustCompile(`^is empty`), "placements.upload.empty"},
	{regexp.MustCompile(`^is not a supported image`), "placements.upload.unsupported"},
	{regexp.MustCompile(`^is a (\S+) image but was sent as (\S+)$`), "placements.upload.mislabelled"},
	{regexp.MustCompile(`^is (\d+x\d+) pixels`), "placements.upload.too_many_pixels"},
	{regexp.MustCompile(`^is an animation`), "placements.upload.animation"},
	{regexp.MustCompile(`^is not a valid (\S+) image`), "placements.upload.damaged"},
}

// uploadProblemText says in lang why an evidence image was refused.
func (s *Server) uploadProblemText(lang string, err error) string {
	if herald.ErrorCode(err) == herald.ETOOLARGE {
		return s.msgs.T(lang, "placements.upload.too_large", uploadLimits.MaxBytes>>20)
	}
	var out []string
	for _, fe := range herald.ErrorFields(err) {
		msg := fe.Message
		for _, p := range uploadProblemPatterns {
			if m := p.re.FindStringSubmatch(fe.Message); m != nil {
				args := make([]any, len(m)-1)
				for i, v := range m[1:] {
					args[i] = v
				}
				msg = s.msgs.T(lang, p.key, args...)
				break
			}
		}
		out = append(out, msg)
	}
	if len(out) == 0 {
		return herald.ErrorMessage(err)
	}
	return strings.Join(out, " ")
}
