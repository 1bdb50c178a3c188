package saturate

import (
	"stemmaster/dsp/fir"
	"stemmaster/dsp/halfband"
	"stemmaster/dsp/internal/vec"
)

// halfBand is one 2× Nyquist (half-band) stage of K zero crossings, its
// interpolating branch folded (package halfband); the other branch is a
// pure delay of K frames. The filters are those of oversample.Upsampler and
// Downsampler (TestMatchesOversample); the stages here run a whole chunk of
// a channel at a time on linear buffers (history, then the chunk).
type halfBand struct {
	k int
	c []float64 // K folded taps
}

func newHalfBand(k int, db float64) halfBand {
	return halfBand{k: k, c: halfband.Fold(k, fir.KaiserBeta(db))}
}

// upHistory is how many samples of history up's input keeps.
func (h halfBand) upHistory() int { return 2*h.k - 1 }

// up interpolates the n samples after the history in in (len
// upHistory()+n) to 2n samples in out: out[2i] is the input K frames
// earlier, out[2i+1] the value half a frame after it. tmp holds n values.
func (h halfBand) up(in, out, tmp []float64, n int) {
	odd := tmp[:n]
	halfband.Interpolate(odd, in, h.c)
	vec.Interleave(out, in[h.k-1:h.k-1+n], odd)
}

// upSplit is up with its output split as load splits it: the even
// samples (the input K frames earlier) into d.v0's chunk and the odd ones
// (interpolated) into d.v1's.
func (h halfBand) upSplit(in []float64, d decimator, n int) {
	v0, v1 := h.halves(d, n)
	halfband.Interpolate(v1, in, h.c)
	copy(v0, in[h.k-1:h.k-1+n])
}

// halves returns the chunk parts of d that n samples of the high-rate
// stream's even and odd samples fill.
func (h halfBand) halves(d decimator, n int) (v0, v1 []float64) {
	return d.v0[h.k : h.k+n], d.v1[2*h.k : 2*h.k+n]
}

// decimator is one channel's input to a 2× down stage: the high-rate
// stream split into its even samples v0 (after K of history) and its odd
// samples v1 (after 2K).
type decimator struct {
	v0, v1 []float64
}

func (h halfBand) newDecimator(n int) decimator {
	return decimator{v0: make([]float64, h.k+n), v1: make([]float64, 2*h.k+n)}
}

// down decimates the loaded chunk to n samples in out, with the filter of
// up (as oversample.Downsampler, latency K frames):
// out[m] = ½·(v0[m−K] + Σ_j c[j]·(v1[m−2K+j] + v1[m−1−j])),
// and keeps the histories for the next chunk.
func (h halfBand) down(d decimator, out []float64, n int) {
	out = out[:n]
	halfband.Interpolate(out, d.v1, h.c)
	for m, v := range d.v0[:n] {
		out[m] = 0.5 * (v + out[m])
	}
	keep(d.v0, h.k, n)
	keep(d.v1, 2*h.k, n)
}

// downSplit is down with its n outputs split as next.load would split
// them into the next stage's decimator e (even outputs into e.v0's chunk,
// odd into e.v1's); tmp holds n values.
func (h halfBand) downSplit(d decimator, next halfBand, e decimator, tmp []float64, n int) {
	t := tmp[:n]
	halfband.Interpolate(t, d.v1, h.c)
	v0, v1 := next.halves(e, n/2)
	vec.HalfSumSplit(v0, v1, d.v0[:n], t)
	keep(d.v0, h.k, n)
	keep(d.v1, 2*h.k, n)
}

// keep moves the last hist samples of buf[:hist+used] to its start: the
// next chunk's history.
func keep(buf []float64, hist, used int) {
	copy(buf[:hist], buf[used:used+hist])
}
