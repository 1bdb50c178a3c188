package fir

import (
	"math"
	"math/rand/v2"
	"testing"
)

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
		out := make([]float64, len(offs))
		rows(a, k, b0, b1, offs, out)
		for j := 0; j < len(offs); j += 2 {
			ao, bo := offs[j], offs[j+1]
			w0, w1 := Dot2(a[ao:ao+k], b0[bo:bo+k], b1[bo:bo+k])
			if math.Float64bits(out[j]) != math.Float64bits(w0) || math.Float64bits(out[j+1]) != math.Float64bits(w1) {
				t.Fatalf("k=%d row %d: %v %v, Dot2 %v %v", k, j/2, out[j], out[j+1], w0, w1)
			}
		}
	}
}
