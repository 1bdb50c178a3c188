package loudness

import (
	"math"
	"testing"
)

// TestStereoKWeightingBitExact runs EnergyPeak (the kernel where there is
// one) beside the meter's filter (kFilter.run) and peakEstimate, one
// channel at a time, over stretches of uneven lengths of frequency-modulated
// tones, silence decaying to subnormal numbers and a stretch holding NaN and
// infinity, and wants the same bits everywhere: sums, peaks and the state
// carried to the next stretch.
func TestStereoKWeightingBitExact(t *testing.T) {
	t.Parallel()
	const n = 48000
	xa, xb := make([]float32, n), make([]float32, n)
	for i := range xa {
		// Two tones frequency-modulated fast enough to fill the band.
		a, t := 0.2*(1+math.Sin(float64(i)/3000)), float64(i)
		xa[i] = float32(a * math.Sin(0.731*t+5*math.Sin(0.013*t)))
		xb[i] = float32(a * math.Sin(1.917*t+7*math.Sin(0.0071*t)))
	}
	clear(xa[20000:30000])
	clear(xb[20000:30000])
	xb[40000] = float32(math.NaN())
	xa[40100] = float32(math.Inf(1))
	same := func(x, y float64) bool {
		return math.Float64bits(x) == math.Float64bits(y) || math.IsNaN(x) && math.IsNaN(y)
	}
	for _, rate := range []float64{48000, 44100} {
		s := NewStereoKWeighting(rate)
		k := newKCoefs(rate)
		var f [2]kFilter
		var last [2][3]float64
		for off, seg := 0, 1; off < n; off, seg = off+seg, seg%97+1 {
			end := min(off+seg, n)
			ea, eb, pa, pb := s.EnergyPeak(xa[off:end], xb[off:end])
			got := [2][2]float64{{ea, pa}, {eb, pb}}
			for c, x := range [2][]float32{xa[off:end], xb[off:end]} {
				e := f[c].run(&k, x)
				p := peakEstimate(x, &last[c])
				if !same(got[c][0], e) || !same(got[c][1], p) {
					t.Fatalf("%g Hz, frame %d, channel %d: EnergyPeak %v, %v; run %v, %v", rate, off, c, got[c][0], got[c][1], e, p)
				}
				st := s.st
				want := [9]float64{f[c].x1, f[c].x2, f[c].y1, f[c].y2, f[c].o1, f[c].o2, last[c][0], last[c][1], last[c][2]}
				have := [9]float64{st[c], st[2+c], st[4+c], st[6+c], st[8+c], st[10+c], st[14+c], st[16+c], st[18+c]}
				for i := range want {
					if !same(have[i], want[i]) {
						t.Fatalf("%g Hz, frame %d, channel %d: state %v, want %v", rate, off, c, have, want)
					}
				}
			}
		}
	}
}
