package check

import (
	"math"
	"testing"
)

// TestMonoInPlace: the in-place mono gives mono's bits, in the first
// channel.
func TestMonoInPlace(t *testing.T) {
	for _, nch := range []int{1, 2, 3} {
		chs := make([][]float32, nch)
		for c := range chs {
			chs[c] = make([]float32, 1000)
			for i := range chs[c] {
				chs[c][i] = float32(math.Sin(float64(i*(c+1))*0.37) * 0.7)
			}
		}
		want := append([]float32(nil), mono(chs)...)
		got := monoInPlace(chs)
		if &got[0] != &chs[0][0] {
			t.Fatalf("%d channels: not written over the first channel", nch)
		}
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%d channels, frame %d: %g, mono gives %g", nch, i, got[i], want[i])
			}
		}
	}
}
