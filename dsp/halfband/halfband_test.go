package halfband

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"stemmaster/dsp/fir"
	"stemmaster/dsp/internal/dsptest"
	"stemmaster/dsp/oversample"
)

// TestInterpolateMatchesUpsampler: Interpolate's outputs are the odd
// outputs of an oversample.Upsampler on the same prototype (within float64
// rounding: the two add in different orders), for every tap count the
// packages use and output counts around the assembly's step of 16.
func TestInterpolateMatchesUpsampler(t *testing.T) {
	t.Parallel()
	const tol = 1e-14
	rng := rand.New(rand.NewPCG(1, 2))
	for _, k := range []int{4, 6, 8, 32} {
		for _, n := range []int{1, 3, 15, 16, 17, 35, 256} {
			c := Fold(k, fir.KaiserBeta(80))
			x := make([]float64, n+2*k-1)
			for i := range x {
				x[i] = rng.Float64()*2 - 1
			}
			dst := make([]float64, n)
			Interpolate(dst, x, c)
			u := oversample.NewUpsamplerFilter(oversample.DesignNyquist(2, k, fir.KaiserBeta(80)), 2, 1)
			var y [2]float64
			for i, v := range x {
				u.Next(0, v, y[:])
				if o := i - (2*k - 1); o >= 0 {
					if d := y[1] - dst[o]; d > tol || d < -tol {
						t.Fatalf("K=%d n=%d: output %d = %g, want %g", k, n, o, dst[o], y[1])
					}
				}
			}
		}
	}
}

// TestInterpolateSameBits: the assembly (where it runs) and the Go code
// give the same bits, so results do not depend on the machine's vector
// unit.
func TestInterpolateSameBits(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	for _, k := range []int{4, 6, 8, 32} {
		c := Fold(k, fir.KaiserBeta(100))
		x := make([]float64, 300+2*k-1)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		fast, slow := make([]float64, 300), make([]float64, 300)
		Interpolate(fast, x, c)
		interpolateGo(slow, x, c)
		for i := range fast {
			if fast[i] != slow[i] {
				t.Fatalf("K=%d output %d: %v, Go %v", k, i, fast[i], slow[i])
			}
		}
	}
}

func TestInterpolatePanicsOnShortInput(t *testing.T) {
	t.Parallel()
	dsptest.CheckPanics(t, dsptest.PanicCase{Name: "short input", F: func() {
		Interpolate(make([]float64, 10), make([]float64, 10), make([]float64, 4))
	}})
}

func BenchmarkInterpolate(b *testing.B) {
	for _, k := range []int{6, 32} {
		b.Run(fmt.Sprintf("K%d", k), func(b *testing.B) {
			c := Fold(k, fir.KaiserBeta(80))
			x := make([]float64, 256+2*k-1)
			dst := make([]float64, 256)
			cpu0 := dsptest.CPUTime()
			for b.Loop() {
				Interpolate(dst, x, c)
			}
			dsptest.ReportPerSample(b, cpu0, len(dst))
		})
	}
}
