package metrics

import (
	"bufio"
	"bytes"
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// The grammar of the text format 0.0.4, line by line.
var (
	helpLine   = regexp.MustCompile(`^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) ((?:[^\\\n]|\\\\|\\n)*)$`)
	typeLine   = regexp.MustCompile(`^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$`)
	labelPair  = `[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\\\|\\"|\\n)*"`
	sampleLine = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:` + labelPair + `(?:,` + labelPair + `)*)?\})? (\S+)$`)
	pairRe     = regexp.MustCompile(labelPair)
)

type sample struct {
	name   string
	labels map[string]string
	value  float64
}

// parse checks every line of an exposition against the grammar and the
// format's rules (HELP and TYPE once per family, before its samples; samples
// of a family together) and returns the samples.
func parse(t *testing.T, text string) (types map[string]string, samples []sample) {
	t.Helper()
	types = map[string]string{}
	helps := map[string]bool{}
	seen := map[string]bool{} // families whose samples are over
	current := ""
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case helpLine.MatchString(line):
			name := helpLine.FindStringSubmatch(line)[1]
			if helps[name] {
				t.Errorf("line %d: second HELP for %s", n, name)
			}
			helps[name] = true
		case typeLine.MatchString(line):
			m := typeLine.FindStringSubmatch(line)
			if _, ok := types[m[1]]; ok {
				t.Errorf("line %d: second TYPE for %s", n, m[1])
			}
			types[m[1]] = m[2]
		case sampleLine.MatchString(line):
			m := sampleLine.FindStringSubmatch(line)
			fam := m[1]
			if types[fam] == "" {
				for _, suffix := range []string{"_bucket", "_sum", "_count"} {
					base := strings.TrimSuffix(m[1], suffix)
					if base != m[1] && (types[base] == "histogram" || (types[base] == "summary" && suffix != "_bucket")) {
						fam = base
					}
				}
			}
			if types[fam] == "" {
				t.Errorf("line %d: sample of %s before its TYPE", n, m[1])
			}
			if fam != current {
				if seen[fam] {
					t.Errorf("line %d: samples of %s not together", n, fam)
				}
				seen[current], current = true, fam
			}
			v, err := parseValue(m[3])
			if err != nil {
				t.Errorf("line %d: value %q: %v", n, m[3], err)
			}
			labels := map[string]string{}
			for _, p := range pairRe.FindAllString(m[2], -1) {
				k, quoted, _ := strings.Cut(p, "=")
				if _, dup := labels[k]; dup {
					t.Errorf("line %d: label %s twice", n, k)
				}
				labels[k] = unescape(quoted[1 : len(quoted)-1])
			}
			samples = append(samples, sample{m[1], labels, v})
		default:
			t.Errorf("line %d does not follow the format: %q", n, line)
		}
	}
	if !strings.HasSuffix(text, "\n") && text != "" {
		t.Error("last line is not ended")
	}
	return types, samples
}

func parseValue(s string) (float64, error) {
	switch s {
	case "+Inf":
		return math.Inf(1), nil
	case "-Inf":
		return math.Inf(-1), nil
	case "NaN":
		return math.NaN(), nil
	}
	return strconv.ParseFloat(s, 64)
}

func unescape(s string) string {
	return strings.NewReplacer(`\\`, `\`, `\"`, `"`, `\n`, "\n").Replace(s)
}

func scrape(t *testing.T, r *Registry) string {
	t.Helper()
	var b bytes.Buffer
	r.Write(context.Background(), &b)
	return b.String()
}

func find(samples []sample, name string, labels map[string]string) (float64, bool) {
	for _, s := range samples {
		if s.name != name || len(s.labels) != len(labels) {
			continue
		}
		match := true
		for k, v := range labels {
			match = match && s.labels[k] == v
		}
		if match {
			return s.value, true
		}
	}
	return 0, false
}

func TestExpositionFollowsTheFormat(t *testing.T) {
	r := NewRegistry()
	c := r.Counter("test_requests_total", "Requests.\nSecond line with a \\ backslash and \"quotes\".", "route", "status")
	g := r.Gauge("test_queue", "Queued jobs.")
	h := r.Histogram("test_duration_seconds", "Durations.", []float64{0.1, 1, 10}, "route")
	weird := "GET /a/{id}\n\"quoted\" \\ back\xff"
	c.With(weird, "200").Add(2)
	c.With("GET /", "500").Inc()
	g.With().Set(-3.5)
	for _, x := range []float64{0.05, 0.1, 0.5, 3, 100} {
		h.With("GET /").Observe(x)
	}
	r.Counter("test_empty_total", "No series yet.")

	types, samples := parse(t, scrape(t, r))
	if types["test_requests_total"] != "counter" || types["test_queue"] != "gauge" || types["test_duration_seconds"] != "histogram" {
		t.Errorf("types: %v", types)
	}
	if v, ok := find(samples, "test_requests_total", map[string]string{"route": "GET /a/{id}\n\"quoted\" \\ back\uFFFD", "status": "200"}); !ok || v != 2 {
		t.Errorf("escaped label round trip: %v %v\n%s", v, ok, scrape(t, r))
	}
	if v, _ := find(samples, "test_queue", map[string]string{}); v != -3.5 {
		t.Errorf("gauge = %v", v)
	}
	wantBuckets := map[string]float64{"0.1": 2, "1": 3, "10": 4, "+Inf": 5}
	for le, want := range wantBuckets {
		if v, ok := find(samples, "test_duration_seconds_bucket", map[string]string{"route": "GET /", "le": le}); !ok || v != want {
			t.Errorf("bucket le=%s = %v (%v), want %v", le, v, ok, want)
		}
	}
	if v, _ := find(samples, "test_duration_seconds_count", map[string]string{"route": "GET /"}); v != 5 {
		t.Errorf("count = %v", v)
	}
	if v, _ := find(samples, "test_duration_seconds_sum", map[string]string{"route": "GET /"}); math.Abs(v-103.65) > 1e-9 {
		t.Errorf("sum = %v", v)
	}
}

func TestOutputIsDeterministic(t *testing.T) {
	r := NewRegistry()
	c := r.Counter("b_total", "B.", "x")
	r.Gauge("a", "A.").With().Set(1)
	for _, x := range []string{"z", "a", "m", "b"} {
		c.With(x).Inc()
	}
	first := scrape(t, r)
	for range 20 {
		if got := scrape(t, r); got != first {
			t.Fatalf("output changed:\n%s\n---\n%s", first, got)
		}
	}
	want := "# HELP a A.\n# TYPE a gauge\na 1\n# HELP b_total B.\n# TYPE b_total counter\n" +
		"b_total{x=\"a\"} 1\nb_total{x=\"b\"} 1\nb_total{x=\"m\"} 1\nb_total{x=\"z\"} 1\n"
	if first != want {
		t.Errorf("got\n%s\nwant\n%s", first, want)
	}
}

func TestRegistrationRefusesBadNames(t *testing.T) {
	for name, register := range map[string]func(r *Registry){
		"metric name":    func(r *Registry) { r.Counter("1bad", "") },
		"label name":     func(r *Registry) { r.Gauge("ok", "", "bad-label") },
		"reserved label": func(r *Registry) { r.Gauge("ok", "", "__name") },
		"le":             func(r *Registry) { r.Histogram("ok", "", DefaultBuckets, "le") },
		"buckets":        func(r *Registry) { r.Histogram("ok", "", []float64{1, 1}) },
		"twice":          func(r *Registry) { r.Gauge("ok", ""); r.Gauge("ok", "") },
		"label count":    func(r *Registry) { r.Gauge("ok", "", "a").With() },
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

func TestConcurrentUse(t *testing.T) {
	r := NewRegistry()
	c := r.Counter("c_total", "C.", "w")
	h := r.Histogram("h", "H.", DefaultBuckets)
	g := r.Gauge("g", "G.")
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				c.With(strconv.Itoa(w % 2)).Inc()
				h.With().Observe(float64(i) / 1000)
				g.With().Add(1)
				if i%100 == 0 {
					scrape(t, r)
				}
			}
		})
	}
	wg.Wait()
	_, samples := parse(t, scrape(t, r))
	a, _ := find(samples, "c_total", map[string]string{"w": "0"})
	b, _ := find(samples, "c_total", map[string]string{"w": "1"})
	n, _ := find(samples, "h_count", map[string]string{})
	gv, _ := find(samples, "g", map[string]string{})
	if a+b != 8000 || n != 8000 || gv != 8000 {
		t.Errorf("counter %v+%v, histogram count %v, gauge %v; want 8000 each", a, b, n, gv)
	}
}

func TestScrapeHooksAndReset(t *testing.T) {
	r := NewRegistry()
	g := r.Gauge("depth", "Depth.", "state")
	ok := true
	r.OnScrape(func(context.Context) {
		g.Reset()
		if ok {
			g.With("queued").Set(7)
		}
	})
	if _, s := parse(t, scrape(t, r)); len(s) != 1 || s[0].value != 7 {
		t.Errorf("samples %v", s)
	}
	ok = false
	if _, s := parse(t, scrape(t, r)); len(s) != 0 {
		t.Errorf("stale samples %v", s)
	}
}

func TestHTTPUsesTheRoutePattern(t *testing.T) {
	r := NewRegistry()
	m := NewHTTP(r)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /articles/{id}", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("x")) })
	mux.HandleFunc("POST /fail", func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "no", 503) })
	h := m.Wrap(mux)
	for _, req := range []*http.Request{
		httptest.NewRequest("GET", "/articles/1", nil), httptest.NewRequest("GET", "/articles/2", nil),
		httptest.NewRequest("POST", "/fail", nil), httptest.NewRequest("GET", "/nowhere", nil),
		httptest.NewRequest("BREW", "/articles/3", nil),
	} {
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	_, samples := parse(t, scrape(t, r))
	for _, c := range []struct {
		route, method, status string
		want                  float64
	}{
		{"GET /articles/{id}", "GET", "200", 2},
		{"POST /fail", "POST", "503", 1},
		{"unmatched", "GET", "404", 1},
		{"unmatched", "other", "405", 1},
	} {
		if v, _ := find(samples, "herald_http_requests_total", map[string]string{"route": c.route, "method": c.method, "status": c.status}); v != c.want {
			t.Errorf("%s %s %s = %v, want %v", c.route, c.method, c.status, v, c.want)
		}
	}
	if v, _ := find(samples, "herald_http_request_duration_seconds_count", map[string]string{"route": "GET /articles/{id}"}); v != 2 {
		t.Errorf("duration count = %v", v)
	}
	for _, s := range samples {
		if strings.Contains(s.labels["route"], "/articles/1") {
			t.Errorf("raw path as label: %v", s)
		}
	}
}

func TestHandlerServesTheFormat(t *testing.T) {
	r := NewRegistry()
	r.Gauge("up", "Up.").With().Set(1)
	w := httptest.NewRecorder()
	r.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	if ct := w.Header().Get("Content-Type"); ct != ContentType {
		t.Errorf("Content-Type %q", ct)
	}
	if !strings.Contains(w.Body.String(), "\nup 1\n") {
		t.Errorf("body %q", w.Body.String())
	}
}
