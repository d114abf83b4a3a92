//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package testenv

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// staleLock is older than any tool build takes: its holder died.
const staleLock = 30 * time.Minute

// LockFile creates path exclusively, polling while another process holds
// it, where flock is not available.
func LockFile(path string) (unlock func(), err error) {
	deadline := time.Now().Add(staleLock)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			f.Close()
			return func() { os.Remove(path) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		if info, serr := os.Stat(path); serr == nil && time.Since(info.ModTime()) > staleLock {
			os.Remove(path)
			continue
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%s is still locked after %v", path, staleLock)
		}
		<-tick.C
	}
}
