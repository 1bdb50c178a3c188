package dsp

import "stemmaster/audio"

// zero starts every sum, as clearing the destination did: 0 + (−0) is +0.
var zero float32

// sumStems is SumInto's loop: every frame's sum is 0 + s₀ + s₁ + … added
// left to right (one addition after the other from zero: the same bits,
// −0 included), four sources per pass over dst, which then loads and
// stores each frame once per four sources instead of once per source.
func sumStems(dst *audio.Buffer, srcs []*audio.Buffer, n int) {
	for c, d := range dst.Data {
		d = d[:n]
		k := 0
		switch {
		case len(srcs) == 0:
			clear(d)
		case len(srcs) == 1:
			for i, v := range srcs[0].Data[c][:n] {
				d[i] = zero + v
			}
			k = 1
		default:
			a, b := srcs[0].Data[c][:n], srcs[1].Data[c][:n]
			for i := range d {
				d[i] = zero + a[i] + b[i]
			}
			k = 2
		}
		for ; k+4 <= len(srcs); k += 4 {
			a, b, e, f := srcs[k].Data[c][:n], srcs[k+1].Data[c][:n], srcs[k+2].Data[c][:n], srcs[k+3].Data[c][:n]
			for i := range d {
				d[i] = d[i] + a[i] + b[i] + e[i] + f[i]
			}
		}
		for ; k < len(srcs); k++ {
			for i, v := range srcs[k].Data[c][:n] {
				d[i] += v
			}
		}
	}
}
