//go:build !unix

package engine

import "time"

// cpuTime is the process's CPU time; this system does not say.
func cpuTime() (time.Duration, bool) { return 0, false }
