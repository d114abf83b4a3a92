// Package notify tells staff what concerns them: a coverage assignment
// given to them or their unit, one due within a day or overdue, an article
// of theirs sent back by a reviewer or published. Each person chooses, per
// kind, whether it shows in the newsroom and whether it is mailed.
//
// The notifier follows the audit log. One job (KindRun) reads the events
// after a cursor kept in the database, turns each into notifications for
// the people it concerns, adds the due and overdue ones the clock calls for,
// and writes them with one mail job each (KindMail) and the moved cursor in
// one transaction: a crash before the commit leaves everything to be done
// again, and after it nothing is done twice, since notifications are unique
// per person and event (or kind and assignment) and mail jobs per
// notification.
//
// Mail needs an SMTP relay (--smtp-addr). Without one, decided once at the
// start, the notifier queues no mail jobs at all and notifications are shown
// in the newsroom only.
package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/jobs"
)

// Job kinds this package runs.
const (
	KindRun  = "notify.run"  // read the log and the clock, write notifications
	KindMail = "notify.mail" // mail one notification
)

// Timing of the notifier.
const (
	// DueSoonWithin is how long before its deadline an open assignment is
	// "due soon".
	DueSoonWithin = 24 * time.Hour
	// StaleAfter is the age past which an event tells nobody: news of a
	// rejection days old (a notifier that was stopped, a restored backup)
	// is noise, and the thing itself shows on the desk.
	StaleAfter = 72 * time.Hour
	// OverdueWithin is how long after its deadline an open assignment is
	// still told overdue when the notifier first sees it.
	OverdueWithin = 30 * 24 * time.Hour
	// Every is how often the notifier runs by itself, for the due and
	// overdue assignments and for changes nobody queued a run for.
	Every = 5 * time.Minute
	// pageSize bounds the events one transaction handles.
	pageSize = 500
)

// Service makes notifications and mails them.
type Service struct {
	Store herald.Store
	Clock herald.Clock
	Log   *slog.Logger
	// Mailer sends the mails; nil means no relay is configured: no mail
	// jobs are queued and notifications are shown in the newsroom only.
	Mailer *Mailer
	// Queued, if set, is called after mail jobs are queued, so that an idle
	// runner looks at once (jobs.Runner.Wake).
	Queued func()
}

// New returns a service without mail; set Mailer to mail.
func New(store herald.Store, clock herald.Clock, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{Store: store, Clock: clock, Log: log}
}

// RegisterJobs lets a runner run the notifier's jobs. The mail job is
// registered with or without a relay, so that mails queued while one was
// configured fail with a reason instead of waiting for a handler forever.
func (s *Service) RegisterJobs(r *jobs.Runner) {
	r.Handle(KindRun, s.RunJob)
	r.Handle(KindMail, s.runMail)
}

// Queue asks for a run soon: the job is keyed by the minute, so that a burst
// of changes makes one run.
func (s *Service) Queue(ctx context.Context) error {
	now := s.Clock.Now()
	return s.Store.EnqueueJobs(ctx, now, runJob(now))
}

func runJob(at time.Time) *herald.Job {
	return &herald.Job{Kind: KindRun, Key: KindRun + "/" + at.UTC().Format("2006-01-02T15:04"), RunAt: at}
}

// RunJob runs the notifier and queues its next run.
func (s *Service) RunJob(ctx context.Context, j *herald.Job) error {
	if _, err := s.Run(ctx); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	now := s.Clock.Now()
	return s.Store.EnqueueJobs(ctx, now, runJob(now.Truncate(Every).Add(Every)))
}

// Run handles the events after the cursor and the assignments the clock
// makes due or overdue, and returns how many notifications it made.
func (s *Service) Run(ctx context.Context) (int, error) {
	made, scanned := 0, false
	for {
		from, err := s.Store.NotifierCursor(ctx)
		if err != nil {
			return made, err
		}
		events, err := s.Store.FindEvents(ctx, herald.EventFilter{AfterID: from, Limit: pageSize})
		if err != nil {
			return made, err
		}
		now := s.Clock.Now()
		to := from
		var ns []*herald.Notification
		for _, e := range events {
			to = e.ID
			if now.Sub(e.At) > StaleAfter {
				continue
			}
			told, err := s.fromEvent(ctx, e)
			if err != nil {
				return made, fmt.Errorf("event %d: %w", e.ID, err)
			}
			ns = append(ns, told...)
		}
		if !scanned {
			due, err := s.fromClock(ctx, now)
			if err != nil {
				return made, err
			}
			ns, scanned = append(ns, due...), true
		}
		if len(ns) == 0 && to == from {
			return made, nil
		}
		if ns, err = s.deliver(ctx, ns); err != nil {
			return made, err
		}
		added, err := s.Store.RecordNotifications(ctx, herald.NotificationBatch{From: from, To: to, Notifications: ns, MailJob: mailJob, At: now})
		if herald.ErrorCode(err) == herald.ECONFLICT {
			return made, nil // another worker handled these events
		} else if err != nil {
			return made, err
		}
		made += len(added)
		if s.Queued != nil && slices.ContainsFunc(added, func(n *herald.Notification) bool { return n.Email }) {
			s.Queued()
		}
		if len(events) < pageSize {
			return made, nil
		}
	}
}

// told is one person to tell something: the draft of a notification
// without its person.
type told struct {
	kind     herald.NotificationKind
	title    string
	body     string
	link     string
	entity   string
	entityID int64
	eventID  int64
	at       time.Time
}

// to makes the notifications of t for each person, once each, leaving out
// skip (the one who did it: nobody is told of their own action).
func (t told) to(people []int64, skip int64) []*herald.Notification {
	var out []*herald.Notification
	seen := map[int64]bool{skip: true, 0: true}
	for _, id := range people {
		if seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, &herald.Notification{StaffID: id, Kind: t.kind, Title: clip(t.title, herald.MaxNotificationTitleRunes),
			Body: clip(t.body, herald.MaxNotificationBodyRunes), Link: t.link, Entity: t.entity, EntityID: t.entityID, EventID: t.eventID, At: t.at})
	}
	return out
}

// fromEvent returns the notifications one audit event calls for.
func (s *Service) fromEvent(ctx context.Context, e *herald.Event) ([]*herald.Notification, error) {
	switch {
	case e.Entity == herald.EntityArticle && (e.Action == "reject" || e.Action == "publish"):
		a, err := s.Store.FindArticleByID(ctx, e.EntityID)
		if herald.ErrorCode(err) == herald.ENOTFOUND {
			return nil, nil
		} else if err != nil {
			return nil, err
		}
		t := told{title: a.Title, link: "/newsroom/articles/" + strconv.FormatInt(a.ID, 10), entity: herald.EntityArticle,
			entityID: a.ID, eventID: e.ID, at: e.At}
		people := authors(a)
		if e.Action == "reject" {
			t.kind, t.body = herald.NotifyRejected, e.Comment
			return t.to(people, e.ActorID), nil
		}
		t.kind = herald.NotifyPublished
		// whoever assigned the piece hears that it is out
		filling, _, err := s.Store.FindAssignments(ctx, herald.AssignmentFilter{ArticleID: a.ID})
		if err != nil {
			return nil, err
		}
		for _, as := range filling {
			people = append(people, as.CreatedBy)
		}
		return t.to(people, e.ActorID), nil
	case e.Entity == herald.EntityAssignment && e.Action == herald.ActionAssign:
		as, err := s.Store.FindAssignmentByID(ctx, e.EntityID)
		if herald.ErrorCode(err) == herald.ENOTFOUND {
			return nil, nil
		} else if err != nil {
			return nil, err
		}
		if !as.Status.Open() {
			return nil, nil // cancelled or done before the notifier saw it
		}
		people, err := s.assignees(ctx, as)
		if err != nil {
			return nil, err
		}
		t := assignmentTold(as, herald.NotifyAssignment)
		t.body, t.eventID, t.at = as.Brief, e.ID, as.Deadline()
		return t.to(people, e.ActorID), nil
	}
	return nil, nil
}

// authors are the staff an article belongs to: who created it and its
// bylines with accounts.
func authors(a *herald.Article) []int64 {
	people := []int64{a.CreatedBy}
	for _, au := range a.Authors {
		people = append(people, au.StaffID)
	}
	return people
}

// assignmentTold is what is told about an assignment, before its kind's
// particulars.
func assignmentTold(as *herald.Assignment, kind herald.NotificationKind) told {
	return told{kind: kind, title: as.Title, link: herald.AssignmentLink(as), entity: herald.EntityAssignment, entityID: as.ID, at: as.Deadline()}
}

// assignees are the people who are to write an assignment: its assignee, or
// the correspondents of its unit when it was given to the unit as a whole.
func (s *Service) assignees(ctx context.Context, as *herald.Assignment) ([]int64, error) {
	if as.AssigneeID != 0 {
		return []int64{as.AssigneeID}, nil
	}
	staff, _, err := s.Store.FindStaff(ctx, herald.StaffFilter{UnitID: as.UnitID, Role: herald.RoleCorrespondent})
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, st := range staff {
		ids = append(ids, st.ID)
	}
	return ids, nil
}

// fromClock returns the due-soon and overdue notifications of open
// assignments at now: due soon within DueSoonWithin of the deadline while
// not yet submitted, overdue past it while open (the assigner hears too).
// Each is made once per assignment and person; the store drops repeats.
func (s *Service) fromClock(ctx context.Context, now time.Time) ([]*herald.Notification, error) {
	// An all-day deadline ends a day after its Due: the window reaches a
	// day further back than the deadlines it selects.
	before, after := now.Add(DueSoonWithin+time.Microsecond), now.Add(-OverdueWithin-24*time.Hour)
	open, _, err := s.Store.FindAssignments(ctx, herald.AssignmentFilter{Statuses: herald.OpenAssignmentStatuses, DueBefore: &before, DueAfter: &after})
	if err != nil {
		return nil, err
	}
	var out []*herald.Notification
	for _, as := range open {
		deadline := as.Deadline()
		var kind herald.NotificationKind
		switch {
		case as.Overdue(now) && now.Sub(deadline) <= OverdueWithin:
			kind = herald.NotifyOverdue
		case !as.Overdue(now) && deadline.Sub(now) <= DueSoonWithin && as.Status != herald.AssignmentSubmitted:
			kind = herald.NotifyDueSoon
		default:
			continue
		}
		people, err := s.assignees(ctx, as)
		if err != nil {
			return nil, err
		}
		if kind == herald.NotifyOverdue {
			people = append(people, as.CreatedBy)
		}
		out = append(out, assignmentTold(as, kind).to(people, 0)...)
	}
	return out, nil
}

// deliver decides how each notification reaches its person, by their
// choices: in the newsroom, by mail (with a relay and an address), both, or
// not at all (dropped, as are those for disabled accounts).
func (s *Service) deliver(ctx context.Context, ns []*herald.Notification) ([]*herald.Notification, error) {
	if len(ns) == 0 {
		return nil, nil
	}
	var ids []int64
	for _, n := range ns {
		ids = append(ids, n.StaffID)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	prefs, err := s.Store.FindNotificationPrefs(ctx, ids...)
	if err != nil {
		return nil, err
	}
	staff, _, err := s.Store.FindStaff(ctx, herald.StaffFilter{IDs: ids})
	if err != nil {
		return nil, err
	}
	byID := map[int64]*herald.Staff{}
	for _, st := range staff {
		byID[st.ID] = st
	}
	out := ns[:0]
	for _, n := range ns {
		st := byID[n.StaffID]
		if st == nil || !st.Active() {
			continue
		}
		p := prefs[n.StaffID][n.Kind]
		n.InApp, n.Email = p.InApp, p.Email && s.Mailer != nil && st.Email != ""
		if n.InApp || n.Email {
			out = append(out, n)
		}
	}
	return out, nil
}

// mailPayload is a mail job's payload: the notification to mail.
type mailPayload struct {
	Notification int64 `json:"notification"`
}

// mailJob is the job that mails a notification; its key makes it one per
// notification.
func mailJob(n *herald.Notification) *herald.Job {
	b, _ := json.Marshal(mailPayload{Notification: n.ID})
	return &herald.Job{Kind: KindMail, Key: KindMail + "/" + strconv.FormatInt(n.ID, 10), Payload: b}
}

// clip shortens s to at most n characters.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
