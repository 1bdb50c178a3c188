package check

import (
	"math"
	"math/rand/v2"
	"strings"
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

// TestClippedThenTurnedDown: a stem clipped and then turned down keeps its
// flattened peaks, all at one level under full scale, several of them
// wider than a sample; a hard limiter's ceiling, met by single samples,
// and a steady tone, whose crest repeats every period, are no clip.
func TestClippedThenTurnedDown(t *testing.T) {
	t.Parallel()
	const rate, seconds = 48000, 10
	q24 := func(v float64) float32 { return float32(math.Round(v*(1<<23)) / (1 << 23)) }
	// Smooth noise (a moving average of eight samples), so a clip holds
	// the ceiling over neighbouring samples as music's waveforms do.
	rng := rand.New(rand.NewPCG(3, 5))
	smooth := make([][]float64, 2)
	peak := 0.0
	for c := range smooth {
		smooth[c] = make([]float64, rate*seconds)
		var win [8]float64
		var sum float64
		for i := range smooth[c] {
			v := 0.1 * rng.NormFloat64()
			sum += v - win[i%8]
			win[i%8] = v
			smooth[c][i] = sum / 8
			peak = max(peak, math.Abs(sum/8))
		}
	}
	build := func(f func(c, i int) float32) *audio.Buffer {
		b := audio.NewBuffer(2, rate*seconds)
		for c := range b.Data {
			for i := range b.Data[c] {
				b.Data[c][i] = f(c, i)
			}
		}
		return b
	}
	clipDown := func(db float64) *audio.Buffer {
		g, ceil := math.Pow(10, db/20)/peak, math.Pow(10, -db/20)
		return build(func(c, i int) float32 { return q24(min(max(smooth[c][i]*g, -1), 1) * ceil) })
	}
	// A limiter's output: bursts of a 1 kHz tone whose crests it holds at
	// exactly -1 dBFS, one sample each (the crest falls on a sample).
	ceil := math.Pow(10, -1.0/20)
	limited := build(func(c, i int) float32 {
		burst := i / (rate / 4)
		a := ceil
		if burst%3 != 0 {
			a *= 0.5 + 0.1*float64(burst%5)
		}
		return q24(a * math.Sin(2*math.Pi*1000*float64(i)/rate))
	})
	tone := build(func(c, i int) float32 { return q24(0.5 * math.Sin(2*math.Pi*1000*float64(i)/rate)) })
	for _, tc := range []struct {
		name string
		b    *audio.Buffer
		want string // "" for no clipping finding
	}{
		{"clipped +4.5 dB, then down 4.5 dB", clipDown(4.5), "peaks flattened under full scale: "},
		{"clipped +3 dB, then down 3 dB", clipDown(3), "sit at exactly -3.0 dBFS, its peak"},
		{"limited at -1 dBFS", limited, ""},
		{"a steady tone at -6 dBFS", tone, ""},
	} {
		rep := run(t, []Source{memSource("drums.wav", tc.b, pcm24(rate, 2))}, nil)
		var got []stemmaster.Finding
		for _, f := range rep.Findings {
			if f.Code == stemmaster.CodeClipping {
				got = append(got, f)
			}
		}
		switch {
		case tc.want == "" && len(got) > 0:
			t.Errorf("%s: clipping reported: %s", tc.name, got[0].Message)
		case tc.want != "" && (len(got) != 1 || !strings.Contains(got[0].Message, tc.want)):
			t.Errorf("%s: want one clipping finding saying %q, got %s", tc.name, tc.want, describe(got))
		}
	}
}
