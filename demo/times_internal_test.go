package demo

import (
	"testing"
	"time"

	"github.com/heraldnews/herald"
)

// The demo has today's news and keeps everything done in the past at any
// time of day it starts, and the order of the corpus's events.
func TestDemoTimesPutTodaysNewsBeforeNow(t *testing.T) {
	c, err := LoadCorpus()
	if err != nil {
		t.Fatal(err)
	}
	for _, clock := range []string{"00:00:30", "00:20:00", "03:00:00", "09:05:00", "15:00:00", "23:59:00"} {
		now, _ := time.ParseInLocation(time.DateTime, "2026-11-26 "+clock, herald.CST)
		times := demoTimes(c.Articles, now)
		today := 0
		for i, a := range c.Articles {
			switch {
			case a.Time.Year() == 2019:
				if !times[i].Equal(a.Time) {
					t.Errorf("%s: the 2019 course moved to %v", clock, times[i])
				}
			case a.State == "scheduled":
				if !times[i].After(now) {
					t.Errorf("%s: %s is scheduled at %v, not in the future", clock, a.File, times[i])
				}
			case !times[i].Before(now):
				t.Errorf("%s: %s (%s) happens at %v, not before now", clock, a.File, a.State, times[i])
			case (a.State == "published" || a.State == "corrected") && !times[i].Before(herald.CSTDay(now)):
				today++
			}
			for j, b := range c.Articles {
				if a.State != "scheduled" && b.State != "scheduled" && a.Time.Year() != 2019 && b.Time.Year() != 2019 &&
					a.Time.Before(b.Time) && times[i].After(times[j]) {
					t.Errorf("%s: %s came before %s in the corpus but after it in the demo", clock, a.File, b.File)
				}
			}
		}
		if today < 2 {
			t.Errorf("%s: %d stories published today, want the corpus's newest day's", clock, today)
		}
	}
}
