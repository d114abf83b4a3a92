// Package metrics keeps Herald's counters, gauges and histograms and writes
// them in the Prometheus text exposition format 0.0.4. It is written by hand
// because the few kinds of metric Herald needs do not justify a client library
// and its dependencies.
//
// Metrics are registered once, at start-up; registering an invalid or
// duplicate name panics, since that is a programming error. Values are safe
// for concurrent use, and the output is deterministic: families in name order,
// series in order of their label values.
package metrics

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// ContentType is the media type of the text exposition format.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

var (
	metricName = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)
	labelName  = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
)

// Registry holds metric families and writes them out.
type Registry struct {
	mu       sync.Mutex
	families map[string]family
	hooks    []func(context.Context)
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{families: map[string]family{}} }

type family interface {
	write(b *bytes.Buffer)
}

// desc is what every family has: its name, help text, type and label names.
type desc struct {
	name, help, kind string
	labels           []string
}

func (r *Registry) register(d desc, f family) {
	if !metricName.MatchString(d.name) {
		panic("metrics: invalid metric name " + strconv.Quote(d.name))
	}
	for _, l := range d.labels {
		if !labelName.MatchString(l) || strings.HasPrefix(l, "__") || (d.kind == "histogram" && l == "le") {
			panic("metrics: invalid label name " + strconv.Quote(l) + " of " + d.name)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.families[d.name]; ok {
		panic("metrics: " + d.name + " registered twice")
	}
	r.families[d.name] = f
}

// OnScrape adds a function run before each scrape, with the scrape request's
// context: it sets the gauges of values read at scrape time (a queue's
// depth from the database, a pool's statistics).
func (r *Registry) OnScrape(hook func(ctx context.Context)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hooks = append(r.hooks, hook)
}

// Write runs the scrape hooks with ctx and writes every family.
func (r *Registry) Write(ctx context.Context, b *bytes.Buffer) {
	r.mu.Lock()
	hooks := slices.Clone(r.hooks)
	names := make([]string, 0, len(r.families))
	for n := range r.families {
		names = append(names, n)
	}
	fams := make([]family, 0, len(names))
	slices.Sort(names)
	for _, n := range names {
		fams = append(fams, r.families[n])
	}
	r.mu.Unlock()
	for _, h := range hooks {
		h(ctx)
	}
	for _, f := range fams {
		f.write(b)
	}
}

// Handler serves the registry's metrics.
func (r *Registry) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var b bytes.Buffer
		r.Write(req.Context(), &b)
		w.Header().Set("Content-Type", ContentType)
		w.Header().Set("Cache-Control", "no-store")
		w.Write(b.Bytes())
	})
}

// vec holds the series of one family, keyed by their label values.
type vec[T any] struct {
	desc
	mu     sync.Mutex
	series map[string]*seriesOf[T]
	make   func() *T
}

type seriesOf[T any] struct {
	labels string // rendered: a="x",b="y"
	value  *T
}

func (v *vec[T]) with(values []string) *T {
	if len(values) != len(v.labels) {
		panic(fmt.Sprintf("metrics: %s takes %d label values, got %d", v.name, len(v.labels), len(values)))
	}
	key := strings.Join(values, "\xff")
	v.mu.Lock()
	defer v.mu.Unlock()
	s, ok := v.series[key]
	if !ok {
		s = &seriesOf[T]{labels: renderLabels(v.labels, values), value: v.make()}
		v.series[key] = s
	}
	return s.value
}

// sorted returns the series in order of their rendered labels.
func (v *vec[T]) sorted() []*seriesOf[T] {
	v.mu.Lock()
	out := make([]*seriesOf[T], 0, len(v.series))
	for _, s := range v.series {
		out = append(out, s)
	}
	v.mu.Unlock()
	slices.SortFunc(out, func(a, b *seriesOf[T]) int { return strings.Compare(a.labels, b.labels) })
	return out
}

func (v *vec[T]) reset() {
	v.mu.Lock()
	clear(v.series)
	v.mu.Unlock()
}

func (d *desc) header(b *bytes.Buffer) {
	fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s %s\n", d.name, escapeHelp(d.help), d.name, d.kind)
}

// value is a float64 updated atomically.
type value struct{ bits atomic.Uint64 }

func (v *value) add(d float64) {
	for {
		old := v.bits.Load()
		if v.bits.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+d)) {
			return
		}
	}
}

func (v *value) load() float64 { return math.Float64frombits(v.bits.Load()) }

// Counter is a value that only goes up.
type Counter struct{ v value }

// Inc adds one.
func (c *Counter) Inc() { c.v.add(1) }

// Add adds d, which must not be negative.
func (c *Counter) Add(d float64) {
	if d < 0 {
		panic("metrics: counter decreased")
	}
	c.v.add(d)
}

// CounterVec is a family of counters told apart by label values.
type CounterVec struct{ vec[Counter] }

// Counter registers a counter family with the given label names.
func (r *Registry) Counter(name, help string, labels ...string) *CounterVec {
	c := &CounterVec{vec[Counter]{desc: desc{name, help, "counter", labels}, series: map[string]*seriesOf[Counter]{},
		make: func() *Counter { return new(Counter) }}}
	r.register(c.desc, c)
	return c
}

// With returns the counter of the label values, given in the order of the
// family's label names.
func (c *CounterVec) With(values ...string) *Counter { return c.with(values) }

func (c *CounterVec) write(b *bytes.Buffer) {
	c.header(b)
	for _, s := range c.sorted() {
		writeSample(b, c.name, s.labels, s.value.v.load())
	}
}

// Gauge is a value that goes up and down.
type Gauge struct{ v value }

// Set sets the gauge to x.
func (g *Gauge) Set(x float64) { g.v.bits.Store(math.Float64bits(x)) }

// Add adds d (negative to subtract).
func (g *Gauge) Add(d float64) { g.v.add(d) }

// GaugeVec is a family of gauges told apart by label values.
type GaugeVec struct{ vec[Gauge] }

// Gauge registers a gauge family with the given label names.
func (r *Registry) Gauge(name, help string, labels ...string) *GaugeVec {
	g := &GaugeVec{vec[Gauge]{desc: desc{name, help, "gauge", labels}, series: map[string]*seriesOf[Gauge]{},
		make: func() *Gauge { return new(Gauge) }}}
	r.register(g.desc, g)
	return g
}

// With returns the gauge of the label values.
func (g *GaugeVec) With(values ...string) *Gauge { return g.with(values) }

// Reset removes every series, so that a value that could not be read at
// scrape time is left out rather than exported stale.
func (g *GaugeVec) Reset() { g.reset() }

func (g *GaugeVec) write(b *bytes.Buffer) {
	g.header(b)
	for _, s := range g.sorted() {
		writeSample(b, g.name, s.labels, s.value.v.load())
	}
}

// Histogram counts observations in buckets fixed at registration.
type Histogram struct {
	bounds []float64 // upper bounds, ascending, without +Inf
	mu     sync.Mutex
	counts []uint64 // per bucket, not cumulative; the last is +Inf
	sum    float64
	count  uint64
}

// Observe records x.
func (h *Histogram) Observe(x float64) {
	i, _ := slices.BinarySearch(h.bounds, x) // the first bound >= x: buckets are "less than or equal"
	h.mu.Lock()
	h.counts[i]++
	h.sum += x
	h.count++
	h.mu.Unlock()
}

// HistogramVec is a family of histograms told apart by label values.
type HistogramVec struct {
	vec[Histogram]
}

// DefaultBuckets suit request latencies in seconds, from 5 ms to 10 s.
var DefaultBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// Histogram registers a histogram family; buckets are upper bounds in
// ascending order (+Inf is added).
func (r *Registry) Histogram(name, help string, buckets []float64, labels ...string) *HistogramVec {
	bounds := slices.Clone(buckets)
	if len(bounds) > 0 && math.IsInf(bounds[len(bounds)-1], 1) {
		bounds = bounds[:len(bounds)-1]
	}
	for i := range bounds {
		if math.IsNaN(bounds[i]) || (i > 0 && bounds[i] <= bounds[i-1]) {
			panic("metrics: buckets of " + name + " must ascend")
		}
	}
	h := &HistogramVec{vec[Histogram]{desc: desc{name, help, "histogram", labels}, series: map[string]*seriesOf[Histogram]{},
		make: func() *Histogram { return &Histogram{bounds: bounds, counts: make([]uint64, len(bounds)+1)} }}}
	r.register(h.desc, h)
	return h
}

// With returns the histogram of the label values.
func (h *HistogramVec) With(values ...string) *Histogram { return h.with(values) }

func (h *HistogramVec) write(b *bytes.Buffer) {
	h.header(b)
	for _, s := range h.sorted() {
		hist := s.value
		hist.mu.Lock()
		counts, sum, count := slices.Clone(hist.counts), hist.sum, hist.count
		hist.mu.Unlock()
		sep := ""
		if s.labels != "" {
			sep = ","
		}
		var cum uint64
		for i, n := range counts {
			cum += n
			le := "+Inf"
			if i < len(hist.bounds) {
				le = formatFloat(hist.bounds[i])
			}
			writeSample(b, h.name+"_bucket", s.labels+sep+`le="`+le+`"`, float64(cum))
		}
		writeSample(b, h.name+"_sum", s.labels, sum)
		writeSample(b, h.name+"_count", s.labels, float64(count))
	}
}

func writeSample(b *bytes.Buffer, name, labels string, v float64) {
	b.WriteString(name)
	if labels != "" {
		b.WriteString("{" + labels + "}")
	}
	b.WriteString(" " + formatFloat(v) + "\n")
}

func renderLabels(names, values []string) string {
	var sb strings.Builder
	for i, n := range names {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(n + `="` + escapeLabel(values[i]) + `"`)
	}
	return sb.String()
}

// formatFloat writes a value as the format wants it: Go's shortest
// representation, with +Inf, -Inf and NaN spelled its way.
func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

var (
	labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
)

// escapeLabel escapes a label value: backslash, double quote and line feed.
// The format is UTF-8, so invalid bytes are replaced.
func escapeLabel(s string) string { return labelEscaper.Replace(strings.ToValidUTF8(s, "\uFFFD")) }

// escapeHelp escapes help text: backslash and line feed (quotes stay).
func escapeHelp(s string) string { return helpEscaper.Replace(s) }
