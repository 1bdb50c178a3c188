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
