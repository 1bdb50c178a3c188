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
