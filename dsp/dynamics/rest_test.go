package dynamics

import (
	"fmt"
	"math"
	"testing"

	"stemmaster/audio"
	"stemmaster/dsp/internal/dsptest"
	"stemmaster/internal/audiotest"
)

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
	for _, p := range []CompressorParams{
		{ThresholdDB: -24, Ratio: 4, KneeDB: 6, AttackMS: 1, ReleaseMS: 5},
		{ThresholdDB: -27, Ratio: math.Inf(1), AttackMS: 0.01, ReleaseMS: 5, MakeupDB: 3},
		{ThresholdDB: -30, Ratio: 3, KneeDB: 10, AttackMS: 1, ReleaseMS: 5, Detector: DetectorRMS},
		{ThresholdDB: -24, Ratio: 2, AttackMS: 1, ReleaseMS: 5, SidechainHPFHz: 100, Unlinked: true},
	} {
		t.Run(fmt.Sprintf("%s-makeup%g-unlinked%v", p.Detector, p.MakeupDB, p.Unlinked), func(t *testing.T) {
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
