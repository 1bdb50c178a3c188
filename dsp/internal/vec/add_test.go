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

// TestWidenMulAddBitExact pins WidenMulAdd (the kernel where there is
// one) to widenMulAddGo bit for bit, at lengths around the kernel's step.
func TestWidenMulAddBitExact(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 3, 4, 5, 8, 4095, 4096} {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(math.Sin(float64(i)*0.37) * 0.9)
		}
		d1, d2, a1, a2 := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range a1 {
			a1[i] = math.Cos(float64(i)) * 0.3
			a2[i] = a1[i]
		}
		WidenMulAdd(d1, a1, x, -math.Sqrt(0.5), 0.8123)
		widenMulAddGo(d2, a2, x, -math.Sqrt(0.5), 0.8123)
		for i := range d1 {
			if math.Float64bits(d1[i]) != math.Float64bits(d2[i]) || math.Float64bits(a1[i]) != math.Float64bits(a2[i]) {
				t.Fatalf("n=%d, element %d: %v, %v; want %v, %v", n, i, d1[i], a1[i], d2[i], a2[i])
			}
		}
	}
}

// TestScaleF32BitExact pins ScaleF32 (the kernel where there is one) to
// scaleF32Go bit for bit, at lengths around the kernel's steps, with the
// destination also the source (in place).
func TestScaleF32BitExact(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 24, 4095, 4096} {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(math.Sin(float64(i)*0.37) * 0.9)
		}
		for _, g := range []float32{1, -1, 0.70710677, -0.3981, 1e-30} {
			d1, d2 := make([]float32, n), make([]float32, n)
			ScaleF32(d1, x, g)
			scaleF32Go(d2, x, g)
			for i := range d1 {
				if math.Float32bits(d1[i]) != math.Float32bits(d2[i]) {
					t.Fatalf("n=%d, g=%v, element %d: %v; want %v", n, g, i, d1[i], d2[i])
				}
			}
			in := append([]float32(nil), x...)
			ScaleF32(in, in, g)
			for i := range in {
				if math.Float32bits(in[i]) != math.Float32bits(d2[i]) {
					t.Fatalf("in place: n=%d, g=%v, element %d: %v; want %v", n, g, i, in[i], d2[i])
				}
			}
		}
	}
}

// BenchmarkScaleF32 places a block of 4096 frames, one channel: the kernel
// against the Go loop.
func BenchmarkScaleF32(b *testing.B) {
	x := make([]float32, 4096)
	for i := range x {
		x[i] = float32(math.Sin(float64(i) * 0.37))
	}
	dst := make([]float32, len(x))
	b.Run("kernel", func(b *testing.B) {
		b.SetBytes(int64(4 * len(x)))
		for b.Loop() {
			ScaleF32(dst, x, 0.7)
		}
	})
	b.Run("go", func(b *testing.B) {
		b.SetBytes(int64(4 * len(x)))
		for b.Loop() {
			scaleF32Go(dst, x, 0.7)
		}
	})
}
