package charts

import (
	"math"
	"time"
)

// niceTicks returns at most maxTicks evenly spaced values covering lo..hi
// whose step is 1, 2 or 5 × 10ⁿ, and the digits after the point that step
// needs. The first tick is at or below lo and the last at or above hi. An
// empty range is widened to include zero (or to 0..1 if it is zero).
func niceTicks(lo, hi float64, maxTicks int) (ticks []float64, decimals int) {
	maxTicks = max(maxTicks, 2)
	if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(hi-lo, 0) {
		return []float64{lo, hi}, 0 // callers pass finite values; this only avoids looping
	}
	if lo > hi {
		lo, hi = hi, lo
	}
	switch {
	case lo == hi && lo == 0:
		hi = 1
	case lo == hi && lo > 0:
		lo = 0
	case lo == hi:
		hi = 0
	}
	exp := int(math.Floor(math.Log10((hi - lo) / float64(maxTicks-1))))
	for {
		for _, m := range []int64{1, 2, 5} {
			step := scale(m, exp)
			// A hair of tolerance so that 0.3/0.1 = 2.9999… still starts at 3.
			k0 := int64(math.Floor(lo/step + 1e-9))
			k1 := int64(math.Ceil(hi/step - 1e-9))
			if k1-k0+1 > int64(maxTicks) {
				continue
			}
			for k := k0; k <= k1; k++ {
				ticks = append(ticks, scale(k*m, exp))
			}
			return ticks, max(-exp, 0)
		}
		exp++
	}
}

// scale returns m × 10^exp, exact to the last bit where the decimal is:
// dividing by a power of ten rounds once, multiplying by 0.1 repeatedly
// would not.
func scale(m int64, exp int) float64 {
	if exp >= 0 {
		return float64(m) * math.Pow10(exp)
	}
	return float64(m) / math.Pow10(-exp)
}

// A timeTick is a labelled mark on a time axis.
type timeTick struct {
	at    time.Time
	label string
}

type timeUnit int

const (
	hours timeUnit = iota
	days
	months
	years
)

// timeSteps are the candidate spacings of time ticks, finest first, with the
// label that suits each: hours "15:04", days "11-26", months "2026-11",
// years "2026".
var timeSteps = []struct {
	unit   timeUnit
	n      int
	layout string
}{
	{hours, 1, "15:04"}, {hours, 2, "15:04"}, {hours, 3, "15:04"}, {hours, 6, "15:04"}, {hours, 12, "15:04"},
	{days, 1, "01-02"}, {days, 2, "01-02"}, {days, 7, "01-02"}, {days, 14, "01-02"},
	{months, 1, "2006-01"}, {months, 2, "2006-01"}, {months, 3, "2006-01"}, {months, 6, "2006-01"},
	{years, 1, "2006"}, {years, 2, "2006"}, {years, 5, "2006"}, {years, 10, "2006"},
	{years, 20, "2006"}, {years, 50, "2006"}, {years, 100, "2006"},
}

// timeTicks chooses the finest spacing whose labels fit in plotWidth at
// size, and returns its ticks in lo..hi, in lo's time zone. Hours are only
// used for spans of two days or less, where a bare time is not ambiguous.
func timeTicks(lo, hi time.Time, plotWidth, size float64) []timeTick {
	hi = hi.In(lo.Location())
	var ticks []timeTick
	for _, s := range timeSteps {
		if s.unit == hours && hi.Sub(lo) > 48*time.Hour {
			continue
		}
		labelWidth := textWidth(lo.Format(s.layout), size, false) + size // a space of one em between labels
		maxTicks := max(int(plotWidth/labelWidth), 1)
		ticks = ticks[:0]
		for t := firstTick(lo, s.unit, s.n); !t.After(hi); t = nextTick(t, s.unit, s.n) {
			ticks = append(ticks, timeTick{t, t.Format(s.layout)})
			if len(ticks) > maxTicks {
				break
			}
		}
		if len(ticks) >= 1 && len(ticks) <= maxTicks {
			return ticks
		}
	}
	return ticks // a span of millennia: the coarsest step, crowded
}

// firstTick returns the first time at or after t on a boundary of the unit
// that is a multiple of n (hour 0, 6, 12, 18; January, July; 2020, 2025).
// Days count from the first midnight, as weeks have no natural origin.
func firstTick(t time.Time, u timeUnit, n int) time.Time {
	y, m, d := t.Date()
	loc := t.Location()
	var first time.Time
	switch u {
	case hours:
		first = time.Date(y, m, d, t.Hour(), 0, 0, 0, loc)
	case days:
		first = time.Date(y, m, d, 0, 0, 0, 0, loc)
	case months:
		first = time.Date(y, m, 1, 0, 0, 0, 0, loc)
	default:
		first = time.Date(y, 1, 1, 0, 0, 0, 0, loc)
	}
	if first.Before(t) {
		first = nextTick(first, u, 1)
	}
	for !aligned(first, u, n) {
		first = nextTick(first, u, 1)
	}
	return first
}

func aligned(t time.Time, u timeUnit, n int) bool {
	switch u {
	case hours:
		return t.Hour()%n == 0
	case months:
		return (int(t.Month())-1)%n == 0
	case years:
		return t.Year()%n == 0
	}
	return true
}

func nextTick(t time.Time, u timeUnit, n int) time.Time {
	y, m, d := t.Date()
	switch u {
	case hours:
		return time.Date(y, m, d, t.Hour()+n, 0, 0, 0, t.Location())
	case days:
		return t.AddDate(0, 0, n)
	case months:
		return t.AddDate(0, n, 0)
	}
	return t.AddDate(n, 0, 0)
}
