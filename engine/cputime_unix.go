//go:build unix

package engine

import (
	"syscall"
	"time"
)

// cpuTime is the process's user + system CPU time so far (0, false where
// the system does not say).
func cpuTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
