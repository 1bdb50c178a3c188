package fir

import (
	"math"
	"math/rand/v2"
	"testing"

	"stemmaster/dsp/internal/dsptest"
)

// relTol bounds the difference between two float64 dot products of up to
// 67 terms, relative to Σ|a[i]·b[i]|. Any summation order is within
// n·ε ≈ 67 × 1.1e-16 ≈ 7e-15 of the exact sum by the standard error bound
// (Higham, Accuracy and Stability of Numerical Algorithms, §3.1), so 1e-12
// leaves a wide margin while catching any dropped, repeated or misplaced
// term (which changes the sum by the size of that term).
const relTol = 1e-12

// maxLen covers the 16-wide main loop, the 4-wide loop and the scalar tail
// in every combination, several times over.
const maxLen = 67

// naive is the reference: the textbook loop, in order.
func naive(a, b []float64) (sum, mag float64) {
	for i := range a {
		sum += a[i] * b[i]
		mag += math.Abs(a[i] * b[i])
	}
	return sum, mag
}

// vectors returns slices of length n starting off elements into their
// backing arrays (misaligned by 8·off bytes), with NaN in the element just
// before and just after: a kernel that reads one element too many or too
// few in its tail handling gives NaN.
func vectors(rng *rand.Rand, n, off int) []float64 {
	back := make([]float64, n+off+2)
	for i := range back {
		back[i] = math.NaN()
	}
	v := back[off+1 : off+1+n]
	for i := range v {
		v[i] = 2*rng.Float64() - 1
	}
	return v
}

func near(got, want, mag float64) bool {
	return math.Abs(got-want) <= relTol*mag+1e-300
}

// impls lists the implementations to check on this machine: the exported
// functions (whatever they dispatch to) and the portable Go ones; the
// assembly is added by dot_amd64_test.go when the processor has it.
var impls = []struct {
	name string
	dot  func(a, b []float64) float64
	dot2 func(a, b0, b1 []float64) (float64, float64)
}{
	{"exported", Dot, Dot2},
	{"generic", DotPortable, dot2Generic},
}

func TestAgainstNaive(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, im := range impls {
		t.Run(im.name, func(t *testing.T) {
			for n := 0; n <= maxLen; n++ {
				for off := range 4 {
					a := vectors(rng, n, off)
					b0 := vectors(rng, n, (off+1)%4)
					b1 := vectors(rng, n, (off+3)%4)
					want0, mag0 := naive(a, b0)
					want1, mag1 := naive(a, b1)
					if got := im.dot(a, b0); !near(got, want0, mag0) {
						t.Errorf("Dot n=%d off=%d: %v, want %v", n, off, got, want0)
					}
					g0, g1 := im.dot2(a, b0, b1)
					if !near(g0, want0, mag0) || !near(g1, want1, mag1) {
						t.Errorf("Dot2 n=%d off=%d: %v, %v, want %v, %v", n, off, g0, g1, want0, want1)
					}
				}
			}
		})
	}
}

// TestLongerSecondOperand: only the first len(a) elements of b count.
func TestLongerSecondOperand(t *testing.T) {
	t.Parallel()
	a := []float64{1, 2, 3}
	b := []float64{4, 5, 6, 1e300}
	// 1·4 + 2·5 + 3·6 = 32, exact in float64.
	if got := Dot(a, b); got != 32 {
		t.Errorf("Dot = %v, want 32", got)
	}
	if s0, s1 := Dot2(a, b, b); s0 != 32 || s1 != 32 {
		t.Errorf("Dot2 = %v, %v, want 32, 32", s0, s1)
	}
}

func TestShortSecondOperandPanics(t *testing.T) {
	t.Parallel()
	dsptest.CheckPanics(t,
		dsptest.PanicCase{Name: "Dot", F: func() { Dot(make([]float64, 5), make([]float64, 4)) }},
		dsptest.PanicCase{Name: "Dot2 b0", F: func() { Dot2(make([]float64, 5), make([]float64, 4), make([]float64, 5)) }},
		dsptest.PanicCase{Name: "Dot2 b1", F: func() { Dot2(make([]float64, 5), make([]float64, 5), make([]float64, 4)) }},
	)
}

// BenchmarkDot2 times one row of 204 taps (48 → 44.1 kHz) against two
// channels, the resampler's inner loop.
func BenchmarkDot2(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	const k = 204
	a, x0, x1 := vectors(rng, k, 0), vectors(rng, k, 1), vectors(rng, k, 3)
	for _, im := range impls {
		b.Run(im.name, func(b *testing.B) {
			var s float64
			for b.Loop() {
				s0, s1 := im.dot2(a, x0, x1)
				s += s0 + s1
			}
			_ = s
		})
	}
}

// BenchmarkDot times one row of 204 taps against one channel.
func BenchmarkDot(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	const k = 204
	a, x := vectors(rng, k, 0), vectors(rng, k, 1)
	for _, im := range impls {
		b.Run(im.name, func(b *testing.B) {
			var s float64
			for b.Loop() {
				s += im.dot(a, x)
			}
			_ = s
		})
	}
}

func TestKernel(t *testing.T) {
	t.Parallel()
	t.Logf("kernel: %s", Kernel())
	if Kernel() == "" {
		t.Error("Kernel() is empty")
	}
}
