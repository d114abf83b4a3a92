// Command search measures Herald's search on a store of N generated Chinese
// news articles: how fast the in-memory index builds from the store and how
// much heap it holds, and how long searches take, through search.Service (the
// index, then the hit articles loaded from the store and their snippets) and
// on the index alone. It prints a markdown block for docs/benchmarks.md.
//
//	go run ./bench/search -engine sqlite -n 100000
//	go run ./bench/search -engine postgres -dsn 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable' -n 100000
//
// README.md in this folder says what it generates and measures.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/heraldnews/herald"
	"github.com/heraldnews/herald/search"
	"github.com/heraldnews/herald/sqlite"
)

// now is the generated corpus's present: its articles span the seven years
// before it, and searches rank recency against it.
var now = time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)

type config struct {
	engine, dsn, load         string
	n, searches, workers      int
	budget                    time.Duration
	seed                      uint64
	cpuprofile, memprofile    string
	buildprofile, loadprofile string
	keep                      bool
	reuse                     string
	sample                    int
	stdout, stderr            io.Writer
	commandLine, loadStrategy string
}

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400) // as herald's main does: the numbers are the server's
	}
	var c config
	flag.StringVar(&c.engine, "engine", "sqlite", "store engine: sqlite or postgres")
	flag.StringVar(&c.dsn, "dsn", os.Getenv("HERALD_TEST_POSTGRES"), "PostgreSQL server (the bench works in schemas of its own and drops them)")
	flag.IntVar(&c.n, "n", 10000, "articles to generate")
	flag.Uint64Var(&c.seed, "seed", 1, "generator seed: the same seed makes the same corpus")
	flag.StringVar(&c.load, "load", "dump", "how to fill the store: dump (one Load of a generated backup) or api (CreateArticle each)")
	flag.IntVar(&c.searches, "searches", 5000, "searches per measurement (fewer if -budget runs out)")
	flag.DurationVar(&c.budget, "budget", 2*time.Minute, "stop each of the four query measurements after the first whole pass over the query set past this time")
	flag.IntVar(&c.workers, "workers", 2, "concurrent searchers for the throughput measurement")
	flag.StringVar(&c.cpuprofile, "cpuprofile", "", "write a CPU profile of the query loops to this file")
	flag.StringVar(&c.loadprofile, "loadprofile", "", "write a CPU profile of generating and loading the corpus to this file")
	flag.StringVar(&c.buildprofile, "buildprofile", "", "write a CPU profile of the index build to this file")
	flag.StringVar(&c.memprofile, "memprofile", "", "write a heap profile, taken with the index built, to this file")
	flag.BoolVar(&c.keep, "keep", false, "keep the database (SQLite file or PostgreSQL schema) afterwards")
	flag.StringVar(&c.reuse, "reuse", "", "an SQLite file kept by an earlier -keep run with the same -n and -seed: skip generating and loading")
	flag.IntVar(&c.sample, "sample", -1, "print generated article number i and exit")
	flag.Parse()
	c.stdout, c.stderr = os.Stdout, os.Stderr
	c.commandLine = "go run ./bench/search " + strings.Join(redactDSN(os.Args[1:]), " ")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE)
	err := run(ctx, c)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/search:", err)
		os.Exit(1)
	}
}

// redactDSN drops the password from a -dsn argument, if it has one.
func redactDSN(args []string) []string {
	out := slices.Clone(args)
	for i, a := range out {
		if v, ok := strings.CutPrefix(a, "-dsn="); ok {
			out[i] = "-dsn=" + redactURL(v)
		} else if (a == "-dsn" || a == "--dsn") && i+1 < len(out) {
			out[i+1] = redactURL(out[i+1])
		}
	}
	return out
}

func redactURL(s string) string {
	if at := strings.Index(s, "@"); at > 0 {
		if scheme := strings.Index(s, "://"); scheme > 0 && strings.Contains(s[scheme+3:at], ":") {
			user, _, _ := strings.Cut(s[scheme+3:at], ":")
			return s[:scheme+3] + user + ":…" + s[at:]
		}
	}
	return s
}

func run(ctx context.Context, c config) error {
	logf := func(format string, args ...any) { fmt.Fprintf(c.stderr, format+"\n", args...) }
	loadAvg0 := loadAvg()
	dir, err := os.MkdirTemp("", "herald-bench-search-")
	if err != nil {
		return err
	}
	if c.keep {
		logf("keeping %s", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	if c.sample >= 0 {
		return printSample(ctx, c, dir)
	}

	if c.reuse != "" {
		return reuse(ctx, c, logf, loadAvg0)
	}
	target, err := openStore(ctx, c.engine, c.dsn, dir, "target")
	if err != nil {
		return err
	}
	defer func() {
		if c.keep {
			logf("kept the store: %s", target.where)
			target.Close()
			return
		}
		if err := target.cleanup(); err != nil {
			logf("cleanup: %v", err)
		}
	}()
	version, err := engineVersion(ctx, target)
	if err != nil {
		return err
	}
	provinceAt := now.AddDate(-years, 0, -1)

	// 1. the corpus
	logf("generating and loading %d articles into %s (%s) by %s…", c.n, c.engine, target.where, c.load)
	stopLoadProfile, err := startCPUProfile(c.loadprofile)
	if err != nil {
		return err
	}
	start := time.Now()
	var w *world
	rows := 0
	switch c.load {
	case "dump":
		seed, err := openStore(ctx, c.engine, c.dsn, dir, "seed")
		if err != nil {
			return err
		}
		err = seedProvince(ctx, seed, provinceAt)
		if err == nil {
			w, err = newWorld(ctx, seed, c.seed, now)
		}
		if err == nil {
			rows, err = loadByDump(ctx, w, seed.Store, target.Store, c.n, runtime.GOMAXPROCS(0))
		}
		if cerr := seed.cleanup(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		c.loadStrategy = fmt.Sprintf("one Load of a generated backup, %s rows", comma(rows))
	case "api":
		if err := seedProvince(ctx, target, provinceAt); err != nil {
			return err
		}
		if w, err = newWorld(ctx, target, c.seed, now); err != nil {
			return err
		}
		writers := 1 // SQLite has one writer anyway
		if c.engine == "postgres" {
			writers = 8
		}
		if err := loadByAPI(ctx, w, target, c.n, runtime.GOMAXPROCS(0), writers, func(done int) { logf("  %d articles", done) }); err != nil {
			return err
		}
		c.loadStrategy = "CreateArticle per article"
	default:
		return fmt.Errorf("unknown -load %q: dump or api", c.load)
	}
	loadTime := time.Since(start)
	stopLoadProfile()
	logf("loaded in %s (%s)", loadTime.Round(time.Millisecond), c.loadStrategy)
	if err := verify(ctx, w, target, c.n, c.load == "dump"); err != nil {
		return fmt.Errorf("verify the loaded store: %w", err)
	}
	return measure(ctx, c, target.Store, w, version, loadTime, loadAvg0)
}

// measure builds the index of the store w generated and times searches, then
// prints the report.
func measure(ctx context.Context, c config, target herald.Store, w *world, version string, loadTime time.Duration, loadAvg0 string) error {
	logf := func(format string, args ...any) { fmt.Fprintf(c.stderr, format+"\n", args...) }
	cen := census(w, c.n)

	// 2. indexing
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	svc := search.NewService(target, herald.Clock(func() time.Time { return now }), slog.New(slog.NewTextHandler(io.Discard, nil)))
	logf("building the index…")
	stopProfile, err := startCPUProfile(c.buildprofile)
	if err != nil {
		return err
	}
	cpu0 := cpuTime()
	stats, err := svc.Build(ctx, nil)
	buildCPU := cpuTime() - cpu0
	stopProfile()
	if err != nil {
		return err
	}
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&after)
	rss := vmRSS()
	if c.memprofile != "" {
		if err := writeHeapProfile(c.memprofile); err != nil {
			return err
		}
	}
	rate := float64(stats.Articles) / stats.Duration.Seconds()
	logf("indexed %d articles (%d terms) in %s: %.0f articles/s; heap in use %s", stats.Articles, stats.Terms,
		stats.Duration.Round(time.Millisecond), rate, mib(after.HeapInuse))
	if stats.Articles != c.n {
		return fmt.Errorf("the index holds %d articles, not %d", stats.Articles, c.n)
	}

	// 3. queries
	qs := querySet(w)
	for i := range qs {
		qs[i].q.Now = now
	}
	ix := svc.Index()
	found := make([]int, len(qs))
	shown := make([]int, len(qs))
	for round := range 3 { // warm up, and see what each finds
		for i, q := range qs {
			page, err := svc.Search(ctx, q.q)
			if err != nil {
				return fmt.Errorf("search %q: %w", q.name, err)
			}
			if _, err := ix.Search(q.q); err != nil {
				return err
			}
			if round == 0 {
				found[i], shown[i] = page.Total, len(page.Hits)
			}
		}
	}
	stopProfile, err = startCPUProfile(c.cpuprofile)
	if err != nil {
		return err
	}
	defer stopProfile()
	indexOnly := func(ctx context.Context, q search.Query) error { _, err := ix.Search(q); return err }
	service := func(ctx context.Context, q search.Query) error { _, err := svc.Search(ctx, q); return err }
	logf("timing %d searches on the index alone…", c.searches)
	ixLat, err := sequential(ctx, qs, c.searches, c.budget, indexOnly)
	if err != nil {
		return err
	}
	logf("timing %d searches through Service.Search…", c.searches)
	svcLat, err := sequential(ctx, qs, c.searches, c.budget, service)
	if err != nil {
		return err
	}
	logf("timing %d searches with %d workers…", c.searches, c.workers)
	ixRate, err := concurrent(ctx, qs, c.searches, c.workers, c.budget, indexOnly)
	if err != nil {
		return err
	}
	svcRate, err := concurrent(ctx, qs, c.searches, c.workers, c.budget, service)
	if err != nil {
		return err
	}
	stopProfile()

	// 4. the report
	r := report{c: c, version: version, loadTime: loadTime, buildCPU: buildCPU, loadAvg: [2]string{loadAvg0, loadAvg()}, cen: cen, stats: stats, rate: rate, before: before, after: after, rss: rss,
		qs: qs, found: found, shown: shown, ixLat: ixLat, svcLat: svcLat, ixRate: ixRate, svcRate: svcRate}
	r.print(c.stdout)
	runtime.KeepAlive(svc)
	return nil
}

// reuse measures the SQLite store an earlier run kept (-keep), skipping the
// generation and load: for quick turns while working on the index.
func reuse(ctx context.Context, c config, logf func(string, ...any), loadAvg0 string) error {
	if c.engine != "sqlite" {
		return errors.New("-reuse works with -engine sqlite")
	}
	target, err := sqlite.Open(ctx, c.reuse)
	if err != nil {
		return err
	}
	defer target.Close()
	version, err := engineVersion(ctx, &opened{Store: target})
	if err != nil {
		return err
	}
	w, err := newWorld(ctx, target, c.seed, now)
	if err != nil {
		return err
	}
	if err := verify(ctx, w, target, c.n, true); err != nil {
		return fmt.Errorf("-reuse %s: %w", c.reuse, err)
	}
	c.loadStrategy = "reusing " + c.reuse
	logf("reusing %s", c.reuse)
	return measure(ctx, c, target, w, version, 0, loadAvg0)
}

// sequential runs the queries round-robin, one at a time, total searches in
// all or, once budget has passed, to the end of the current pass over the
// set, and returns each search's latency.
func sequential(ctx context.Context, qs []benchQuery, total int, budget time.Duration, do func(context.Context, search.Query) error) ([]time.Duration, error) {
	lat := make([]time.Duration, 0, total)
	start := time.Now()
	for i := 0; i < total; i++ {
		if i%len(qs) == 0 && i >= 2*len(qs) && time.Since(start) > budget {
			break
		}
		q := qs[i%len(qs)].q
		t := time.Now()
		if err := do(ctx, q); err != nil {
			return nil, err
		}
		lat = append(lat, time.Since(t))
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	return lat, nil
}

// concurrent runs up to total searches on workers goroutines, for at most
// budget, and returns how many ran and how many per second.
func concurrent(ctx context.Context, qs []benchQuery, total, workers int, budget time.Duration, do func(context.Context, search.Query) error) (throughput, error) {
	var wg sync.WaitGroup
	var next, done atomic.Int64
	errs := make([]error, workers)
	start := time.Now()
	deadline := start.Add(budget)
	for k := range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= total || time.Now().After(deadline) || ctx.Err() != nil {
					return
				}
				if err := do(ctx, qs[i%len(qs)].q); err != nil {
					errs[k] = err
					return
				}
				done.Add(1)
			}
		})
	}
	wg.Wait()
	n := int(done.Load())
	return throughput{n, float64(n) / time.Since(start).Seconds()}, errors.Join(append(errs, ctx.Err())...)
}

// throughput is how many searches ran and how many per second.
type throughput struct {
	searches int
	rate     float64
}

// corpusCensus counts what was generated.
type corpusCensus struct {
	published, unpublished, english int
}

func census(w *world, n int) corpusCensus {
	var c corpusCensus
	for i := range n {
		a := w.meta(i)
		switch a.Status {
		case herald.StatusPublished:
			c.published++
		case herald.StatusRetracted:
		default:
			c.unpublished++
		}
		if a.Language == "en" {
			c.english++
		}
	}
	return c
}

func engineVersion(ctx context.Context, s *opened) (string, error) {
	var v string
	if s.Engine() == "postgres" {
		err := s.DB().QueryRowContext(ctx, `SHOW server_version`).Scan(&v)
		return "PostgreSQL " + v, err
	}
	err := s.DB().QueryRowContext(ctx, `SELECT sqlite_version()`).Scan(&v)
	return "SQLite " + v + " (modernc.org/sqlite)", err
}

func vmRSS() string {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return "?"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			var kb uint64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
			return mib(kb << 10)
		}
	}
	return "?"
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

// startCPUProfile profiles the CPU into path, if set, until stop is called.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			pprof.StopCPUProfile()
			f.Close()
		})
	}, nil
}

// cpuTime returns the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loadAvg returns the machine's load averages over 1, 5 and 15 minutes.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// printSample prints one generated article, to see what the generator writes.
func printSample(ctx context.Context, c config, dir string) error {
	s, err := openStore(ctx, "sqlite", "", dir, "sample")
	if err != nil {
		return err
	}
	defer s.cleanup()
	if err := seedProvince(ctx, s, now.AddDate(-years, 0, -1)); err != nil {
		return err
	}
	w, err := newWorld(ctx, s, c.seed, now)
	if err != nil {
		return err
	}
	a, _ := w.article(c.sample)
	fmt.Fprintf(c.stdout, "title:    %s (%d characters)\nsubtitle: %s\nsummary:  %s\nlanguage: %s  unit: %s  column: %d  themes: %v  tags: %v\n",
		a.Title, runeLen(a.Title), a.Subtitle, a.Summary, a.Language, w.unitByID[a.UnitID].Name, a.ColumnID, a.ThemeIDs, a.Tags)
	fmt.Fprintf(c.stdout, "status:   %s  created: %s  published: %v  authors: %+v  source: %s\n---\n%s\n(%d characters of text)\n",
		a.Status, a.CreatedAt, a.PublishedAt, a.Authors, a.Source, strings.ReplaceAll(a.Body, "</p>", "</p>\n"), runeLen(search.PlainText(a.Body)))
	return nil
}
