package newsroom

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/httpx"
)

// wordsData is the sensitive-word list page.
type wordsData struct {
	Words   []*herald.SensitiveWord
	Kinds   []herald.WordKind
	CanEdit bool
	Form    herald.SensitiveWord // the add form, kept after an error
	Problem string
	Fields  map[string]string
	Import  string
	Added   int
}

// wordReaders see the list; only administrators change it.
var wordReaders = []herald.Role{herald.RoleAdmin, herald.RoleEditorInChief, herald.RoleEditor}

func (s *Server) wordsPage(w http.ResponseWriter, r *http.Request, req *request) {
	s.renderWords(w, r, req, http.StatusOK, &wordsData{Form: herald.SensitiveWord{Kind: herald.WordMistaken}})
}

func (s *Server) renderWords(w http.ResponseWriter, r *http.Request, req *request, status int, d *wordsData) {
	if !req.staff.HasRole(wordReaders...) {
		s.fail(w, r, req, herald.Errorf(herald.EFORBIDDEN, "Only editors and administrators see the word list."))
		return
	}
	words, err := s.Store.FindWords(r.Context())
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	d.Words, d.Kinds, d.CanEdit = words, herald.WordKinds, req.staff.HasRole(herald.RoleAdmin)
	s.render(w, r, status, "words", req, s.msgs.T(req.lang, "words.title"), d)
}

// changeWords adds, edits, deletes or imports listed words.
func (s *Server) changeWords(w http.ResponseWriter, r *http.Request, req *request) {
	if !req.staff.HasRole(herald.RoleAdmin) {
		s.fail(w, r, req, herald.Errorf(herald.EFORBIDDEN, "Only administrators change the word list."))
		return
	}
	ctx := r.Context()
	ev := herald.Event{At: s.Auth.Clock.Now(), ActorID: req.staff.ID}
	form := herald.SensitiveWord{Word: r.PostFormValue("word"), Kind: herald.WordKind(r.PostFormValue("kind")),
		Suggestion: r.PostFormValue("suggestion"), Note: r.PostFormValue("note")}
	d := &wordsData{Form: herald.SensitiveWord{Kind: herald.WordMistaken}}
	var err error
	switch r.PostFormValue("op") {
	case "add":
		d.Form = form
		err = s.Store.CreateWord(ctx, &form, ev)
	case "update", "delete":
		id, perr := strconv.ParseInt(r.PostFormValue("id"), 10, 64)
		if perr != nil {
			err = herald.Invalid("id", "must be a word ID")
		} else if r.PostFormValue("op") == "delete" {
			err = s.Store.DeleteWord(ctx, id, ev)
		} else {
			_, err = s.Store.UpdateWord(ctx, id, form, ev)
		}
	case "import":
		d.Import = r.PostFormValue("lines")
		d.Added, err = s.importWords(r, d.Import, ev)
		if err == nil {
			d.Import = ""
			s.renderWords(w, r, req, http.StatusOK, d)
			return
		}
	default:
		err = herald.Invalid("op", "must be add, update, delete or import")
	}
	if err != nil {
		if code := herald.ErrorCode(err); code != herald.EINVALID && code != herald.ECONFLICT && code != herald.ENOTFOUND {
			s.fail(w, r, req, err)
			return
		}
		d.Problem, d.Fields = herald.ErrorMessage(err), s.fieldMessages(req.lang, err)
		s.renderWords(w, r, req, httpx.Status(err), d)
		return
	}
	http.Redirect(w, r, "/newsroom/words?done=1", http.StatusSeeOther)
}

// importWords adds one word per line, "word,suggestion,kind,note" with all
// but the word optional; words already listed are skipped. A bad line stops
// the import before anything is added, naming the line.
func (s *Server) importWords(r *http.Request, text string, ev herald.Event) (int, error) {
	var words []herald.SensitiveWord
	for i, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		parts := strings.Split(fieldSeparators.Replace(line), ",")
		w := herald.SensitiveWord{Kind: herald.WordMistaken}
		for j, p := range parts {
			switch j {
			case 0:
				w.Word = p
			case 1:
				w.Suggestion = p
			case 2:
				if p = strings.TrimSpace(p); p != "" {
					w.Kind = herald.WordKind(p)
				}
			case 3:
				w.Note = p
			}
		}
		w.Normalize()
		if err := w.Validate(); err != nil {
			return 0, herald.Invalid("lines", "line %d: %s", i+1, herald.ErrorMessage(err))
		}
		words = append(words, w)
	}
	added := 0
	for _, w := range words {
		err := s.Store.CreateWord(r.Context(), &w, ev)
		if herald.ErrorCode(err) == herald.ECONFLICT {
			continue
		} else if err != nil {
			return added, err
		}
		added++
	}
	return added, nil
}

// fieldSeparators are what people separate fields with when they type lists.
var fieldSeparators = strings.NewReplacer("，", ",", "\t", ",")

// fieldMessages maps an error's fields to their messages in lang, for forms.
func (s *Server) fieldMessages(lang string, err error) map[string]string {
	m := map[string]string{}
	for _, f := range herald.ErrorFields(err) {
		m[f.Field] = s.problemText(lang, f)
	}
	return m
}
