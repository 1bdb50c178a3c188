package engine

import (
	"math"
	"testing"

	"stemmaster/audio"
)

// TestBlockRange pins blockRange to the builtin min and max (bit for bit,
// so −0 against +0 and NaN too) on blocks of special values.
func TestBlockRange(t *testing.T) {
	t.Parallel()
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	negZero := float32(math.Copysign(0, -1))
	blocks := [][2][]float32{
		{{0.5, -0.25}, {0.125, 0.75}},
		{{0, negZero}, {negZero, 0}},
		{{negZero}, {negZero}},
		{{inf, -inf}, {1, 2}},
		{{1, nan, -1}, {0, 0, 0}},
		{{-1e-45, 1e-45}, {-3, 3}},
		{{}, {}},
	}
	for i, d := range blocks {
		b := &audio.Buffer{Data: [][]float32{d[0], d[1]}}
		lo, hi := blockRange(b)
		wlo, whi := blockRangeFloat(b)
		if math.Float32bits(lo) != math.Float32bits(wlo) && !(lo != lo && wlo != wlo) ||
			math.Float32bits(hi) != math.Float32bits(whi) && !(hi != hi && whi != whi) {
			t.Errorf("block %d: %v %v, want %v %v", i, lo, hi, wlo, whi)
		}
	}
}
