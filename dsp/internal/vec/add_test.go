package vec

import (
	"math"
	"testing"
)

// TestAddF32BitExact holds AddF32 (the kernel where there is one) to its
// Go loop bit for bit, −0 and the lengths around the kernel's step
// included.
func TestAddF32BitExact(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 3, 4, 7, 64, 1001} {
		x, y := narrow(input(n, 5)), narrow(input(n, 6))
		if n > 2 {
			x[2], y[2] = float32(math.Copysign(0, -1)), 0
		}
		got, want := append([]float32(nil), y...), append([]float32(nil), y...)
		AddF32(got, x)
		addF32Go(want, x)
		for i := range n {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) || want[i] != y[i]+x[i] {
				t.Fatalf("%d samples, [%d]: %v (Go %v), want %v", n, i, got[i], want[i], y[i]+x[i])
			}
		}
		if n > 2 && math.Signbit(float64(got[2])) {
			t.Fatalf("%d samples: 0 + −0 kept the sign", n)
		}
	}
}

// TestWidenNarrowBitExact holds Widen and Narrow to Go's conversions bit
// for bit (the kernels where there are some), at lengths around their
// steps, with −0, infinities, NaN, subnormals, values that overflow
// float32 and values halfway between two float32s.
func TestWidenNarrowBitExact(t *testing.T) {
	t.Parallel()
	special := []float64{math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(), 1e-40, -3e-45,
		math.MaxFloat32, 1e39, -1e39, 1 + 0x1p-24, 1 + 3*0x1p-24, 0x1p-149 / 2}
	for _, n := range []int{0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 64, 1001} {
		wide := input(n, 7)
		for i := range min(n, len(special)) {
			wide[i] = special[i]
		}
		got := make([]float32, n)
		Narrow(got, wide)
		for i, v := range wide {
			if math.Float32bits(got[i]) != math.Float32bits(float32(v)) {
				t.Fatalf("Narrow, %d values: [%d] = %v, want %v", n, i, got[i], float32(v))
			}
		}
		back := make([]float64, n+3) // longer than src: only len(src) written
		back[n] = 42
		Widen(back, got)
		for i, v := range got {
			if math.Float64bits(back[i]) != math.Float64bits(float64(v)) {
				t.Fatalf("Widen, %d values: [%d] = %v, want %v", n, i, back[i], float64(v))
			}
		}
		if back[n] != 42 {
			t.Fatalf("Widen, %d values: wrote past them", n)
		}
	}
}
