package metrics

import (
	"context"
	"strings"
	"testing"
)

func TestFuncFamiliesReadAtEachScrape(t *testing.T) {
	r := NewRegistry()
	level, ok := 3.0, true
	r.GaugeFunc("test_level", "Level.", func() (float64, bool) { return level, ok })
	n := 0.0
	r.CounterFunc("test_events_total", "Events.", func() (float64, bool) { n += 2; return n, true })

	types, samples := parse(t, scrape(t, r))
	if types["test_level"] != "gauge" || types["test_events_total"] != "counter" {
		t.Errorf("types: %v", types)
	}
	if v, found := find(samples, "test_level", map[string]string{}); !found || v != 3 {
		t.Errorf("gauge = %v (%v), want 3", v, found)
	}
	if v, _ := find(samples, "test_events_total", map[string]string{}); v != 2 {
		t.Errorf("counter = %v, want 2", v)
	}

	level = -1.5
	_, samples = parse(t, scrape(t, r))
	if v, _ := find(samples, "test_level", map[string]string{}); v != -1.5 {
		t.Errorf("gauge after a change = %v, want -1.5: not read at the scrape", v)
	}
	if v, _ := find(samples, "test_events_total", map[string]string{}); v != 4 {
		t.Errorf("counter on the second scrape = %v, want 4", v)
	}

	ok = false
	text := scrape(t, r)
	types, samples = parse(t, text)
	if _, found := find(samples, "test_level", map[string]string{}); found {
		t.Errorf("a value that could not be read was exported:\n%s", text)
	}
	if types["test_level"] != "gauge" {
		t.Errorf("the family's HELP and TYPE went with its value:\n%s", text)
	}
}

func TestFuncFamiliesRunAfterTheHooks(t *testing.T) {
	r := NewRegistry()
	gathered := 0.0
	r.GaugeFunc("test_gathered", "Gathered by the hook.", func() (float64, bool) { return gathered, true })
	r.OnScrape(func(context.Context) { gathered += 10 })
	_, samples := parse(t, scrape(t, r))
	if v, _ := find(samples, "test_gathered", map[string]string{}); v != 10 {
		t.Errorf("value %v, want 10: the function ran before the hook", v)
	}
}

func TestSummaryFunc(t *testing.T) {
	r := NewRegistry()
	r.SummaryFunc("test_pause_seconds", "Pauses.", func() (Summary, bool) {
		return Summary{Sum: 0.75, Count: 9, Quantiles: []Quantile{{1, 0.3}, {0, 0.001}, {0.5, 0.02}}}, true
	})
	text := scrape(t, r)
	types, samples := parse(t, text)
	if types["test_pause_seconds"] != "summary" {
		t.Errorf("types: %v", types)
	}
	want := "# HELP test_pause_seconds Pauses.\n# TYPE test_pause_seconds summary\n" +
		"test_pause_seconds{quantile=\"0\"} 0.001\ntest_pause_seconds{quantile=\"0.5\"} 0.02\ntest_pause_seconds{quantile=\"1\"} 0.3\n" +
		"test_pause_seconds_sum 0.75\ntest_pause_seconds_count 9\n"
	if text != want {
		t.Errorf("got\n%s\nwant (quantiles in order)\n%s", text, want)
	}
	if v, _ := find(samples, "test_pause_seconds_count", map[string]string{}); v != 9 {
		t.Errorf("count = %v", v)
	}

	r = NewRegistry()
	r.SummaryFunc("test_pause_seconds", "Pauses.", func() (Summary, bool) { return Summary{Count: 1}, false })
	if text := scrape(t, r); strings.Contains(text, "test_pause_seconds_count") {
		t.Errorf("an unreadable summary was exported:\n%s", text)
	}
}

func TestFuncFamiliesRefuseBadAndDuplicateNames(t *testing.T) {
	for name, register := range map[string]func(r *Registry){
		"gauge name":   func(r *Registry) { r.GaugeFunc("bad-name", "", nil) },
		"counter name": func(r *Registry) { r.CounterFunc("1bad", "", nil) },
		"twice":        func(r *Registry) { r.Gauge("dup", ""); r.CounterFunc("dup", "", nil) },
		"summary twice": func(r *Registry) {
			r.SummaryFunc("dup", "", nil)
			r.SummaryFunc("dup", "", nil)
		},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			register(NewRegistry())
		})
	}
}
