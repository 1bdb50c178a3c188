package limiter

import (
	"math/rand/v2"
	"testing"

	"stemmaster/dsp/internal/dsptest"
)

// TestNyquistPairAssembly: runNyquistPair (the assembly, where it runs)
// and its Go form give the same bits, output and state, over chunks of
// several lengths in a row.
func TestNyquistPairAssembly(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	fa, fb := newNyquistBand(), newNyquistBand()
	ga, gb := newNyquistBand(), newNyquistBand()
	for _, n := range []int{1, 2, 37, 256, 255, 1000} {
		a, b := make([]float64, n), make([]float64, n)
		for i := range a {
			a[i], b[i] = rng.NormFloat64(), rng.NormFloat64()*0.3
		}
		hf1, hf2 := make([]float64, n), make([]float64, n)
		for i := range hf1 {
			hf1[i] = rng.Float64() * 0.1
			hf2[i] = hf1[i]
		}
		runNyquistPair(&fa, &fb, a, b, hf1)
		runNyquistPairGo(&ga, &gb, a, b, hf2)
		for i := range hf1 {
			if hf1[i] != hf2[i] {
				t.Fatalf("n=%d frame %d: %v, Go %v", n, i, hf1[i], hf2[i])
			}
		}
		if fa != ga || fb != gb {
			t.Fatalf("n=%d: state %+v %+v, Go %+v %+v", n, fa, fb, ga, gb)
		}
	}
}

// BenchmarkNyquistPair and BenchmarkGainChunk: the near-Nyquist guard of
// a stereo chunk, and the gain computer on a chunk that limits every frame
// (per frame).
func BenchmarkNyquistPair(b *testing.B) {
	x, y, hf := make([]float64, chunkFrames), make([]float64, chunkFrames), make([]float64, chunkFrames)
	for i := range x {
		x[i], y[i] = float64(i%7)-3, float64(i%5)-2
	}
	na, nb := newNyquistBand(), newNyquistBand()
	cpu0 := dsptest.CPUTime()
	for b.Loop() {
		runNyquistPair(&na, &nb, x, y, hf)
	}
	dsptest.ReportPerSample(b, cpu0, chunkFrames)
}

func BenchmarkGainChunk(b *testing.B) {
	l := newLimiter(DefaultParams(), 48000, 2)
	g := make([]float64, chunkFrames)
	cpu0 := dsptest.CPUTime()
	for b.Loop() {
		for i := range g {
			g[i] = 1 + float64(i%13)*0.05
		}
		l.gainChunk(g)
	}
	dsptest.ReportPerSample(b, cpu0, chunkFrames)
}
