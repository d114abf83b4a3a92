package planning

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/internal/testenv"
)

// sampleCalendar has an all-day and a timed deadline, a cancelled piece,
// and text that needs escaping and folding (long Chinese lines, commas,
// semicolons, backslashes, line breaks).
func sampleCalendar() (Calendar, []string) {
	at := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	allDay := &herald.Assignment{ID: 7, UnitID: 3, Due: time.Date(2026, 11, 28, 0, 0, 0, 0, herald.CST), Status: herald.AssignmentAccepted,
		CreatedAt: at, UpdatedAt: at.Add(time.Hour), Version: 2}
	timed := &herald.Assignment{ID: 8, UnitID: 4, Due: time.Date(2026, 11, 27, 17, 0, 0, 0, herald.CST), Status: herald.AssignmentAssigned,
		CreatedAt: at, UpdatedAt: at, Version: 1}
	cancelled := &herald.Assignment{ID: 9, UnitID: 5, Due: time.Date(2026, 11, 30, 0, 0, 0, 0, herald.CST), Status: herald.AssignmentCancelled,
		CreatedAt: at, UpdatedAt: at, Version: 3}
	summaries := []string{
		"京津冀协同发展：廊坊公证“跨省通办”专窗一周年，请围绕群众办事体验、三地协作机制、数据共享成效等方面组织深度报道",
		`Report; with, commas \ and a backslash`,
		"取消的稿件",
	}
	brief := "要求：\n1. 图文并茂，配发现场照片；\n2. 字数1500字以内, 突出典型案例。"
	return Calendar{Name: "我的任务, 张华; test", Domain: "news.example.gov.cn", Events: []CalendarEvent{
		{Assignment: allDay, Summary: summaries[0], Description: DescribeAssignment(brief, "已接受", "廊坊市司法局", "尹璐_DW301", "京津冀协同发展宣传月"), URL: "https://news.example.gov.cn/newsroom/assignments/7"},
		{Assignment: timed, Summary: summaries[1], URL: "https://news.example.gov.cn/newsroom/assignments/8"},
		{Assignment: cancelled, Summary: summaries[2]},
	}}, summaries
}

// checkICalendar is a strict line-level check of RFC 5545 syntax: CRLF
// line ends only, no line over 75 octets, continuation lines start with one
// space and never split a character, every unfolded line is NAME[;PARAM]:VALUE,
// components nest and close, and each VEVENT has the properties the RFC
// requires (UID, DTSTAMP, DTSTART) once.
func checkICalendar(t *testing.T, data []byte) []string {
	t.Helper()
	if !bytes.HasSuffix(data, []byte("\r\n")) {
		t.Fatal("the stream does not end with CRLF")
	}
	raw := strings.Split(strings.TrimSuffix(string(data), "\r\n"), "\r\n")
	var lines []string
	for i, l := range raw {
		if strings.ContainsAny(l, "\r\n") {
			t.Fatalf("line %d has a bare CR or LF: %q", i+1, l)
		}
		if len(l) > 75 {
			t.Fatalf("line %d is %d octets: %q", i+1, len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Fatalf("line %d splits a UTF-8 character: %q", i+1, l)
		}
		if strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") {
			if len(lines) == 0 {
				t.Fatal("the stream starts with a continuation line")
			}
			lines[len(lines)-1] += l[1:]
			continue
		}
		lines = append(lines, l)
	}
	contentLine := regexp.MustCompile(`^[A-Z][A-Z0-9-]*(;[A-Z][A-Z0-9-]*=("[^"]*"|[^";:,]*)(,("[^"]*"|[^";:,]*))*)*:`)
	var stack []string
	props := map[string]int{}
	for i, l := range lines {
		if !contentLine.MatchString(l) {
			t.Fatalf("unfolded line %d is not a content line: %q", i+1, l)
		}
		name, value, _ := strings.Cut(l, ":")
		name, _, _ = strings.Cut(name, ";")
		switch name {
		case "BEGIN":
			stack = append(stack, value)
			if value == "VEVENT" {
				props = map[string]int{}
			}
		case "END":
			if len(stack) == 0 || stack[len(stack)-1] != value {
				t.Fatalf("line %d closes %s, open: %v", i+1, value, stack)
			}
			if value == "VEVENT" {
				for _, p := range []string{"UID", "DTSTAMP", "DTSTART", "SUMMARY", "STATUS"} {
					if props[p] != 1 {
						t.Fatalf("a VEVENT has %s %d times", p, props[p])
					}
				}
			}
			stack = stack[:len(stack)-1]
		default:
			props[name]++
			if name == "SUMMARY" || name == "DESCRIPTION" || name == "X-WR-CALNAME" {
				// TEXT: every ; , and \ is escaped, and no raw line break is left
				if regexp.MustCompile(`(^|[^\\])(\\\\)*[;,]`).MatchString(value) || regexp.MustCompile(`(^|[^\\])(\\\\)*\\[^\\;,nN]`).MatchString(value) {
					t.Fatalf("unescaped text in %s: %q", name, value)
				}
			}
		}
	}
	if len(stack) != 0 || lines[0] != "BEGIN:VCALENDAR" || lines[len(lines)-1] != "END:VCALENDAR" {
		t.Fatalf("not one closed VCALENDAR: %v", stack)
	}
	return lines
}

func TestICalendarIsStrictRFC5545(t *testing.T) {
	cal, summaries := sampleCalendar()
	data := ICalendar(cal)
	lines := checkICalendar(t, data)
	joined := strings.Join(lines, "\n")
	for _, want := range []string{
		"VERSION:2.0", "BEGIN:VTIMEZONE", "TZID:Asia/Shanghai",
		"UID:assignment-7@news.example.gov.cn", "DTSTART;VALUE=DATE:20261128", "DTEND;VALUE=DATE:20261129",
		"DTSTAMP:20261120T103000Z", "SEQUENCE:1",
		"DTSTART;TZID=Asia/Shanghai:20261127T170000", "DTEND;TZID=Asia/Shanghai:20261127T173000",
		`SUMMARY:Report\; with\, commas \\ and a backslash`,
		`DESCRIPTION:已接受\n廊坊市司法局\n尹璐_DW301\n京津冀协同发展宣传月\n\n要求：\n1. 图文并茂`,
		"STATUS:CANCELLED", "URL;VALUE=URI:https://news.example.gov.cn/newsroom/assignments/8",
		`X-WR-CALNAME:我的任务\, 张华\; test`,
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("the calendar lacks %q", want)
		}
	}
	if !strings.Contains(string(data), "\r\n ") {
		t.Error("the long summary was not folded")
	}
	if !strings.Contains(joined, "SUMMARY:"+summaries[0]) {
		t.Error("folding changed the summary")
	}
	// the same assignments give the same bytes: a subscribed calendar sees no change
	if again := ICalendar(cal); !bytes.Equal(again, data) {
		t.Error("rendering is not stable")
	}
}

// TestICalendarParsesWithPython reads the calendar with Python's icalendar
// library (Debian: python3-icalendar), an independent parser, and checks
// what it reads back.
func TestICalendarParsesWithPython(t *testing.T) {
	// Debian's package lands in the system's Python, which a Python
	// manager's shim earlier on the PATH may hide.
	python := ""
	for _, p := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(p, "-c", "import icalendar").Run() == nil {
			python = p
			break
		}
	}
	if python == "" {
		testenv.Missing(t, "python3 with the icalendar module is not installed (apt-get install python3-icalendar)")
	}
	cal, summaries := sampleCalendar()
	file := filepath.Join(t.TempDir(), "feed.ics")
	if err := os.WriteFile(file, ICalendar(cal), 0o600); err != nil {
		t.Fatal(err)
	}
	script := `
import sys, icalendar, datetime
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
assert cal.errors == [] if hasattr(cal, 'errors') else True
for c in cal.walk():
    errs = getattr(c, 'errors', [])
    assert not errs, (c.name, errs)
    if c.name == 'VEVENT':
        start = c.decoded('DTSTART')
        kind = 'date' if type(start) is datetime.date else 'time:' + start.utcoffset().__str__()
        print('\t'.join([str(c.get('UID')), kind, start.isoformat(), str(c.get('STATUS')), str(c.get('SUMMARY')).replace('\n', '|'), str(c.get('DESCRIPTION', '')).replace('\n', '|')]))
`
	out, err := exec.Command(python, "-c", script, file).CombinedOutput()
	if err != nil {
		t.Fatalf("python icalendar: %v\n%s", err, out)
	}
	rows := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(rows) != 3 {
		t.Fatalf("python read %d events:\n%s", len(rows), out)
	}
	want := [][]string{
		{"assignment-7@news.example.gov.cn", "date", "2026-11-28", "CONFIRMED", summaries[0]},
		{"assignment-8@news.example.gov.cn", "time:8:00:00", "2026-11-27T17:00:00+08:00", "CONFIRMED", summaries[1]},
		{"assignment-9@news.example.gov.cn", "date", "2026-11-30", "CANCELLED", summaries[2]},
	}
	for i, row := range rows {
		got := strings.Split(row, "\t")
		for j, w := range want[i] {
			if got[j] != w {
				t.Errorf("event %d field %d: python read %q, want %q", i, j, got[j], w)
			}
		}
	}
	if got := strings.Split(rows[0], "\t")[5]; !strings.HasPrefix(got, "已接受|廊坊市司法局|尹璐_DW301|京津冀协同发展宣传月||要求：|1. 图文并茂，配发现场照片；|2. 字数1500字以内, 突出典型案例。") {
		t.Errorf("python read the description as %q", got)
	}
}
