package engine

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestModelRunBitExact runs the gain model's K-weighting and peak estimate
// through run (the kernel where there is one) and runGo side by side, one
// segment at a time, over noise, silence decaying to subnormal numbers and
// a stretch holding NaN and infinity, and wants the same bits everywhere:
// energies, peaks and the state carried to the next segment.
func TestModelRunBitExact(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	const n = 48000
	xl, xr := make([]float32, n), make([]float32, n)
	for i := range xl {
		a := 0.2 * (1 + math.Sin(float64(i)/3000))
		xl[i], xr[i] = float32(rng.NormFloat64()*a), float32(rng.NormFloat64()*a)
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
