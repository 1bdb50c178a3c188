package engine

import (
	"errors"
	"sync"

	"stemmaster"
	"stemmaster/audio"
)

// errAbandoned ends a deliverable that streamed behind a targeting pass
// which turned out not to be the last.
var errAbandoned = errors.New("engine: targeting pass abandoned")

// frontier tells readers streaming behind a master pass how far the master
// is written. Its last frame is published only when the pass is known to be
// final (commit), so no reader can finish — and no file can get its final
// name — on a pass that is later abandoned.
type frontier struct {
	mu        sync.Mutex
	cond      sync.Cond
	total     int
	done      int
	committed bool
	aborted   bool
}

func newFrontier(total int) *frontier {
	f := &frontier{total: total}
	f.cond.L = &f.mu
	return f
}

// advance publishes that frames 0…done-1 are written.
func (f *frontier) advance(done int) {
	f.mu.Lock()
	f.done = done
	f.mu.Unlock()
	f.cond.Broadcast()
}

// commit publishes the whole master: the pass is final.
func (f *frontier) commit() {
	f.mu.Lock()
	f.done, f.committed = f.total, true
	f.mu.Unlock()
	f.cond.Broadcast()
}

// abort releases every reader with errAbandoned.
func (f *frontier) abort() {
	f.mu.Lock()
	f.aborted = true
	f.mu.Unlock()
	f.cond.Broadcast()
}

// wait blocks until frames 0…end-1 may be read (the last frame only after
// commit) or the pass is abandoned.
func (f *frontier) wait(end int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for !f.aborted && !f.committed && (end >= f.total || f.done < end) {
		f.cond.Wait()
	}
	if f.aborted {
		return errAbandoned
	}
	return nil
}

// follower is what targeting streams each pass to that may be its last:
// the main version's deliverables.
type follower interface {
	// follow starts reading the pass's output behind fr, with the
	// targeting's settings as they are for this pass.
	follow(fr *frontier, tr *targeting)
	// abandon stops the readers started by follow and waits for them; their
	// files are discarded. It does nothing when none run.
	abandon()
	// wants says whether to follow a pass that target judges likely (or
	// not) to be the last.
	wants(likely bool) bool
}

// mainFollower streams the main version's deliverables behind targeting
// passes (see target); d is the delivery behind the running pass.
type mainFollower struct {
	r      *renderer
	master *audio.Buffer
	d      *delivery
}

func (f *mainFollower) follow(fr *frontier, tr *targeting) {
	f.d = f.r.startDelivery(f.master, stemmaster.VersionMain, tr, fr)
}

func (f *mainFollower) wants(likely bool) bool {
	switch f.r.opt.followMode {
	case followAlways:
		return true
	case followNever:
		return false
	}
	return likely
}

func (f *mainFollower) abandon() {
	if f.d != nil {
		f.d.wg.Wait()
		f.d = nil
	}
}
