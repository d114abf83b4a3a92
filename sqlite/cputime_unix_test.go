//go:build unix

package sqlite

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time the process has used so far, user and
// system: on a shared machine the wall time of a benchmark measures the
// neighbours as much as the code.
func cpuTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
