package oversample

import (
	"fmt"

	"stemmaster/audio"
)

// Upsampler raises the sample rate of a multichannel stream by an integer
// factor. Construct it once per stream; Reset re-arms it.
type Upsampler struct {
	pp   polyphase
	hist []history // per channel, 2K base-rate samples
}

// NewUpsampler returns an upsampler by factor (2, 4 or 8) for the given
// number of channels using the Design prototype. It panics for an
// unsupported factor or channels < 1.
func NewUpsampler(factor, channels int) *Upsampler {
	checkFactor(factor)
	return NewUpsamplerFilter(Design(factor), factor, channels)
}

// NewUpsamplerFilter returns an upsampler built on the symmetric Nyquist
// prototype h of 2·K·factor+1 taps (every factor-th tap zero but the
// centre, which is 1, as DesignNyquist returns); its latency is K
// base-rate frames, and it passes the input through on phase 0 without
// arithmetic. It panics when h is not of that form.
func NewUpsamplerFilter(h []float64, factor, channels int) *Upsampler {
	checkChannels(channels)
	pp := newPolyphase(h, factor)
	return &Upsampler{pp: pp, hist: newHistories(channels, 2*pp.k)}
}

// Factor returns the oversampling factor.
func (u *Upsampler) Factor() int { return u.pp.factor }

// Channels returns the channel count.
func (u *Upsampler) Channels() int { return len(u.hist) }

// Latency returns the delay in base-rate frames: output frame
// factor·n + p is the input signal at base time n − Latency() + p/factor.
func (u *Upsampler) Latency() int { return u.pp.k }

// Reset clears the histories, as if the stream had been silent.
func (u *Upsampler) Reset() {
	for c := range u.hist {
		u.hist[c].reset()
	}
}

// Next feeds one base-rate sample x of channel c and writes the factor
// high-rate samples it yields to dst[:factor]. It is the per-sample form of
// Upsample for callers that fuse further work into the loop.
func (u *Upsampler) Next(c int, x float64, dst []float64) {
	u.pp.upsample(u.hist[c].push(x), dst)
}

// UpsampleChannel is Next over a run of samples of channel c, in float64:
// it writes factor·len(src) samples to dst, which must be that long.
func (u *Upsampler) UpsampleChannel(c int, dst, src []float64) {
	f := u.pp.factor
	if len(dst) != f*len(src) {
		panic(fmt.Sprintf("oversample: UpsampleChannel of %d samples into %d", len(src), len(dst)))
	}
	h := &u.hist[c]
	for n, x := range src {
		u.pp.upsample(h.push(x), dst[n*f:n*f+f:n*f+f])
	}
}

// Upsample writes factor·src.Frames() frames to dst and returns it. When dst
// is nil it is allocated; otherwise it must have src's channel count and room
// for the frames (it is resliced to them). It panics when the channel count
// differs from the upsampler's.
func (u *Upsampler) Upsample(dst, src *audio.Buffer) *audio.Buffer {
	if src.Channels() != len(u.hist) {
		panic(fmt.Sprintf("oversample: Upsample of %d channels by an upsampler for %d", src.Channels(), len(u.hist)))
	}
	dst = shape(dst, len(u.hist), src.Frames()*u.pp.factor)
	f := u.pp.factor
	var y [8]float64
	for c, in := range src.Data {
		out := dst.Data[c]
		for n, x := range in {
			u.Next(c, float64(x), y[:f])
			o := out[n*f : n*f+f : n*f+f]
			for p := range o {
				o[p] = float32(y[p])
			}
		}
	}
	return dst
}

// shape returns dst with the given channels and frames, allocating when dst
// is nil.
func shape(dst *audio.Buffer, channels, frames int) *audio.Buffer {
	if dst == nil {
		return audio.NewBuffer(channels, frames)
	}
	if dst.Channels() != channels {
		panic(fmt.Sprintf("oversample: dst has %d channels, want %d", dst.Channels(), channels))
	}
	if dst.Cap() < frames {
		panic(fmt.Sprintf("oversample: dst holds %d frames, want %d", dst.Cap(), frames))
	}
	dst.SetFrames(frames)
	return dst
}
