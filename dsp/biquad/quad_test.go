package biquad

import (
	"math"
	"testing"

	"stemmaster/internal/audiotest"
)

// TestQuadKernelExact checks Process2 with the quad kernel (and the pair
// kernel after it) bit for bit against run2 section by section, for
// cascades of four to nine sections and blocks of every length around the
// kernel's ramps (5 to 13 frames, both parities), then long ones.
func TestQuadKernelExact(t *testing.T) {
	t.Parallel()
	if !pairAccelerated {
		t.Skip("no accelerated kernels on this machine")
	}
	const fs = 48000
	all := Cascade{HighPass(fs, 40, 0.707), Peak(fs, 250, 1, 1), Peak(fs, 1000, 1, -2), HighShelf(fs, 8000, 0.707, 1.5),
		LowShelf(fs, 90, 0.7, 3), AllPass(fs, 3000, 0.7), LowPass(fs, 12000, 0.7), Notch(fs, 60, 4), Peak(fs, 5000, 2, 4)}
	noise := audiotest.PinkNoise(3, 2, 3000, -6)
	sizes := []int{5, 6, 7, 8, 9, 10, 11, 12, 13, 256, 777}
	for n := 4; n <= len(all); n++ {
		fast, slow := NewFilter(2, all[:n]), NewFilter(2, all[:n])
		slow.wide, slow.quad = nil, nil
		pos := 0
		for _, size := range sizes {
			x0, x1 := make([]float64, size), make([]float64, size)
			for i := range size {
				x0[i], x1[i] = float64(noise.Data[0][pos+i]), float64(noise.Data[1][pos+i])
			}
			y0, y1 := append([]float64(nil), x0...), append([]float64(nil), x1...)
			fast.Process2(0, x0, 1, x1)
			slow.Process2(0, y0, 1, y1)
			for i := range size {
				if math.Float64bits(x0[i]) != math.Float64bits(y0[i]) || math.Float64bits(x1[i]) != math.Float64bits(y1[i]) {
					t.Fatalf("%d sections, block of %d at %d: frame %d: quad %v %v, run2 %v %v", n, size, pos, i, x0[i], x1[i], y0[i], y1[i])
				}
			}
			pos += size
		}
		for i := range fast.st {
			if fast.st[i] != slow.st[i] {
				t.Fatalf("%d sections: state %d: quad %v, run2 %v", n, i, fast.st[i], slow.st[i])
			}
		}
	}
}
