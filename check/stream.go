package check

import (
	"context"
	"errors"
	"io"
	"sync"

	"stemmaster/audio"
)

// stream reads one source block by block, whole blocks at a time (short
// reads are topped up, the end is zero-padded), optionally shifted in time,
// into two alternating buffers so that one block can be analysed while the
// next is decoded.
type stream struct {
	r      audio.Reader
	bufs   [2]*audio.Buffer
	view   audio.Buffer
	n      [2]int // valid frames in each buffer
	zeros  int64  // leading zero frames still to emit (negative shift)
	drop   int64  // leading frames still to discard (positive shift)
	eof    bool
	err    error // a read error; the stream then reads as ended
	closed bool
}

// newStream wraps r for blocks of the given size. shift > 0 drops the
// first shift frames (a stem that starts late is moved earlier); shift < 0
// emits −shift zero frames first.
func newStream(r audio.Reader, block int, shift int64) *stream {
	ch := r.Info().Format.Channels
	s := &stream{r: r, view: audio.Buffer{Data: make([][]float32, ch)}}
	s.bufs[0] = audio.NewBuffer(ch, block)
	s.bufs[1] = audio.NewBuffer(ch, block)
	if shift > 0 {
		s.drop = shift
	} else {
		s.zeros = -shift
	}
	return s
}

// fill reads the next block into slot and returns its valid frames (0 at
// the end). Frames past the valid ones are zero.
func (s *stream) fill(slot int) int {
	b := s.bufs[slot]
	total := b.Frames()
	got := 0
	for got < total && s.zeros > 0 {
		k := int(min(int64(total-got), s.zeros))
		for _, ch := range b.Data {
			clear(ch[got : got+k])
		}
		got += k
		s.zeros -= int64(k)
	}
	for got < total && !s.eof {
		for c := range s.view.Data {
			s.view.Data[c] = b.Data[c][got:total]
		}
		n, err := s.r.Read(&s.view)
		if n > 0 && s.drop > 0 {
			d := int(min(int64(n), s.drop))
			s.drop -= int64(d)
			for _, ch := range b.Data {
				copy(ch[got:], ch[got+d:got+n])
			}
			n -= d
		}
		got += n
		if err != nil {
			s.eof = true
			if !errors.Is(err, io.EOF) {
				s.err = err
			}
		} else if n == 0 && s.drop == 0 {
			// A reader that returns nothing without an error would spin.
			s.eof = true
			s.err = io.ErrNoProgress
		}
	}
	for _, ch := range b.Data {
		clear(ch[got:total])
	}
	s.n[slot] = got
	return got
}

func (s *stream) close() {
	if s.closed {
		return
	}
	s.closed = true
	if c, ok := s.r.(io.Closer); ok {
		c.Close()
	}
}

// lockstep runs every stream to its end in blocks of equal length. After
// each block is read, perStream (when not nil) runs for every stream in
// parallel with the stream's index, buffer and valid frames; consume then
// gets the slot of a completed block and its length (the longest stream's
// valid frames) while the next block is being read. consume never runs
// concurrently with itself.
func lockstep(ctx context.Context, streams []*stream, perStream func(i int, b *audio.Buffer, n int), consume func(slot, n int)) error {
	prevN := 0
	for k := 0; ; k++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		slot := k & 1
		var wg sync.WaitGroup
		for i, s := range streams {
			wg.Go(func() {
				n := s.fill(slot)
				if perStream != nil {
					perStream(i, s.bufs[slot], n)
				}
			})
		}
		if k > 0 && prevN > 0 {
			wg.Go(func() { consume(1-slot, prevN) })
		}
		wg.Wait()
		prevN = 0
		for _, s := range streams {
			prevN = max(prevN, s.n[slot])
		}
		if prevN == 0 {
			return nil
		}
	}
}
