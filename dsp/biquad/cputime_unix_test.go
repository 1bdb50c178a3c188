//go:build unix

package biquad

import (
	"syscall"
	"time"
)

// cpuTime is the process's user+system CPU time. Benchmarks report it
// beside wall time because the build machine is shared: on a loaded machine
// wall-clock ns/op counts time spent waiting for a core.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
