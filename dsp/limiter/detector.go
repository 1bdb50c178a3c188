package limiter

import (
	"fmt"
	"math"

	"stemmaster/dsp/fir"
	"stemmaster/dsp/oversample"
)

// halfBandFold is the odd branch of a 2× Nyquist (half-band) prototype of
// 2·K·2+1 taps (oversample.DesignNyquist(2, K, β)), folded: c[j] is the
// weight of both w[j] and w[2K−1−j] in a window w of the last 2K inputs,
// oldest first. The even branch is the pure delay w[K−1].
type halfBandFold struct {
	k int
	c []float64 // K taps
}

func newHalfBandFold(zeroCrossings int, beta float64) halfBandFold {
	h := oversample.DesignNyquist(2, zeroCrossings, beta)
	k := zeroCrossings
	// branch 1, tap j (oldest first) is h[1 + (2K−1−j)·2], as in package
	// oversample; it is symmetric, so the first K taps suffice.
	c := make([]float64, k)
	for j := range c {
		c[j] = h[1+(2*k-1-j)*2]
		if c[j] != h[1+j*2] {
			panic(fmt.Sprintf("limiter: half-band branch not symmetric at tap %d", j))
		}
	}
	return halfBandFold{k: k, c: c}
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
}

// detector4x is the 4× interpolator of the true-peak detector.
type detector4x struct {
	s1, s2 halfBandFold
	ch     []detectorChannel
	// gain1, gain2: Σ|taps| of each stage's interpolating branch (≥ 1, the
	// pure-delay branch's), bounds on |output| / max |input| over the window.
	gain1, gain2 float64
}

func newDetector4x(channels, maxChunk int) *detector4x {
	d := &detector4x{
		s1: newHalfBandFold(stage1Crossings, fir.KaiserBeta(stage1DB)),
		s2: newHalfBandFold(stage2Crossings, fir.KaiserBeta(stage2DB)),
		ch: make([]detectorChannel, channels),
	}
	for _, c := range d.s1.c {
		d.gain1 += 2 * math.Abs(c)
	}
	for _, c := range d.s2.c {
		d.gain2 += 2 * math.Abs(c)
	}
	d.gain1, d.gain2 = max(d.gain1, 1), max(d.gain2, 1)
	if d.s1.k != 32 || d.s2.k != 6 {
		panic("limiter: detector kernels are written for 32 and 6 zero crossings")
	}
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
	}
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

// maxAbs returns the largest |x[i]| (0 for none), with four independent
// maxima so the loop is not bound by the latency of one.
func maxAbs(x []float64) float64 {
	var m0, m1, m2, m3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		q := (*[4]float64)(x[i : i+4])
		m0, m1 = max(m0, math.Abs(q[0])), max(m1, math.Abs(q[1]))
		m2, m3 = max(m2, math.Abs(q[2])), max(m3, math.Abs(q[3]))
	}
	for ; i < len(x); i++ {
		m0 = max(m0, math.Abs(x[i]))
	}
	return max(m0, m1, m2, m3)
}

// advance moves the last inputs of the chunk to the histories.
func (d *detector4x) advance(st *detectorChannel, n int) {
	h1, h2 := 2*d.s1.k-1, 2*d.s2.k-1
	copy(st.x, st.x[n:n+h1])
	copy(st.m, st.m[2*n:2*n+h2])
}

// stage1 interpolates base → 2× for frames [from, n) of the chunk:
// m[h2+2i] = x_i delayed by K1, m[h2+2i+1] the value half a frame later.
// Each odd value is one sum over the taps in increasing order, computed
// four frames at a time by halfBand32x4 and one at a time at the end, with
// identical results.
func (d *detector4x) stage1(st *detectorChannel, n, from int) {
	h1, h2 := 2*d.s1.k-1, 2*d.s2.k-1
	x := st.x[:h1+n]
	m := st.m[:h2+2*n]
	c1 := (*[32]float64)(d.s1.c)
	i := from
	for ; i+4 <= n; i += 4 {
		w := (*[67]float64)(x[i : i+67])
		a0, a1, a2, a3 := halfBand32x4(w, c1)
		o := (*[8]float64)(m[h2+2*i : h2+2*i+8])
		o[0], o[1] = w[31], a0
		o[2], o[3] = w[32], a1
		o[4], o[5] = w[33], a2
		o[6], o[7] = w[34], a3
	}
	for ; i < n; i++ {
		w := (*[64]float64)(x[i : i+64])
		a := c1[0] * (w[0] + w[63])
		for j := 1; j < 32; j++ {
			a += c1[j] * (w[j] + w[63-j])
		}
		o := m[h2+2*i : h2+2*i+2 : h2+2*i+2]
		o[0], o[1] = w[31], a
	}
}

// stage2 interpolates 2× → 4× for frames [from, n), four 2× steps at a
// time as in stage1, and writes (first) or raises the magnitudes in z.
func (d *detector4x) stage2(st *detectorChannel, n, from int, z []float64, first bool) {
	h2 := 2*d.s2.k - 1
	m := st.m[:h2+2*n]
	c2 := (*[6]float64)(d.s2.c)
	z = z[:4*n]
	t := 2 * from
	for ; t+4 <= 2*n; t += 4 {
		w := (*[15]float64)(m[t : t+15])
		a0, a1, a2, a3 := halfBand6x4(w, c2)
		zz := (*[8]float64)(z[2*t : 2*t+8])
		if first {
			zz[0], zz[1] = math.Abs(w[5]), math.Abs(a0)
			zz[2], zz[3] = math.Abs(w[6]), math.Abs(a1)
			zz[4], zz[5] = math.Abs(w[7]), math.Abs(a2)
			zz[6], zz[7] = math.Abs(w[8]), math.Abs(a3)
		} else {
			zz[0], zz[1] = max(zz[0], math.Abs(w[5])), max(zz[1], math.Abs(a0))
			zz[2], zz[3] = max(zz[2], math.Abs(w[6])), max(zz[3], math.Abs(a1))
			zz[4], zz[5] = max(zz[4], math.Abs(w[7])), max(zz[5], math.Abs(a2))
			zz[6], zz[7] = max(zz[6], math.Abs(w[8])), max(zz[7], math.Abs(a3))
		}
	}
	for ; t < 2*n; t++ {
		w := (*[12]float64)(m[t : t+12])
		a := c2[0] * (w[0] + w[11])
		for j := 1; j < 6; j++ {
			a += c2[j] * (w[j] + w[11-j])
		}
		zz := z[2*t : 2*t+2 : 2*t+2]
		if first {
			zz[0], zz[1] = math.Abs(w[5]), math.Abs(a)
		} else {
			zz[0], zz[1] = max(zz[0], math.Abs(w[5])), max(zz[1], math.Abs(a))
		}
	}
}

// halfBand32x4 returns the folded 32-tap sums Σ_j c[j]·(w[k+j] + w[k+63−j])
// for k = 0 … 3, each added in increasing j from zero (as the one-frame loop
// in run does). Written out tap by tap (generated): the window slides by one
// sample per tap, so each tap loads one coefficient and two samples, and
// the samples rotate through four registers each way.
func halfBand32x4(w *[67]float64, c *[32]float64) (a0, a1, a2, a3 float64) {
	f0, f1, f2 := w[0], w[1], w[2]
	b0, b1, b2 := w[64], w[65], w[66]
	f3, b3 := w[3], w[63]
	a0 = c[0] * (f0 + b3)
	a1 = c[0] * (f1 + b0)
	a2 = c[0] * (f2 + b1)
	a3 = c[0] * (f3 + b2)
	f0, b2 = w[4], w[62]
	a0 += c[1] * (f1 + b2)
	a1 += c[1] * (f2 + b3)
	a2 += c[1] * (f3 + b0)
	a3 += c[1] * (f0 + b1)
	f1, b1 = w[5], w[61]
	a0 += c[2] * (f2 + b1)
	a1 += c[2] * (f3 + b2)
	a2 += c[2] * (f0 + b3)
	a3 += c[2] * (f1 + b0)
	f2, b0 = w[6], w[60]
	a0 += c[3] * (f3 + b0)
	a1 += c[3] * (f0 + b1)
	a2 += c[3] * (f1 + b2)
	a3 += c[3] * (f2 + b3)
	f3, b3 = w[7], w[59]
	a0 += c[4] * (f0 + b3)
	a1 += c[4] * (f1 + b0)
	a2 += c[4] * (f2 + b1)
	a3 += c[4] * (f3 + b2)
	f0, b2 = w[8], w[58]
	a0 += c[5] * (f1 + b2)
	a1 += c[5] * (f2 + b3)
	a2 += c[5] * (f3 + b0)
	a3 += c[5] * (f0 + b1)
	f1, b1 = w[9], w[57]
	a0 += c[6] * (f2 + b1)
	a1 += c[6] * (f3 + b2)
	a2 += c[6] * (f0 + b3)
	a3 += c[6] * (f1 + b0)
	f2, b0 = w[10], w[56]
	a0 += c[7] * (f3 + b0)
	a1 += c[7] * (f0 + b1)
	a2 += c[7] * (f1 + b2)
	a3 += c[7] * (f2 + b3)
	f3, b3 = w[11], w[55]
	a0 += c[8] * (f0 + b3)
	a1 += c[8] * (f1 + b0)
	a2 += c[8] * (f2 + b1)
	a3 += c[8] * (f3 + b2)
	f0, b2 = w[12], w[54]
	a0 += c[9] * (f1 + b2)
	a1 += c[9] * (f2 + b3)
	a2 += c[9] * (f3 + b0)
	a3 += c[9] * (f0 + b1)
	f1, b1 = w[13], w[53]
	a0 += c[10] * (f2 + b1)
	a1 += c[10] * (f3 + b2)
	a2 += c[10] * (f0 + b3)
	a3 += c[10] * (f1 + b0)
	f2, b0 = w[14], w[52]
	a0 += c[11] * (f3 + b0)
	a1 += c[11] * (f0 + b1)
	a2 += c[11] * (f1 + b2)
	a3 += c[11] * (f2 + b3)
	f3, b3 = w[15], w[51]
	a0 += c[12] * (f0 + b3)
	a1 += c[12] * (f1 + b0)
	a2 += c[12] * (f2 + b1)
	a3 += c[12] * (f3 + b2)
	f0, b2 = w[16], w[50]
	a0 += c[13] * (f1 + b2)
	a1 += c[13] * (f2 + b3)
	a2 += c[13] * (f3 + b0)
	a3 += c[13] * (f0 + b1)
	f1, b1 = w[17], w[49]
	a0 += c[14] * (f2 + b1)
	a1 += c[14] * (f3 + b2)
	a2 += c[14] * (f0 + b3)
	a3 += c[14] * (f1 + b0)
	f2, b0 = w[18], w[48]
	a0 += c[15] * (f3 + b0)
	a1 += c[15] * (f0 + b1)
	a2 += c[15] * (f1 + b2)
	a3 += c[15] * (f2 + b3)
	f3, b3 = w[19], w[47]
	a0 += c[16] * (f0 + b3)
	a1 += c[16] * (f1 + b0)
	a2 += c[16] * (f2 + b1)
	a3 += c[16] * (f3 + b2)
	f0, b2 = w[20], w[46]
	a0 += c[17] * (f1 + b2)
	a1 += c[17] * (f2 + b3)
	a2 += c[17] * (f3 + b0)
	a3 += c[17] * (f0 + b1)
	f1, b1 = w[21], w[45]
	a0 += c[18] * (f2 + b1)
	a1 += c[18] * (f3 + b2)
	a2 += c[18] * (f0 + b3)
	a3 += c[18] * (f1 + b0)
	f2, b0 = w[22], w[44]
	a0 += c[19] * (f3 + b0)
	a1 += c[19] * (f0 + b1)
	a2 += c[19] * (f1 + b2)
	a3 += c[19] * (f2 + b3)
	f3, b3 = w[23], w[43]
	a0 += c[20] * (f0 + b3)
	a1 += c[20] * (f1 + b0)
	a2 += c[20] * (f2 + b1)
	a3 += c[20] * (f3 + b2)
	f0, b2 = w[24], w[42]
	a0 += c[21] * (f1 + b2)
	a1 += c[21] * (f2 + b3)
	a2 += c[21] * (f3 + b0)
	a3 += c[21] * (f0 + b1)
	f1, b1 = w[25], w[41]
	a0 += c[22] * (f2 + b1)
	a1 += c[22] * (f3 + b2)
	a2 += c[22] * (f0 + b3)
	a3 += c[22] * (f1 + b0)
	f2, b0 = w[26], w[40]
	a0 += c[23] * (f3 + b0)
	a1 += c[23] * (f0 + b1)
	a2 += c[23] * (f1 + b2)
	a3 += c[23] * (f2 + b3)
	f3, b3 = w[27], w[39]
	a0 += c[24] * (f0 + b3)
	a1 += c[24] * (f1 + b0)
	a2 += c[24] * (f2 + b1)
	a3 += c[24] * (f3 + b2)
	f0, b2 = w[28], w[38]
	a0 += c[25] * (f1 + b2)
	a1 += c[25] * (f2 + b3)
	a2 += c[25] * (f3 + b0)
	a3 += c[25] * (f0 + b1)
	f1, b1 = w[29], w[37]
	a0 += c[26] * (f2 + b1)
	a1 += c[26] * (f3 + b2)
	a2 += c[26] * (f0 + b3)
	a3 += c[26] * (f1 + b0)
	f2, b0 = w[30], w[36]
	a0 += c[27] * (f3 + b0)
	a1 += c[27] * (f0 + b1)
	a2 += c[27] * (f1 + b2)
	a3 += c[27] * (f2 + b3)
	f3, b3 = w[31], w[35]
	a0 += c[28] * (f0 + b3)
	a1 += c[28] * (f1 + b0)
	a2 += c[28] * (f2 + b1)
	a3 += c[28] * (f3 + b2)
	f0, b2 = w[32], w[34]
	a0 += c[29] * (f1 + b2)
	a1 += c[29] * (f2 + b3)
	a2 += c[29] * (f3 + b0)
	a3 += c[29] * (f0 + b1)
	f1, b1 = w[33], w[33]
	a0 += c[30] * (f2 + b1)
	a1 += c[30] * (f3 + b2)
	a2 += c[30] * (f0 + b3)
	a3 += c[30] * (f1 + b0)
	f2, b0 = w[34], w[32]
	a0 += c[31] * (f3 + b0)
	a1 += c[31] * (f0 + b1)
	a2 += c[31] * (f1 + b2)
	a3 += c[31] * (f2 + b3)
	return a0, a1, a2, a3
}

// halfBand6x4 is halfBand32x4 for the 6 folded taps of stage 2:
// Σ_j c[j]·(w[k+j] + w[k+11−j]) for k = 0 … 3, j increasing (generated).
func halfBand6x4(w *[15]float64, c *[6]float64) (a0, a1, a2, a3 float64) {
	f0, f1, f2 := w[0], w[1], w[2]
	b0, b1, b2 := w[12], w[13], w[14]
	f3, b3 := w[3], w[11]
	a0 = c[0] * (f0 + b3)
	a1 = c[0] * (f1 + b0)
	a2 = c[0] * (f2 + b1)
	a3 = c[0] * (f3 + b2)
	f0, b2 = w[4], w[10]
	a0 += c[1] * (f1 + b2)
	a1 += c[1] * (f2 + b3)
	a2 += c[1] * (f3 + b0)
	a3 += c[1] * (f0 + b1)
	f1, b1 = w[5], w[9]
	a0 += c[2] * (f2 + b1)
	a1 += c[2] * (f3 + b2)
	a2 += c[2] * (f0 + b3)
	a3 += c[2] * (f1 + b0)
	f2, b0 = w[6], w[8]
	a0 += c[3] * (f3 + b0)
	a1 += c[3] * (f0 + b1)
	a2 += c[3] * (f1 + b2)
	a3 += c[3] * (f2 + b3)
	f3, b3 = w[7], w[7]
	a0 += c[4] * (f0 + b3)
	a1 += c[4] * (f1 + b0)
	a2 += c[4] * (f2 + b1)
	a3 += c[4] * (f3 + b2)
	f0, b2 = w[8], w[6]
	a0 += c[5] * (f1 + b2)
	a1 += c[5] * (f2 + b3)
	a2 += c[5] * (f3 + b0)
	a3 += c[5] * (f0 + b1)
	return a0, a1, a2, a3
}
