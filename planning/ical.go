package planning

import (
	"bytes"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldnews/herald"
)

// The iCalendar (RFC 5545) rendering of assignments. Each assignment is a
// VEVENT on its deadline — an all-day event on its day, or a half-hour
// event at its time, in Asia/Shanghai, whose definition the calendar
// carries — because calendar programs show events and mostly ignore
// VTODOs. Its UID is stable, its DTSTAMP and SEQUENCE follow its saves, so
// that a subscribed calendar updates the event instead of adding another.

// CalendarEvent is one assignment as a calendar shows it.
type CalendarEvent struct {
	Assignment *herald.Assignment
	// Summary is the event's title; Description its text (the brief, the
	// unit, the state); URL the assignment's page.
	Summary, Description, URL string
}

// Calendar is a feed's calendar.
type Calendar struct {
	Name string
	// Domain makes the events' UIDs unique across sites: the site's host.
	Domain string
	Events []CalendarEvent
}

// TimeZone is the zone the feed's times are written in.
const TimeZone = "Asia/Shanghai"

// vtimezone defines Asia/Shanghai, which has kept UTC+8 without daylight
// saving since 1991.
const vtimezone = "BEGIN:VTIMEZONE\r\nTZID:" + TimeZone + "\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n" +
	"TZOFFSETFROM:+0800\r\nTZOFFSETTO:+0800\r\nTZNAME:CST\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"

// timedLength is how long a timed deadline's event lasts on the calendar.
const timedLength = 30 * time.Minute

// ICalendar renders the calendar as an RFC 5545 stream: CRLF line ends,
// lines folded at 75 octets, text escaped.
func ICalendar(c Calendar) []byte {
	var b bytes.Buffer
	line := func(name, value string) { writeFolded(&b, name+":"+value) }
	b.WriteString("BEGIN:VCALENDAR\r\n")
	line("VERSION", "2.0")
	line("PRODID", "-//Herald//Assignments//ZH")
	line("CALSCALE", "GREGORIAN")
	line("METHOD", "PUBLISH")
	line("X-WR-CALNAME", escapeText(c.Name))
	line("X-WR-TIMEZONE", TimeZone)
	b.WriteString(vtimezone)
	for _, e := range c.Events {
		a := e.Assignment
		b.WriteString("BEGIN:VEVENT\r\n")
		line("UID", "assignment-"+strconv.FormatInt(a.ID, 10)+"@"+c.Domain)
		line("DTSTAMP", utcStamp(a.UpdatedAt))
		line("CREATED", utcStamp(a.CreatedAt))
		line("LAST-MODIFIED", utcStamp(a.UpdatedAt))
		line("SEQUENCE", strconv.Itoa(max(a.Version-1, 0)))
		if a.AllDay() {
			day := a.Due.In(herald.CST)
			line("DTSTART;VALUE=DATE", day.Format("20060102"))
			line("DTEND;VALUE=DATE", day.AddDate(0, 0, 1).Format("20060102"))
		} else {
			line("DTSTART;TZID="+TimeZone, a.Due.In(herald.CST).Format("20060102T150405"))
			line("DTEND;TZID="+TimeZone, a.Due.Add(timedLength).In(herald.CST).Format("20060102T150405"))
		}
		line("SUMMARY", escapeText(e.Summary))
		if e.Description != "" {
			line("DESCRIPTION", escapeText(e.Description))
		}
		if e.URL != "" {
			line("URL;VALUE=URI", e.URL)
		}
		line("STATUS", eventStatus(a.Status))
		line("TRANSP", "TRANSPARENT") // a deadline does not make anyone busy
		b.WriteString("END:VEVENT\r\n")
	}
	b.WriteString("END:VCALENDAR\r\n")
	return b.Bytes()
}

// eventStatus maps an assignment's state to a VEVENT's: only CONFIRMED and
// CANCELLED apply (TENTATIVE would say the deadline itself is unsure).
func eventStatus(s herald.AssignmentStatus) string {
	if s == herald.AssignmentDeclined || s == herald.AssignmentCancelled {
		return "CANCELLED"
	}
	return "CONFIRMED"
}

func utcStamp(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// escapeText escapes a TEXT value (RFC 5545 3.3.11): backslash, semicolon,
// comma and line breaks.
func escapeText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`, "\r", `\n`).Replace(s)
}

// writeFolded writes a content line folded so that no line is longer than
// 75 octets (RFC 5545 3.1), never splitting a UTF-8 character: each
// continuation line starts with a space.
func writeFolded(b *bytes.Buffer, s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(s)
	b.WriteString("\r\n")
}

// DescribeAssignment is the description of an assignment's event: the
// lines that are not empty (its unit, assignee, plan…), then, after a
// blank line, its brief.
func DescribeAssignment(brief string, lines ...string) string {
	var out []string
	for _, l := range lines {
		if l != "" {
			out = append(out, l)
		}
	}
	if brief != "" {
		out = append(out, "", brief)
	}
	return strings.Join(out, "\n")
}
