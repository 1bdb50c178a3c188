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
	var all Cascade
	for _, b := range []Band{
		{Type: TypeHighPass, FreqHz: 40, Q: 0.707}, {Type: TypePeak, FreqHz: 250, Q: 1, GainDB: 1}, {Type: TypePeak, FreqHz: 1000, Q: 1, GainDB: -2},
		{Type: TypeHighShelf, FreqHz: 8000, Q: 0.707, GainDB: 1.5}, {Type: TypeLowShelf, FreqHz: 90, Q: 0.7, GainDB: 3}, {Type: TypeNotch, FreqHz: 60, Q: 4},
		{Type: TypeLowPass, FreqHz: 12000, Q: 0.7}, {Type: TypePeak, FreqHz: 5000, Q: 2, GainDB: 4}, {Type: TypeBandPass, FreqHz: 3000, Q: 0.7},
	} {
		all = b.Sections(all, 48000)
	}
	if !pairAccelerated {
		t.Skip("no accelerated kernels on this machine")
	}
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
