// Package halfband is the folded interpolating branch of a 2× Nyquist
// (half-band) filter, run over whole blocks: the kernel of the true-peak
// limiter's detector and of the saturation stage's oversampling.
//
// A Nyquist prototype for factor 2 (oversample.DesignNyquist(2, K, β), 4K+1
// taps) splits into two branches: the even one is a pure delay of K frames
// (its only non-zero tap is the centre, 1), the odd one has 2K taps,
// symmetric about their middle. Folding it, tap j weighs the sum of the
// window's samples j and 2K−1−j, so each output costs K multiplications.
// Interpolate computes that branch for a run of outputs from one linear
// buffer (history, then the block), so there is no per-sample call and no
// ring arithmetic; on amd64 with AVX it computes four outputs per vector
// instruction. Every output's sum is added in increasing j from c[0]'s term
// with separate multiplications and additions (no fused multiply-add), in
// the assembly as in the Go code, so the results are the same bits whichever
// runs.
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package halfband

import (
	"fmt"

	"stemmaster/dsp/oversample"
)

// Fold returns the K folded taps of the odd branch of
// oversample.DesignNyquist(2, zeroCrossings, beta): c[j] is branch tap j
// (oldest first), h[1 + (2K−1−j)·2], equal to tap 2K−1−j.
func Fold(zeroCrossings int, beta float64) []float64 {
	h := oversample.DesignNyquist(2, zeroCrossings, beta)
	k := zeroCrossings
	c := make([]float64, k)
	for j := range c {
		c[j] = h[1+(2*k-1-j)*2]
		if c[j] != h[1+j*2] {
			panic(fmt.Sprintf("halfband: branch not symmetric at tap %d", j))
		}
	}
	return c
}

// Interpolate writes dst[i] = Σ_j c[j]·(x[i+j] + x[i+2K−1−j]), K = len(c),
// for every i < len(dst): with x a lower-rate stream whose window for
// output i starts at x[i], dst[i] is the value half a frame after x[i+K−1].
// It panics when x is shorter than len(dst) + 2K − 1.
func Interpolate(dst, x, c []float64) {
	k := len(c)
	if k == 0 || len(x) < len(dst)+2*k-1 {
		panic(fmt.Sprintf("halfband: Interpolate of %d outputs from %d samples with %d taps", len(dst), len(x), k))
	}
	done := interpolateFast(dst, x, c)
	interpolateGo(dst[done:], x[done:], c)
}

// interpolateGo is Interpolate in Go, one output at a time.
func interpolateGo(dst, x, c []float64) {
	k := len(c)
	for i := range dst {
		w := x[i : i+2*k]
		a := c[0] * (w[0] + w[2*k-1])
		for j := 1; j < k; j++ {
			a += c[j] * (w[j] + w[2*k-1-j])
		}
		dst[i] = a
	}
}
