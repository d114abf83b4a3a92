//go:build unix

package fedifytest

import (
	"os"
	"syscall"
)

// lockFile holds an exclusive lock on path until the returned function is
// called, so that test binaries running at once do not install into the
// same npm cache together.
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}
