package limiter

import (
	"math"
	"math/rand/v2"
	"testing"

	"stemmaster/dsp/internal/dsptest"
)

// TestPeakKernels holds framePeaks and magnitudes (assembly where the
// processor has it) to the bits of their Go loops, for every length up to
// a chunk and values with local maxima, plateaus, zeros and subnormals.
func TestPeakKernels(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	value := func(i int) float64 {
		switch i % 7 {
		case 0:
			return 0
		case 1:
			return 5e-324
		case 2:
			return 0.5 // plateaus with its neighbours
		case 3:
			return 0.5
		default:
			return rng.Float64() * 2
		}
	}
	for _, n := range []int{0, 1, 2, 3, 4, 5, 7, 9, 33, 255, 256} {
		zm, hf := make([]float64, 4*n+2), make([]float64, n)
		for i := range zm {
			zm[i] = value(i)
		}
		for i := range hf {
			hf[i] = rng.Float64() * 0.1
		}
		got, want := make([]float64, n), make([]float64, n)
		kg, kw := framePeakArgs{w: 0.5, fp: 0.7}, framePeakArgs{w: 0.5, fp: 0.7}
		framePeaksGo(zm, hf, got, &kg, framePeaksFast(zm, hf, got, &kg))
		framePeaksGo(zm, hf, want, &kw, 0)
		for i := range want {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("framePeaks, %d frames: [%d] = %v, want %v", n, i, got[i], want[i])
			}
		}
		if kg.fp != kw.fp {
			t.Fatalf("framePeaks, %d frames: last candidate %v, want %v", n, kg.fp, kw.fp)
		}

		even, odd := make([]float64, n), make([]float64, n)
		for i := range odd {
			even[i], odd[i] = value(i)-1, -value(i+3)
		}
		for _, first := range []bool{true, false} {
			zg, zw := make([]float64, 2*n), make([]float64, 2*n)
			for i := range zg {
				zg[i] = value(i + 1)
				zw[i] = zg[i]
			}
			magnitudes(zg, even, odd, first)
			magnitudesGo(zw, even, odd, first, 0)
			for i := range zw {
				if math.Float64bits(zg[i]) != math.Float64bits(zw[i]) {
					t.Fatalf("magnitudes (first %v), %d values: [%d] = %v, want %v", first, n, i, zg[i], zw[i])
				}
			}
		}
	}
}

// BenchmarkPeakKernels reports CPU ns per frame of framePeaks on noise
// (unpredictable local maxima), kernel against Go loop.
func BenchmarkPeakKernels(b *testing.B) {
	const n = chunkFrames
	rng := rand.New(rand.NewPCG(5, 6))
	zm, hf, out := make([]float64, 4*n+2), make([]float64, n), make([]float64, n)
	for i := range zm {
		zm[i] = rng.Float64()
	}
	for _, fast := range []bool{true, false} {
		name := "go"
		if fast {
			name = "kernel"
		}
		b.Run("framePeaks/"+name, func(b *testing.B) {
			cpu0 := dsptest.CPUTime()
			for b.Loop() {
				k := framePeakArgs{w: 0.5}
				from := 0
				if fast {
					from = framePeaksFast(zm, hf, out, &k)
				}
				framePeaksGo(zm, hf, out, &k, from)
			}
			dsptest.ReportPerSample(b, cpu0, n)
		})
	}
}
