package mailpittest

import (
	"bytes"
	"context"
	"debug/buildinfo"
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

// Module and Version name the mailpit release the tests run; Binary installs
// exactly this one into the tools cache.
const (
	Module  = "github.com/axllent/mailpit"
	Version = "v1.33.1"
)

// installTimeout bounds the cold go install (about a minute and a half on
// two cores) with room for a slow module proxy.
const installTimeout = 10 * time.Minute

// found remembers the outcome for the whole test binary, so that a failed
// install is not tried again by every test.
var found struct {
	sync.Mutex
	done bool
	path string
	err  error
}

// Binary returns the path of mailpit, installing it into the tools cache
// when neither PATH nor the cache has it. It skips the test when mailpit
// cannot be had, or fails it under CI=true.
func Binary(t testing.TB) string {
	t.Helper()
	found.Lock()
	defer found.Unlock()
	if !found.done {
		found.path, found.err = findOrInstall()
		found.done = true
	}
	if found.err != nil {
		testenv.Missing(t, "mailpit tests need mailpit %s (GOBIN=%s go install %s@%s, or put mailpit on PATH): %v",
			Version, ToolsDir(), Module, Version, found.err)
	}
	return found.path
}

// ToolsDir is where go-installed test tools are cached: $HERALD_TOOLS/bin,
// by default ~/.cache/herald-tools/bin, shared by every checkout.
func ToolsDir() string { return testenv.ToolsDir() }

func exeName() string {
	if runtime.GOOS == "windows" {
		return "mailpit.exe"
	}
	return "mailpit"
}

// findOrInstall prefers a mailpit on PATH unless its build info shows
// another release, then the cache, then installs into the cache.
func findOrInstall() (string, error) {
	if path, err := exec.LookPath("mailpit"); err == nil {
		if v := binaryVersion(path); v == Version || v == "" {
			return path, nil
		}
	}
	dir := ToolsDir()
	cached := filepath.Join(dir, exeName())
	if binaryVersion(cached) == Version {
		return cached, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	// go test ./... runs packages in parallel processes; one installs while
	// the others wait and then find its binary.
	unlock, err := testenv.LockFile(filepath.Join(dir, ".mailpit.lock"))
	if err != nil {
		return "", fmt.Errorf("lock the tools cache: %w", err)
	}
	defer unlock()
	if binaryVersion(cached) == Version {
		return cached, nil
	}
	return cached, install(dir, cached)
}

// binaryVersion returns the module version a Go binary was built from: ""
// for a binary without build info (or a development build), "-" for none.
func binaryVersion(path string) string {
	info, err := buildinfo.ReadFile(path)
	if err != nil {
		if _, serr := os.Stat(path); serr != nil {
			return "-"
		}
		return ""
	}
	if info.Main.Path != Module || info.Main.Version == "(devel)" {
		return ""
	}
	return info.Main.Version
}

// install builds mailpit into a temporary directory and renames it into
// place, so that nobody ever runs a half-written binary.
func install(dir, target string) error {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("the go command is not on PATH: %w", err)
	}
	tmp, err := os.MkdirTemp(dir, ".install-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	ctx, cancel := context.WithTimeout(context.Background(), installTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, goCmd, "install", Module+"@"+Version)
	cmd.Dir = tmp // outside any module or workspace that could pin versions
	// A GOFLAGS such as -mod=vendor would make go install refuse @version.
	cmd.Env = append(os.Environ(), "GOBIN="+tmp, "GOFLAGS=", "GOWORK=off")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go install %s@%s: %w: %s", Module, Version, err, lastLines(out.String(), 5))
	}
	return os.Rename(filepath.Join(tmp, exeName()), target)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
