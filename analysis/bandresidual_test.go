package analysis

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestBandResidualParseval: with the edge at Nyquist every sample weighs
// one, so the accumulated energy is the signal's, whatever the block
// sizes and the length (not a whole number of frames).
func TestBandResidualParseval(t *testing.T) {
	const rate = 48000
	rng := rand.New(rand.NewPCG(1, 2))
	for _, frames := range []int{1, 1000, 4096, 48000 + 123} {
		b := NewBandResidual(2, rate, rate/2)
		x := make([][]float64, 2)
		var e [2]float64
		for c := range x {
			x[c] = make([]float64, frames)
			for i := range x[c] {
				x[c][i] = rng.NormFloat64()
				e[c] += x[c][i] * x[c][i]
			}
		}
		for at := 0; at < frames; at += 777 {
			end := min(at+777, frames)
			b.Add(0, x[0][at:end], x[1][at:end])
			b.Add(1, x[1][at:end], x[0][at:end])
		}
		b.frames.flush()
		want := e[0] + e[1]
		if math.Abs(b.res-want) > 1e-9*want || math.Abs(b.ref-want) > 1e-9*want {
			t.Errorf("%d frames: energies %.12g and %.12g, want %.12g", frames, b.res, b.ref, want)
		}
		if db := b.DB(); math.Abs(db) > 1e-9 {
			t.Errorf("%d frames: %g dB, want 0", frames, db)
		}
	}
}

// TestBandResidualKeepsTheBand: a residual of a tone above the edge (as
// loud as the mix) and one 40 dB down below it reads −40 dB; the edge at
// Nyquist reads both. The tones fade in and out over 20 ms, as a stretch
// of music does: an abrupt start spreads a little of the tone over every
// frequency.
func TestBandResidualKeepsTheBand(t *testing.T) {
	const rate = 48000
	const frames = 3 * rate
	r := make([]float64, frames)
	m := make([]float64, frames)
	for i := range r {
		ti := float64(i) / rate
		fade := min(1, ti/0.02, float64(frames-i)/rate/0.02)
		m[i] = math.Sin(2 * math.Pi * 1000 * ti)
		r[i] = fade * (math.Sin(2*math.Pi*22000*ti) + 0.01*math.Sin(2*math.Pi*5000*ti))
		m[i] *= fade
	}
	for _, tc := range []struct {
		edge, want float64
	}{
		{BandEdgeFraction * 44100 / 2, -40},
		{rate / 2, 10 * math.Log10(1+1e-4)},
	} {
		b := NewBandResidual(1, rate, tc.edge)
		for at := 0; at < frames; at += 4096 {
			end := min(at+4096, frames)
			b.Add(0, r[at:end], m[at:end])
		}
		if got := b.DB(); math.Abs(got-tc.want) > 0.005 {
			t.Errorf("edge %.0f Hz: %.3f dB, want %.3f", tc.edge, got, tc.want)
		}
	}
}
