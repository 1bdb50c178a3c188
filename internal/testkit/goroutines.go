package testkit

import (
	"os"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"
)

// NoHang runs f on a goroutine of its own and returns its error; if f has
// not returned after d, the test fails with every goroutine's stack (a
// waiter nobody tells hangs, and the stacks show which). d is a deadline
// far beyond the work, not a measure of it.
func NoHang(t testing.TB, d time.Duration, f func() error) error {
	t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- f() }()
	select {
	case err := <-errc:
		return err
	case <-time.After(d):
		pprof.Lookup("goroutine").WriteTo(os.Stderr, 1)
		t.Fatalf("still running after %v: it hangs", d)
		return nil
	}
}

// Settled waits until no more goroutines run than before did (those the
// work started end on their own once it returns), failing with their
// stacks if some are still there after a minute. The test must not run
// in parallel with others: the goroutines are counted for the process.
func Settled(t testing.TB, before int) {
	t.Helper()
	for end := time.Now().Add(time.Minute); runtime.NumGoroutine() > before; {
		if time.Now().After(end) {
			pprof.Lookup("goroutine").WriteTo(os.Stderr, 1)
			t.Fatalf("%d goroutines left running; %d before", runtime.NumGoroutine(), before)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
