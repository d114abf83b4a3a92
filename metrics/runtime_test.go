package metrics

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"
)

// runtimeSamples scrapes r and returns the value of each unlabelled sample.
func runtimeSamples(t *testing.T, r *Registry) (map[string]string, map[string]float64) {
	t.Helper()
	types, samples := parse(t, scrape(t, r))
	out := map[string]float64{}
	for _, s := range samples {
		if len(s.labels) == 0 {
			out[s.name] = s.value
		}
	}
	return types, out
}

var sink [][]byte

func TestRuntimeMetricsFollowTheProcess(t *testing.T) {
	r := NewRegistry()
	RegisterRuntime(r)
	types, before := runtimeSamples(t, r)
	for name, kind := range map[string]string{
		"go_goroutines": "gauge", "go_threads": "gauge", "go_memstats_heap_alloc_bytes": "gauge",
		"go_memstats_heap_inuse_bytes": "gauge", "go_memstats_heap_objects": "gauge", "go_memstats_sys_bytes": "gauge",
		"go_memstats_next_gc_bytes": "gauge", "go_memstats_alloc_bytes_total": "counter", "go_gc_duration_seconds": "summary",
		"process_start_time_seconds": "gauge",
	} {
		if types[name] != kind {
			t.Errorf("%s is %q, want a %s", name, types[name], kind)
		}
		if _, ok := before[name]; !ok && kind != "summary" {
			t.Errorf("no sample of %s", name)
		}
	}
	if before["go_goroutines"] < 1 || before["go_threads"] < 1 {
		t.Errorf("goroutines %v, threads %v", before["go_goroutines"], before["go_threads"])
	}
	if alloc, inuse, sys := before["go_memstats_heap_alloc_bytes"], before["go_memstats_heap_inuse_bytes"], before["go_memstats_sys_bytes"]; alloc <= 0 || inuse < alloc || sys < inuse {
		t.Errorf("heap alloc %v <= in use %v <= sys %v does not hold", alloc, inuse, sys)
	}
	if start := before["process_start_time_seconds"]; start > float64(time.Now().Unix())+1 || start < float64(time.Now().Add(-time.Hour).Unix()) {
		t.Errorf("process_start_time_seconds %v is not about when the test started", start)
	}

	// goroutines, allocations and collections move the numbers
	release := make(chan struct{})
	for range 100 {
		go func() { <-release }()
	}
	defer close(release)
	for range 10 {
		sink = append(sink, make([]byte, 1<<20))
	}
	runtime.GC()
	_, after := runtimeSamples(t, r)
	sink = nil
	if d := after["go_goroutines"] - before["go_goroutines"]; d < 100 {
		t.Errorf("go_goroutines moved by %v after starting 100", d)
	}
	if d := after["go_memstats_alloc_bytes_total"] - before["go_memstats_alloc_bytes_total"]; d < 10<<20 {
		t.Errorf("go_memstats_alloc_bytes_total moved by %v after allocating 10 MiB", d)
	}
	if after["go_memstats_heap_alloc_bytes"] < 10<<20 {
		t.Errorf("go_memstats_heap_alloc_bytes %v with 10 MiB held", after["go_memstats_heap_alloc_bytes"])
	}
	if d := after["go_gc_duration_seconds_count"] - before["go_gc_duration_seconds_count"]; d < 1 {
		t.Errorf("go_gc_duration_seconds_count moved by %v over a runtime.GC()", d)
	}
	if after["go_gc_duration_seconds_sum"] <= 0 {
		t.Errorf("go_gc_duration_seconds_sum %v after a collection", after["go_gc_duration_seconds_sum"])
	}
}

func TestProcessMetricsOnLinux(t *testing.T) {
	if _, err := os.Stat("/proc/self/statm"); err != nil {
		t.Skip("no /proc")
	}
	r := NewRegistry()
	RegisterRuntime(r)
	types, before := runtimeSamples(t, r)
	for name, kind := range map[string]string{"process_resident_memory_bytes": "gauge", "process_virtual_memory_bytes": "gauge",
		"process_open_fds": "gauge", "process_cpu_seconds_total": "counter"} {
		if _, ok := before[name]; !ok || types[name] != kind {
			t.Errorf("%s: type %q, sample %v; want a %s", name, types[name], ok, kind)
		}
	}
	if rss, vsize := before["process_resident_memory_bytes"], before["process_virtual_memory_bytes"]; rss < 1<<20 || vsize < rss {
		t.Errorf("resident %v, virtual %v", rss, vsize)
	}

	dir := t.TempDir()
	var files []*os.File
	for i := range 8 {
		f, err := os.Create(filepath.Join(dir, strconv.Itoa(i)))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	// use some CPU time, which /proc counts in hundredths of a second
	work := make([]byte, 32<<20)
	for range 4 {
		sha256.Sum256(work)
	}
	_, open := runtimeSamples(t, r)
	for _, f := range files {
		f.Close()
	}
	_, closed := runtimeSamples(t, r)
	if d := open["process_open_fds"] - before["process_open_fds"]; d < 8 {
		t.Errorf("process_open_fds moved by %v after opening 8 files", d)
	}
	if d := open["process_open_fds"] - closed["process_open_fds"]; d < 8 {
		t.Errorf("process_open_fds fell by %v after closing 8 files", d)
	}
	if open["process_cpu_seconds_total"] < before["process_cpu_seconds_total"] || open["process_cpu_seconds_total"] <= 0 {
		t.Errorf("process_cpu_seconds_total %v then %v", before["process_cpu_seconds_total"], open["process_cpu_seconds_total"])
	}
}

// TestRuntimeMetricsUnderConcurrentScrapes scrapes from several goroutines at
// once (two Prometheus servers, say): the shared readings must hold together
// (run with -race).
func TestRuntimeMetricsUnderConcurrentScrapes(t *testing.T) {
	r := NewRegistry()
	RegisterRuntime(r)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 20 {
				scrape(t, r)
			}
		})
	}
	wg.Wait()
	_, last := runtimeSamples(t, r)
	if last["go_goroutines"] < 1 {
		t.Errorf("go_goroutines %v", last["go_goroutines"])
	}
}
