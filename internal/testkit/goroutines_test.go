package testkit

import (
	"errors"
	"runtime"
	"testing"
	"time"
)

// TestNoHangAndSettled: NoHang returns the work's error, and fails a test
// whose work is still blocked at the deadline; Settled returns once the
// goroutines started since are gone, the blocked one let go.
func TestNoHangAndSettled(t *testing.T) {
	before := runtime.NumGoroutine()
	want := errors.New("done")
	if err := NoHang(t, time.Minute, func() error { return want }); err != want {
		t.Errorf("NoHang returned %v; want the work's error", err)
	}
	stop := make(chan struct{})
	r := &recorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		NoHang(r, 0, func() error { <-stop; return nil })
	}()
	<-done
	if !r.failed {
		t.Error("NoHang did not fail a test whose work was still blocked")
	}
	close(stop)
	Settled(t, before)
}
