//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package testenv

import (
	"errors"
	"os"
	"syscall"
)

// LockFile holds an exclusive lock on path until unlock is called, so that
// parallel test processes (go test ./... runs packages at once) build a tool
// once while the others wait. flock is released by the kernel when a test
// process dies, so a killed run never leaves the cache locked.
func LockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
