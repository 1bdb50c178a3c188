package dsp

import (
	"stemmaster/audio"
	"stemmaster/dsp/internal/vec"
)

// sumStems is SumInto's loop: every frame's sum is 0 + s₀ + s₁ + … added
// left to right (one addition after the other from zero: the same bits,
// −0 included), a source at a time over the cleared destination through
// the vector kernel (vec.AddF32, each lane the scalar addition).
func sumStems(dst *audio.Buffer, srcs []*audio.Buffer, n int) {
	for c, d := range dst.Data {
		d = d[:n]
		clear(d)
		for _, s := range srcs {
			vec.AddF32(d, s.Data[c][:n])
		}
	}
}
