// Package testenv is how tests meet tools the machine may lack (Chromium, a
// Node package, pdftotext, xmllint): without one a test skips and says what to
// install, except under CI=true, where CI must run every test and it fails.
package testenv

import (
	"fmt"
	"net"
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

// FreePort returns a loopback TCP port that is free now, for a server a test
// starts (which may still lose it to another process; harnesses that start
// servers retry on that).
func FreePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
