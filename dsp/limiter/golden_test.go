package limiter

import (
	"flag"
	"testing"

	"stemmaster/audio"
	"stemmaster/dsp/internal/dsptest"
	"stemmaster/internal/audiotest"
)

var update = flag.Bool("update", false, "rewrite testdata/golden.json")

// goldenSignal is programme for the limiter: heavy limiting (white noise
// +6 dBFS), music-like pink noise at 0 dBFS, a near-Nyquist tone over the
// ceiling, bursts under it (the exact skip), silence (the idle path) and
// float32 subnormals.
func goldenSignal(rate float64, channels int) *audio.Buffer {
	tiny := audio.NewBuffer(channels, 900)
	for c := range tiny.Data {
		for i := range tiny.Data[c] {
			tiny.Data[c][i] = float32(i%3-1) * 1e-44
		}
	}
	quiet := audiotest.PinkNoise(4, channels, 3000, -12)
	dsptest.QuietBursts(quiet, 700, 8)
	return audiotest.Concat(
		audiotest.WhiteNoise(1, channels, 3000, 6),
		audiotest.PinkNoise(2, channels, 5000, 0),
		audiotest.Sine(rate, channels, 2000, 0.47*rate, 1, 0.2),
		quiet,
		audiotest.Silence(channels, 6000),
		tiny,
		audiotest.PinkNoise(3, channels, 4000, 3),
	)
}

// TestGolden pins the limiter's output bits, its per-block reduction and
// its statistics, for the layouts, rates and characters below, cut into
// blocks of odd sizes, to the SHA-256 in testdata/golden.json (go test
// -run TestGolden -args -update rewrites it, which a change of the
// arithmetic must say why).
func TestGolden(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		rate     float64
		channels int
		p        Params
	}{
		{"stereo-48k", 48000, 2, DefaultParams()},
		{"mono-44k", 44100, 1, DefaultParams()},
		{"3ch-96k", 96000, 3, DefaultParams()},
		{"punchy", 48000, 2, Params{CeilingDBTP: -1, Character: CharacterPunchy}},
		{"dense-short", 48000, 2, Params{CeilingDBTP: -0.3, LookaheadMS: 1, ReleaseMS: 20, Character: CharacterDense}},
		{"no-margin", 48000, 2, Params{CeilingDBTP: -2, SafetyMarginDB: -1, ReleaseMS: 400}},
	}
	got := map[string]string{}
	for _, cs := range cases {
		x := goldenSignal(cs.rate, cs.channels)
		l := newLimiter(cs.p, cs.rate, cs.channels)
		gain := make([]float64, 4096)
		var extra []float64
		for start, k := 0, 0; start < x.Frames(); k++ {
			end := min(start+[]int{1000, 37, 4096, 1, 256, 513}[k%6], x.Frames())
			b := audiotest.View(x, start, end)
			if k%2 == 0 {
				l.ProcessGain(b, gain)
				extra = append(extra, gain[:end-start]...)
			} else {
				l.Process(b)
			}
			extra = append(extra, l.BlockMaxGRDB())
			start = end
		}
		s := l.Stats()
		extra = append(extra, float64(s.Frames), s.MaxGRDB, s.MeanGRDB, s.MeanActiveGRDB, s.ActiveShare)
		got[cs.name] = dsptest.Hash(x, extra)
	}
	dsptest.CheckGolden(t, got, *update)
}
