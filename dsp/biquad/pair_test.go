package biquad

import (
	"math"
	"testing"

	"stemmaster/internal/audiotest"
)

// TestPairKernelExact checks that Process2 with the accelerated pair kernel
// gives, bit for bit, what run2 gives section by section, on noise with a
// burst of silence (the states decay and are flushed) through cascades of
// one to five sections, in chunks of several lengths including 0 and 1.
func TestPairKernelExact(t *testing.T) {
	t.Parallel()
	if !pairAccelerated {
		t.Skip("no accelerated pair kernel on this machine")
	}
	const fs = 48000
	all := Cascade{HighPass(fs, 40, 0.707), Peak(fs, 250, 1, 1), Peak(fs, 1000, 1, -2), HighShelf(fs, 8000, 0.707, 1.5), LowShelf(fs, 90, 0.7, 3)}
	noise := audiotest.PinkNoise(7, 2, 6000, -6)
	for _, ch := range noise.Data {
		clear(ch[2000:4500]) // silence long enough for the states to flush
	}
	for n := 1; n <= len(all); n++ {
		cs := all[:n]
		fast := NewFilter(2, cs)
		slow := NewFilter(2, cs)
		slow.wide = nil // run2 section by section
		a0, a1 := make([]float64, 0, 6000), make([]float64, 0, 6000)
		b0, b1 := make([]float64, 0, 6000), make([]float64, 0, 6000)
		pos := 0
		for _, size := range []int{0, 1, 255, 256, 1000, 3, 4096} {
			size = min(size, len(noise.Data[0])-pos)
			x0, x1, y0, y1 := make([]float64, size), make([]float64, size), make([]float64, size), make([]float64, size)
			for i := range size {
				x0[i], y0[i] = float64(noise.Data[0][pos+i]), float64(noise.Data[0][pos+i])
				x1[i], y1[i] = float64(noise.Data[1][pos+i]), float64(noise.Data[1][pos+i])
			}
			fast.Process2(0, x0, 1, x1)
			slow.Process2(0, y0, 1, y1)
			a0, a1, b0, b1 = append(a0, x0...), append(a1, x1...), append(b0, y0...), append(b1, y1...)
			pos += size
		}
		for i := range a0 {
			if math.Float64bits(a0[i]) != math.Float64bits(b0[i]) || math.Float64bits(a1[i]) != math.Float64bits(b1[i]) {
				t.Fatalf("%d sections: frame %d: pair kernel %v %v, run2 %v %v", n, i, a0[i], a1[i], b0[i], b1[i])
			}
		}
		for i := range fast.st {
			if fast.st[i] != slow.st[i] {
				t.Fatalf("%d sections: state %d: pair kernel %v, run2 %v", n, i, fast.st[i], slow.st[i])
			}
		}
	}
}
