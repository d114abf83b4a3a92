package s3test

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldnews/herald/internal/testenv"
)

// Module and Version name the SeaweedFS the tests run. Binary builds exactly
// this one into the tools cache, stamping Commit into it, so that a cached
// weed of another version is noticed and replaced.
const (
	Module  = "github.com/seaweedfs/seaweedfs"
	Version = "v0.0.0-20261109003541-7506e5f91cd6"
	Commit  = "7506e5f91cd6" // the last part of Version
)

// commitFlag is the variable `weed version` prints the commit from; release
// builds set it the same way.
const commitFlag = "github.com/seaweedfs/seaweedfs/weed/util/version.COMMIT"

// buildTimeout bounds the cold build: SeaweedFS pulls in some 400 modules,
// which take many minutes to download and compile on two busy cores.
const buildTimeout = 20 * time.Minute

// found remembers the outcome for the whole test binary, so that a failed
// build is not tried again by every test.
var found struct {
	sync.Mutex
	done bool
	path string
	err  error
}

// Binary returns the path of weed, building it into the tools cache when
// neither PATH nor the cache has it. It skips the test when weed cannot be
// had, or fails it under CI=true.
func Binary(t testing.TB) string {
	t.Helper()
	found.Lock()
	defer found.Unlock()
	if !found.done {
		found.path, found.err = findOrBuild(buildBudget(t))
		found.done = true
	}
	if found.err != nil {
		testenv.Missing(t, "S3 tests need SeaweedFS's weed %s (put weed on PATH, or build it into %s as .ci/run does): %v",
			Version, testenv.ToolsDir(), found.err)
	}
	return found.path
}

// buildBudget is how long a build may take within the test binary's
// -timeout (10 minutes by default, less than a cold build), keeping a minute
// for the tests. A build cut short is not lost: the compiled packages stay
// in Go's build cache, and the next run goes on from there.
func buildBudget(t testing.TB) time.Duration {
	budget := buildTimeout
	if d, ok := t.(interface{ Deadline() (time.Time, bool) }); ok {
		if deadline, ok := d.Deadline(); ok {
			budget = min(budget, time.Until(deadline)-time.Minute)
		}
	}
	return budget
}

func exeName() string {
	if runtime.GOOS == "windows" {
		return "weed.exe"
	}
	return "weed"
}

// findOrBuild prefers a weed on PATH unless it is stamped with another
// commit, then the cache, then builds into the cache.
func findOrBuild(budget time.Duration) (string, error) {
	if path, err := exec.LookPath("weed"); err == nil {
		if c := binaryCommit(path); c == "" || strings.HasPrefix(Commit, c) || strings.HasPrefix(c, Commit) {
			return path, nil
		}
	}
	dir := testenv.ToolsDir()
	cached := filepath.Join(dir, exeName())
	if binaryCommit(cached) == Commit {
		return cached, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	// go test ./... runs packages in parallel processes; one builds while
	// the others wait and then find its binary.
	unlock, err := testenv.LockFile(filepath.Join(dir, ".weed.lock"))
	if err != nil {
		return "", fmt.Errorf("lock the tools cache: %w", err)
	}
	defer unlock()
	if binaryCommit(cached) == Commit {
		return cached, nil
	}
	if budget <= 0 {
		return "", errors.New("no time left within the test's -timeout to build it")
	}
	return cached, build(dir, cached, budget)
}

// binaryCommit returns the commit a weed was stamped with at link time, ""
// when it has none or is no Go program.
func binaryCommit(path string) string {
	info, err := buildinfo.ReadFile(path)
	if err != nil {
		return ""
	}
	for _, s := range info.Settings {
		if s.Key != "-ldflags" {
			continue
		}
		if _, after, ok := strings.Cut(s.Value, commitFlag+"="); ok {
			return strings.Trim(strings.Fields(after + " ")[0], `"'`)
		}
	}
	return ""
}

// build compiles weed into a temporary directory and renames it into place,
// so that nobody ever runs a half-written binary. go install cannot build
// it: SeaweedFS's go.mod has replace directives, which go install refuses,
// so the module is downloaded and built in its own directory, where they
// apply.
func build(dir, target string, budget time.Duration) error {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("the go command is not on PATH: %w", err)
	}
	tmp, err := os.MkdirTemp(dir, ".build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	ctx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()
	// Outside any module or workspace of ours, which could pin versions;
	// a GOFLAGS such as -mod=vendor would not apply to SeaweedFS.
	env := append(os.Environ(), "GOFLAGS=-buildvcs=false", "GOWORK=off")

	var out bytes.Buffer
	download := exec.CommandContext(ctx, goCmd, "mod", "download", "-json", Module+"@"+Version)
	download.Dir, download.Env = tmp, env
	download.Stdout, download.Stderr = &out, &out
	runErr := download.Run()
	var mod struct{ Dir, Error string }
	if err := json.Unmarshal(out.Bytes(), &mod); err != nil || mod.Error != "" || mod.Dir == "" || runErr != nil {
		return fmt.Errorf("go mod download %s@%s: %v %s: %s", Module, Version, runErr, mod.Error, lastLines(out.String(), 5))
	}

	out.Reset()
	exe := filepath.Join(tmp, exeName())
	compile := exec.CommandContext(ctx, goCmd, "build", "-o", exe, "-ldflags", "-X "+commitFlag+"="+Commit, "./weed")
	compile.Dir, compile.Env = mod.Dir, env
	compile.Stdout, compile.Stderr = &out, &out
	if err := compile.Run(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("go build %s/weed did not finish within %v; its compiled packages are cached, so "+
				"the next run (or go test -timeout 30m) goes on from there", Module, budget.Round(time.Second))
		}
		return fmt.Errorf("go build %s/weed in %s: %w: %s", Module, mod.Dir, err, lastLines(out.String(), 5))
	}
	return os.Rename(exe, target)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
