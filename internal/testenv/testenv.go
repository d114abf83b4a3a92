// Package testenv is how tests meet tools the machine may lack (Chromium, a
// Node package, pdftotext, xmllint): without one a test skips and says what to
// install, except under CI=true, where CI must run every test and it fails.
package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// Missing skips the test with the message, or fails it under CI=true.
func Missing(tb testing.TB, format string, args ...any) {
	tb.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
}

// Tool returns the path of the named program, or calls Missing saying how to
// install it.
func Tool(tb testing.TB, name, install string) string {
	tb.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		Missing(tb, "this test needs %s (%s): %v", name, install, err)
	}
	return path
}
