package service

import "testing"

// TestJobSignal: a channel taken before a change is closed by it; one
// taken after waits for the next; a nil signal is a no-op.
func TestJobSignal(t *testing.T) {
	t.Parallel()
	var s JobSignal
	before := s.Changed()
	s.Notify()
	select {
	case <-before:
	default:
		t.Fatal("a change did not close the channel taken before it")
	}
	after := s.Changed()
	select {
	case <-after:
		t.Fatal("the channel taken after a change is already closed")
	default:
	}
	var none *JobSignal
	none.Notify()
}
