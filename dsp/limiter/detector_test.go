package limiter

import (
	"math"
	"testing"

	"stemmaster/internal/audiotest"
)

func TestDetectorBound(t *testing.T) {
	t.Parallel()
	// The exact skip rests on two bounds. (1) detector4x.bound is at least
	// every magnitude run writes: on noise, and on the input that makes the
	// stage-1 sum reach gain1 (the samples carry the signs of the taps),
	// where the interpolated value equals gain1 × the amplitude, so the
	// bound is also tight. (2) The parabola refinement of framePeakOf is at
	// most parabolaGain × the local maximum (random triples).
	const a = 0.5
	d := newDetector4x(1, chunkFrames)
	signs := make([]float64, 64)
	for j, c := range d.s1.c {
		s := math.Copysign(a, c)
		signs[j], signs[63-j] = s, s
	}
	noise := audiotest.WhiteNoise(3, 1, 4*chunkFrames, 0).Data[0]
	z := make([]float64, 4*chunkFrames)
	cases := []struct {
		name string
		x    func(i int) float64
		n    int
	}{
		{"white noise", func(i int) float64 { return float64(noise[i]) }, chunkFrames},
		{"tap signs", func(i int) float64 { return signs[i%64] }, 64},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d.reset()
			worst, top := 0.0, 0.0
			for at := 0; at < 4*c.n; at += c.n {
				in := d.input(0, c.n)
				for i := range in {
					in[i] = c.x(at + i)
				}
				b := d.bound(0, c.n)
				d.run(0, c.n, z, true)
				for _, v := range z[:4*c.n] {
					worst = max(worst, v/b)
					top = max(top, v)
				}
			}
			if worst > 1 {
				t.Errorf("a detected magnitude is %.6f × the bound", worst)
			}
			if c.name == "tap signs" && top < a*d.gain1*(1-1e-12) {
				t.Errorf("largest magnitude %.6f, want gain1 × %g = %.6f", top, a, a*d.gain1)
			}
		})
	}
	r := uint64(1)
	next := func() float64 { r = r*6364136223846793005 + 1442695040888963407; return float64(r>>11) / (1 << 53) }
	for range 100000 {
		b := next()
		av, vv := b*next(), b*next()
		if math.Mod(float64(r), 5) == 0 {
			av = b // an edge: a flat top
		}
		l := &TruePeakLimiter{}
		l.z2, l.z1 = av, b
		// the emitted frame holds the candidates of p = 0 … 2, the first
		// refined through (av, b, vv)
		if got := l.framePeakOf([]float64{vv, 0, 0, 0}); got > parabolaGain*b*(1+1e-15) {
			t.Fatalf("parabola through %g, %g, %g peaks at %g > %g × %g", av, b, vv, got, parabolaGain, b)
		}
	}
}
