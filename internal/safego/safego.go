// Package safego runs the side goroutines of a check or a render (the
// workers a stage spreads over the cores, the stages of a pipeline) so
// that a bug in one of them, a panic, fails that one check or render with
// an error naming the stage and carrying the stack. An unrecovered panic
// on a side goroutine ends the whole process: the server with every
// client's job, the CLI with a trace and no word of which stage failed.
//
// Two shapes cover the sites: Recover, deferred at the top of a goroutine
// that has a way to report an error (a channel, a field its waiter reads);
// Group, a WaitGroup for workers that return nothing, whose Wait carries
// a worker's panic over to the goroutine that waits for the work, where
// the next Recover (the job's own, the CLI's) turns it into an error.
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package safego

import (
	"fmt"
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

// Group runs workers like a sync.WaitGroup; the first worker's panic is
// kept and Wait panics with it on the waiting goroutine, so that it
// reaches the job's recovery instead of ending the process.
type Group struct {
	Stage string // named in the error: "check's alignment"
	wg    sync.WaitGroup
	mu    sync.Mutex
	p     *PanicError
}

// Go runs f on a goroutine of its own.
func (g *Group) Go(f func()) {
	g.wg.Go(func() {
		defer Recover(g.Stage, g.keep)
		f()
	})
}

func (g *Group) keep(err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.p == nil {
		g.p = err.(*PanicError)
	}
}

// Run runs f on the calling goroutine, a worker the caller started and
// waits for on its own terms (a loop over blocks), keeping its panic for
// Wait like Go's.
func (g *Group) Run(f func()) {
	defer Recover(g.Stage, g.keep)
	f()
}

// Wait waits for every worker; it panics with the first worker's
// *PanicError, if one panicked.
func (g *Group) Wait() {
	g.wg.Wait()
	g.mu.Lock()
	p := g.p
	g.mu.Unlock()
	if p != nil {
		panic(p)
	}
}
