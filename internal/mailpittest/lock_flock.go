//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package mailpittest

import (
	"errors"
	"os"
	"syscall"
)

// lockFile holds an exclusive lock on path until unlock is called. flock
// is released by the kernel when a test process dies, so a killed run never
// leaves the cache locked.
func lockFile(path string) (unlock func(), err error) {
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
