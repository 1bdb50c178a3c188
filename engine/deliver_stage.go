package engine

import (
	"math"
	"time"

	"stemmaster/audio"
	"stemmaster/dsp/dither"
	"stemmaster/dsp/limiter"
	"stemmaster/loudness"
)

// A deliverable's last stage, block by block: limiter, dither or quantisation, meter, encoder.

// outStage is the tail of a deliverable: optional limiter (with its latency
// compensated), dither or plain quantisation, meter, encoder.
type outStage struct {
	lim      *limiter.TruePeakLimiter
	latency  int
	dropped  int
	dith     *dither.Ditherer
	quantise bool
	bits     int
	meter    *loudness.Meter
	w        sink
	clk      *clock
	written  int64
	chunk    *audio.Buffer
	view     *audio.Buffer
}

// push processes blk (any length) in chunks of at most BlockSize frames,
// in place when it is one.
func (s *outStage) push(blk *audio.Buffer) error {
	if s.chunk == nil {
		s.chunk = audio.NewBuffer(busChannels, BlockSize)
		s.view = &audio.Buffer{Data: make([][]float32, busChannels)}
	}
	n := blk.Frames()
	if n <= BlockSize {
		// blk is the stage's to change (a block read from the master or
		// the resampler's output, both filled afresh for every block).
		return s.process(blk)
	}
	for pos := 0; pos < n; pos += BlockSize {
		k := min(BlockSize, n-pos)
		s.chunk.SetFrames(k)
		for c := range s.chunk.Data {
			copy(s.chunk.Data[c], blk.Data[c][pos:pos+k])
		}
		if err := s.process(s.chunk); err != nil {
			return err
		}
	}
	return nil
}

func (s *outStage) process(b *audio.Buffer) error {
	from := 0
	if s.lim != nil {
		s.lim.Process(b)
		if s.dropped < s.latency {
			from = min(s.latency-s.dropped, b.Frames())
			s.dropped += from
		}
	}
	if from == b.Frames() {
		return nil
	}
	out := b
	if from > 0 {
		for c := range s.view.Data {
			s.view.Data[c] = b.Data[c][from:]
		}
		out = s.view
	}
	switch {
	case s.dith != nil:
		s.dith.Process(out)
	case s.quantise:
		quantise(out, s.bits)
	}
	s.meter.Process(out)
	s.written += int64(out.Frames())
	t0 := time.Now()
	err := s.w.Write(out)
	s.clk.span("encode", t0)
	return err
}

// finish flushes the limiter's latency with silence.
func (s *outStage) finish() error {
	if s.lim == nil || s.latency == 0 {
		return nil
	}
	rest := s.latency
	for rest > 0 {
		k := min(BlockSize, rest)
		s.chunk.SetFrames(k)
		s.chunk.Zero()
		if err := s.process(s.chunk); err != nil {
			return err
		}
		rest -= k
	}
	return nil
}

// quantise rounds samples to the grid of an integer format of bits bits
// (what the encoder would do), so the meter reads what the file holds.
func quantise(b *audio.Buffer, bits int) {
	// The builtin min and max treat NaN and ±0 as math.Min and math.Max
	// do, without a call; multiplying by the exact inverse of the power of
	// two gives the bits of the division.
	scale := math.Ldexp(1, bits-1)
	inv := 1 / scale
	hi := (scale - 1) / scale
	for _, ch := range b.Data {
		for i, v := range ch {
			ch[i] = float32(max(-1, min(hi, math.Round(float64(v)*scale)*inv)))
		}
	}
}
