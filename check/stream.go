package check

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"stemmaster/audio"
	"stemmaster/dsp/resample"
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

// BlockTaker is a Reader that holds its audio in decoded blocks and can
// hand one over whole: TakeBlock exchanges the storage of dst's channels
// with that of its next block when that block has exactly dst's frames
// and channels and the same capacity, and reports whether it did;
// otherwise it leaves both as they are (Read then reads on). The check
// takes its blocks so, instead of copying them, from a reader sharing a
// decode with a render.
type BlockTaker interface {
	TakeBlock(dst *audio.Buffer) bool
}

// fill reads the next block into slot and returns its valid frames (0 at
// the end). Frames past the valid ones are zero.
func (s *stream) fill(slot int) int {
	b := s.bufs[slot]
	total := b.Frames()
	if bt, ok := s.r.(BlockTaker); ok && s.zeros == 0 && s.drop == 0 && !s.eof && bt.TakeBlock(b) {
		s.n[slot] = total
		return total
	}
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
//
// Each stream has one reader goroutine for the whole pass, woken once per
// block (a goroutine per stream and block cost more than the work of a
// quiet block); consume runs on the caller's. Streams that are all handed
// their blocks already decoded (BlockTaker: a render decodes them, on
// cores of its own) are read on the caller's goroutine, one after another:
// there is no decoding to spread over the cores, and waking a reader per
// stream and block costs the scheduler more than the work it hands over.
func lockstep(ctx context.Context, streams []*stream, perStream func(i int, b *audio.Buffer, n int), consume func(slot, n int)) error {
	if predecoded(streams) {
		return lockstepSerial(ctx, streams, perStream, consume)
	}
	var wg sync.WaitGroup
	work := make([]chan int, len(streams))
	for i, s := range streams {
		work[i] = make(chan int, 1)
		go func() {
			for slot := range work[i] {
				n := s.fill(slot)
				if perStream != nil {
					perStream(i, s.bufs[slot], n)
				}
				wg.Done()
			}
		}()
	}
	defer func() {
		for _, w := range work {
			close(w)
		}
	}()
	prevN := 0
	for k := 0; ; k++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		slot := k & 1
		wg.Add(len(streams))
		for _, w := range work {
			w <- slot
		}
		if k > 0 && prevN > 0 {
			consume(1-slot, prevN)
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

// predecoded says whether every stream takes its blocks decoded.
func predecoded(streams []*stream) bool {
	for _, s := range streams {
		if _, ok := s.r.(BlockTaker); !ok {
			return false
		}
	}
	return len(streams) > 0
}

// lockstepSerial is lockstep reading the streams one after another on the
// caller's goroutine.
func lockstepSerial(ctx context.Context, streams []*stream, perStream func(i int, b *audio.Buffer, n int), consume func(slot, n int)) error {
	for k := 0; ; k++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		slot := k & 1
		n := 0
		for i, s := range streams {
			got := s.fill(slot)
			if perStream != nil {
				perStream(i, s.bufs[slot], got)
			}
			n = max(n, got)
		}
		if n == 0 {
			return nil
		}
		consume(slot, n)
	}
}

// The decode layer: everything above reads the inputs only through
// c.reader (a whole stream at the reference rate) and c.excerpt (a
// stretch of it), so that a caller holding decoded audio can stand in for
// the files.

// reader opens an input again for a pass, converted to the reference rate
// when it is at another.
func (c *checker) reader(in *input) (audio.Reader, error) {
	r, err := in.Open()
	if err != nil {
		return nil, fmt.Errorf("check: reopen %s: %w", in.Name, err)
	}
	if in.audioRate > 0 {
		r = relabelled{Reader: r, rate: in.audioRate}
	}
	if in.resampled {
		return newResampled(r, c.rate)
	}
	return r, nil
}

// knownEnd says whether err ends a stream the first pass already reported
// (a truncation, non-finite samples, a failure part-way): later passes read
// up to the same point instead of failing the check.
func knownEnd(in *input, err error) bool {
	var nf *audio.NonFiniteError
	return in.partial || errors.As(err, &nf) && !errors.Is(err, io.ErrUnexpectedEOF)
}

// excerpt reads frames from…from+length of an input (at the reference
// rate), each channel as float32; frames outside the file read as zero. It
// seeks when the decoder can, so an excerpt late in a long file costs only
// its own decoding.
func (c *checker) excerpt(in *input, from int64, length int) ([][]float32, error) {
	r, err := c.reader(in)
	if err != nil {
		return nil, err
	}
	defer func() {
		if cl, ok := r.(io.Closer); ok {
			cl.Close()
		}
	}()
	ch := r.Info().Format.Channels
	out := make([][]float32, ch)
	for i := range out {
		out[i] = make([]float32, length)
	}
	var pos int64
	if fs, ok := r.(audio.FrameSeeker); ok && from > 0 {
		if fs.SeekFrame(from) == nil {
			pos = from
		}
	}
	buf := audio.NewBuffer(ch, BlockFrames)
	end := from + int64(length)
	for pos < end {
		n, err := r.Read(buf)
		lo := max(0, from-pos)
		hi := min(int64(n), end-pos)
		if lo < hi {
			for k := range buf.Data {
				copy(out[k][pos+lo-from:], buf.Data[k][lo:hi])
			}
		}
		pos += int64(n)
		if err != nil {
			if errors.Is(err, io.EOF) || knownEnd(in, err) {
				break
			}
			return nil, fmt.Errorf("check: reread %s: %w", in.Name, err)
		}
		if n == 0 {
			break
		}
	}
	return out, nil
}

// mono averages channels.
func mono(chs [][]float32) []float32 {
	if len(chs) == 1 {
		return chs[0]
	}
	out := make([]float32, len(chs[0]))
	for _, ch := range chs {
		for i, v := range ch {
			out[i] += v / float32(len(chs))
		}
	}
	return out
}

// monoInPlace is mono written over the first channel (no allocation): for
// an excerpt read for one use, as the mix's stretch an alignment searches.
func monoInPlace(chs [][]float32) []float32 {
	out := chs[0]
	if len(chs) == 1 {
		return out
	}
	n := float32(len(chs))
	for i, v := range out {
		// The sum in mono's order, from 0: the same bits as mono.
		out[i] = 0 + v/n
	}
	for _, ch := range chs[1:] {
		for i, v := range ch {
			out[i] += v / n
		}
	}
	return out
}

// float64s converts channels to float64.
func float64s(chs [][]float32) [][]float64 {
	out := make([][]float64, len(chs))
	for c, ch := range chs {
		out[c] = make([]float64, len(ch))
		for i, v := range ch {
			out[c][i] = float64(v)
		}
	}
	return out
}

// resampled converts a reader to another rate with the project's
// resampler (dsp/resample), so that a stem or mix at another rate still
// enters the sum and the comparison.
type resampled struct {
	r    audio.Reader
	rs   *resample.Resampler
	info audio.Info
	in   *audio.Buffer
	out  *audio.Buffer
	pend int // frames of out not yet delivered, from off
	off  int
	err  error // the source's end (io.EOF or its error), returned after the flush
	done bool
}

func newResampled(r audio.Reader, rate int) (audio.Reader, error) {
	info := r.Info()
	rs, err := resample.New(info.Format.SampleRate, rate, info.Format.Channels)
	if err != nil {
		if c, ok := r.(io.Closer); ok {
			c.Close()
		}
		return nil, err
	}
	out := info
	out.Format.SampleRate = rate
	if info.Frames >= 0 {
		out.Frames = rs.OutputFrames(info.Frames)
	}
	out.DeclaredFrames = 0
	return &resampled{r: r, rs: rs, info: out, in: audio.NewBuffer(info.Format.Channels, BlockFrames)}, nil
}

func (r *resampled) Info() audio.Info { return r.info }

func (r *resampled) Read(dst *audio.Buffer) (int, error) {
	for r.pend == 0 {
		switch {
		case r.done:
			if !errors.Is(r.err, io.EOF) {
				return 0, r.err
			}
			return 0, io.EOF
		case r.err != nil:
			r.out = r.rs.Flush(r.out)
			r.done = true
		default:
			r.in.SetFrames(BlockFrames)
			n, err := r.r.Read(r.in)
			if n > 0 {
				r.in.SetFrames(n)
				r.out = r.rs.Process(r.out, r.in)
			} else if r.out != nil {
				r.out.SetFrames(0)
			}
			r.err = err
			if err == nil && n == 0 {
				r.err = io.ErrNoProgress
			}
		}
		if r.out != nil {
			r.pend, r.off = r.out.Frames(), 0
		}
	}
	n := min(r.pend, dst.Frames())
	for c := range dst.Data {
		copy(dst.Data[c][:n], r.out.Data[c][r.off:r.off+n])
	}
	r.off += n
	r.pend -= n
	return n, nil
}

func (r *resampled) Close() error {
	if c, ok := r.r.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
