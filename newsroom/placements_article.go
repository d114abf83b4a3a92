package newsroom

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/scoring"
)

// What the incentive mechanism adds to an article's page: its recognitions
// (领导批示与首发), which the editor-in-chief records and withdraws there,
// and a link to record where the piece ran.

// recognitionsView is the article page's section of recognitions.
type recognitionsView struct {
	Rows         []recognitionRow
	CanRecognize bool
	Form         recognitionForm
	// Problem is why a withdrawal was refused.
	Problem string
	// taken are the kinds the article has (withdrawn ones too): a piece
	// has each kind once, so the form offers the others.
	taken []herald.RecognitionKind
}

// recognitionRow is one recognition in the reader's language.
type recognitionRow struct {
	Recognition *herald.Recognition
	Kind, Day   string
	By          string // who recorded it
	Withdrawn   string // when, CST; "" while it stands
}

// recognitionForm adds a recognition, holding a refused post.
type recognitionForm struct {
	Kind, Day, Note string
	Kinds           []option
	Today           string
	MaxNote         int
	Fields          map[string]string
}

// maxRecognitionNote is the longest note the store keeps.
const maxRecognitionNote = 500

// articleRecognitions gathers the section for the article's page: shown
// for a published piece that has recognitions or whose reader may record
// them; nil otherwise.
func (s *Server) articleRecognitions(ctx context.Context, req *request, a *herald.Article) (*recognitionsView, error) {
	if a.PublishedAt == nil {
		return nil, nil
	}
	rs, err := s.Store.FindRecognitions(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	v := &recognitionsView{CanRecognize: scoring.MayRecognize(req.staff) && a.Status == herald.StatusPublished}
	if len(rs) == 0 && !v.CanRecognize {
		return nil, nil
	}
	names := map[int64]string{}
	for _, rc := range rs {
		row := recognitionRow{Recognition: rc, Kind: s.recognitionKindName(req.lang, rc.Kind), Day: herald.DayString(rc.Day),
			Withdrawn: cstTime(rc.WithdrawnAt)}
		name, ok := names[rc.RecordedBy]
		if !ok {
			if st, err := s.Store.FindStaffByID(ctx, rc.RecordedBy); err == nil {
				name = st.Byline()
			} else if herald.ErrorCode(err) != herald.ENOTFOUND {
				return nil, err
			}
			names[rc.RecordedBy] = name
		}
		row.By = name
		v.Rows = append(v.Rows, row)
		if rc.WithdrawnAt == nil { // one withdrawn in error may be recorded again
			v.taken = append(v.taken, rc.Kind)
		}
	}
	s.fillRecognitionForm(req.lang, &v.Form, v.taken)
	return v, nil
}

func (s *Server) recognitionKindName(lang string, k herald.RecognitionKind) string {
	return s.msgs.T(lang, "placements.recognition.kind."+string(k))
}

// fillRecognitionForm adds the form's choices — the kinds not taken, and
// the one the form holds — and today's date.
func (s *Server) fillRecognitionForm(lang string, f *recognitionForm, taken []herald.RecognitionKind) {
	f.Today = herald.CSTDay(s.Auth.Clock.Now()).Format(time.DateOnly)
	if f.Day == "" {
		f.Day = f.Today
	}
	f.MaxNote = maxRecognitionNote
	f.Kinds = nil
	for _, k := range herald.RecognitionKinds {
		if slices.Contains(taken, k) && string(k) != f.Kind {
			continue
		}
		if f.Kind == "" {
			f.Kind = string(k)
		}
		f.Kinds = append(f.Kinds, option{Value: string(k), Label: s.recognitionKindName(lang, k), Selected: string(k) == f.Kind})
	}
	if f.Fields == nil {
		f.Fields = map[string]string{}
	}
}

// recognitionFormFields are the form's fields, as the store's errors name them.
var recognitionFormFields = []string{"kind", "day", "note"}

func articleRecognitionsPath(id int64) string {
	return "/newsroom/articles/" + idText(id) + "#recognitions"
}

func (s *Server) addRecognition(w http.ResponseWriter, r *http.Request, req *request) {
	a, err := s.viewable(r, req)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	if !scoring.MayRecognize(req.staff) {
		s.fail(w, r, req, herald.Errorf(herald.EFORBIDDEN, "%s", s.msgs.T(req.lang, "placements.recognition.forbidden")))
		return
	}
	f := recognitionForm{Kind: r.PostFormValue("kind"), Day: strings.TrimSpace(r.PostFormValue("day")),
		Note: strings.TrimSpace(strings.ReplaceAll(r.PostFormValue("note"), "\r\n", "\n")), Fields: map[string]string{}}
	rc := &herald.Recognition{ArticleID: a.ID, Kind: herald.RecognitionKind(f.Kind), Note: f.Note}
	if f.Day != "" {
		if rc.Day, err = herald.ParseDay(f.Day); err != nil {
			f.Fields["day"] = s.msgs.T(req.lang, "placements.problem.date_format")
			err = herald.Invalid("day", "must be a date like 2026-11-25")
		}
	}
	if len(f.Fields) == 0 {
		err = s.scoringService().Recognize(r.Context(), req.staff, rc)
		switch herald.ErrorCode(err) {
		case "":
			http.Redirect(w, r, withFlash("/newsroom/articles/"+idText(a.ID), "recognition_added")+"#recognitions", http.StatusSeeOther)
			return
		case herald.EINVALID:
			var rest []string
			f.Fields, rest = s.placementProblems(req.lang, err, recognitionFormFields...)
			if len(rest) > 0 { // about article_id: the article is not published (any more)
				f.Fields["kind"] = strings.TrimSpace(f.Fields["kind"] + " " + s.msgs.T(req.lang, "placements.recognition.unpublished"))
			}
		case herald.ECONFLICT: // the article has this kind already
			f.Fields["kind"] = s.msgs.T(req.lang, "placements.recognition.taken")
		default:
			s.fail(w, r, req, err)
			return
		}
	}
	s.renderArticleRecognitions(w, r, req, a, func(v *recognitionsView) {
		v.Form = f
		s.fillRecognitionForm(req.lang, &v.Form, v.taken)
	}, err)
}

func (s *Server) withdrawRecognition(w http.ResponseWriter, r *http.Request, req *request) {
	a, err := s.viewable(r, req)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	if !scoring.MayRecognize(req.staff) {
		s.fail(w, r, req, herald.Errorf(herald.EFORBIDDEN, "%s", s.msgs.T(req.lang, "placements.recognition.forbidden")))
		return
	}
	ctx := r.Context()
	id := formID(r.PathValue("rid"))
	rs, err := s.Store.FindRecognitions(ctx, a.ID)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	if !slices.ContainsFunc(rs, func(rc *herald.Recognition) bool { return rc.ID == id }) {
		s.fail(w, r, req, herald.Errorf(herald.ENOTFOUND, "%s", s.msgs.T(req.lang, "placements.recognition.not_found")))
		return
	}
	_, err = s.scoringService().WithdrawRecognition(ctx, req.staff, id)
	switch herald.ErrorCode(err) {
	case "":
		http.Redirect(w, r, withFlash("/newsroom/articles/"+idText(a.ID), "recognition_withdrawn")+"#recognitions", http.StatusSeeOther)
	case herald.ECONFLICT: // withdrawn meanwhile
		s.renderArticleRecognitions(w, r, req, a, func(v *recognitionsView) {
			v.Problem = s.msgs.T(req.lang, "placements.recognition.withdrawn_already")
		}, err)
	default:
		s.fail(w, r, req, err)
	}
}

// renderArticleRecognitions draws the article's page after a refused
// change of its recognitions; change puts the refusal into the section.
func (s *Server) renderArticleRecognitions(w http.ResponseWriter, r *http.Request, req *request, a *herald.Article, change func(v *recognitionsView), err error) {
	d, verr := s.articleView(r, req, a)
	if verr != nil {
		s.fail(w, r, req, verr)
		return
	}
	if d.Recognitions == nil { // the piece is not published (any more)
		s.fail(w, r, req, herald.Errorf(herald.EINVALID, "%s", s.msgs.T(req.lang, "placements.recognition.unpublished")))
		return
	}
	change(d.Recognitions)
	status := http.StatusBadRequest
	if herald.ErrorCode(err) == herald.ECONFLICT {
		status = http.StatusConflict
	}
	s.render(w, r, status, "article", req, a.Title, d)
}

// backToRecognitions sends a GET of a recognition form's address — the
// page a refused form answered with, reloaded — to the article's section.
func (s *Server) backToRecognitions(w http.ResponseWriter, r *http.Request, req *request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	http.Redirect(w, r, articleRecognitionsPath(id), http.StatusSeeOther)
}
