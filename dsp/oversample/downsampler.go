package oversample

import (
	"fmt"

	"stemmaster/audio"
	"stemmaster/dsp/fir"
)

// Downsampler lowers the sample rate of a multichannel stream by an integer
// factor, filtering with the same prototype as the Upsampler so that content
// above the base Nyquist frequency does not alias.
//
// The high-rate input is taken in groups of factor frames; output frame n is
// computed from group n's first frame and everything before it, so Latency
// is a whole number of base-rate frames.
type Downsampler struct {
	pp    polyphase
	hist  [][]history // [channel][q]: sub-stream q of the high-rate input, 2K samples
	scale float64     // 1/factor
}

// NewDownsampler returns a downsampler by factor (2, 4 or 8) for the given
// number of channels, using the Design prototype.
func NewDownsampler(factor, channels int) *Downsampler {
	checkFactor(factor)
	return NewDownsamplerFilter(Design(factor), factor, channels)
}

// NewDownsamplerFilter returns a downsampler built on the prototype h (see
// NewUpsamplerFilter).
func NewDownsamplerFilter(h []float64, factor, channels int) *Downsampler {
	checkChannels(channels)
	d := &Downsampler{pp: newPolyphase(h, factor), hist: make([][]history, channels), scale: 1 / float64(factor)}
	for c := range d.hist {
		d.hist[c] = newHistories(factor, 2*d.pp.k)
	}
	return d
}

// Factor returns the oversampling factor.
func (d *Downsampler) Factor() int { return d.pp.factor }

// Latency returns the delay in base-rate frames: output frame n is the
// input at base time n − Latency() (high-rate frame factor·(n − Latency())).
func (d *Downsampler) Latency() int { return d.pp.k }

// Reset clears the histories.
func (d *Downsampler) Reset() {
	for c := range d.hist {
		for q := range d.hist[c] {
			d.hist[c][q].reset()
		}
	}
}

// Next takes one group of factor high-rate samples of channel c and returns
// the base-rate output sample.
func (d *Downsampler) Next(c int, group []float64) float64 {
	pp := &d.pp
	f, k := pp.factor, pp.k
	group = group[:f]
	h := d.hist[c]
	// Output n = (1/L)·[v0[n−K] + Σ_p Σ_k h[p+kL]·v_{L−p}[n−1−k]], where
	// v_q[m] is frame q of group m: the sub-streams q ≥ 1 hold groups up
	// to n−1 at this point, v0 holds group n.
	acc := h[0].push(group[0])[k-1]
	for p := 1; p < f; p++ {
		acc += fir.DotPortable(pp.branch[p], h[f-p].window())
	}
	for q := 1; q < f; q++ {
		h[q].push(group[q])
	}
	return acc * d.scale
}

// Downsample writes src.Frames()/factor frames to dst and returns it,
// allocating dst when nil. It panics when src.Frames() is not a multiple of
// the factor or the channel count differs.
func (d *Downsampler) Downsample(dst, src *audio.Buffer) *audio.Buffer {
	f := d.pp.factor
	if src.Channels() != len(d.hist) {
		panic(fmt.Sprintf("oversample: Downsample of %d channels by a downsampler for %d", src.Channels(), len(d.hist)))
	}
	if src.Frames()%f != 0 {
		panic(fmt.Sprintf("oversample: Downsample of %d frames, not a multiple of %d", src.Frames(), f))
	}
	dst = shape(dst, len(d.hist), src.Frames()/f)
	var g [8]float64
	for c, in := range src.Data {
		out := dst.Data[c]
		for n := range out {
			grp := in[n*f : n*f+f : n*f+f]
			for q, v := range grp {
				g[q] = float64(v)
			}
			out[n] = float32(d.Next(c, g[:f]))
		}
	}
	return dst
}
