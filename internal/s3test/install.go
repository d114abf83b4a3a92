package s3test

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
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

// weed is found on PATH (unless stamped with another commit) or in the
// tools cache, or built there.
var weed = &testenv.BuiltTool{
	Name: "weed",
	OnPath: func(path string) bool {
		c := binaryCommit(path)
		return c == "" || strings.HasPrefix(Commit, c) || strings.HasPrefix(c, Commit)
	},
	Current: func(path string) bool { return binaryCommit(path) == Commit },
	Make:    build,
}

// Binary returns the path of weed, building it into the tools cache when
// neither PATH nor the cache has it. It skips the test when weed cannot be
// had, or fails it under CI=true.
func Binary(t testing.TB) string {
	t.Helper()
	path, err := weed.Find(buildBudget(t))
	if err != nil {
		testenv.Missing(t, "S3 tests need SeaweedFS's weed %s (put weed on PATH, or build it into %s as .ci/run does): %v",
			Version, testenv.ToolsDir(), err)
	}
	return path
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

// build compiles weed into tmp. go install cannot build it: SeaweedFS's
// go.mod has replace directives, which go install refuses, so the module is
// downloaded and built in its own directory, where they apply.
func build(ctx context.Context, tmp string) (string, error) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("the go command is not on PATH: %w", err)
	}
	env := testenv.GoEnv("-buildvcs=false")
	var out bytes.Buffer
	download := exec.CommandContext(ctx, goCmd, "mod", "download", "-json", Module+"@"+Version)
	download.Dir, download.Env = tmp, env
	download.Stdout, download.Stderr = &out, &out
	runErr := download.Run()
	var mod struct{ Dir, Error string }
	if err := json.Unmarshal(out.Bytes(), &mod); err != nil || mod.Error != "" || mod.Dir == "" || runErr != nil {
		return "", fmt.Errorf("go mod download %s@%s: %v %s: %s", Module, Version, runErr, mod.Error, testenv.LastLines(out.String(), 5))
	}

	out.Reset()
	exe := filepath.Join(tmp, "weed")
	compile := exec.CommandContext(ctx, goCmd, "build", "-o", exe, "-ldflags", "-X "+commitFlag+"="+Commit, "./weed")
	compile.Dir, compile.Env = mod.Dir, env
	compile.Stdout, compile.Stderr = &out, &out
	if err := compile.Run(); err != nil {
		if ctx.Err() != nil {
			return "", fmt.Errorf("go build %s/weed did not finish in time; its compiled packages are cached, so "+
				"the next run (or go test -timeout 30m) goes on from there", Module)
		}
		return "", fmt.Errorf("go build %s/weed in %s: %w: %s", Module, mod.Dir, err, testenv.LastLines(out.String(), 5))
	}
	return exe, nil
}
