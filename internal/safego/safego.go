// Package safego runs the side goroutines of a check or a render (the
// workers a stage spreads over the cores, the stages of a pipeline) so
// that a bug in one of them, a panic, fails that one check or render with
// an error naming the stage and carrying the stack. An unrecovered panic
// on a side goroutine ends the whole process: the server with every
// client's job, the CLI with a trace and no word of which stage failed.
//
// Three shapes cover the sites: Recover, deferred at the top of a
// goroutine that has a way to report an error (a channel, a field its
// waiter reads); Group, a WaitGroup for workers that return nothing, whose
// Wait carries a worker's panic over to the goroutine that waits for the
// work, where the next Recover (the job's own, the CLI's) turns it into an
// error; Carry, the same for a goroutine its waiter waits for in its own
// way (a channel, a buffer it fills). Whichever shape, the waiter is told:
// a recovered goroutine that left its waiter waiting would turn a crash
// into a hang.
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package safego

import (
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
)

// PanicError is a panic turned into an error: the stage it happened in,
// the value it panicked with and the stack of the goroutine that panicked.
type PanicError struct {
	Stage string
	Value any
	Stack string
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("internal error in the %s (a bug in stemmaster; the log has its stack): %v", e.Stage, e.Value)
}

// FromPanic makes the error of a value recover returned in stage. A
// *PanicError carried over from another goroutine (Group.Wait) keeps its
// stage and the stack where it happened.
func FromPanic(stage string, v any) *PanicError {
	if p, ok := v.(*PanicError); ok {
		return p
	}
	return &PanicError{Stage: stage, Value: v, Stack: string(debug.Stack())}
}

// Recover, deferred at the top of a side goroutine, hands a panic there to
// fail as a *PanicError, and the goroutine ends as if its work had failed.
// It must be the deferred call itself (defer safego.Recover(…)): recover
// sees a panic only from a function that defer calls directly.
func Recover(stage string, fail func(error)) {
	if v := recover(); v != nil {
		fail(FromPanic(stage, v))
	}
}

// Log is a Recover's fail for a goroutine nothing waits on: it logs the
// *PanicError at error level on l, as msg with args, then the panic's
// value ("panic") and stack ("stack").
func Log(l *slog.Logger, msg string, args ...any) func(error) {
	return func(err error) {
		pe := err.(*PanicError)
		l.Error(msg, append(args[:len(args):len(args)], "panic", pe.Value, "stack", pe.Stack)...)
	}
}

// Carry keeps a side goroutine's panic for the goroutine that waits for
// its work, where the work has no error to hand it over in (a worker
// that fills a buffer, a fallback that would hide the bug): Keep is
// Recover's fail; Check, on the waiting goroutine once the work is over,
// panics with the first panic kept, so that it reaches the job's recovery
// instead of being lost or leaving the waiter waiting. The zero Carry
// holds nothing.
type Carry struct {
	mu sync.Mutex
	p  *PanicError
}

// Keep keeps err, a *PanicError from Recover, unless one is kept already.
func (c *Carry) Keep(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.p == nil {
		if p, ok := err.(*PanicError); ok {
			c.p = p
		} else {
			c.p = FromPanic("side goroutine", err)
		}
	}
}

// Err is the panic kept, as an error (nil when none), for a waiter that
// has an error to hand it over in.
func (c *Carry) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.p == nil {
		return nil
	}
	return c.p
}

// Check panics with the panic kept, if any.
func (c *Carry) Check() {
	c.mu.Lock()
	p := c.p
	c.mu.Unlock()
	if p != nil {
		panic(p)
	}
}

// Group runs workers like a sync.WaitGroup; the first worker's panic is
// kept and Wait panics with it on the waiting goroutine, so that it
// reaches the job's recovery instead of ending the process.
type Group struct {
	Stage string // named in the error: "check's alignment"
	wg    sync.WaitGroup
	c     Carry
}

// Go runs f on a goroutine of its own.
func (g *Group) Go(f func()) {
	g.wg.Go(func() {
		defer Recover(g.Stage, g.c.Keep)
		f()
	})
}

// Run runs f on the calling goroutine, a worker the caller started and
// waits for on its own terms (a loop over blocks), keeping its panic for
// Wait like Go's.
func (g *Group) Run(f func()) {
	defer Recover(g.Stage, g.c.Keep)
	f()
}

// Wait waits for every worker; it panics with the first worker's
// *PanicError, if one panicked.
func (g *Group) Wait() {
	g.wg.Wait()
	g.c.Check()
}
