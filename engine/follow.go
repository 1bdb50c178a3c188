package engine

import (
	"context"
	"sync"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/internal/faultpoint"
	"stemmaster/internal/safego"
)

// mainFollower streams the main version's deliverables behind targeting
// passes (see target); d is the delivery behind the running pass.
type mainFollower struct {
	r   *renderer
	bus *audio.Buffer // the master bus before gain and limiter
	d   *delivery
}

func (f *mainFollower) follow(t *tap, tr *targeting) {
	f.d = f.r.startDelivery(f.r.passSources(t, f.bus, tr, true), stemmaster.VersionMain, tr)
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

// passSources gives each output its reader of the pass writing into t (the
// readers are added now, before the pass writes). A deliverable that must
// be written again renders the master once more from bus with the
// targeting's final gain and limiter (main: the main version's), for
// itself.
func (r *renderer) passSources(t *tap, bus *audio.Buffer, tr *targeting, main bool) []masterSource {
	src := make([]masterSource, len(r.s.Outputs))
	for i := range src {
		src[i] = &passSource{first: t.reader(false), regen: func(ctx context.Context) (masterReader, error) {
			return r.regenerate(ctx, bus, tr, main)
		}}
	}
	return src
}

// passSource is a deliverable's master: the pass it follows, then (to be
// written again) a private rendering of the same master.
type passSource struct {
	mu    sync.Mutex
	first *tapReader
	used  bool
	regen func(ctx context.Context) (masterReader, error)
}

func (s *passSource) open(ctx context.Context) (masterReader, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.used {
		s.used = true
		return s.first, nil
	}
	return s.regen(ctx)
}

// release lets go of the pass a deliverable will not read (it failed
// before opening it: its file could not be created), so that the pass does
// not wait for it; after open it does nothing.
func (s *passSource) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.used {
		s.used = true
		s.first.close()
	}
}

// regenerate renders the final master of a version again from bus (the
// same gain and limiter, so the same samples) into a tap of its own, for a
// deliverable written a second time.
func (r *renderer) regenerate(ctx context.Context, bus *audio.Buffer, tr *targeting, main bool) (masterReader, error) {
	if main {
		if rd, err := tr.kept.reader(ctx); rd != nil || err != nil {
			return rd, err
		}
	}
	rate := float64(r.rate)
	step := stepFrames(rate)
	lim, err := tr.limiter(rate, step, main)
	if err != nil {
		return nil, err
	}
	t := newTap(busChannels, bus.Frames())
	rd := t.reader(false)
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		defer cancel()
		// The deliverable reading it is told why it failed (a bug's
		// stage, a cancellation, a stem that could not be read), not that
		// the pass was abandoned: limitPass fails t with its error. The
		// stem-aware limiter reports a stem it could not read once the
		// pass is through, so the last frame waits for the commit, or a
		// file missing that stem could be delivered.
		defer safego.Recover("render's second writing", t.fail)
		faultpoint.Hit("render.regenerate")
		if _, err := limitPass(ctx, bus, tr.final.gainDB, lim, step, t, nil); err == nil {
			t.commit()
		}
	}()
	return &ownedReader{tapReader: rd, cancel: cancel, t: t}, nil
}

// ownedReader is the reader of a private rendering; closing it ends the
// rendering.
type ownedReader struct {
	*tapReader
	cancel context.CancelFunc
	t      *tap
}

func (o *ownedReader) close() {
	o.cancel()
	o.t.abort()
	o.tapReader.close()
}
