package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/stemsum"
	"stemmaster/internal/safego"
	"stemmaster/loudness"
)

// BlockSize is the number of frames a stem is decoded and processed in.
const BlockSize = 4096

// busChannels is the master bus width: stems are placed on a stereo bus.
const busChannels = 2

// stemInput is what the engine knows about a stem before decoding it.
type stemInput struct {
	index int
	spec  stemmaster.StemSpec
	path  string
	info  audio.Info
	open  OpenInput // nil: the file system
	// rangeGuard: a float stem too far above full scale fails the read
	// (rangedStem), for renders the check (out_of_range) does not watch
	rangeGuard bool
}

// strip decodes one stem and runs its channel strip, producing exactly
// frames frames of stereo output aligned with the song's frame 0: the
// offset and the chain's latency are compensated here.
type strip struct {
	in     stemInput
	rate   float64
	frames int64 // song length, the number of output frames

	file  stemReader    // the file, converted to the song's rate (stemfix.go)
	raw   *audio.Buffer // decoded block, file channels
	work  *audio.Buffer // stereo block through the chain
	chain []dsp.Processor
	lat   int64

	gainL, gainR float32 // polarity, gain and pan folded together
	swap         bool    // the file's channels exchanged (stemfix.go)

	delay   int64 // leading silence still to emit (positive offset)
	skip    int64 // file frames still to drop (negative offset)
	fileEOF bool
	// endChecked: the stream was read past its last frame for the
	// decoder's end status (see endStatus)
	endChecked bool
	read       int64 // file frames read
	fed        int64 // frames fed to the chain (silence included)
	dropped    int64 // chain output frames dropped for latency

	// levels is the largest |x| of each curve step of the output (for the
	// limiter's attribution to the stems), emitted the frames output so far.
	levels  []float32
	emitted int64
	class   *stemClass // the weight class the summer adds the output to, for stem-aware limiting; nil otherwise
	deEss   []float32  // the de-esser's largest reduction per curve step, dB

	fifo   *audio.Buffer // chain output waiting to fill a block, cap 2·BlockSize
	fill   int
	clk    *clock
	tee    *tee       // the check's copy of the decoded file; nil when none
	plain  *plainSum  // the plain sum's copy of the decoded file; nil when none
	before stripMeter // the stem as decoded; no meter when the check meters it
	after  stripMeter // the stem after its strip
}

// newStrip prepares a stem's strip; meterInput adds a meter on the stem as
// decoded (its loudness before the strip), which the check otherwise gives.
func newStrip(in stemInput, rate float64, frames int64, meterInput bool) (*strip, error) {
	s := &strip{in: in, rate: rate, frames: frames}
	var err error
	if s.chain, err = stemChain(in.spec, rate); err != nil {
		return nil, fmt.Errorf("%s: %w", in.spec.File, err)
	}
	for _, p := range s.chain {
		s.lat += int64(p.Latency())
	}
	s.gainL, s.gainR = panGains(in.spec, in.info.Format.Channels)
	s.correctChannels()
	if in.spec.OffsetSamples >= 0 {
		s.delay = in.spec.OffsetSamples
	} else {
		s.skip = -in.spec.OffsetSamples
	}
	ch := in.info.Format.Channels
	s.raw = audio.NewBuffer(ch, BlockSize)
	s.work = audio.NewBuffer(busChannels, BlockSize)
	s.fifo = audio.NewBuffer(busChannels, 2*BlockSize)
	if meterInput {
		s.before.m = loudness.NewMeter(rate, ch, loudness.Options{})
	}
	s.after.m = loudness.NewMeter(rate, busChannels, loudness.Options{IntegratedOnly: true}) // the report takes its integrated loudness only
	return s, nil
}

// panGains returns the left and right gains of a stem: its gain and
// polarity, and the pan — the constant-power law (sin/cos, -3 dB in the
// centre, dsp.PanGains) for a mono stem, a balance control for a stereo one
// (unity in the centre, the far side attenuated along a cosine,
// dsp.BalanceGains). They are folded into one multiply per sample.
func panGains(sp stemmaster.StemSpec, channels int) (l, r float32) {
	g := audio.Amplitude(sp.GainDB)
	if sp.Polarity == stemmaster.PolarityInverted {
		g = -g
	}
	gl, gr := dsp.BalanceGains(sp.Pan)
	if channels == 1 {
		gl, gr = dsp.PanGains(sp.Pan)
	}
	return float32(g * gl), float32(g * gr)
}

func (s *strip) open() error {
	f, err := openStem(s.in, int(s.rate))
	if err != nil {
		return err
	}
	s.file = f
	return nil
}

func (s *strip) close() {
	s.tee.detach()
	if s.file != nil {
		s.file.Close()
		s.file = nil
	}
}

// next fills dst (stereo, len BlockSize) with the stem's next output block
// and returns the number of frames, 0 at the end.
func (s *strip) next(dst *audio.Buffer) (int, error) {
	want := BlockSize
	for s.fill < want {
		n, direct, err := s.feed(dst)
		if err != nil {
			return 0, err
		}
		if direct {
			s.trackLevels(dst, n)
			return n, nil
		}
		if n == 0 {
			break
		}
	}
	n := min(s.fill, want)
	for c := range dst.Data {
		copy(dst.Data[c][:n], s.fifo.Data[c][:n])
		copy(s.fifo.Data[c], s.fifo.Data[c][n:s.fill])
	}
	s.fill -= n
	s.trackLevels(dst, n)
	return n, nil
}

// feed runs one block through the chain into the fifo; it returns the
// number of frames fed, 0 once the chain has been fed the song's length plus
// its latency. A whole block that is all output while the fifo is empty
// (no latency left to drop) is the next output block itself: it goes to
// dst by exchanging the two buffers' arrays instead of through the fifo,
// and direct says so.
func (s *strip) feed(dst *audio.Buffer) (fed int, direct bool, err error) {
	total := s.frames + s.lat
	if s.fed >= total {
		return 0, false, nil
	}
	n := int(min(int64(BlockSize), total-s.fed))
	s.work.SetFrames(n)
	if err := s.fillInput(n); err != nil {
		return 0, false, err
	}
	s.fed += int64(n)
	for _, p := range s.chain {
		p.Process(s.work)
	}
	s.trackDeEsser(n)
	s.after.process(s.work)
	start := 0
	if s.dropped < s.lat {
		start = int(min(s.lat-s.dropped, int64(n)))
		s.dropped += int64(start)
	}
	if start == 0 && n == BlockSize && s.fill == 0 {
		for c := range s.work.Data {
			s.work.Data[c], dst.Data[c] = dst.Data[c][:cap(dst.Data[c])], s.work.Data[c]
		}
		s.work.SetFrames(BlockSize)
		return n, true, nil
	}
	for c := range s.work.Data {
		copy(s.fifo.Data[c][s.fill:], s.work.Data[c][start:n])
	}
	s.fill += n - start
	s.work.SetFrames(BlockSize)
	return n, false, nil
}

// fillInput writes the next n input frames (leading silence, then the
// file's frames placed with polarity, gain and pan, then silence after
// the file's end) into s.work.
func (s *strip) fillInput(n int) error {
	pos := 0
	if s.delay > 0 {
		d := int(min(s.delay, int64(n)))
		s.delay -= int64(d)
		for _, ch := range s.work.Data {
			clear(ch[:d])
		}
		pos = d
	}
	for pos < n && !s.fileEOF {
		want := n - pos
		if s.skip > 0 {
			want = int(min(s.skip, int64(BlockSize)))
		}
		s.raw.SetFrames(want)
		t0 := time.Now()
		got, err := s.file.Read(s.raw)
		s.clk.span("decode", t0)
		if err == nil {
			s.plain.push(s.in.index, s.raw, got)
		}
		if err == io.EOF || (err == nil && got == 0) {
			s.fileEOF = true
			s.tee.end()
			s.plain.finish(s.in.index)
			if s.in.info.Frames >= 0 && s.read < s.in.info.Frames {
				return &audio.FileError{Path: s.in.path, Err: fmt.Errorf("file ends after %d of the %d frames its header announces", s.read, s.in.info.Frames)}
			}
			break
		}
		if err != nil {
			return err
		}
		s.read += int64(got)
		s.raw.SetFrames(got)
		if err := s.endStatus(); err != nil {
			return err
		}
		if s.skip > 0 {
			s.skip -= int64(got)
			s.raw = s.tee.hand(s.raw, got)
			continue
		}
		s.place(pos, got)
		pos += got
		switch {
		case s.before.m != nil && s.tee == nil:
			// The meter gets the block itself now the strip is done
			// with it.
			s.raw = s.before.hand(s.raw)
		case s.before.m != nil:
			s.before.process(s.raw)
			fallthrough
		default:
			// The check gets the block itself now the strip is done
			// with it.
			s.raw = s.tee.hand(s.raw, got)
		}
	}
	for _, ch := range s.work.Data {
		clear(ch[pos:n]) // after the file's end
	}
	s.raw.SetFrames(BlockSize)
	return nil
}

// endStatus reads past the last frame the header announces, once: the
// decoders report NaN or infinite samples (read as silence) and a cut file
// there, and either refuses the render with the file named.
func (s *strip) endStatus() error {
	if s.in.info.Frames < 0 || s.read < s.in.info.Frames || s.endChecked {
		return nil
	}
	s.endChecked = true
	tail := audio.NewBuffer(len(s.raw.Data), 1)
	if _, err := s.file.Read(tail); err != nil && err != io.EOF {
		return err
	}
	if f, ok := s.file.(interface{ Info() audio.Info }); ok {
		s.tee.readPast(f.Info())
	}
	return nil
}

// place copies got decoded frames to s.work at pos with the pan gains.
func (s *strip) place(pos, got int) {
	l, r := s.work.Data[0][pos:pos+got], s.work.Data[1][pos:pos+got]
	inL := s.raw.Data[0][:got]
	inR := inL
	if len(s.raw.Data) > 1 {
		inR = s.raw.Data[1][:got]
	}
	if s.swap {
		inL, inR = inR, inL
	}
	stemsum.Scale(l, inL, s.gainL)
	stemsum.Scale(r, inR, s.gainR)
}

// block carries one processed stem block to the summer.
type block struct {
	buf *audio.Buffer
	n   int
	err error
}

// runStrip streams the strip's blocks to out, taking empty buffers from
// free; it closes out when done or on ctx's end.
func runStrip(ctx context.Context, s *strip, sem chan struct{}, free <-chan *audio.Buffer, out chan<- block) {
	defer close(out)
	for {
		var buf *audio.Buffer
		select {
		case <-ctx.Done():
			return
		case buf = <-free:
		}
		select {
		case <-ctx.Done():
			return
		case sem <- struct{}{}:
		}
		var n int
		var err error
		func() {
			defer safego.Recover("stem processing", func(e error) { err = e })
			n, err = s.next(buf)
		}()
		<-sem
		select {
		case <-ctx.Done():
			return
		case out <- block{buf: buf, n: n, err: err}:
		}
		if err != nil || n == 0 {
			return
		}
	}
}

// errStemShort is returned when a stem's stream ends before the song.
var errStemShort = errors.New("stem stream ended early")

// sumStems decodes and processes the strips in parallel and sums them in
// their order into bus (stereo, frames long), replacing what it held.
// onBlock is called after each summed block with the frames summed so far.
func sumStems(ctx context.Context, strips []*strip, bus *audio.Buffer, workers int, onBlock func(done int64)) error {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait() // no strip may still read its file when the caller closes it
	}()
	sem := make(chan struct{}, workers)
	const ahead = 3 // blocks a stem may run ahead of the sum
	outs := make([]chan block, len(strips))
	frees := make([]chan *audio.Buffer, len(strips))
	for i, s := range strips {
		outs[i] = make(chan block, ahead)
		frees[i] = make(chan *audio.Buffer, ahead+1)
		for range ahead + 1 {
			frees[i] <- audio.NewBuffer(busChannels, BlockSize)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			runStrip(ctx, s, sem, frees[i], outs[i])
		}()
	}
	sm := newSumMeters(strips)
	held := make([]*audio.Buffer, len(strips))
	frames := int64(bus.Frames())
	for pos := int64(0); pos < frames; pos += BlockSize {
		want := int(min(BlockSize, frames-pos))
		for i := range strips {
			var b block
			var ok bool
			select {
			case <-ctx.Done():
				return ctx.Err()
			case b, ok = <-outs[i]:
			}
			if !ok {
				return ctx.Err()
			}
			if b.err != nil {
				return b.err
			}
			if b.n != want {
				return fmt.Errorf("%s: %w (%d frames at %d, want %d)", strips[i].in.spec.File, errStemShort, b.n, pos, want)
			}
			for c := range bus.Data {
				dst := bus.Data[c][pos : pos+int64(want)]
				if i == 0 {
					// The first stem's block replaces what the bus held:
					// one pass over it, rather than clearing it and
					// adding (0 + x is x: the same values, a zero's sign
					// aside).
					copy(dst, b.buf.Data[c])
					continue
				}
				stemsum.Add(dst, b.buf.Data[c])
			}
			if cl := strips[i].class; cl != nil {
				cl.take(b.buf, want)
			}
			keep, full := sm.hold(i, b.buf, want)
			if !keep {
				frees[i] <- b.buf
				continue
			}
			held[i] = b.buf
			if full != nil {
				full.meter()
				for _, k := range full.strips {
					frees[k] <- held[k]
					held[k] = nil
				}
			}
		}
		if onBlock != nil {
			onBlock(pos + int64(want))
		}
	}
	return nil
}
