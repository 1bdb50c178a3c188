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
			b := audiotest.View(buf, start, end)
			if key != nil {
				c.ProcessSidechain(b, audiotest.View(key, start, end))
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

// TestRestIsExact: programme that falls under the knee long enough for the
// release to reach 0 takes the rest path (gain = makeup without the
// computation), with the output the same bit for bit as the full path,
// for every detector, with and without makeup. Sections peak a hair under
// and a hair over the knee's start (−27 dBFS for the first two settings),
// so a rest path taken a little too high fails too.
func TestRestIsExact(t *testing.T) {
	t.Parallel()
	var parts []*audio.Buffer
	for k := range 6 {
		parts = append(parts, audiotest.PinkNoise(uint64(k), 2, 4000, -6), audiotest.PinkNoise(uint64(k+9), 2, 20000, -60),
			audiotest.PinkNoise(uint64(k+20), 2, 3000, -27.003), audiotest.PinkNoise(uint64(k+30), 2, 3000, -26.997))
	}
	x := audiotest.Concat(parts...)
	for _, cs := range []struct {
		name string
		p    CompressorParams
	}{
		{"peak-knee", CompressorParams{ThresholdDB: -24, Ratio: 4, KneeDB: 6, AttackMS: 1, ReleaseMS: 5}},
		{"limit-makeup", CompressorParams{ThresholdDB: -27, Ratio: math.Inf(1), AttackMS: 0.01, ReleaseMS: 5, MakeupDB: 3}},
		{"rms", CompressorParams{ThresholdDB: -30, Ratio: 3, KneeDB: 10, AttackMS: 1, ReleaseMS: 5, Detector: DetectorRMS}},
		{"hpf-unlinked", CompressorParams{ThresholdDB: -24, Ratio: 2, AttackMS: 1, ReleaseMS: 5, SidechainHPFHz: 100, Unlinked: true}},
	} {
		p := cs.p
		t.Run(cs.name, func(t *testing.T) {
			fast, full := prepared(t, p, 2), prepared(t, p, 2)
			full.noRest = true
			a, b := x.Clone(), x.Clone()
			run(fast, a, nil)
			run(full, b, nil)
			dsptest.CheckSameBits(t, a, b, "the full path")
			if fast.restChunks == 0 || full.restChunks != 0 {
				t.Errorf("rest path taken %d times (want some), %d with it off", fast.restChunks, full.restChunks)
			}
			if fast.MaxGainReductionDB() != full.MaxGainReductionDB() || fast.GainReductionDB() != full.GainReductionDB() {
				t.Errorf("meters %g/%g, want %g/%g", fast.GainReductionDB(), fast.MaxGainReductionDB(), full.GainReductionDB(), full.MaxGainReductionDB())
			}
		})
	}
}

// TestNoAllocationDirect: the peak detector without a sidechain filter
// (the path that reads the key's samples directly), linked and unlinked,
// mono and stereo, and the rest path allocate nothing per block.
func TestNoAllocationDirect(t *testing.T) {
	for _, p := range []CompressorParams{
		{ThresholdDB: -30, Ratio: 4, KneeDB: 6, AttackMS: 5, ReleaseMS: 100, MakeupDB: 1},
		{ThresholdDB: -30, Ratio: 4, AttackMS: 5, ReleaseMS: 100, Unlinked: true},
		{ThresholdDB: 0, Ratio: 4, AttackMS: 5, ReleaseMS: 100},
	} {
		for _, ch := range []int{1, 2} {
			c := prepared(t, p, ch)
			dsptest.CheckNoAllocation(t, c, audiotest.PinkNoise(1, ch, 1024, -3))
		}
	}
}
