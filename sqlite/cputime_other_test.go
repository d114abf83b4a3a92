//go:build !unix

package sqlite

import "time"

// cpuTime is not measured here; the benchmarks report wall time only.
func cpuTime() (time.Duration, bool) { return 0, false }
