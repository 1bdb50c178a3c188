package biquad

import (
	"fmt"

	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/internal/vec"
)

// StereoMidSide is an EQ's stereo bands followed by its bands on the mid or
// the side: the processor of EQ on the stereo pair, then dsp.MidSide
// wrapping an EQ on one channel, with their bits. It runs the mid/side
// part a chunk behind the stereo part, so that the mid/side band's
// recursion (one section, the usual mid or side band) rides in the
// stereo sections' quad kernel (Filter.Process2Rider): a one-section
// recursion alone is bound by its latency, and the quad kernel leaves
// the CPU room for it. Latency is 0.
type StereoMidSide struct {
	stereo, ms *EQ
	side       bool
	x0, x1, m  [chunk]float64
	part       [chunk]float32 // the mid or side of the pending chunk
	resid      [chunk]float64 // what part's rounding lost
	rest       [chunk]float64 // the other part
}

var _ dsp.Processor = (*StereoMidSide)(nil)

// NewStereoMidSide returns the processor of the stereo bands and the
// bands on channel (dsp.ChannelMid or dsp.ChannelSide); call each EQ's
// Validate first.
func NewStereoMidSide(stereo, ms []Band, channel string) *StereoMidSide {
	if channel != dsp.ChannelMid && channel != dsp.ChannelSide {
		panic(fmt.Sprintf("biquad: NewStereoMidSide with channel %q", channel))
	}
	return &StereoMidSide{stereo: NewEQ(stereo...), ms: NewEQ(ms...), side: channel == dsp.ChannelSide}
}

// Prepare prepares the stereo EQ for two channels and the mid/side EQ
// for one; spec must be stereo.
func (p *StereoMidSide) Prepare(spec dsp.Spec) {
	if spec.Channels != 2 {
		panic(fmt.Sprintf("biquad: StereoMidSide needs 2 channels, prepared with %d", spec.Channels))
	}
	p.stereo.Prepare(spec)
	p.ms.Prepare(dsp.Spec{SampleRate: spec.SampleRate, MaxBlockSize: spec.MaxBlockSize, Channels: 1})
}

// Reset clears both EQs.
func (p *StereoMidSide) Reset() {
	p.stereo.Reset()
	p.ms.Reset()
}

// Latency is 0.
func (p *StereoMidSide) Latency() int { return 0 }

// Process filters buf in place. The chunks are EQ.Process's (chunk
// frames from the block's start, so each filter's state is flushed where
// it would be); chunk c's stereo sections run with chunk c−1's mid/side
// band, then chunk c−1 is decoded and chunk c encoded.
func (p *StereoMidSide) Process(buf *audio.Buffer) {
	if buf.Channels() != 2 {
		panic(fmt.Sprintf("biquad: StereoMidSide.Process on %d channels", buf.Channels()))
	}
	if p.stereo.filter == nil {
		panic("biquad: StereoMidSide.Process before Prepare")
	}
	l, r := buf.Data[0], buf.Data[1]
	n := buf.Frames()
	// The chunk behind, encoded and waiting for its mid/side band: its
	// frames [from, to), none before the first chunk.
	from, to := 0, 0
	for start := 0; start < n; start += chunk {
		end := min(start+chunk, n)
		k := end - start
		x0, x1 := p.x0[:k], p.x1[:k]
		load(x0, l[start:end])
		load(x1, r[start:end])
		if to > from {
			p.stereo.run2(x0, x1, p.ms, p.m[:to-from])
			p.decode(l[from:to], r[from:to])
		} else {
			p.stereo.run2(x0, x1, nil, nil)
		}
		store(l[start:end], x0)
		store(r[start:end], x1)
		p.encode(l[start:end], r[start:end])
		from, to = start, end
	}
	if to > from {
		p.ms.run1(p.m[:to-from])
		p.decode(l[from:to], r[from:to])
	}
}

// encode splits the stereo chunk l, r into its mid or side (rounded into
// part, widened into m for the filter) and the rest, as dsp.MidSide does.
func (p *StereoMidSide) encode(l, r []float32) {
	k := len(l)
	vec.MSEncode(l, r, p.part[:k], p.resid[:k], p.rest[:k], p.side)
	load(p.m[:k], p.part[:k])
}

// decode rounds the filtered part in m and decodes it with the rest into
// l, r, as dsp.MidSide does.
func (p *StereoMidSide) decode(l, r []float32) {
	k := len(l)
	store(p.part[:k], p.m[:k])
	vec.MSDecode(l, r, p.part[:k], p.resid[:k], p.rest[:k], p.side)
}

// run2 is one chunk of EQ.Process on a stereo pair (x0, x1, widened),
// with the one-channel EQ ms over m (a chunk behind) when ms is set: with
// the bits of e's Process2 and then ms's Process.
func (e *EQ) run2(x0, x1 []float64, ms *EQ, m []float64) {
	switch {
	case ms == nil:
		if len(e.filter.sections) > 0 {
			e.filter.Process2(0, x0, 1, x1)
		}
	case len(e.filter.sections) == 0:
		ms.run1(m)
	default:
		e.filter.Process2Rider(x0, x1, ms.filter, m)
	}
}

// run1 is one chunk of EQ.Process on one channel (x, widened).
func (e *EQ) run1(x []float64) {
	if len(e.filter.sections) > 0 {
		e.filter.Process(0, x)
	}
}
