package envelope

import (
	"math"
	"math/rand/v2"
	"testing"

	"stemmaster/dsp/internal/dsptest"
)

// kernelLengths covers the assembly's four-lane body, every tail length
// and the chunk sizes the processors use.
var kernelLengths = []int{0, 1, 2, 3, 4, 5, 7, 8, 13, 31, 64, 255, 256, 257}

// TestKernelsMatchGo holds the block kernels (assembly where the processor
// has it) to the bits of the per-value functions, on random values and the
// edges: tiny and full-scale levels, zero and tiny reductions, equal
// targets.
func TestKernelsMatchGo(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	levels := func(n int) []float64 {
		x := make([]float64, n)
		for i := range x {
			switch i % 6 {
			case 0:
				x[i] = math.Exp2(rng.Float64()*200 - 190)
			case 1:
				x[i] = 1
			case 2:
				x[i] = 0x1p-1022 // the smallest normal
			case 3:
				x[i] = math.Nextafter(2, 0)
			default:
				x[i] = rng.Float64() * 1.5
			}
		}
		return x
	}
	reductions := func(n int) []float64 {
		x := make([]float64, n)
		for i := range x {
			switch i % 5 {
			case 0:
				x[i] = 0
			case 1:
				x[i] = 1e-300
			case 2:
				x[i] = rng.Float64() * 150
			default:
				x[i] = rng.Float64() * 12
			}
		}
		return x
	}
	same := func(what string, n int, got, want []float64) {
		t.Helper()
		for i := range want {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("%s, %d values: [%d] = %v, want %v", what, n, i, got[i], want[i])
			}
		}
	}
	for _, n := range kernelLengths {
		x := levels(n)
		got, want := make([]float64, n), make([]float64, n)
		Log2Block(got, x)
		for i, v := range x {
			want[i] = Log2(v)
		}
		same("Log2Block", n, got, want)

		gr := reductions(n)
		for _, mk := range []float64{0, 3, -48} {
			peak := GainBlock(got, gr, mk, math.Exp2(mk*Log2PerDB))
			wantPeak := 0.0
			for i, r := range gr {
				want[i] = math.Exp2(mk * Log2PerDB)
				if r != 0 {
					want[i] = Exp2((mk - r) * Log2PerDB)
				}
				wantPeak = max(wantPeak, r)
			}
			same("GainBlock", n, got, want)
			if peak != wantPeak {
				t.Fatalf("GainBlock, %d values: peak %v, want %v", n, peak, wantPeak)
			}
		}

		for _, s := range []Smoother{NewSmoother(5, 100, 48000), NewSmoother(200, 3, 44100)} {
			target := reductions(n)
			for i := 3; i < n; i += 7 {
				target[i] = target[i-1] // equal targets: no step
			}
			last := s.Run(2.5, target, got)
			gr := 2.5
			for i, v := range target {
				gr = s.Step(gr, v)
				want[i] = gr
			}
			same("Smoother.Run", n, got, want)
			if last != gr {
				t.Fatalf("Smoother.Run, %d values: returned %v, want %v", n, last, gr)
			}
		}
	}
}

// BenchmarkKernels reports (CPU) ns per value of each block kernel against the
// per-value Go loop it replaces, on a 256-value chunk.
func BenchmarkKernels(b *testing.B) {
	const n = 256
	x, y, z := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range x {
		x[i] = 0.01 + float64(i)*0.003
		y[i] = float64(i%37) * 0.3
	}
	s := NewSmoother(5, 100, 48000)
	kernels := []struct {
		name       string
		block, one func()
	}{
		{"log2", func() { Log2Block(z, x) }, func() {
			for i, v := range x {
				z[i] = Log2(v)
			}
		}},
		{"gain", func() { GainBlock(z, y, 1, 1.1) }, func() {
			for i, r := range y {
				v := 1.1
				if r != 0 {
					v = Exp2((1 - r) * Log2PerDB)
				}
				z[i] = v
			}
		}},
		{"smooth", func() { s.Run(0, y, z) }, func() {
			gr := 0.0
			for i, t := range y {
				gr = s.Step(gr, t)
				z[i] = gr
			}
		}},
	}
	for _, k := range kernels {
		b.Run(k.name+"/block", func(b *testing.B) {
			cpu0 := dsptest.CPUTime()
			for b.Loop() {
				k.block()
			}
			dsptest.ReportPerSample(b, cpu0, n)
		})
		b.Run(k.name+"/go", func(b *testing.B) {
			cpu0 := dsptest.CPUTime()
			for b.Loop() {
				k.one()
			}
			dsptest.ReportPerSample(b, cpu0, n)
		})
	}
}
