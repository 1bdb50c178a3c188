package loudness

import (
	"math"
	"testing"

	"stemmaster/internal/audiotest"
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

// TestExtremes holds Extremes (its kernel where there is one) to the
// builtin min and max, bit for bit (−0 below +0), at lengths around the
// kernel's step, with zeros of both signs, infinities, denormals and a
// NaN (ok false) at every position of a short block.
func TestExtremes(t *testing.T) {
	t.Parallel()
	noise := audiotest.WhiteNoise(9, 1, 100, -6).Data[0]
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	negZero := float32(math.Copysign(0, -1))
	for n := 0; n <= len(noise); n++ {
		for _, special := range []float32{0, negZero, inf, -inf, 1e-45, -1e-45, nan, 2, -2} {
			for _, at := range []int{0, n / 2, n - 1} {
				if at < 0 || at >= n && n > 0 {
					continue
				}
				x := append([]float32(nil), noise[:n]...)
				if n > 0 {
					x[at] = special
				}
				lo, hi, ok := Extremes(x)
				wlo, whi := float32(math.Inf(1)), float32(math.Inf(-1))
				hasNaN := false
				for _, v := range x {
					wlo, whi = min(wlo, v), max(whi, v)
					hasNaN = hasNaN || v != v
				}
				if ok != (n > 0 && !hasNaN) {
					t.Fatalf("n=%d, %v at %d: ok %v", n, special, at, ok)
				}
				if ok && (math.Float32bits(lo) != math.Float32bits(wlo) || math.Float32bits(hi) != math.Float32bits(whi)) {
					t.Fatalf("n=%d, %v at %d: %v %v, want %v %v", n, special, at, lo, hi, wlo, whi)
				}
			}
		}
	}
	// All zeros of mixed signs: −0 is the smallest.
	x := make([]float32, 40)
	x[17] = negZero
	if lo, hi, _ := Extremes(x); math.Float32bits(lo) != math.Float32bits(negZero) || math.Float32bits(hi) != 0 {
		t.Fatalf("zeros: %v %v, want −0 +0", lo, hi)
	}
}

// BenchmarkExtremes takes the extremes of a 4800-frame channel (a curve
// step at 48 kHz).
func BenchmarkExtremes(b *testing.B) {
	x := audiotest.WhiteNoise(9, 1, 4800, -6).Data[0]
	b.SetBytes(4 * int64(len(x)))
	for b.Loop() {
		Extremes(x)
	}
}
