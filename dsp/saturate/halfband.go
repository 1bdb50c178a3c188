package saturate

import (
	"stemmaster/dsp/fir"
	"stemmaster/dsp/oversample"
)

// halfBand is one 2× Nyquist (half-band) stage of K zero crossings
// (oversample.DesignNyquist(2, K, β)), its odd branch folded: c[j] weighs
// both ends of a window of the last 2K samples of the lower-rate stream
// (taps j and 2K−1−j, the branch being symmetric). The even branch is a
// pure delay of K frames (the prototype's centre tap is 1, the others on
// that branch 0). The filters are those of oversample.Upsampler and
// Downsampler; the stages here run a whole chunk of a channel at a time on
// linear buffers (history, then the chunk), so every window is a plain
// subslice and the loops have no per-sample call or ring arithmetic.
type halfBand struct {
	k int
	c []float64 // K folded taps
}

func newHalfBand(k int, db float64) halfBand {
	h := oversample.DesignNyquist(2, k, fir.KaiserBeta(db))
	c := make([]float64, k)
	for j := range c {
		// branch 1 tap j (oldest first) is h[1 + (2K−1−j)·2]
		c[j] = h[1+(2*k-1-j)*2]
	}
	return halfBand{k: k, c: c}
}

// upHistory and downHistory are how many samples of history the stage's
// input buffer keeps before the chunk.
func (h halfBand) upHistory() int   { return 2*h.k - 1 }
func (h halfBand) downHistory() int { return 4 * h.k }

// up interpolates the n samples after the history in in (len
// upHistory()+n) to 2n samples in out: out[2i] is the input K frames
// earlier, out[2i+1] the value half a frame after it. Outputs are computed
// two at a time so the two sums overlap.
func (h halfBand) up(in, out []float64, n int) {
	k := h.k
	c := h.c[:k]
	in = in[:2*k-1+n]
	out = out[:2*n]
	i := 0
	for ; i+2 <= n; i += 2 {
		w := in[i : i+2*k+1]
		var a0, a1 float64
		for j, cj := range c {
			a0 += cj * (w[j] + w[2*k-1-j])
			a1 += cj * (w[j+1] + w[2*k-j])
		}
		o := out[2*i : 2*i+4 : 2*i+4]
		o[0], o[1], o[2], o[3] = w[k-1], a0, w[k], a1
	}
	for ; i < n; i++ {
		w := in[i : i+2*k]
		var a float64
		for j, cj := range c {
			a += cj * (w[j] + w[2*k-1-j])
		}
		out[2*i], out[2*i+1] = w[k-1], a
	}
}

// down decimates the 2n high-rate samples after the history in in (len
// downHistory()+2n) to n samples in out, with the filter of up:
// out[m] = ½·(v0[m−K] + Σ_j c[j]·(v1[m−2K+j] + v1[m−1−j])), v0 and v1 the
// even and odd samples of the high-rate stream (as oversample.Downsampler,
// latency K frames).
func (h halfBand) down(in, out []float64, n int) {
	k := h.k
	c := h.c[:k]
	in = in[:4*k+2*n]
	out = out[:n]
	m := 0
	for ; m+2 <= n; m += 2 {
		w := in[2*m : 2*m+4*k+2]
		var a0, a1 float64
		for j, cj := range c {
			a0 += cj * (w[2*j+1] + w[4*k-1-2*j])
			a1 += cj * (w[2*j+3] + w[4*k+1-2*j])
		}
		out[m], out[m+1] = 0.5*(w[2*k]+a0), 0.5*(w[2*k+2]+a1)
	}
	for ; m < n; m++ {
		w := in[2*m : 2*m+4*k]
		var a float64
		for j, cj := range c {
			a += cj * (w[2*j+1] + w[4*k-1-2*j])
		}
		out[m] = 0.5 * (w[2*k] + a)
	}
}

// keep moves the last hist samples of buf[:hist+used] to its start: the
// next chunk's history.
func keep(buf []float64, hist, used int) {
	copy(buf[:hist], buf[used:used+hist])
}
