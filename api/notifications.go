package api

import (
	"net/http"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/notify"
)

// Notifications are the caller's own: a token reads and marks only what
// the notifier told the staff member it belongs to.

// notificationOut is a notification with the sentence the newsroom shows
// for it, in the caller's language.
type notificationOut struct {
	*herald.Notification
	Headline string `json:"headline"`
}

func (s *Server) listNotifications(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	f := herald.NotificationFilter{StaffID: actor.ID}
	switch r.URL.Query().Get("unread") {
	case "", "false":
	case "true":
		f.Unread = true
	default:
		s.problem(w, r, herald.Invalid("unread", "must be true or false"))
		return
	}
	var err error
	if f.Limit, f.Offset, err = queryPage(r); err != nil {
		s.problem(w, r, err)
		return
	}
	ns, total, err := s.Store.FindNotifications(r.Context(), f)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	lang := actor.Language
	if lang == "" {
		lang = herald.Languages[0]
	}
	out := make([]notificationOut, len(ns))
	for i, n := range ns {
		out[i] = notificationOut{Notification: n, Headline: notify.Headline(lang, n)}
	}
	reply(w, http.StatusOK, list(out, total))
}

// markReadInput names the notifications to mark read, or all of them.
type markReadInput struct {
	IDs []int64 `json:"ids"`
	All bool    `json:"all"`
}

func (s *Server) markNotificationsRead(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	var in markReadInput
	if err := decode(r, &in); err != nil {
		s.problem(w, r, err)
		return
	}
	if in.All == (len(in.IDs) > 0) {
		s.problem(w, r, herald.Invalid("ids", "give the IDs to mark read, or all: true, not both"))
		return
	}
	if len(in.IDs) > 500 {
		s.problem(w, r, herald.Invalid("ids", "at most 500 at a time"))
		return
	}
	ids := in.IDs
	if in.All {
		ids = nil
	}
	n, err := s.Store.MarkNotificationsRead(r.Context(), actor.ID, ids, s.Auth.Clock.Now())
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, map[string]int{"marked": n})
}

func (s *Server) getNotificationPrefs(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	prefs, err := s.Store.FindNotificationPrefs(r.Context(), actor.ID)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	reply(w, http.StatusOK, prefs[actor.ID])
}

// putNotificationPrefs replaces the caller's choices; a kind left out goes
// back to its default.
func (s *Server) putNotificationPrefs(w http.ResponseWriter, r *http.Request, actor *herald.Staff) {
	var prefs herald.NotificationPrefs
	if err := decode(r, &prefs); err != nil {
		s.problem(w, r, err)
		return
	}
	if err := s.Store.SetNotificationPrefs(r.Context(), actor.ID, prefs, herald.Event{At: s.Auth.Clock.Now(), ActorID: actor.ID}); err != nil {
		s.problem(w, r, err)
		return
	}
	s.getNotificationPrefs(w, r, actor)
}
