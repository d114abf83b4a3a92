package newsroom

import (
	"html/template"
	"net/http"
	"slices"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/auth"
	"github.com/heraldnews/herald/httpx"
	"github.com/heraldnews/herald/qrsvg"
)

// codeData is the second sign-in step.
type codeData struct {
	Next, Error string
}

// pendingSession returns the sign-in waiting for its authenticator code.
func (s *Server) pendingSession(r *http.Request) (*herald.Staff, *herald.Session, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, nil, herald.Errorf(herald.EUNAUTHORIZED, "Please sign in.")
	}
	return s.Auth.PendingSession(r.Context(), c.Value)
}

func (s *Server) codePage(w http.ResponseWriter, r *http.Request) {
	_, sess, err := s.pendingSession(r)
	if err != nil {
		http.Redirect(w, r, "/newsroom/login", http.StatusSeeOther)
		return
	}
	lang := s.language(r)
	req := &request{session: sess, lang: lang}
	s.render(w, r, http.StatusOK, "code", req, s.msgs.T(lang, "code.title"), codeData{Next: safeNext(r.URL.Query().Get("next"))})
}

func (s *Server) checkCode(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	_, sess, err := s.pendingSession(r)
	if err != nil {
		http.Redirect(w, r, "/newsroom/login", http.StatusSeeOther)
		return
	}
	lang := s.language(r)
	req := &request{session: sess, lang: lang}
	if !auth.CheckCSRF(sess, r.PostFormValue("csrf")) {
		s.fail(w, r, nil, herald.Errorf(herald.EFORBIDDEN, "%s", s.msgs.T(lang, "error.csrf")))
		return
	}
	data := codeData{Next: safeNext(r.PostFormValue("next"))}
	c, _ := r.Cookie(sessionCookie)
	if _, err := s.Auth.SecondFactor(r.Context(), c.Value, r.PostFormValue("code"), httpx.ClientIP(r)); err != nil {
		switch herald.ErrorCode(err) {
		case herald.ERATELIMITED:
			data.Error = s.msgs.T(lang, "login.limited")
		case herald.EINVALID:
			data.Error = s.msgs.T(lang, "code.wrong")
		default:
			s.fail(w, r, nil, err)
			return
		}
		s.render(w, r, httpx.Status(err), "code", req, s.msgs.T(lang, "code.title"), data)
		return
	}
	http.Redirect(w, r, data.Next, http.StatusSeeOther)
}

// accountData is the account page: language, password and second factor.
type accountData struct {
	TOTPOn  bool
	Secret  string // a fresh secret offered for enrolment
	QR      template.HTML
	Problem string
	// Training is the reader's training record and hours (training.go).
	Training *trainingRecord
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request, req *request) {
	s.renderAccount(w, r, req, http.StatusOK, "")
}

func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, req *request, status int, problem string) {
	d := accountData{TOTPOn: req.staff.TOTPSecret != "", Problem: problem}
	if !d.TOTPOn {
		d.Secret = auth.NewTOTPSecret()
		qr, err := qrsvg.SVG(auth.TOTPURI(s.msgs.T(Languages[0], "app.name"), req.staff.Username, d.Secret), s.msgs.T(req.lang, "account.totp_qr"), 200)
		if err != nil {
			s.fail(w, r, req, err)
			return
		}
		d.QR = qr
	}
	var err error
	if d.Training, err = s.trainingRecord(r.Context(), req.staff.ID); err != nil {
		s.fail(w, r, req, err)
		return
	}
	s.render(w, r, status, "account", req, s.msgs.T(req.lang, "account.title"), d)
}

func (s *Server) enableTOTP(w http.ResponseWriter, r *http.Request, req *request) {
	err := s.Auth.EnableTOTP(r.Context(), req.staff, r.PostFormValue("secret"), r.PostFormValue("code"))
	if herald.ErrorCode(err) == herald.EINVALID {
		s.renderAccount(w, r, req, http.StatusBadRequest, s.msgs.T(req.lang, "account.totp_wrong"))
		return
	} else if err != nil {
		s.fail(w, r, req, err)
		return
	}
	http.Redirect(w, r, "/newsroom/account?done=1", http.StatusSeeOther)
}

func (s *Server) disableTOTP(w http.ResponseWriter, r *http.Request, req *request) {
	if !auth.CheckPassword(req.staff.PasswordHash, r.PostFormValue("password")) {
		s.renderAccount(w, r, req, http.StatusBadRequest, s.msgs.T(req.lang, "password.wrong_current"))
		return
	}
	if err := s.Auth.DisableTOTP(r.Context(), req.staff.ID, req.staff.ID); err != nil {
		s.fail(w, r, req, err)
		return
	}
	http.Redirect(w, r, "/newsroom/account?done=1", http.StatusSeeOther)
}

// chooseLanguage keeps the signed-in person's language with their account, so
// that it follows them to every browser.
func (s *Server) chooseLanguage(w http.ResponseWriter, r *http.Request, req *request) {
	lang := r.PostFormValue("lang")
	if !slices.Contains(Languages, lang) {
		s.fail(w, r, req, herald.Invalid("lang", "must be one of zh-CN, en"))
		return
	}
	if _, err := s.Store.UpdateStaff(r.Context(), req.staff.ID, herald.StaffUpdate{Language: &lang},
		herald.Event{At: s.Auth.Clock.Now(), ActorID: req.staff.ID, Action: "language"}); err != nil {
		s.fail(w, r, req, err)
		return
	}
	s.setLanguageCookie(w, lang)
	http.Redirect(w, r, backInNewsroom(r), http.StatusSeeOther)
}
