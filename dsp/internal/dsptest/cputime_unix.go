//go:build unix

package dsptest

import "syscall"

// CPUTime is the process's user + system CPU time so far, in ns.
func CPUTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
