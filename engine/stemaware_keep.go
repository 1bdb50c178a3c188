package engine

import (
	"context"

	"stemmaster/audio"
	"stemmaster/internal/faultpoint"
	"stemmaster/internal/safego"
)

// A deliverable whose conversion pushes its true peak over the ceiling is
// written a second time from the master rendered again (regenerate): for
// the plain limiter one more pass over the bus, for the stem-aware one
// the classes limited once more, several times the cost. So a stem-aware
// pass that deliverables stream behind (likely the last) also keeps its
// output, the main version's master, in a scratch file as it is written,
// and the second writing reads it back: the same samples, for the cost of
// the file. A pass that turns out not to be the last drops its file.

// keptPass is a pass's output on its way into a scratch file.
type keptPass struct {
	sp   *stemSpool
	done chan struct{}
	err  error
	bug  safego.Carry // a panic keeping it: drop and reader return it
}

// keepPass starts keeping what the pass writing into t outputs, when lim
// is the main version's stem-aware limiter and its scratch file can be
// made (nil otherwise: the second writing limits again); the reader is
// added before the pass writes.
func (tr *targeting) keepPass(t *tap, lim busLimiter, frames int) *keptPass {
	a, ok := lim.(*stemAwareLimiter)
	if !ok || a.in != tr.sa || tr.sa.noKeep {
		return nil
	}
	sp, err := newStemSpool(tr.sa.dir, int64(frames))
	if err != nil {
		return nil
	}
	k := &keptPass{sp: sp, done: make(chan struct{})}
	tr.keptAll = append(tr.keptAll, k)
	rd := t.reader(true)
	go func() {
		defer close(k.done)
		defer rd.close()
		defer safego.Recover("render's kept master", k.bug.Keep)
		faultpoint.Hit("render.keep")
		buf := audio.NewBuffer(busChannels, BlockSize)
		for pos := 0; pos < frames; pos += BlockSize {
			n := min(BlockSize, frames-pos)
			if k.err = rd.read(buf, n); k.err != nil {
				return
			}
			sp.append(buf, n)
		}
		k.err = sp.finish()
	}()
	return k
}

// drop waits for the pass's file to be through and lets it go; nil does
// nothing. Its error is a panic keeping it (a bug), naming the stage.
func (k *keptPass) drop() error {
	if k == nil {
		return nil
	}
	<-k.done
	k.sp.close()
	return k.bug.Err()
}

// reader reads the kept master back into a tap of its own, as regenerate
// renders it; nil when it could not be kept whole (the second writing
// limits again), or with the error of a panic keeping it (a bug, naming
// the stage, which limiting again would hide).
func (k *keptPass) reader(ctx context.Context) (masterReader, error) {
	if k == nil {
		return nil, nil
	}
	<-k.done
	if err := k.bug.Err(); err != nil {
		return nil, err
	}
	if k.err != nil {
		return nil, nil
	}
	frames := int(k.sp.frames)
	t := newTap(busChannels, frames)
	t.commit()
	rd := t.reader(true)
	ctx, cancel := context.WithCancel(ctx)
	// A reader of its own: the deliverables that read it back take turns
	// on one file, each from its start.
	view := &audio.Buffer{Data: make([][]float32, busChannels)}
	sp := &stemSpool{f: k.sp.f, frames: k.sp.frames}
	go func() {
		defer cancel()
		defer safego.Recover("render's kept master", t.fail)
		faultpoint.Hit("render.keepread")
		for pos := 0; pos < frames; pos += spoolWindow {
			n := min(spoolWindow, frames-pos)
			err := ctx.Err()
			if err == nil {
				err = sp.view(view, int64(pos), n)
			}
			if err != nil {
				t.fail(err) // the deliverable is told why
				return
			}
			t.write(view, 0, n)
		}
	}()
	return &ownedReader{tapReader: rd, cancel: cancel, t: t}, nil
}

// keep makes the final pass's kept master (if it kept one) the one a
// second writing reads and drops every other pass's; nil drops them all.
// Its error is the first panic keeping one of those dropped.
func (tr *targeting) keep(final *pass) error {
	var err error
	for _, k := range tr.keptAll {
		if final == nil || k != final.kept {
			if derr := k.drop(); err == nil {
				err = derr
			}
		}
	}
	tr.keptAll = nil
	switch {
	case final == nil:
	case err != nil:
		// The render fails: nothing will read the final pass's file,
		// which goes now rather than with the stems' scratch directory.
		_ = final.kept.drop()
	default:
		tr.kept = final.kept
	}
	return err
}
