package newsroom

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/httpx"
	"github.com/heraldnews/herald/planning"
)

// The calendar (任务日历): the assignments the reader sees on the days they
// are due, by month or by week, drawn on the server; and the addresses of
// the iCalendar feeds a calendar program subscribes to. A feed's secret is
// kept only as a hash, so its address is shown once, in the answer to the
// form that made it; resetting makes a new one and stops the old.

// calendarData is the calendar page.
type calendarData struct {
	Week       bool
	Title      string
	Prev, Next string // links to the previous and next month or week
	Today      string
	MonthLink  string
	WeekLink   string
	Weekdays   []string
	Days       []calendarDay
	Feeds      []feedRow
	NewFeedURL string // the address just made
	NewFeedFor string
	Empty      bool // no assignment is due in the span shown
}

// calendarDay is one day of the grid.
type calendarDay struct {
	Date, Label string
	Outside     bool // of the month before or after
	Today       bool
	Items       []assignmentItem
}

// feedRow is one feed the reader may have: their own or a unit's.
type feedRow struct {
	UnitID  int64
	Name    string
	Since   string // when its address was made; "" if none yet
	Current bool
}

func (s *Server) calendarPage(w http.ResponseWriter, r *http.Request, req *request) {
	s.renderCalendar(w, r, req, http.StatusOK, "", "")
}

// renderCalendar draws the calendar of the month (or, with ?view=week, the
// week) that ?date= falls in, today's by default; newURL is a feed address
// just made, for whom.
func (s *Server) renderCalendar(w http.ResponseWriter, r *http.Request, req *request, status int, newURL, newFor string) {
	ctx := r.Context()
	q := r.URL.Query()
	today := herald.CSTDay(s.Auth.Clock.Now())
	at, err := herald.ParseDay(q.Get("date"))
	if err != nil {
		at = today
	}
	d := &calendarData{Week: q.Get("view") == "week", Today: herald.DayString(today), NewFeedURL: newURL, NewFeedFor: newFor}
	var first, last time.Time // the grid's first day and the day after its last
	if d.Week {
		first = at.AddDate(0, 0, -mondayIndex(at))
		last = first.AddDate(0, 0, 7)
		d.Title = s.msgs.T(req.lang, "cal.week_of", herald.DayString(first), herald.DayString(last.AddDate(0, 0, -1)))
		d.Prev = calendarLink("week", first.AddDate(0, 0, -7))
		d.Next = calendarLink("week", last)
	} else {
		month := time.Date(at.Year(), at.Month(), 1, 0, 0, 0, 0, CST)
		first = month.AddDate(0, 0, -mondayIndex(month))
		end := month.AddDate(0, 1, 0)
		last = end.AddDate(0, 0, (7-mondayIndex(end))%7)
		d.Title = s.msgs.T(req.lang, "cal.month", month.Year(), int(month.Month()))
		d.Prev = calendarLink("month", month.AddDate(0, -1, 0))
		d.Next = calendarLink("month", end)
	}
	d.MonthLink, d.WeekLink = calendarLink("month", at), calendarLink("week", at)
	for i := range 7 {
		d.Weekdays = append(d.Weekdays, s.msgs.T(req.lang, "cal.weekday."+string(rune('1'+i))))
	}
	f, err := s.planningFacts(ctx)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	as, err := s.planningService().Visible(ctx, req.staff, herald.AssignmentFilter{DueAfter: &first, DueBefore: &last})
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	items, err := s.assignmentItems(ctx, req, f, as)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	d.Empty = len(items) == 0
	for day := first; day.Before(last); day = day.AddDate(0, 0, 1) {
		cd := calendarDay{Date: herald.DayString(day), Label: s.msgs.T(req.lang, "cal.day", int(day.Month()), day.Day(), d.Weekdays[mondayIndex(day)]),
			Outside: !d.Week && day.Month() != at.Month(), Today: day.Equal(today)}
		for _, it := range items {
			if herald.CSTDay(it.A.Due).Equal(day) {
				cd.Items = append(cd.Items, it)
			}
		}
		d.Days = append(d.Days, cd)
	}
	if err := s.feedRows(r, req, f, d); err != nil {
		s.fail(w, r, req, err)
		return
	}
	s.render(w, r, status, "calendar", req, s.msgs.T(req.lang, "cal.page_title"), d)
}

// mondayIndex is the day's place in a week that starts on Monday, as
// Chinese calendars do.
func mondayIndex(t time.Time) int { return (int(t.Weekday()) + 6) % 7 }

func calendarLink(view string, day time.Time) string {
	return "/newsroom/calendar?" + url.Values{"view": {view}, "date": {herald.DayString(day)}}.Encode()
}

// feedRows lists the feeds the reader may have: their own, their unit's,
// and, for editors, each unit of a plan in their scope.
func (s *Server) feedRows(r *http.Request, req *request, f *planningFacts, d *calendarData) error {
	ctx := r.Context()
	row := func(staffID, unitID int64, name string) error {
		fr := feedRow{UnitID: unitID, Name: name}
		feed, err := s.Store.FindCalendarFeed(ctx, staffID, unitID)
		if err == nil {
			fr.Since, fr.Current = cstTime(&feed.CreatedAt), true
		} else if herald.ErrorCode(err) != herald.ENOTFOUND {
			return err
		}
		d.Feeds = append(d.Feeds, fr)
		return nil
	}
	if err := row(req.staff.ID, 0, s.msgs.T(req.lang, "cal.feed_mine")); err != nil {
		return err
	}
	units := []int64{req.staff.UnitID}
	if planning.MayPlan(req.staff) {
		plans, _, err := s.Store.FindPlans(ctx, herald.PlanFilter{Limit: 50})
		if err != nil {
			return err
		}
		for _, p := range plans {
			for _, id := range p.UnitIDs {
				if planning.InScope(f.units, req.staff, id) && !slices.Contains(units, id) {
					units = append(units, id)
				}
			}
		}
	}
	for _, id := range units {
		if err := row(0, id, s.msgs.T(req.lang, "cal.feed_unit", f.unitName(id))); err != nil {
			return err
		}
	}
	return nil
}

// resetFeed makes a new address for the reader's feed or a unit's, and
// shows it on the calendar page (the only time it is shown).
func (s *Server) resetFeed(w http.ResponseWriter, r *http.Request, req *request) {
	unitID := formID(r.PostFormValue("unit_id"))
	secret, err := s.planningService().ResetFeed(r.Context(), req.staff, unitID)
	if err != nil {
		s.fail(w, r, req, err)
		return
	}
	name := s.msgs.T(req.lang, "cal.feed_mine")
	if unitID != 0 {
		u, err := s.Store.FindUnitByID(r.Context(), unitID)
		if err != nil {
			s.fail(w, r, req, err)
			return
		}
		name = s.msgs.T(req.lang, "cal.feed_unit", u.Name)
	}
	s.renderCalendar(w, r, req, http.StatusOK, s.siteURL(r)+"/newsroom/calendar/"+secret+".ics", name)
}

// calendarFeed serves a feed to a calendar program: no session, the secret
// in the address is the key. An unknown secret is a plain 404.
func (s *Server) calendarFeed(w http.ResponseWriter, r *http.Request) {
	secret, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	if !ok {
		http.NotFound(w, r)
		return
	}
	ctx := r.Context()
	feed, err := s.planningService().OpenFeed(ctx, secret)
	if err != nil {
		if herald.ErrorCode(err) != herald.ENOTFOUND {
			s.Log.Error("calendar feed", "request_id", httpx.RequestID(ctx), "error", err)
		}
		http.Error(w, http.StatusText(httpx.Status(err)), httpx.Status(err))
		return
	}
	f, err := s.planningFacts(ctx)
	if err != nil {
		s.Log.Error("calendar feed", "request_id", httpx.RequestID(ctx), "error", err)
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	lang := Languages[0]
	if feed.Staff != nil && feed.Staff.Language != "" {
		lang = feed.Staff.Language
	}
	base := s.siteURL(r)
	cal := planning.Calendar{Domain: hostOf(base)}
	if feed.Unit != nil {
		cal.Name = s.msgs.T(lang, "cal.feed_name_unit", feed.Unit.Name)
	} else {
		cal.Name = s.msgs.T(lang, "cal.feed_name_mine", feed.Staff.Name)
	}
	for _, a := range feed.Assignments {
		plan := ""
		if p := f.plan(ctx, s.Store, a.PlanID); p != nil {
			plan = s.msgs.T(lang, "cal.ics_plan", p.Title)
		}
		assignee := ""
		if a.AssigneeID != 0 {
			assignee = s.msgs.T(lang, "cal.ics_assignee", f.staffName(a.AssigneeID))
		}
		cal.Events = append(cal.Events, planning.CalendarEvent{Assignment: a,
			Summary:     s.msgs.T(lang, "cal.ics_summary", a.Title, s.msgs.T(lang, "assign.status."+string(a.Status))),
			Description: planning.DescribeAssignment(a.Brief, s.msgs.T(lang, "cal.ics_unit", f.unitName(a.UnitID)), assignee, plan),
			URL:         base + herald.AssignmentLink(a)})
	}
	h := w.Header()
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	h.Set("Cache-Control", "private, max-age=300")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Robots-Tag", "noindex")
	w.Write(planning.ICalendar(cal))
}

func hostOf(base string) string {
	if u, err := url.Parse(base); err == nil && u.Host != "" {
		return u.Hostname()
	}
	return "herald"
}
