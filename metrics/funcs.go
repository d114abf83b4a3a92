package metrics

import (
	"bytes"
	"cmp"
	"slices"
)

// A func family reads its one value at each scrape from a function, for
// values something else keeps (the Go runtime, the kernel): copying them into
// a Gauge or Counter from a scrape hook would need a value that can be set,
// which a counter must not have. The functions run after the scrape hooks,
// so they may read what a hook gathered.
type funcFamily struct {
	desc
	read func() (float64, bool)
}

func (f *funcFamily) write(b *bytes.Buffer) {
	f.header(b)
	if v, ok := f.read(); ok {
		writeSample(b, f.name, "", v)
	}
}

// GaugeFunc registers a gauge without labels whose value read gives at each
// scrape; when read reports false (the value could not be had) the sample is
// left out rather than exported wrong.
func (r *Registry) GaugeFunc(name, help string, read func() (float64, bool)) {
	f := &funcFamily{desc{name, help, "gauge", nil}, read}
	r.register(f.desc, f)
}

// CounterFunc registers a counter without labels whose value read gives at
// each scrape. read must never return less than it returned before (a count
// the runtime or the kernel keeps since the process started); when it reports
// false the sample is left out.
func (r *Registry) CounterFunc(name, help string, read func() (float64, bool)) {
	f := &funcFamily{desc{name, help, "counter", nil}, read}
	r.register(f.desc, f)
}

// Quantile is one quantile of a summary: the value below which the fraction
// Q of the observations fall.
type Quantile struct{ Q, Value float64 }

// Summary is a summary's state as its source keeps it: quantiles over some
// recent window, and the sum and count of every observation.
type Summary struct {
	Quantiles []Quantile
	Sum       float64
	Count     uint64
}

type summaryFunc struct {
	desc
	read func() (Summary, bool)
}

// SummaryFunc registers a summary without labels whose state read gives at
// each scrape; the package has no summary of its own because quantiles over
// a window are better left to whoever keeps the observations (the runtime
// keeps its recent GC pauses). When read reports false the summary is left
// out.
func (r *Registry) SummaryFunc(name, help string, read func() (Summary, bool)) {
	s := &summaryFunc{desc{name, help, "summary", nil}, read}
	r.register(s.desc, s)
}

func (s *summaryFunc) write(b *bytes.Buffer) {
	s.header(b)
	v, ok := s.read()
	if !ok {
		return
	}
	qs := slices.Clone(v.Quantiles)
	slices.SortFunc(qs, func(a, b Quantile) int { return cmp.Compare(a.Q, b.Q) })
	for _, q := range qs {
		writeSample(b, s.name, `quantile="`+formatFloat(q.Q)+`"`, q.Value)
	}
	writeSample(b, s.name+"_sum", "", v.Sum)
	writeSample(b, s.name+"_count", "", float64(v.Count))
}
