package testenv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

// BuiltTool is a program some tests run (a real SMTP server, an S3 server): one
// on PATH if it will do, else the one in ToolsDir, else one made into
// ToolsDir — once per machine, under a file lock, since go test runs
// packages in parallel processes that would all make it at once. What it
// found is remembered for the test binary, so that a failure is not tried
// again by every test.
type BuiltTool struct {
	// Name is the program's file name, without .exe.
	Name string
	// OnPath says whether the program found on PATH at path will do;
	// Current whether the cached one at path is the wanted build.
	OnPath, Current func(path string) bool
	// Make builds the program into the empty folder tmp within ctx and
	// returns the file it made, which Find then renames into the cache:
	// nobody ever runs a half-written binary.
	Make func(ctx context.Context, tmp string) (string, error)

	mu   sync.Mutex
	done bool
	path string
	err  error
}

// Find returns the program's path, making it when need be within budget.
func (tl *BuiltTool) Find(budget time.Duration) (string, error) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	if !tl.done {
		tl.path, tl.err = tl.find(budget)
		tl.done = true
	}
	return tl.path, tl.err
}

func (tl *BuiltTool) exe() string {
	if runtime.GOOS == "windows" {
		return tl.Name + ".exe"
	}
	return tl.Name
}

func (tl *BuiltTool) find(budget time.Duration) (string, error) {
	if path, err := exec.LookPath(tl.Name); err == nil && tl.OnPath(path) {
		return path, nil
	}
	dir := ToolsDir()
	cached := filepath.Join(dir, tl.exe())
	if tl.Current(cached) {
		return cached, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	unlock, err := LockFile(filepath.Join(dir, "."+tl.Name+".lock"))
	if err != nil {
		return "", fmt.Errorf("lock the tools cache: %w", err)
	}
	defer unlock()
	if tl.Current(cached) { // made by another process while this one waited
		return cached, nil
	}
	if budget <= 0 {
		return "", errors.New("no time left within the test's -timeout to make it")
	}
	tmp, err := os.MkdirTemp(dir, ".make-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	ctx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()
	made, err := tl.Make(ctx, tmp)
	if err != nil {
		return "", err
	}
	return cached, os.Rename(made, cached)
}

// GoEnv is the environment for go commands that build a tool: outside any
// module or workspace of ours, which could pin versions, and without a
// GOFLAGS such as -mod=vendor, which go install @version refuses.
func GoEnv(goflags string) []string {
	return append(os.Environ(), "GOFLAGS="+goflags, "GOWORK=off")
}

// LastLines returns the last n lines of a program's output on one line, for
// an error message.
func LastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
