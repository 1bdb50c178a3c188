package fir

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"stemmaster/dsp/internal/dsptest"
	"stemmaster/internal/testkit"
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
	t.Logf("kernel: %s", kernel)
	if kernel == "" {
		t.Error("no kernel named")
	}
}

// wideVector returns n unaligned values of magnitudes from 1e-6 to 1e5.
func wideVector(rng *rand.Rand, n int) []float64 {
	v := vectors(rng, n, 1)
	for i := range v {
		v[i] *= math.Pow(10, float64(rng.IntN(12)-6))
	}
	return v
}

func rangeTo(n int) []int {
	r := make([]int, n)
	for i := range r {
		r[i] = i
	}
	return r
}

// TestDotPortable4Bits pins DotPortable4 to four DotPortable calls bit for
// bit, for every length up to 70 and a long one, at odd offsets (so the
// vectors are not aligned), with values of wide dynamic range so that any
// other summation order would round differently.
func TestDotPortable4Bits(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(11, 12))
	for _, n := range append(rangeTo(70), 4093) {
		a := wideVector(rng, n)
		b := [4][]float64{wideVector(rng, n), wideVector(rng, n), wideVector(rng, n+3), wideVector(rng, n)}
		got := [4]float64{}
		got[0], got[1], got[2], got[3] = DotPortable4(a, b[0], b[1], b[2], b[3])
		for j := range b {
			if want := DotPortable(a, b[j]); math.Float64bits(got[j]) != math.Float64bits(want) {
				t.Fatalf("n=%d, vector %d: %v, DotPortable %v", n, j, got[j], want)
			}
		}
	}
}

// BenchmarkDotPortable4 times one 4096-sample block against four others,
// the stem check's least-squares sums, as four DotPortable calls and as
// one DotPortable4; ns/element is per element of one dot product.
func BenchmarkDotPortable4(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 4096
	a, x := vectors(rng, n, 0), [4][]float64{vectors(rng, n, 1), vectors(rng, n, 2), vectors(rng, n, 3), vectors(rng, n, 0)}
	b.Run("4xDotPortable", func(b *testing.B) {
		var s float64
		for b.Loop() {
			for _, v := range x {
				s += DotPortable(a, v)
			}
		}
		_ = s
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*4*n), "ns/element")
	})
	b.Run("DotPortable4", func(b *testing.B) {
		var s float64
		for b.Loop() {
			s0, s1, s2, s3 := DotPortable4(a, x[0], x[1], x[2], x[3])
			s += s0 + s1 + s2 + s3
		}
		_ = s
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*4*n), "ns/element")
	})
}

// TestDot2RowsBits pins Dot2Rows to Dot2 row by row, bit for bit, with
// rows and windows at every offset and lengths around the kernel's steps.
func TestDot2RowsBits(t *testing.T) {
	t.Parallel()
	checkDot2Rows(t, Dot2Rows)
}

// guardF64 is what testkit.Guarded puts past a kernel's output: beyond
// any of checkDot2Rows' sums (|a|, |b| < 1, k ≤ 205).
const guardF64 = -12345.5

func checkDot2Rows(t *testing.T, rows func(a []float64, k int, b0, b1 []float64, offs []int, out []float64)) {
	rng := rand.New(rand.NewPCG(13, 14))
	a, b0, b1 := vectors(rng, 900, 1), vectors(rng, 700, 0), vectors(rng, 700, 3)
	for _, k := range []int{0, 1, 3, 4, 8, 15, 16, 17, 23, 24, 25, 31, 32, 39, 40, 41, 204, 205} {
		var offs []int
		for j := range 41 { // odd: pairs and a last single frame
			offs = append(offs, rng.IntN(len(a)-k+1), (j*13)%(len(b0)-k+1))
		}
		// Windows that move by 0 to 4 elements a frame, as a resampler's
		// do, up to the end of the history (the kernel shares the loads of
		// windows 1 to 3 apart).
		for bo := 0; bo <= len(b0)-k; bo += rng.IntN(5) {
			offs = append(offs, rng.IntN(len(a)-k+1), bo)
		}
		offs = append(offs, 0, len(b0)-k) // the last window
		out := testkit.Guarded(len(offs), guardF64)
		rows(a, k, b0, b1, offs, out)
		testkit.CheckGuard(t, out, guardF64, fmt.Sprintf("k=%d, %d rows", k, len(offs)/2))
		for j := 0; j < len(offs); j += 2 {
			ao, bo := offs[j], offs[j+1]
			w0, w1 := Dot2(a[ao:ao+k], b0[bo:bo+k], b1[bo:bo+k])
			if math.Float64bits(out[j]) != math.Float64bits(w0) || math.Float64bits(out[j+1]) != math.Float64bits(w1) {
				t.Fatalf("k=%d row %d: %v %v, Dot2 %v %v", k, j/2, out[j], out[j+1], w0, w1)
			}
		}
	}
}
