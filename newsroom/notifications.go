package newsroom

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/httpx"
	"github.com/heraldnews/herald/notify"
)

// The notifications page (我的通知): what the notifier told the signed-in
// person, newest first, each linking to what it is about; opening one marks
// it read, and a button marks all read. The bell in the bar counts the
// unread ones on every page with one indexed COUNT. The settings page sets,
// per kind, whether it shows here and whether it is mailed; the account page
// sets the address it is mailed to.

// notificationsPageSize is how many notifications the page shows at a time.
const notificationsPageSize = 50

// notificationsData is the notifications page; the unread count is the
// layout's (view.Unread), counted once for the bell.
type notificationsData struct {
	Rows       []notificationRow
	Total      int
	UnreadOnly bool
	Prev, Next string // links to the neighbouring pages, "" at the ends
}

// notificationRow is one notification as the page shows it.
type notificationRow struct {
	N         *herald.Notification
	Headline  string
	BodyLabel string
	When      string
}

// unreadNotifications is the bell's count; a failure to count shows no
// count rather than failing the page.
func (s *Server) unreadNotifications(ctx context.Context, staffID int64) int {
	n, err := s.Store.CountUnreadNotifications(ctx, staffID)
	if err != nil {
		s.Log.Error("count notifications", "staff", staffID, "error", err)
		return 0
	}
	return n
}

func (s *Server) notificationsPage(w http.ResponseWriter, r *http.Request, req *request) {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	d := &notificationsData{UnreadOnly: q.Get("unread") != ""}
	list, total, err := s.Store.FindNotifications(r.Context(), herald.NotificationFilter{StaffID: req.staff.ID, Unread: d.UnreadOnly,
		Limit: notificationsPageSize, Offset: (page - 1) * notificationsPageSize})
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	d.Total = total
	for _, n := range list {
		d.Rows = append(d.Rows, notificationRow{N: n, Headline: notify.Headline(req.lang, n), BodyLabel: notify.BodyLabel(req.lang, n.Kind),
			When: cstTime(&n.CreatedAt)})
	}
	pageURL := func(n int) string {
		v := url.Values{"page": {strconv.Itoa(n)}}
		if d.UnreadOnly {
			v.Set("unread", "1")
		}
		return "/newsroom/notifications?" + v.Encode()
	}
	if page > 1 {
		d.Prev = pageURL(page - 1)
	}
	if page*notificationsPageSize < total {
		d.Next = pageURL(page + 1)
	}
	s.render(w, r, http.StatusOK, "notifications", req, s.msgs.T(req.lang, "notify.title"), d)
}

// markNotificationsRead marks one notification read and goes to what it is
// about ("id" with "open"), marks one read and stays ("id"), or marks all
// read ("all").
func (s *Server) markNotificationsRead(w http.ResponseWriter, r *http.Request, req *request) {
	var ids []int64 // nil: all
	if r.PostFormValue("all") == "" {
		id, err := strconv.ParseInt(r.PostFormValue("id"), 10, 64)
		if err != nil || id <= 0 {
			s.fail(w, r, req, herald.Invalid("id", "must name a notification"))
			return
		}
		ids = []int64{id}
	}
	if _, err := s.Store.MarkNotificationsRead(r.Context(), req.staff.ID, ids, s.Auth.Clock.Now()); err != nil {
		s.fail(w, r, req, err)
		return
	}
	if r.PostFormValue("open") != "" && len(ids) == 1 {
		n, err := s.Store.FindNotificationByID(r.Context(), ids[0])
		if err == nil && n.StaffID == req.staff.ID && strings.HasPrefix(n.Link, "/newsroom/") {
			http.Redirect(w, r, n.Link, http.StatusSeeOther)
			return
		}
	}
	http.Redirect(w, r, "/newsroom/notifications?done=notifications_read", http.StatusSeeOther)
}

// prefsData is the notification settings page.
type prefsData struct {
	Rows     []prefRow
	Email    string // the address mails go to, "" for none
	Problem  string
	MailsOff bool // no relay: nothing is mailed whatever is chosen
}

// prefRow is one kind's choice.
type prefRow struct {
	Kind         herald.NotificationKind
	Label, Hint  string
	InApp, Email bool
}

func (s *Server) notificationSettingsPage(w http.ResponseWriter, r *http.Request, req *request) {
	prefs, err := s.Store.FindNotificationPrefs(r.Context(), req.staff.ID)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	s.renderNotificationSettings(w, r, req, http.StatusOK, prefs[req.staff.ID], "")
}

func (s *Server) renderNotificationSettings(w http.ResponseWriter, r *http.Request, req *request, status int, prefs herald.NotificationPrefs, problem string) {
	d := &prefsData{Email: req.staff.Email, Problem: problem, MailsOff: !s.Mails}
	for _, k := range herald.NotificationKinds {
		p := prefs[k]
		d.Rows = append(d.Rows, prefRow{Kind: k, Label: s.msgs.T(req.lang, "notify.kind."+string(k)), Hint: s.msgs.T(req.lang, "notify.kind_hint."+string(k)),
			InApp: p.InApp, Email: p.Email})
	}
	s.render(w, r, status, "notification-settings", req, s.msgs.T(req.lang, "notify.settings_title"), d)
}

// saveNotificationSettings keeps the choices of the form: a kind's box left
// unticked means no.
func (s *Server) saveNotificationSettings(w http.ResponseWriter, r *http.Request, req *request) {
	prefs := herald.NotificationPrefs{}
	for _, k := range herald.NotificationKinds {
		prefs[k] = herald.NotificationPref{InApp: r.PostFormValue("in_app."+string(k)) != "", Email: r.PostFormValue("email."+string(k)) != ""}
	}
	err := s.Store.SetNotificationPrefs(r.Context(), req.staff.ID, prefs, herald.Event{At: s.Auth.Clock.Now(), ActorID: req.staff.ID})
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	http.Redirect(w, r, notify.PrefsPath+"?done=1", http.StatusSeeOther)
}

// changeEmail sets the signed-in person's own address for notifications
// (empty removes it); the change is audited as "email".
func (s *Server) changeEmail(w http.ResponseWriter, r *http.Request, req *request) {
	address := strings.TrimSpace(r.PostFormValue("email"))
	_, err := s.Store.UpdateStaff(r.Context(), req.staff.ID, herald.StaffUpdate{Email: &address},
		herald.Event{At: s.Auth.Clock.Now(), ActorID: req.staff.ID, Action: "email"})
	switch herald.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/newsroom/account?done=1#email-h", http.StatusSeeOther)
	case herald.EINVALID, herald.ECONFLICT:
		key := "notify.email_invalid"
		if herald.ErrorCode(err) == herald.ECONFLICT {
			key = "notify.email_taken"
		}
		s.renderAccount(w, r, req, httpx.Status(err), s.msgs.T(req.lang, key))
	default:
		s.fail(w, r, req, err)
	}
}
