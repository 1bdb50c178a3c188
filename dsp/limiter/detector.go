package limiter

import (
	"math"

	"stemmaster/dsp/fir"
	"stemmaster/dsp/halfband"
	"stemmaster/dsp/internal/vec"
)

// halfBandFold is the interpolating branch of a 2× Nyquist (half-band)
// prototype of K zero crossings, folded (package halfband); the other
// branch is the pure delay w[K−1] of a window w of the last 2K inputs.
type halfBandFold struct {
	k int
	c []float64 // K taps
}

func newHalfBandFold(zeroCrossings int, beta float64) halfBandFold {
	return halfBandFold{k: zeroCrossings, c: halfband.Fold(zeroCrossings, beta)}
}

// The detector's two stages work a channel's whole chunk at a time on
// linear buffers that hold the filter's history followed by the chunk, so
// every window is a plain subslice (no ring, no per-sample call). The
// filters are those of the cascade of two oversample.Upsamplers it
// replaces; only the order of the additions differs (the values agree to
// float64 rounding, ~1e-16 relative), and it is the same whatever the
// block size, so the output does not depend on how the stream is cut.

// detectorChannel is one channel's detector memory.
type detectorChannel struct {
	x []float64 // stage 1: the last 2K1−1 inputs, then the chunk
	m []float64 // stage 2: the last 2K2−1 2× values, then the chunk's 2n
	// prev are the stats of the previous chunk's inputs (smoothbound.go),
	// prevLen its length (frames; huge after a reset: silence before).
	prev    inputStats
	prevLen int
}

// detector4x is the 4× interpolator of the true-peak detector.
type detector4x struct {
	s1, s2 halfBandFold
	ch     []detectorChannel
	odd    []float64 // scratch: one stage's interpolated values, 2·maxChunk
	// gain1, gain2: Σ|taps| of each stage's interpolating branch (≥ 1, the
	// pure-delay branch's), bounds on |output| / max |input| over the window.
	gain1, gain2 float64
}

func newDetector4x(channels, maxChunk int) *detector4x {
	d := &detector4x{
		s1:  newHalfBandFold(stage1Crossings, fir.KaiserBeta(stage1DB)),
		s2:  newHalfBandFold(stage2Crossings, fir.KaiserBeta(stage2DB)),
		ch:  make([]detectorChannel, channels),
		odd: make([]float64, 2*maxChunk),
	}
	for _, c := range d.s1.c {
		d.gain1 += 2 * math.Abs(c)
	}
	for _, c := range d.s2.c {
		d.gain2 += 2 * math.Abs(c)
	}
	d.gain1, d.gain2 = max(d.gain1, 1), max(d.gain2, 1)
	for c := range d.ch {
		d.ch[c] = detectorChannel{
			x: make([]float64, 2*d.s1.k-1+maxChunk),
			m: make([]float64, 2*d.s2.k-1+2*maxChunk),
		}
	}
	return d
}

// latency is the detector's delay in base-rate frames: K1 + K2/2.
func (d *detector4x) latency() int { return d.s1.k + d.s2.k/2 }

func (d *detector4x) reset() {
	for c := range d.ch {
		clear(d.ch[c].x)
		clear(d.ch[c].m)
		d.ch[c].prev, d.ch[c].prevLen = inputStats{}, math.MaxInt
	}
}

// smoothBound returns the bound of smoothbound.go on every frame peak of
// channel c's chunk (its n inputs in input(c, n)), +Inf when the previous
// chunk was too short to cover what the chunk's values read, and takes
// the chunk's stats for the next.
func (d *detector4x) smoothBound(c, n int, k *smoothCoefs) float64 {
	st := &d.ch[c]
	h := 2*d.s1.k - 1
	cur := statsOf(st.x[h-2 : h+n])
	b := math.Inf(1)
	if st.prevLen >= k.reach {
		b = k.bound(cur.join(st.prev))
	}
	st.prev, st.prevLen = cur, n
	return b
}

// input returns the slice of channel c's stage-1 buffer to fill with the
// chunk's n samples before run.
func (d *detector4x) input(c, n int) []float64 {
	h := 2*d.s1.k - 1
	return d.ch[c].x[h : h+n]
}

// run interpolates channel c's chunk (already in input(c, n)) to 4× and
// raises z[4i+p] (p = 0 … 3) to the magnitude of the value at base time
// i − latency() + p/4; with first set, it writes instead of raising.
func (d *detector4x) run(c, n int, z []float64, first bool) {
	st := &d.ch[c]
	d.stage1(st, n, 0)
	d.stage2(st, n, 0, z, first)
	d.advance(st, n)
}

// tailFrames is how many of a chunk's last frames runTail interpolates:
// stage 2 for the last two frames reads the 2× values of the last eight.
const tailFrames = 8

// runTail is run for the last two frames of the chunk only (n ≥
// tailFrames): it writes or raises z[4(n−2) : 4n] and leaves the histories
// as run does, for a chunk whose other values are not needed (see bound).
func (d *detector4x) runTail(c, n int, z []float64, first bool) {
	st := &d.ch[c]
	d.stage1(st, n, n-tailFrames)
	d.stage2(st, n, n-2, z, first)
	d.advance(st, n)
}

// bound returns an upper bound on every magnitude run(c, n, …) would
// write: the largest |input| over the stage-1 window and the chunk times
// the stage gains, or the stage-2 history's largest |value| times gain2.
func (d *detector4x) bound(c, n int) float64 {
	st := &d.ch[c]
	return d.gain2 * max(d.gain1*maxAbs(st.x[:2*d.s1.k-1+n]), maxAbs(st.m[:2*d.s2.k-1]))
}

// advance moves the last inputs of the chunk to the histories.
func (d *detector4x) advance(st *detectorChannel, n int) {
	h1, h2 := 2*d.s1.k-1, 2*d.s2.k-1
	copy(st.x, st.x[n:n+h1])
	copy(st.m, st.m[2*n:2*n+h2])
}

// stage1 interpolates base → 2× for frames [from, n) of the chunk:
// m[h2+2i] = x_i delayed by K1, m[h2+2i+1] the value half a frame later
// (halfband.Interpolate: each a sum over the taps in increasing order).
func (d *detector4x) stage1(st *detectorChannel, n, from int) {
	h2 := 2*d.s2.k - 1
	k := d.s1.k
	odd := d.odd[:n-from]
	halfband.Interpolate(odd, st.x[from:], d.s1.c)
	vec.Interleave(st.m[h2+2*from:h2+2*n], st.x[from+k-1:from+k-1+len(odd)], odd)
}

// stage2 interpolates 2× → 4× for frames [from, n) and writes (first) or
// raises the magnitudes in z.
func (d *detector4x) stage2(st *detectorChannel, n, from int, z []float64, first bool) {
	k := d.s2.k
	t0 := 2 * from
	odd := d.odd[:2*n-t0]
	halfband.Interpolate(odd, st.m[t0:], d.s2.c)
	even := st.m[t0+k-1 : t0+k-1+len(odd)]
	magnitudes(z[2*t0:4*n], even, odd, first)
}
