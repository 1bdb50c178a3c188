package engine

import (
	"math"
	"testing"
)

// TestModelRunBitExact runs the gain model's K-weighting and peak estimate
// through run (the kernel where there is one) and runGo side by side, one
// segment at a time, over frequency-modulated tones, silence decaying to subnormal numbers and
// a stretch holding NaN and infinity, and wants the same bits everywhere:
// energies, peaks and the state carried to the next segment.
func TestModelRunBitExact(t *testing.T) {
	t.Parallel()
	const n = 48000
	xl, xr := make([]float32, n), make([]float32, n)
	for i := range xl {
		// Two tones frequency-modulated fast enough to fill the band.
		a, t := 0.2*(1+math.Sin(float64(i)/3000)), float64(i)
		xl[i] = float32(a * math.Sin(0.731*t+5*math.Sin(0.013*t)))
		xr[i] = float32(a * math.Sin(1.917*t+7*math.Sin(0.0071*t)))
	}
	clear(xl[20000:30000])
	clear(xr[20000:30000])
	xr[40000] = float32(math.NaN())
	xl[40100] = float32(math.Inf(1))
	for _, rate := range []float64{48000, 44100} {
		a, b := newGainModel(rate, n), newGainModel(rate, n)
		for off := 0; off < n; off += 48 {
			end := min(off+48, n)
			ea, pa := a.run(xl[off:end], xr[off:end])
			eb, pb := b.runGo(xl[off:end], xr[off:end])
			for c := range busChannels {
				if math.Float64bits(ea[c]) != math.Float64bits(eb[c]) || math.Float32bits(pa[c]) != math.Float32bits(pb[c]) {
					t.Fatalf("%g Hz, frame %d, channel %d: run %v, %v; runGo %v, %v", rate, off, c, ea[c], pa[c], eb[c], pb[c])
				}
			}
			if a.st != b.st && !(math.IsNaN(a.st.y1[0]) || math.IsNaN(a.st.y1[1])) {
				t.Fatalf("%g Hz, frame %d: state %v, want %v", rate, off, a.st, b.st)
			}
		}
	}
}
