package limiter

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"stemmaster/dsp/envelope"
	"stemmaster/dsp/internal/dsptest"
	"stemmaster/dsp/internal/vec"
	"stemmaster/internal/testkit"
)

// kernelLengths covers the kernels' bodies, every tail and a whole chunk.
var kernelLengths = []int{0, 1, 2, 3, 4, 5, 7, 9, 33, 255, 256}

// TestKernels holds framePeaks, magnitudes, vec.Widen and DelayGain,
// ceilingGains and maxAbs (assembly where the processor has it) to the
// bits of their Go loops, for every length up to a chunk and values with
// local maxima, plateaus, zeros and subnormals (and NaN for maxAbs, which
// must keep it).
func TestKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	t.Parallel()
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
	for _, n := range kernelLengths {
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

		src, d := make([]float32, n), make([]float32, n)
		for i := range src {
			src[i], d[i] = float32(value(i)-1), float32(value(i+2))*1e-39
		}
		// What follows wide is larger than any of it: maxAbs reading past
		// its slice returns it, and vec.Widen writing past changes it.
		wide := testkit.Guarded(n, 1e300)
		vec.Widen(wide, src)
		testkit.CheckGuard(t, wide, 1e300, fmt.Sprintf("widen, %d values", n))
		x, g, d0 := slices.Clone(src), slices.Clone(hf), slices.Clone(d)
		envelope.DelayGain(x, d, g)
		for i, v := range src {
			if wide[i] != float64(v) {
				t.Fatalf("widen, %d values: [%d] = %v, want %v", n, i, wide[i], v)
			}
			if want := float32(float64(d0[i]) * g[i]); math.Float32bits(x[i]) != math.Float32bits(want) || d[i] != v {
				t.Fatalf("delayGain, %d values: [%d] = %v and %v, want %v and %v", n, i, x[i], d[i], want, v)
			}
		}
		for i := range wide {
			wide[i] = -wide[i]
		}
		top := 0.0
		for _, v := range wide {
			top = max(top, math.Abs(v))
		}
		if got := maxAbs(wide); got != top {
			t.Fatalf("maxAbs, %d values: %v, want %v", n, got, top)
		}
		gains := slices.Clone(wide)
		for i := range gains {
			gains[i] = []float64{0, math.Inf(1), 0.3, 1.2, 5e-324, 0.891}[i%6]
		}
		if n > 2 {
			gains[2] = math.NaN()
		}
		peaks := slices.Clone(gains)
		ceilingGains(gains, 0.891)
		for i, p := range peaks {
			if want := min(1, 0.891/p); math.Float64bits(gains[i]) != math.Float64bits(want) {
				t.Fatalf("ceilingGains, %d values: [%d] = %v for a peak %v, want %v", n, i, gains[i], p, want)
			}
		}
		if n > 0 {
			wide[n/2] = math.NaN()
			if got := maxAbs(wide); !math.IsNaN(got) {
				t.Fatalf("maxAbs, %d values with a NaN: %v", n, got)
			}
		}
	}
}

// BenchmarkKernels reports CPU ns per frame (per value for magnitudes and
// maxAbs) of each kernel against its Go loop, on noise: framePeaks
// (unpredictable local maxima, the division every frame), magnitudes,
// maxAbs and ceilingGains.
func BenchmarkKernels(b *testing.B) {
	const n = chunkFrames
	rng := rand.New(rand.NewPCG(5, 6))
	zm, hf, out := make([]float64, 4*n+2), make([]float64, n), make([]float64, n)
	for i := range zm {
		zm[i] = rng.Float64()
	}
	even, odd, z := zm[:n], zm[n:2*n], make([]float64, 2*n)
	src := make([]float32, n)
	for i := range src {
		src[i] = float32(rng.NormFloat64())
	}
	kernels := []struct {
		name string
		run  func(fast bool)
	}{
		{"framePeaks", func(fast bool) {
			k := framePeakArgs{w: 0.5}
			from := 0
			if fast {
				from = framePeaksFast(zm, hf, out, &k)
			}
			framePeaksGo(zm, hf, out, &k, from)
		}},
		{"magnitudes", func(fast bool) {
			t := 0
			if fast {
				t = magnitudesFast(z, even, odd, false)
			}
			magnitudesGo(z, even, odd, false, t)
		}},
		{"maxAbs", func(fast bool) {
			if fast {
				hf[0] = maxAbs(even)
				return
			}
			hf[0] = maxAbsGo(even, 0, 0)
		}},
		{"ceilingGains", func(fast bool) {
			copy(out, odd)
			i := 0
			if fast {
				i = ceilingFast(out, 0.891)
			}
			for ; i < n; i++ {
				out[i] = min(1, 0.891/out[i])
			}
		}},
	}
	for _, k := range kernels {
		for _, fast := range []bool{true, false} {
			name := "/go"
			if fast {
				name = "/kernel"
			}
			b.Run(k.name+name, func(b *testing.B) {
				cpu0 := dsptest.CPUTime()
				for b.Loop() {
					k.run(fast)
				}
				dsptest.ReportPerSample(b, cpu0, n)
			})
		}
	}
}
