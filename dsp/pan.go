package dsp

import "math"

// PanGains returns the constant-power placement gains of a mono source at
// position p (−1 = hard left, 0 = centre, 1 = hard right): θ = (p + 1)·π/4,
// L = cos θ, R = sin θ, so L² + R² = 1 at every position and the centre is
// −3.01 dB in each channel.
func PanGains(p float64) (l, r float64) {
	theta := (p + 1) * math.Pi / 4
	return math.Cos(theta), math.Sin(theta)
}

// BalanceGains returns the gains of a balance control for a stereo source at
// position p: unity in the centre; the channel panned towards stays at unity
// and the far channel is attenuated along a quarter cosine, cos(|p|·π/2):
// −3.01 dB at |p| = 0.5, silent at ±1. It does not move content between
// channels.
func BalanceGains(p float64) (l, r float64) {
	l, r = 1, 1
	if p > 0 {
		l = math.Cos(p * math.Pi / 2)
	} else if p < 0 {
		r = math.Cos(-p * math.Pi / 2)
	}
	return l, r
}
