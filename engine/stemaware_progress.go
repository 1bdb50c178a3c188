package engine

import (
	"errors"
	"sync"
)

// chainProgress is how far the stems' master chains (writeChains, on their
// own goroutine) have written the classes' scratch files, so that the
// first limiter pass reads each window as soon as it is written instead
// of after the whole song: the two run at once.
type chainProgress struct {
	mu      sync.Mutex
	changed *sync.Cond
	written int64 // file frames [0, written) of every class hold the chains' output
	done    bool  // the chains are through (the tails are set), or failed
	err     error
	stop    bool // the stems are being closed: the chains stop at the next window
}

// errChainsStopped is what readers get when the stems are closed before
// the chains are through.
var errChainsStopped = errors.New("stem-aware limiting: the stems' master chains were stopped")

func newChainProgress() *chainProgress {
	p := &chainProgress{}
	p.changed = sync.NewCond(&p.mu)
	return p
}

// advance says the chains have written the file frames below n; nil
// does nothing.
func (p *chainProgress) advance(n int64) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.written = max(p.written, n)
	p.mu.Unlock()
	p.changed.Broadcast()
}

// finish says the chains are through, with err when they failed.
func (p *chainProgress) finish(err error) {
	p.mu.Lock()
	p.done, p.err = true, err
	p.mu.Unlock()
	p.changed.Broadcast()
}

// stopped reports whether the chains are to stop; nil: never.
func (p *chainProgress) stopped() bool {
	if p == nil {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stop
}

// halt asks the chains to stop.
func (p *chainProgress) halt() {
	p.mu.Lock()
	p.stop = true
	p.mu.Unlock()
}

// wait waits until the file frames below n are written and, when all is
// set, until the chains are through; it returns their error, if any.
// A nil p has nothing to wait for.
func (p *chainProgress) wait(n int64, all bool) error {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for !p.done && (p.written < n || all) {
		p.changed.Wait()
	}
	if p.written >= n && !all {
		return nil // written before the chains failed or stopped
	}
	return p.err // through (nil), failed or stopped
}
