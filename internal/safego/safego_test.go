package safego

import (
	"errors"
	"strings"
	"testing"
)

// panicky panics from a function of its own, so that the stack names it.
func panicky() { panic("boom") }

// TestGroupCarriesPanic: a worker's panic reaches the waiting goroutine as
// a *PanicError with the group's stage and the worker's own stack; the
// other workers finish.
func TestGroupCarriesPanic(t *testing.T) {
	t.Parallel()
	g := Group{Stage: "test stage"}
	done := make([]bool, 4)
	for i := range done {
		g.Go(func() {
			if i == 2 {
				panicky()
			}
			done[i] = true
		})
	}
	var got any
	func() {
		defer func() { got = recover() }()
		g.Wait()
	}()
	pe, ok := got.(*PanicError)
	if !ok {
		t.Fatalf("Wait panicked with %T %v; want *PanicError", got, got)
	}
	if pe.Stage != "test stage" || pe.Value != "boom" || !strings.Contains(pe.Stack, "safego.panicky") {
		t.Errorf("got stage %q value %v, stack naming panicky %v", pe.Stage, pe.Value, strings.Contains(pe.Stack, "safego.panicky"))
	}
	if !strings.Contains(pe.Error(), "test stage") || !strings.Contains(pe.Error(), "boom") {
		t.Errorf("message %q names neither the stage nor the value", pe.Error())
	}
	if !done[0] || !done[1] || !done[3] || done[2] {
		t.Errorf("workers done %v; want all but the one that panicked", done)
	}
	// Carried over once more, it keeps its stage and stack.
	if FromPanic("outer", pe) != pe {
		t.Error("FromPanic wrapped a *PanicError again")
	}
}

// TestGroupRunAndQuiet: Run keeps a panic on the caller's goroutine for
// Wait; a group whose workers all return waits without panicking.
func TestGroupRunAndQuiet(t *testing.T) {
	t.Parallel()
	var g Group
	g.Go(func() {})
	g.Wait()
	g.Run(panicky)
	defer func() {
		if _, ok := recover().(*PanicError); !ok {
			t.Error("Wait after a panicking Run did not panic with a *PanicError")
		}
	}()
	g.Wait()
}

// TestRecover: deferred at the top of a goroutine, Recover hands the panic
// to fail as an error.
func TestRecover(t *testing.T) {
	t.Parallel()
	errc := make(chan error, 1)
	go func() {
		defer Recover("side", func(err error) { errc <- err })
		panicky()
	}()
	var pe *PanicError
	if err := <-errc; !errors.As(err, &pe) || pe.Stage != "side" {
		t.Errorf("got %v; want a *PanicError of stage side", err)
	}
}

// TestCarry: a panic kept on a side goroutine is the waiter's error (Err)
// and its panic (Check), the first one only; an empty Carry neither.
func TestCarry(t *testing.T) {
	t.Parallel()
	var c Carry
	if c.Err() != nil {
		t.Fatal("an empty Carry has an error")
	}
	c.Check()
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer Recover("side", c.Keep)
		panicky()
	}()
	<-done
	c.Keep(FromPanic("later", "again"))
	var pe *PanicError
	if err := c.Err(); !errors.As(err, &pe) || pe.Stage != "side" || pe.Value != "boom" {
		t.Errorf("Err = %v; want the first panic, of stage side", err)
	}
	defer func() {
		if p, ok := recover().(*PanicError); !ok || p != pe {
			t.Errorf("Check panicked with %v; want the kept *PanicError", p)
		}
	}()
	c.Check()
}
