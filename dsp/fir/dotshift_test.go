package fir

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestDot2ShiftsSameBits checks Dot2Shifts against Dot2 row by row, bit
// for bit, for lengths around the kernel's steps and blocks.
func TestDot2ShiftsSameBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, k := range []int{0, 1, 4, 15, 16, 17, 27, 28, 31, 32, 100, 1023, 1024, 1040, 2049, 5003} {
		a := make([]float64, k+40)
		b0, b1 := make([]float64, k+3), make([]float64, k+3)
		for _, s := range [][]float64{a, b0, b1} {
			for i := range s {
				s[i] = rng.NormFloat64()
			}
		}
		offs := []int{0, 1, 2, 7, 39, 40, 3}
		out := make([]float64, 2*len(offs))
		Dot2Shifts(a, offs, k, b0, b1, out)
		for j, o := range offs {
			w0, w1 := Dot2(a[o:o+k], b0, b1)
			if math.Float64bits(out[2*j]) != math.Float64bits(w0) || math.Float64bits(out[2*j+1]) != math.Float64bits(w1) {
				t.Fatalf("k %d, offset %d: %v, %v; Dot2 gives %v, %v", k, o, out[2*j], out[2*j+1], w0, w1)
			}
		}
	}
}

func TestDot2ShiftsPanicsOutOfRange(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for a row past the end of a")
		}
	}()
	Dot2Shifts(make([]float64, 10), []int{5}, 6, make([]float64, 6), make([]float64, 6), make([]float64, 2))
}

// TestDotPortable4ManySameBits checks DotPortable4Many against
// DotPortable4 job by job, bit for bit.
func TestDotPortable4ManySameBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{0, 1, 3, 4, 5, 1023, 1024, 1027, 3001} {
		vs := make([][]float64, 6)
		for v := range vs {
			vs[v] = make([]float64, n+2)
			for i := range vs[v] {
				vs[v][i] = rng.NormFloat64()
			}
		}
		jobs := []Dot4Job{
			{A: vs[0][:n], B: [4][]float64{vs[1], vs[2], vs[3], vs[4]}},
			{A: vs[5][:n], B: [4][]float64{vs[0], vs[5], vs[1], vs[1]}},
		}
		DotPortable4Many(jobs)
		for k, j := range jobs {
			var w [4]float64
			w[0], w[1], w[2], w[3] = DotPortable4(j.A, j.B[0], j.B[1], j.B[2], j.B[3])
			for q := range w {
				if math.Float64bits(j.Out[q]) != math.Float64bits(w[q]) {
					t.Fatalf("n %d, job %d, sum %d: %v, want %v", n, k, q, j.Out[q], w[q])
				}
			}
		}
	}
}
