package audiotest

import (
	"math"
	"testing"
)

// TestFitSine recovers a known tone with DC and a known added harmonic: the
// residual is the harmonic's RMS (amplitude/√2).
func TestFitSine(t *testing.T) {
	t.Parallel()
	const tol = 1e-6
	const rate, f, amp, ph, dc, h = 48000.0, 997.0, 0.5, 0.3, 0.01, 1e-3
	y := make([]float32, 48000)
	w := 2 * math.Pi * f / rate
	for i := range y {
		y[i] = float32(amp*math.Sin(w*float64(i)+ph) + dc + h*math.Sin(3*w*float64(i)))
	}
	a, p, r := FitSine(y, w, 0, len(y))
	if math.Abs(a-amp) > tol || math.Abs(p-ph) > tol || math.Abs(r-h/math.Sqrt2) > 1e-5 {
		t.Errorf("FitSine = %g, %g, %g; want %g, %g, %g", a, p, r, amp, ph, h/math.Sqrt2)
	}
}
