package faultpoint

import (
	"testing"
	"time"
)

// TestDelays arms a point held at every hit and one held at its first hit
// only, and times their hits. (The variables are read once per process, so
// this is the package's only test that arms anything.)
func TestDelays(t *testing.T) {
	const d = 30 * time.Millisecond
	t.Setenv(DelayEnv, "every*=30ms,first=30ms")
	timed := func(name string, n int) time.Duration {
		start := time.Now()
		for range n {
			Hit(name)
		}
		return time.Since(start)
	}
	if got := timed("every", 3); got < 3*d {
		t.Errorf("3 hits of every* took %v, want at least %v", got, 3*d)
	}
	if got := timed("first", 3); got < d || got >= 2*d {
		t.Errorf("3 hits of first took %v, want %v to %v (only the first is held)", got, d, 2*d)
	}
	if got := timed("unarmed", 1000); got >= d {
		t.Errorf("1000 hits of an unarmed point took %v", got)
	}
}
