package main

import (
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldnews/herald/search"
)

type report struct {
	c             config
	version       string
	loadTime      time.Duration
	buildCPU      time.Duration
	loadAvg       [2]string
	cen           corpusCensus
	stats         search.BuildStats
	rate          float64
	before, after runtime.MemStats
	rss           string
	qs            []benchQuery
	found, shown  []int
	ixLat, svcLat []time.Duration
	ixRate        throughput
	svcRate       throughput
}

func (r *report) print(out io.Writer) {
	c := r.c
	engine := map[string]string{"sqlite": "SQLite", "postgres": "PostgreSQL"}[c.engine]
	p := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
	p("")
	p("## %s — search, %s, N=%s (`bench/search`)", time.Now().Format("2006-01-02"), engine, comma(c.n))
	p("")
	p("Machine: nproc %d, %s, %s %s/%s, %s. Command: `%s`.", runtime.NumCPU(), cpuModel(), runtime.Version(), runtime.GOOS, runtime.GOARCH, r.version, c.commandLine)
	p("Corpus: %s generated articles (order-2 Markov chains over the 63 demo articles, seed %d): %s published, %s unpublished,",
		comma(c.n), c.seed, comma(r.cen.published), comma(r.cen.unpublished))
	p("%s in English; loaded in %s by %s (not the metric).", comma(r.cen.english), r.loadTime.Round(100*time.Millisecond), c.loadStrategy)
	p("")
	p("Load average (1, 5, 15 min) at the start %s, at the end %s: the machine may be shared.", r.loadAvg[0], r.loadAvg[1])
	p("")
	p("| engine | N | index build | CPU time | articles/s | terms | Go heap in use, index held | heap growth | RSS |")
	p("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	p("| %s | %s | %s | %s | %s | %s | %s | %s | %s |", engine, comma(c.n), r.stats.Duration.Round(10*time.Millisecond), r.buildCPU.Round(10*time.Millisecond),
		comma(int(r.rate)), comma(r.stats.Terms), mib(r.after.HeapInuse), mib(r.after.HeapAlloc-min(r.after.HeapAlloc, r.before.HeapAlloc)), r.rss)
	p("")
	p("| %d queries, round-robin | searches | p50 | p95 | p99 | max | searches/s, %d workers |", len(r.qs), c.workers)
	p("| --- | --- | --- | --- | --- | --- | --- |")
	row := func(name string, lat []time.Duration, t throughput) {
		s := sorted(lat)
		p("| %s | %s | %s | %s | %s | %s | %s (%s searches) |", name, comma(len(s)), ms(pct(s, 50)), ms(pct(s, 95)), ms(pct(s, 99)), ms(s[len(s)-1]),
			comma(int(t.rate)), comma(t.searches))
	}
	row("`Service.Search` (index + 10 hit articles from the store + snippets)", r.svcLat, r.svcRate)
	row("`Index.Search` alone", r.ixLat, r.ixRate)
	p("")
	p("Queries: %s.", kinds(r.qs))
	p("")

	p("<details><summary>Each query (%d runs on the index, %d through the service): what it finds, its median and slowest time</summary>",
		len(r.ixLat)/len(r.qs), len(r.svcLat)/len(r.qs))
	p("")
	p("| kind | query | found | shown | index p50 | index max | service p50 | service max |")
	p("| --- | --- | --- | --- | --- | --- | --- | --- |")
	for i, q := range r.qs {
		ix, sv := r.of(r.ixLat, i), r.of(r.svcLat, i)
		p("| %s | `%s` | %s | %d | %s | %s | %s | %s |", q.kind, strings.ReplaceAll(q.name, "|", `\|`), comma(r.found[i]), r.shown[i],
			ms(pct(ix, 50)), ms(ix[len(ix)-1]), ms(pct(sv, 50)), ms(sv[len(sv)-1]))
	}
	p("")
	p("</details>")
}

// of returns the sorted latencies of query i.
func (r *report) of(lat []time.Duration, i int) []time.Duration {
	var out []time.Duration
	for k := i; k < len(lat); k += len(r.qs) {
		out = append(out, lat[k])
	}
	return sorted(out)
}

func kinds(qs []benchQuery) string {
	var names []string
	count := map[string]int{}
	for _, q := range qs {
		if count[q.kind] == 0 {
			names = append(names, q.kind)
		}
		count[q.kind]++
	}
	for i, k := range names {
		names[i] = fmt.Sprintf("%d %s", count[k], k)
	}
	return strings.Join(names, ", ")
}

func sorted(d []time.Duration) []time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s
}

// pct returns the p-th percentile of sorted durations (nearest rank).
func pct(s []time.Duration, p int) time.Duration {
	if len(s) == 0 {
		return 0
	}
	k := (p*len(s) + 99) / 100
	return s[max(0, min(len(s)-1, k-1))]
}

func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	switch {
	case v < 1:
		return strconv.FormatFloat(v, 'f', 3, 64) + " ms"
	case v < 100:
		return strconv.FormatFloat(v, 'f', 2, 64) + " ms"
	}
	return strconv.FormatFloat(v, 'f', 0, 64) + " ms"
}

func mib(b uint64) string { return fmt.Sprintf("%s MiB", comma(int(b>>20))) }

// comma writes n with thousands separators.
func comma(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
