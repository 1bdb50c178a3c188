package engine

import (
	"context"
	"errors"
	"sync"

	"stemmaster/audio"
)

// errAbandoned ends a reader of a targeting pass which turned out not to
// be the last.
var errAbandoned = errors.New("engine: targeting pass abandoned")

// tapFrames is the length of a tap's ring: 2^18 frames (5.5 s at 48 kHz,
// 2 MiB for a stereo float32 ring), enough for its readers to run a few
// blocks apart without the writer waiting on the slowest.
const tapFrames = 1 << 18

// tap streams the output of one master pass to the readers behind it
// (deliverables, the pass's meter) through a ring buffer: the master is
// never held whole. The writer waits when the ring would overrun the
// slowest reader; a reader waits for frames not yet written.
//
// Its last frame is readable only when the pass is known to be final
// (commit), so no deliverable can finish — and no file can get its final
// name — on a pass that is later abandoned; readers opened with all (the
// pass's own meter, which decides) read it at once.
type tap struct {
	mu        sync.Mutex
	cond      sync.Cond
	ring      [][]float32
	total     int // frames in the pass
	written   int
	readers   []*tapReader
	committed bool
	aborted   bool
	err       error // why the writer failed (fail); nil: abandoned
}

func newTap(channels, total int) *tap {
	t := &tap{total: total, ring: make([][]float32, channels)}
	for c := range t.ring {
		t.ring[c] = make([]float32, min(tapFrames, max(total, 1)))
	}
	t.cond.L = &t.mu
	return t
}

// tapReader is one reader's position in a tap.
type tapReader struct {
	t      *tap
	pos    int
	all    bool // may read the last frame before commit
	closed bool
	// viewed is the length of the frames next last handed out, which the
	// reader holds (the writer may not overwrite them) until it moves on.
	viewed int
	view   *audio.Buffer
}

// reader adds a reader at frame 0; every reader is added before the first
// write.
func (t *tap) reader(all bool) *tapReader {
	t.mu.Lock()
	defer t.mu.Unlock()
	r := &tapReader{t: t, all: all}
	t.readers = append(t.readers, r)
	return r
}

// slowest is the smallest position of an open reader (written when none).
func (t *tap) slowest() int {
	p := t.written
	for _, r := range t.readers {
		if !r.closed {
			p = min(p, r.pos)
		}
	}
	return p
}

// write appends frames from…to-1 of src, waiting while they would overrun
// a reader (or until the pass is abandoned, when it drops them).
func (t *tap) write(src *audio.Buffer, from, to int) {
	size := len(t.ring[0])
	for from < to {
		t.mu.Lock()
		for !t.aborted && t.written-t.slowest() >= size {
			t.cond.Wait()
		}
		if t.aborted {
			t.mu.Unlock()
			return
		}
		free := size - (t.written - t.slowest())
		w := t.written
		t.mu.Unlock()
		// The frames written here are not yet published: no reader reads
		// them, and the writer is the only one to write.
		n := min(to-from, free)
		for c, ring := range t.ring {
			copyIn(ring, w, src.Data[c][from:from+n])
		}
		from += n
		t.mu.Lock()
		t.written += n
		t.mu.Unlock()
		t.cond.Broadcast()
	}
}

// copyIn copies x into ring at position pos (modulo its length).
func copyIn(ring []float32, pos int, x []float32) {
	i := pos % len(ring)
	k := copy(ring[i:], x)
	copy(ring, x[k:])
}

// commit publishes the whole pass: it is final.
func (t *tap) commit() {
	t.mu.Lock()
	t.committed = true
	t.mu.Unlock()
	t.cond.Broadcast()
}

// abort releases every reader with errAbandoned and the writer.
func (t *tap) abort() {
	t.mu.Lock()
	t.aborted = true
	t.mu.Unlock()
	t.cond.Broadcast()
}

// fail releases every reader with err, the writer's failure, and the
// writer.
func (t *tap) fail(err error) {
	t.mu.Lock()
	if !t.aborted {
		t.err = err
	}
	t.mu.Unlock()
	t.abort()
}

// read fills dst with the next n frames (dst.SetFrames(n)), waiting for
// them; it returns errAbandoned when the pass is abandoned first.
func (r *tapReader) read(dst *audio.Buffer, n int) error {
	end, err := r.await(n)
	if err != nil {
		return err
	}
	r.take(dst, n, end)
	return nil
}

// take copies the n frames the reader awaited (ending at end) into dst and
// moves past them.
func (r *tapReader) take(dst *audio.Buffer, n, end int) {
	t := r.t
	dst.SetFrames(n)
	for c, ring := range t.ring {
		copyOut(dst.Data[c][:n], ring, r.pos)
	}
	t.mu.Lock()
	r.pos = end
	t.mu.Unlock()
	t.cond.Broadcast()
}

// await moves the reader past the frames of its last view and waits until
// the next n frames may be read; it returns where they end, or
// errAbandoned when the pass is abandoned first.
func (r *tapReader) await(n int) (int, error) {
	t := r.t
	t.mu.Lock()
	defer t.mu.Unlock()
	if r.viewed > 0 {
		r.pos += r.viewed
		r.viewed = 0
		t.cond.Broadcast() // the writer may wait for the frames given back
	}
	end := r.pos + n
	for !t.aborted && (t.written < end || end >= t.total && !r.all && !t.committed) {
		t.cond.Wait()
	}
	if t.aborted && t.err != nil {
		return 0, t.err
	}
	if t.aborted {
		return 0, errAbandoned
	}
	return end, nil
}

// next is read for a reader that only reads the frames: it returns the
// next n frames as a view of the ring where the ring holds them in one
// piece (else copied into hold, as read would), valid until the reader's
// next call to next, read or close, when the reader moves on past them.
// It saves the copy out of the ring for the pass's analysis and a
// resampler, which never write to their input.
func (r *tapReader) next(hold *audio.Buffer, n int) (*audio.Buffer, error) {
	t := r.t
	end, err := r.await(n)
	if err != nil {
		return nil, err
	}
	size := len(t.ring[0])
	if i := r.pos % size; i+n <= size {
		if r.view == nil {
			r.view = &audio.Buffer{Data: make([][]float32, len(t.ring))}
		}
		for c, ring := range t.ring {
			r.view.Data[c] = ring[i : i+n]
		}
		t.mu.Lock()
		r.viewed = n
		t.mu.Unlock()
		return r.view, nil
	}
	r.take(hold, n, end)
	return hold, nil
}

// copyOut copies len(dst) frames from ring at position pos.
func copyOut(dst, ring []float32, pos int) {
	i := pos % len(ring)
	k := copy(dst, ring[i:])
	copy(dst[k:], ring)
}

// close takes the reader out: the writer no longer waits for it.
func (r *tapReader) close() {
	r.t.mu.Lock()
	r.closed = true
	r.t.mu.Unlock()
	r.t.cond.Broadcast()
}

// frames is the pass's length.
func (r *tapReader) frames() int { return r.t.total }

// follower is what targeting streams each pass to that may be its last:
// the main version's deliverables.
type follower interface {
	// follow adds its readers to the pass's tap (before the pass writes)
	// and starts them, with the targeting's settings as they are for this
	// pass.
	follow(t *tap, tr *targeting)
	// abandon stops the readers started by follow and waits for them; their
	// files are discarded. It does nothing when none run.
	abandon()
	// wants says whether to follow a pass that target judges likely (or
	// not) to be the last.
	wants(likely bool) bool
}

// masterSource is where a deliverable reads its version's master from.
type masterSource interface {
	// open returns a reader of the master from frame 0; a deliverable
	// written again (limited once more) opens it again.
	open(ctx context.Context) (masterReader, error)
}

// masterReader reads a master block by block.
type masterReader interface {
	frames() int
	read(dst *audio.Buffer, n int) error
	close()
}

// readView reads the next n frames of m for a reader that does not write
// to them: a view of the tap (tapReader.next) where m reads one, else
// read into hold.
func readView(m masterReader, hold *audio.Buffer, n int) (*audio.Buffer, error) {
	if v, ok := m.(interface {
		next(*audio.Buffer, int) (*audio.Buffer, error)
	}); ok {
		return v.next(hold, n)
	}
	if err := m.read(hold, n); err != nil {
		return nil, err
	}
	return hold, nil
}

// bufferSource is a master held whole in memory.
type bufferSource struct{ b *audio.Buffer }

func (s bufferSource) open(context.Context) (masterReader, error) {
	return &bufferReader{b: s.b}, nil
}

type bufferReader struct {
	b   *audio.Buffer
	pos int
}

func (r *bufferReader) frames() int { return r.b.Frames() }

func (r *bufferReader) read(dst *audio.Buffer, n int) error {
	dst.SetFrames(n)
	for c := range dst.Data {
		copy(dst.Data[c], r.b.Data[c][r.pos:r.pos+n])
	}
	r.pos += n
	return nil
}

func (r *bufferReader) close() {}
