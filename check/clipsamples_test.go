package check

import (
	"math"
	"math/rand/v2"
	"testing"

	"stemmaster"
	"stemmaster/audio"
)

// TestIsolatedClips: a stem pushed into the ceiling by a gain (as sox's
// "vol +9dB" does) holds full-scale samples one or two at a time, no run
// of ClipRunSamples, and is still reported as clipping; clean material
// that reaches full scale once, or a limiter's ceiling below it, is not.
func TestIsolatedClips(t *testing.T) {
	t.Parallel()
	const rate, seconds = 48000, 10
	top := float32((1<<23 - 1) / float64(1<<23))
	// Noise with a drum's crest factor: independent samples, so a gain
	// that clips a few hundred of them leaves no run of three.
	rng := rand.New(rand.NewPCG(7, 11))
	noise := audio.NewBuffer(2, rate*seconds)
	for c := range noise.Data {
		for i := range noise.Data[c] {
			noise.Data[c][i] = float32(0.1 * rng.NormFloat64())
		}
	}
	peak := 0.0
	for _, ch := range noise.Data {
		for _, v := range ch {
			peak = max(peak, math.Abs(float64(v)))
		}
	}
	// render scales the noise by g, clips it at ±ceiling (the positive
	// side at most the top 24-bit code) and quantises it to 24 bits.
	render := func(g, ceiling float64) (*audio.Buffer, int) {
		b := noise.Clone()
		hi := min(float32(ceiling), top)
		at := 0
		for _, ch := range b.Data {
			for i, v := range ch {
				q := float32(math.Round(float64(v)*g*(1<<23)) / (1 << 23))
				q = min(max(q, -float32(ceiling)), hi)
				if q >= top || q <= -1 {
					at++
				}
				ch[i] = q
			}
		}
		return b, at
	}
	cases := []struct {
		name    string
		g, ceil float64
		clipped bool
	}{
		// 1/peak puts the loudest sample exactly at full scale.
		{"normalised to full scale", 1 / peak, 1, false},
		{"limited at -0.1 dBFS", 0.99 / peak * math.Pow(10, 3.0/20), math.Pow(10, -0.1/20), false},
		{"pushed +3 dB into the ceiling", 1 / peak * math.Pow(10, 3.0/20), 1, true},
	}
	for _, tc := range cases {
		b, at := render(tc.g, tc.ceil)
		st := newLevelStats(pcm24(rate, 2))
		st.add(b, b.Frames())
		if tc.clipped && (st.clipRuns != 0 || at < 2*ClipSamplesMin) {
			t.Fatalf("%s: %d runs, %d full-scale samples: the case does not build isolated clips", tc.name, st.clipRuns, at)
		}
		if st.fullScale != int64(at) {
			t.Errorf("%s: %d full-scale samples counted, %d put in", tc.name, st.fullScale, at)
		}
		rep := run(t, []Source{memSource("drums.wav", b, pcm24(rate, 2))}, nil)
		var got []stemmaster.Finding
		for _, f := range rep.Findings {
			if f.Code == stemmaster.CodeClipping {
				got = append(got, f)
			}
		}
		switch {
		case !tc.clipped && len(got) > 0:
			t.Errorf("%s (%d full-scale samples): clipping reported: %s", tc.name, at, got[0].Message)
		case tc.clipped && (len(got) != 1 || got[0].Value == nil || *got[0].Value != float64(at)):
			t.Errorf("%s: want one clipping finding of %d samples, got %v", tc.name, at, describe(got))
		}
	}
}
