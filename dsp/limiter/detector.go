package limiter

import (
	"fmt"

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
}

func newDetector4x(channels, maxChunk int) *detector4x {
	d := &detector4x{
		s1: newHalfBandFold(stage1Crossings, oversample.KaiserBeta(stage1DB)),
		s2: newHalfBandFold(stage2Crossings, oversample.KaiserBeta(stage2DB)),
		ch: make([]detectorChannel, channels),
	}
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
	h1, h2 := 2*d.s1.k-1, 2*d.s2.k-1
	x := st.x[:h1+n]
	m := st.m[:h2+2*n]
	c1 := (*[32]float64)(d.s1.c)
	// Stage 1, base → 2×: m[h2+2i] = x_i delayed by K1, m[h2+2i+1] the
	// interpolated value half a frame later. Each odd value is one sum over
	// the taps in increasing order, computed four frames at a time: the
	// window slides by one sample per tap, so each tap loads one coefficient
	// and two samples for four outputs, the rest stays in registers (the
	// loop is bound by loads otherwise).
	i := 0
	for ; i+4 <= n; i += 4 {
		w := (*[67]float64)(x[i : i+67])
		f0, f1, f2 := w[0], w[1], w[2]
		b1, b2, b3 := w[64], w[65], w[66]
		var a0, a1, a2, a3 float64
		for j := range 32 {
			f3, b0, c := w[j+3], w[63-j], c1[j]
			a0 += c * (f0 + b0)
			a1 += c * (f1 + b1)
			a2 += c * (f2 + b2)
			a3 += c * (f3 + b3)
			f0, f1, f2 = f1, f2, f3
			b1, b2, b3 = b0, b1, b2
		}
		o := (*[8]float64)(m[h2+2*i : h2+2*i+8])
		o[0], o[1] = w[31], a0
		o[2], o[3] = w[32], a1
		o[4], o[5] = w[33], a2
		o[6], o[7] = w[34], a3
	}
	for ; i < n; i++ { // the same sums, one frame at a time
		w := (*[64]float64)(x[i : i+64])
		var a float64
		for j := range 32 {
			a += c1[j] * (w[j] + w[63-j])
		}
		o := m[h2+2*i : h2+2*i+2 : h2+2*i+2]
		o[0], o[1] = w[31], a
	}
	// Stage 2, 2× → 4×.
	c2 := (*[6]float64)(d.s2.c)
	z = z[:4*n]
	for t := range 2 * n {
		w := (*[12]float64)(m[t : t+12])
		a0 := c2[0] * (w[0] + w[11])
		a1 := c2[1] * (w[1] + w[10])
		a2 := c2[2] * (w[2] + w[9])
		a3 := c2[3] * (w[3] + w[8])
		a0 += c2[4] * (w[4] + w[7])
		a0 += c2[5] * (w[5] + w[6])
		v0, v1 := w[5], (a0+a1)+(a2+a3)
		if v0 < 0 {
			v0 = -v0
		}
		if v1 < 0 {
			v1 = -v1
		}
		zz := z[2*t : 2*t+2 : 2*t+2]
		if first {
			zz[0], zz[1] = v0, v1
		} else {
			zz[0], zz[1] = max(zz[0], v0), max(zz[1], v1)
		}
	}
	copy(x, x[n:n+h1])
	copy(m, m[2*n:2*n+h2])
}
