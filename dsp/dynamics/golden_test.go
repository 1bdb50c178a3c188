package dynamics

import (
	"flag"
	"math"
	"testing"

	"stemmaster/audio"
	"stemmaster/dsp/internal/dsptest"
	"stemmaster/internal/audiotest"
)

var update = flag.Bool("update", false, "rewrite testdata/golden.json")

// goldenSignal is programme the compressor sees: pink noise over the
// threshold, a burst of full-scale white noise, silence (the release to
// rest), float32 subnormals and a quiet sine, per channel different.
func goldenSignal(channels int) *audio.Buffer {
	tiny := audio.NewBuffer(channels, 700)
	for c := range tiny.Data {
		for i := range tiny.Data[c] {
			tiny.Data[c][i] = float32(i%5-2) * 1e-44
		}
	}
	return audiotest.Concat(
		audiotest.PinkNoise(7, channels, 6000, -3),
		audiotest.WhiteNoise(8, channels, 1500, 0),
		audiotest.Silence(channels, 3000),
		tiny,
		audiotest.Sine(fs, channels, 2500, 440, -35, 0.3),
		audiotest.PinkNoise(9, channels, 2000, -20),
	)
}

// TestGolden pins the compressor's output bits and meters, for every
// detector path and channel layout, cut into blocks of odd sizes, to the
// SHA-256 in testdata/golden.json (go test -run TestGolden -update
// rewrites it, which a change of the arithmetic must say why).
func TestGolden(t *testing.T) {
	t.Parallel()
	base := CompressorParams{ThresholdDB: -24, Ratio: 4, KneeDB: 6, AttackMS: 2, ReleaseMS: 80, MakeupDB: 2}
	cases := []struct {
		name     string
		channels int
		key      int // sidechain channels; 0 = none
		edit     func(*CompressorParams)
	}{
		{"peak-stereo", 2, 0, nil},
		{"peak-mono", 1, 0, nil},
		{"peak-3ch", 3, 0, nil},
		{"peak-hardknee", 2, 0, func(p *CompressorParams) { p.KneeDB, p.MakeupDB = 0, 0 }},
		{"peak-slow-attack", 2, 0, func(p *CompressorParams) { p.AttackMS, p.ReleaseMS = 300, 5 }},
		{"peak-limit", 2, 0, func(p *CompressorParams) { p.Ratio = math.Inf(1) }},
		{"rms-stereo", 2, 0, func(p *CompressorParams) { p.Detector = DetectorRMS }},
		{"rms-mono", 1, 0, func(p *CompressorParams) { p.Detector = DetectorRMS }},
		{"hpf-stereo", 2, 0, func(p *CompressorParams) { p.SidechainHPFHz = 120 }},
		{"hpf-3ch", 3, 0, func(p *CompressorParams) { p.SidechainHPFHz = 120 }},
		{"unlinked-stereo", 2, 0, func(p *CompressorParams) { p.Unlinked = true }},
		{"unlinked-3ch", 3, 0, func(p *CompressorParams) { p.Unlinked = true }},
		{"unlinked-rms", 2, 0, func(p *CompressorParams) { p.Unlinked, p.Detector = true, DetectorRMS }},
		{"key-stereo", 2, 2, nil},
		{"key-mono", 2, 1, nil},
		{"key-mono-unlinked", 2, 1, func(p *CompressorParams) { p.Unlinked = true }},
	}
	got := map[string]string{}
	for _, cs := range cases {
		p := base
		if cs.edit != nil {
			cs.edit(&p)
		}
		buf := goldenSignal(cs.channels)
		var key *audio.Buffer
		if cs.key > 0 {
			key = audiotest.PinkNoise(11, cs.key, buf.Frames(), 0)
		}
		c := prepared(t, p, cs.channels)
		var meters []float64
		for start, k := 0, 0; start < buf.Frames(); k++ {
			end := min(start+[]int{1000, 37, 4096, 1, 256, 513}[k%6], buf.Frames())
			b := slice(buf, start, end)
			if key != nil {
				c.ProcessSidechain(b, slice(key, start, end))
			} else {
				c.Process(b)
			}
			meters = append(meters, c.GainReductionDB())
			start = end
		}
		got[cs.name] = dsptest.Hash(buf, append(meters, c.MaxGainReductionDB()))
	}
	dsptest.CheckGolden(t, got, *update)
}
