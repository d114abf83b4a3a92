package mailpittest

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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

// mailpit is found on PATH (unless its build info shows another release) or
// in the tools cache, or go-installed there.
var mailpit = &testenv.BuiltTool{
	Name:    "mailpit",
	OnPath:  func(path string) bool { v := binaryVersion(path); return v == Version || v == "" },
	Current: func(path string) bool { return binaryVersion(path) == Version },
	Make:    install,
}

// Binary returns the path of mailpit, installing it into the tools cache
// when neither PATH nor the cache has it. It skips the test when mailpit
// cannot be had, or fails it under CI=true.
func Binary(t testing.TB) string {
	t.Helper()
	path, err := mailpit.Find(installTimeout)
	if err != nil {
		testenv.Missing(t, "mailpit tests need mailpit %s (GOBIN=%s go install %s@%s, or put mailpit on PATH): %v",
			Version, testenv.ToolsDir(), Module, Version, err)
	}
	return path
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

// install go-installs mailpit into tmp.
func install(ctx context.Context, tmp string) (string, error) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("the go command is not on PATH: %w", err)
	}
	cmd := exec.CommandContext(ctx, goCmd, "install", Module+"@"+Version)
	cmd.Dir = tmp // outside any module that could pin versions
	cmd.Env = append(testenv.GoEnv(""), "GOBIN="+tmp)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go install %s@%s: %w: %s", Module, Version, err, testenv.LastLines(out.String(), 5))
	}
	entries, err := os.ReadDir(tmp)
	if err != nil || len(entries) != 1 {
		return "", fmt.Errorf("go install %s@%s left %d files, want the program: %v", Module, Version, len(entries), err)
	}
	return filepath.Join(tmp, entries[0].Name()), nil
}
