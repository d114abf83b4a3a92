package metrics

import (
	"bytes"
	"context"
	"os"
	"runtime/debug"
	rtmetrics "runtime/metrics"
	"strconv"
	"sync"
	"time"
)

// startTime stands for the process's start: package variables are set
// before main runs, a few milliseconds in.
var startTime = time.Now()

// The runtime/metrics samples the Go families are made of. runtime/metrics
// rather than runtime.ReadMemStats, which stops the world.
const (
	rmGoroutines  = "/sched/goroutines:goroutines"
	rmThreads     = "/sched/threads/total:threads"
	rmHeapObjects = "/memory/classes/heap/objects:bytes"
	rmHeapUnused  = "/memory/classes/heap/unused:bytes"
	rmTotal       = "/memory/classes/total:bytes"
	rmObjects     = "/gc/heap/objects:objects"
	rmGoal        = "/gc/heap/goal:bytes"
	rmAllocs      = "/gc/heap/allocs:bytes"
)

// runtimeStats is what one scrape reads from the runtime and the kernel, read
// once by a scrape hook so that the families of one scrape agree (the heap in
// use is never less than the heap allocated).
type runtimeStats struct {
	mu      sync.Mutex
	samples []rtmetrics.Sample
	index   map[string]int
	gc      debug.GCStats
	proc    procStats
}

// RegisterRuntime registers the Go runtime's and the process's metrics under
// the names Prometheus' Go client gives them, so that the usual dashboards and
// alerts work: go_goroutines, go_threads, go_memstats_* (heap, system memory,
// allocations, the next GC's goal), go_gc_duration_seconds,
// process_start_time_seconds and, where /proc is (Linux), the process's
// memory, CPU time and open files.
func RegisterRuntime(r *Registry) {
	s := &runtimeStats{index: map[string]int{}}
	for i, name := range []string{rmGoroutines, rmThreads, rmHeapObjects, rmHeapUnused, rmTotal, rmObjects, rmGoal, rmAllocs} {
		s.samples = append(s.samples, rtmetrics.Sample{Name: name})
		s.index[name] = i
	}
	s.gc.PauseQuantiles = make([]time.Duration, 5) // min, 25%, 50%, 75%, max
	proc := readProc().memOK
	r.OnScrape(func(context.Context) { s.read(proc) })

	gauge := func(name, help string, parts ...string) {
		r.GaugeFunc(name, help, func() (float64, bool) { return s.sum(parts...) })
	}
	gauge("go_goroutines", "Number of goroutines that currently exist.", rmGoroutines)
	gauge("go_threads", "Number of OS threads the Go runtime has.", rmThreads)
	gauge("go_memstats_heap_alloc_bytes", "Heap bytes allocated to objects, reachable or not yet swept.", rmHeapObjects)
	gauge("go_memstats_heap_inuse_bytes", "Heap bytes in spans in use: objects and the unused room of their spans.", rmHeapObjects, rmHeapUnused)
	gauge("go_memstats_heap_objects", "Objects on the heap, reachable or not yet swept.", rmObjects)
	gauge("go_memstats_sys_bytes", "Bytes of memory the Go runtime has obtained from the system.", rmTotal)
	gauge("go_memstats_next_gc_bytes", "Heap size at which the next garbage collection is to end.", rmGoal)
	r.CounterFunc("go_memstats_alloc_bytes_total", "Heap bytes allocated since the process started, freed or not.",
		func() (float64, bool) { return s.sum(rmAllocs) })
	r.SummaryFunc("go_gc_duration_seconds", "Stop-the-world pauses of garbage collection: recent quantiles, and all of them.",
		func() (Summary, bool) {
			s.mu.Lock()
			defer s.mu.Unlock()
			q := s.gc.PauseQuantiles
			return Summary{Count: uint64(s.gc.NumGC), Sum: s.gc.PauseTotal.Seconds(), Quantiles: []Quantile{
				{0, q[0].Seconds()}, {0.25, q[1].Seconds()}, {0.5, q[2].Seconds()}, {0.75, q[3].Seconds()}, {1, q[4].Seconds()},
			}}, true
		})

	r.GaugeFunc("process_start_time_seconds", "When the process started, in seconds since the Unix epoch.",
		func() (float64, bool) { return float64(startTime.UnixNano()) / 1e9, true })
	if !proc {
		return // no /proc: not Linux
	}
	procValue := func(get func(p procStats) (float64, bool)) func() (float64, bool) {
		return func() (float64, bool) {
			s.mu.Lock()
			defer s.mu.Unlock()
			return get(s.proc)
		}
	}
	r.GaugeFunc("process_resident_memory_bytes", "Resident memory of the process (RSS), in bytes.",
		procValue(func(p procStats) (float64, bool) { return p.rss, p.memOK }))
	r.GaugeFunc("process_virtual_memory_bytes", "Virtual memory of the process, in bytes.",
		procValue(func(p procStats) (float64, bool) { return p.vsize, p.memOK }))
	r.GaugeFunc("process_open_fds", "File descriptors the process has open.",
		procValue(func(p procStats) (float64, bool) { return p.fds, p.fdsOK }))
	r.CounterFunc("process_cpu_seconds_total", "CPU time the process has used, user and system, in seconds.",
		procValue(func(p procStats) (float64, bool) { return p.cpu, p.cpuOK }))
}

// read takes the scrape's readings.
func (s *runtimeStats) read(proc bool) {
	var p procStats
	if proc {
		p = readProc() // outside the lock: it reads files
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rtmetrics.Read(s.samples)
	debug.ReadGCStats(&s.gc) // does not stop the world; it sorts the last 256 pauses for the quantiles
	s.proc = p
}

// sum adds up runtime/metrics samples; false if the runtime lacks one.
func (s *runtimeStats) sum(names ...string) (float64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	total := 0.0
	for _, n := range names {
		v := s.samples[s.index[n]].Value
		switch v.Kind() {
		case rtmetrics.KindUint64:
			total += float64(v.Uint64())
		case rtmetrics.KindFloat64:
			total += v.Float64()
		default: // KindBad: this Go does not have it, or no scrape hook ran yet
			return 0, false
		}
	}
	return total, true
}

// procStats is what Linux says of the process in /proc; each ok is false
// when its file could not be read.
type procStats struct {
	rss, vsize float64 // bytes
	cpu        float64 // seconds, user and system
	fds        float64

	memOK, cpuOK, fdsOK bool
}

// userHZ is the unit of the CPU times in /proc/self/stat: USER_HZ, which the
// kernel's interface fixes at 100 on every architecture Go runs Linux on.
const userHZ = 100

func readProc() procStats {
	var p procStats
	if b, err := os.ReadFile("/proc/self/statm"); err == nil {
		// size resident shared text lib data dt, in pages
		if f := bytes.Fields(b); len(f) >= 2 {
			page := float64(os.Getpagesize())
			vsize, ok1 := parseUint(f[0])
			rss, ok2 := parseUint(f[1])
			p.vsize, p.rss, p.memOK = vsize*page, rss*page, ok1 && ok2
		}
	}
	if b, err := os.ReadFile("/proc/self/stat"); err == nil {
		// "pid (comm) state ppid ...": comm may hold spaces and parentheses,
		// so the fields are counted from the last ')'; utime and stime are
		// the 14th and 15th fields, the 12th and 13th after it.
		if i := bytes.LastIndexByte(b, ')'); i >= 0 {
			if f := bytes.Fields(b[i+1:]); len(f) >= 13 {
				utime, ok1 := parseUint(f[11])
				stime, ok2 := parseUint(f[12])
				p.cpu, p.cpuOK = (utime+stime)/userHZ, ok1 && ok2
			}
		}
	}
	if d, err := os.Open("/proc/self/fd"); err == nil {
		names, err := d.Readdirnames(-1) // names only: no stat of each descriptor
		d.Close()
		if err == nil {
			p.fds, p.fdsOK = float64(len(names)), true
		}
	}
	return p
}

func parseUint(b []byte) (float64, bool) {
	n, err := strconv.ParseUint(string(b), 10, 64)
	return float64(n), err == nil
}
