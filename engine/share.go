package engine

import (
	"errors"
	"io"
	"sync"
	"time"

	"stemmaster/audio"
	"stemmaster/check"
)

// The stem checks run beside the render and read every stem from its start
// to its end, as the main version's strips do: one decode serves both. A
// strip hands each block it decodes to its stem's tee (the block itself,
// once the strip is done with it, taking a free one to decode into next);
// the check's first
// reading of the stem takes the blocks from the tee instead of decoding
// the file again. Later readings (alignment against a mix) open the file.
//
// When the check falls teeBlocks blocks behind, the strip waits for it —
// the two share the cores, and a strip waiting leaves its core to the
// check — but never longer than teeWait: the check reads all stems in
// step, so a stem decoded far ahead of or behind the others (a large
// offset) would otherwise hold both. Then, or when the strip stops early,
// the tee detaches and the check's reader reads the rest of the file
// itself, from where the tee left it (seeking there when the format can).

// teeBlocks bounds the blocks a tee holds for the check: 8 blocks of 4096
// frames, 256 KiB for a stereo stem; teeWait bounds how long a strip waits
// for room.
const (
	teeBlocks = 8
	teeWait   = 100 * time.Millisecond
)

// tee carries one stem's decoded blocks from its strip to the check, which
// takes them whole where it can (TakeBlock) instead of copying them.
type tee struct {
	mu       sync.Mutex
	cond     sync.Cond
	queue    []*audio.Buffer // decoded blocks not yet read
	free     []*audio.Buffer
	head     int           // frames of queue[0] already read
	ended    bool          // the strip read the file to its end
	detached bool          // the strip stopped feeding before the end
	taken    bool          // the check's first reading has begun
	past     *audio.Info   // the strip's file's Info once read past its declared end
	room     chan struct{} // signalled when the reader takes a block
	timer    *time.Timer
}

func newTee() *tee {
	t := &tee{room: make(chan struct{}, 1)}
	t.cond.L = &t.mu
	return t
}

// hand gives the check the first n frames of b, b itself: the tee queues
// it and returns a buffer for the strip to decode into next (one the check
// is done with, of b's channels and capacity, or a new one). When the
// check falls teeBlocks blocks behind it waits for room, never longer
// than teeWait (then the tee detaches); a detached or ended tee keeps
// nothing and returns b.
func (t *tee) hand(b *audio.Buffer, n int) *audio.Buffer {
	if t == nil || n == 0 {
		return b
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for len(t.queue) >= teeBlocks && !t.detached {
		t.mu.Unlock()
		if t.timer == nil {
			t.timer = time.NewTimer(teeWait)
		} else {
			t.timer.Reset(teeWait)
		}
		select {
		case <-t.room:
			t.timer.Stop()
			t.mu.Lock()
			continue
		case <-t.timer.C:
		}
		t.mu.Lock()
		if len(t.queue) >= teeBlocks {
			t.detached = true
			t.cond.Broadcast()
		}
	}
	if t.detached || t.ended {
		return b
	}
	var next *audio.Buffer
	for k := len(t.free); k > 0 && next == nil; k = len(t.free) {
		c := t.free[k-1]
		t.free = t.free[:k-1]
		if c.Channels() == b.Channels() && c.Cap() == b.Cap() {
			next = c
		}
	}
	if next == nil {
		next = audio.NewBuffer(b.Channels(), b.Cap())
	}
	b.SetFrames(n)
	t.queue = append(t.queue, b)
	t.cond.Broadcast()
	return next
}

// end says the strip read the whole file.
func (t *tee) end() { t.stop(true) }

// readPast gives the tee the Info of the strip's file once the strip has
// read past its declared end: a FLAC decoder has counted there the frames
// that follow (audio.Info.PastFrames), which the check's own opening of
// the file never reads to.
func (t *tee) readPast(info audio.Info) {
	if t == nil {
		return
	}
	t.mu.Lock()
	t.past = &info
	t.mu.Unlock()
}

// detach says the strip stops feeding (it failed, was cancelled or does
// not play in the main version); the check reads on from the file.
func (t *tee) detach() { t.stop(false) }

// stop marks the tee ended or detached, whichever comes first, and wakes
// the reader.
func (t *tee) stop(ended bool) {
	if t == nil {
		return
	}
	t.mu.Lock()
	if !t.ended && !t.detached {
		t.ended, t.detached = ended, !ended
	}
	t.mu.Unlock()
	t.cond.Broadcast()
}

// source is the check's Source for the stem: its first opening reads
// through the tee, later ones the file.
func (t *tee) source(src check.Source) check.Source {
	open := src.Open
	src.Open = func() (audio.Reader, error) {
		r, err := open()
		if err != nil {
			return nil, err
		}
		t.mu.Lock()
		first := !t.taken
		t.taken = true
		t.mu.Unlock()
		if !first {
			return r, nil
		}
		return &teeReader{t: t, file: r}, nil
	}
	return src
}

// teeReader reads a stem through its tee, then (when the tee detached)
// from its own opening of the file.
type teeReader struct {
	t    *tee
	file audio.Reader // opened: its Info, and the rest after a detach
	pos  int64        // frames delivered
	own  bool         // reading the file itself
}

// Info is the file's, with what the strip found past its declared end
// (tee.readPast).
func (r *teeReader) Info() audio.Info {
	info := r.file.Info()
	r.t.mu.Lock()
	if p := r.t.past; p != nil {
		info.PastFrames, info.PastMore = p.PastFrames, p.PastMore
	}
	r.t.mu.Unlock()
	return info
}

func (r *teeReader) Read(dst *audio.Buffer) (int, error) {
	if r.own {
		return r.file.Read(dst)
	}
	t := r.t
	t.mu.Lock()
	for len(t.queue) == 0 && !t.ended && !t.detached {
		t.cond.Wait()
	}
	if len(t.queue) == 0 {
		ended := t.ended
		t.mu.Unlock()
		// A strip that stopped on the file's last frame, before reading
		// the end, leaves nothing to read either.
		if ended || r.pos == r.file.Info().Frames {
			return 0, io.EOF
		}
		if err := r.skip(); err != nil {
			return 0, err
		}
		r.own = true
		return r.file.Read(dst)
	}
	b := t.queue[0]
	t.mu.Unlock()
	// Only this reader takes from the queue's head; the strip appends.
	n := min(dst.Frames(), b.Frames()-t.head)
	for c := range dst.Data {
		copy(dst.Data[c][:n], b.Data[c][t.head:t.head+n])
	}
	r.pos += int64(n)
	t.mu.Lock()
	t.head += n
	if t.head == b.Frames() {
		t.queue = t.queue[1:]
		t.free = append(t.free, b)
		t.head = 0
		select {
		case t.room <- struct{}{}:
		default:
		}
	}
	t.mu.Unlock()
	return n, nil
}

// TakeBlock hands the check the tee's next block whole (check.BlockTaker):
// when it is unread, of dst's frames, channels and capacity, the two
// exchange their storage and the block's goes back to the tee's free list.
// It waits for a block as Read does; it reports false (Read then reads on)
// for any other block, and at the tee's end.
func (r *teeReader) TakeBlock(dst *audio.Buffer) bool {
	if r.own {
		return false
	}
	t := r.t
	t.mu.Lock()
	defer t.mu.Unlock()
	for len(t.queue) == 0 && !t.ended && !t.detached {
		t.cond.Wait()
	}
	if len(t.queue) == 0 || t.head != 0 {
		return false
	}
	b := t.queue[0]
	if b.Frames() != dst.Frames() || b.Channels() != dst.Channels() || b.Cap() != dst.Cap() {
		return false
	}
	// Only this reader takes from the queue's head; the strip appends.
	for c := range dst.Data {
		dst.Data[c], b.Data[c] = b.Data[c], dst.Data[c]
	}
	r.pos += int64(dst.Frames())
	t.queue = t.queue[1:]
	t.free = append(t.free, b)
	select {
	case t.room <- struct{}{}:
	default:
	}
	return true
}

// skip moves the reader's own file past the frames the tee delivered.
func (r *teeReader) skip() error {
	if s, ok := r.file.(interface{ SeekFrame(int64) error }); ok {
		if err := s.SeekFrame(r.pos); err == nil {
			return nil
		}
	}
	buf := audio.NewBuffer(r.file.Info().Format.Channels, BlockSize)
	for done := int64(0); done < r.pos; {
		buf.SetFrames(int(min(int64(BlockSize), r.pos-done)))
		n, err := r.file.Read(buf)
		done += int64(n)
		if err != nil {
			if errors.Is(err, io.EOF) && done < r.pos {
				return io.ErrUnexpectedEOF
			}
			if done < r.pos {
				return err
			}
		}
	}
	return nil
}

func (r *teeReader) Close() error {
	r.t.detach() // the strip stops copying for a reader that is gone
	r.t.cond.Broadcast()
	if c, ok := r.file.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
