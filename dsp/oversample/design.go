package oversample

import (
	"fmt"
	"math"

	"stemmaster/dsp/fir"
)

// Design figures for the prototype returned by Design. The transition band
// is 0.4535·fs … 0.5465·fs (20 kHz and its image 24.1 kHz at 44.1 kHz), so
// with the Kaiser formula the number of zero crossings K on each side is
// (A − 7.95) / (2.285 · 2π · 0.09297 · 2).
const (
	// PassbandEdge is the highest base-rate frequency, as a fraction of the
	// base sample rate, passed flat (20 kHz at 44.1 kHz).
	PassbandEdge = 20000.0 / 44100.0
	// StopbandEdge is the lowest base-rate frequency, as a fraction of the
	// base sample rate, attenuated by the full stopband figure: the mirror
	// image of PassbandEdge about fs/2.
	StopbandEdge = 1 - PassbandEdge
	// DesignAttenuationDB is the stopband attenuation the prototype is
	// designed for; the tests check ≥ 100 dB.
	DesignAttenuationDB = 110.0
)

// designZeroCrossings is K for DesignAttenuationDB and the transition band
// above (the Kaiser estimate, rounded up).
var designZeroCrossings = kaiserZeroCrossings(DesignAttenuationDB, StopbandEdge-PassbandEdge)

func kaiserZeroCrossings(attenuationDB, transition float64) int {
	// Kaiser: N − 1 = (A − 7.95) / (2.285 Δω) at the high rate, where
	// N − 1 = 2·K·L and Δω = 2π·transition/L, so L cancels.
	return int(math.Ceil(fir.KaiserOrder(attenuationDB, 2*math.Pi*transition*2)))
}

// ZeroCrossings returns K, the number of base-rate periods on each side of
// the centre of the prototype Design returns; it is also the latency in
// base-rate frames of an Upsampler or Downsampler built on it.
func ZeroCrossings() int { return designZeroCrossings }

// Design returns the prototype low-pass filter for upsampling or
// downsampling by factor (2, 4 or 8): 2·K·factor+1 taps, symmetric, with a
// centre tap of 1 and unity gain per polyphase branch (the sum of all taps is
// factor). It panics for any other factor.
func Design(factor int) []float64 {
	checkFactor(factor)
	return DesignNyquist(factor, designZeroCrossings, fir.KaiserBeta(DesignAttenuationDB))
}

// DesignNyquist returns a Kaiser-windowed sinc of 2·zeroCrossings·factor+1
// taps whose cut-off is 1/(2·factor) of the high rate: h[n] =
// sinc((n−c)/factor)·kaiser(n), c = zeroCrossings·factor. Fewer zero
// crossings give a cheaper, less selective filter (the true-peak limiter's
// detector uses one). It panics when factor < 2 or zeroCrossings < 1.
func DesignNyquist(factor, zeroCrossings int, beta float64) []float64 {
	if factor < 2 || zeroCrossings < 1 {
		panic(fmt.Sprintf("oversample: DesignNyquist(%d, %d): factor must be ≥ 2 and zero crossings ≥ 1", factor, zeroCrossings))
	}
	c := zeroCrossings * factor
	h := make([]float64, 2*c+1)
	win := fir.NewKaiser(beta)
	for n := range h {
		t := float64(n-c) / float64(factor)
		h[n] = fir.Sinc(t) * win.At(float64(n-c)/float64(c))
	}
	// Exact zeros where the sinc has them, so phase 0 is a pure delay.
	for n := 0; n < len(h); n += factor {
		h[n] = 0
	}
	h[c] = 1
	return h
}

func checkFactor(factor int) {
	switch factor {
	case 2, 4, 8:
		return
	}
	panic(fmt.Sprintf("oversample: factor %d not supported (2, 4 or 8)", factor))
}

// polyphase holds a Nyquist prototype of 2·K·factor+1 taps (every
// factor-th tap zero but the centre, which is 1; the end taps zero) split
// into its factor branches, each ordered for a dot product with a history
// window of the last 2K base-rate samples, oldest first: branch p tap j is
// h[p + (2K−1−j)·factor]. Branch 0 is then a pure delay (w[K−1]).
type polyphase struct {
	factor, k int
	branch    [][]float64 // branch[p], 2K taps each
}

func newPolyphase(h []float64, factor int) polyphase {
	if factor < 2 || len(h) < 2*factor+1 || (len(h)-1)%(2*factor) != 0 {
		panic(fmt.Sprintf("oversample: prototype of %d taps is not 2·K·%d+1", len(h), factor))
	}
	k := (len(h) - 1) / (2 * factor)
	for n := 0; n < len(h); n += factor {
		want := 0.0
		if n == k*factor {
			want = 1
		}
		if h[n] != want {
			panic(fmt.Sprintf("oversample: tap %d of the prototype is %g, want %g: not a Nyquist prototype (DesignNyquist)", n, h[n], want))
		}
	}
	pp := polyphase{factor: factor, k: k, branch: make([][]float64, factor)}
	for p := range factor {
		b := make([]float64, 2*k)
		for j := range b {
			b[j] = h[p+(2*k-1-j)*factor]
		}
		pp.branch[p] = b
	}
	return pp
}

// upsample computes the factor outputs for window w (the last 2K inputs):
// four branches at a time in one pass over w (fir.DotPortable4), the
// middle branch of a factor-2 prototype folded, and branch 0 set to the
// pure delay it is.
func (pp *polyphase) upsample(w, dst []float64) {
	dst = dst[:pp.factor]
	b := pp.branch
	p := 0
	if pp.factor == 2 {
		dst[1] = dotSymmetric(b[1], w)
		p = 2
	}
	for ; p+4 <= len(b); p += 4 {
		dst[p], dst[p+1], dst[p+2], dst[p+3] = fir.DotPortable4(w, b[p], b[p+1], b[p+2], b[p+3])
	}
	for ; p < len(b); p++ {
		dst[p] = fir.DotPortable(b[p], w)
	}
	dst[0] = w[pp.k-1]
}

// dotSymmetric is dot for taps symmetric about their middle (the middle
// branch of a Nyquist prototype of even factor): it folds the window and
// does half the multiplications.
func dotSymmetric(c, w []float64) float64 {
	n := len(c)
	w = w[:n]
	h := n / 2
	var a0, a1, a2, a3 float64
	j := 0
	for ; j+4 <= h; j += 4 {
		a0 += c[j] * (w[j] + w[n-1-j])
		a1 += c[j+1] * (w[j+1] + w[n-2-j])
		a2 += c[j+2] * (w[j+2] + w[n-3-j])
		a3 += c[j+3] * (w[j+3] + w[n-4-j])
	}
	for ; j < h; j++ {
		a0 += c[j] * (w[j] + w[n-1-j])
	}
	if n%2 == 1 {
		a1 += c[h] * w[h]
	}
	return (a0 + a1) + (a2 + a3)
}

// history is a double-length ring: each sample is written twice, so the
// last n samples are always contiguous, oldest first.
type history struct {
	buf []float64 // 2n
	pos int
}

func newHistory(n int) history { return history{buf: make([]float64, 2*n)} }

// newHistories returns count histories of n samples each.
func newHistories(count, n int) []history {
	h := make([]history, count)
	for i := range h {
		h[i] = newHistory(n)
	}
	return h
}

// checkChannels panics unless there is at least one channel.
func checkChannels(channels int) {
	if channels < 1 {
		panic(fmt.Sprintf("oversample: %d channels", channels))
	}
}

// push adds x and returns the window of the last n samples, oldest first.
func (h *history) push(x float64) []float64 {
	n := len(h.buf) / 2
	h.buf[h.pos] = x
	h.buf[h.pos+n] = x
	h.pos++
	if h.pos == n {
		h.pos = 0
	}
	return h.buf[h.pos : h.pos+n]
}

func (h *history) reset() {
	clear(h.buf)
	h.pos = 0
}

// window returns the last n samples, oldest first, without adding one.
func (h *history) window() []float64 {
	n := len(h.buf) / 2
	return h.buf[h.pos : h.pos+n]
}
