package charts

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestNiceTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi   float64
		max      int
		want     []float64
		decimals int
	}{
		{0, 100, 6, []float64{0, 20, 40, 60, 80, 100}, 0},
		{0, 91377, 6, []float64{0, 20000, 40000, 60000, 80000, 100000}, 0},
		{0, 7, 6, []float64{0, 2, 4, 6, 8}, 0},
		{0, 7, 9, []float64{0, 1, 2, 3, 4, 5, 6, 7}, 0},
		{48000, 55900, 6, []float64{48000, 50000, 52000, 54000, 56000}, 0},
		{-6.5, 12.5, 6, []float64{-10, -5, 0, 5, 10, 15}, 0},
		{-21, 14, 5, []float64{-40, -20, 0, 20}, 0}, // steps of 10 would need six ticks
		{0, 0.3, 4, []float64{0, 0.1, 0.2, 0.3}, 1},
		{0.02, 0.07, 6, []float64{0.02, 0.03, 0.04, 0.05, 0.06, 0.07}, 2},
		{2, 6.9, 6, []float64{2, 3, 4, 5, 6, 7}, 0},
		{0, 0, 6, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}, 1}, // nothing but zeros
		{5, 5, 6, []float64{0, 1, 2, 3, 4, 5}, 0},         // one value: from zero
		{-3, -3, 4, []float64{-3, -2, -1, 0}, 0},
		{100, 0, 3, []float64{0, 50, 100}, 0}, // reversed
		{0, 1, 1, []float64{0, 1}, 0},         // at least two ticks
	} {
		got, dec := niceTicks(c.lo, c.hi, c.max)
		if !slices.Equal(got, c.want) || dec != c.decimals {
			t.Errorf("niceTicks(%v, %v, %d) = %v, %d; want %v, %d", c.lo, c.hi, c.max, got, dec, c.want, c.decimals)
		}
		if len(got) > max(c.max, 2) || got[0] > min(c.lo, c.hi) || got[len(got)-1] < max(c.lo, c.hi) {
			t.Errorf("niceTicks(%v, %v, %d) = %v does not cover the range in at most %d", c.lo, c.hi, c.max, got, c.max)
		}
	}
}

func TestTimeTicks(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		name, lo, hi string
		plotWidth    float64
		want         string
	}{
		{"a day by hours", "2026-11-26 00:00", "2026-11-26 23:00", 420, "00:00 03:00 06:00 09:00 12:00 15:00 18:00 21:00"},
		{"a day, narrow", "2026-11-26 00:00", "2026-11-26 23:00", 200, "00:00 12:00"},
		{"a month by weeks", "2026-11-01 00:00", "2026-11-30 00:00", 420, "11-01 11-08 11-15 11-22 11-29"},
		{"a fortnight by days", "2026-11-20 00:00", "2026-11-26 00:00", 420, "11-20 11-21 11-22 11-23 11-24 11-25 11-26"},
		{"a month, narrow", "2026-11-01 00:00", "2026-11-30 00:00", 200, "11-01 11-15 11-29"},
		{"a year by months", "2026-01-01 00:00", "2026-12-31 00:00", 420, "2026-01 2026-03 2026-05 2026-07 2026-09 2026-11"},
		{"a year from mid-month", "2025-11-26 00:00", "2026-11-25 00:00", 420, "2026-01 2026-03 2026-05 2026-07 2026-09 2026-11"},
		{"six years", "2021-01-01 00:00", "2026-12-01 00:00", 420, "2021 2022 2023 2024 2025 2026"},
		{"a century", "1950-03-01 00:00", "2049-01-01 00:00", 420, "1960 1970 1980 1990 2000 2010 2020 2030 2040"},
		{"a century, narrow", "1950-03-01 00:00", "2049-01-01 00:00", 250, "1960 1980 2000 2020 2040"},
		{"days across new year", "2025-12-28 00:00", "2026-01-03 00:00", 420, "12-28 12-29 12-30 12-31 01-01 01-02 01-03"},
	} {
		var got []string
		for _, tick := range timeTicks(at(c.lo), at(c.hi), c.plotWidth, smallFont) {
			got = append(got, tick.label)
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%s: ticks %q, want %q", c.name, strings.Join(got, " "), c.want)
		}
	}
}
