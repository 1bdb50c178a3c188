package check

import (
	"fmt"
	"math"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/dsp/dynamics"
)

// TestRebalancedAfterExport: the engineer moved faders after exporting
// the stems, so the mix is the stems' sum at other gains. The joint
// least-squares fit of every stem's gain over the aligned signals names
// each stem that moved with its change to ±0.1 dB (the finding's value is
// the stem's level as delivered against the mix), leaves the others
// alone, and explains the whole residual: no stem is called missing and no
// bus processing is suspected. Also with one of the moved stems late, so
// the fit runs on the aligned signals.
func TestRebalancedAfterExport(t *testing.T) {
	t.Parallel()
	const rate = 48000
	names, bufs := song(rate, 4, 6)
	moves := []float64{2, 0, -3, 1.2, -0.8} // dB in the mix, per stem
	for _, late := range []int{0, 480} {
		t.Run(fmt.Sprintf("stem 2 late by %d", late), func(t *testing.T) {
			t.Parallel()
			var in []*audio.Buffer
			for k, b := range bufs {
				in = append(in, scaled(b, audio.Amplitude(moves[k])))
			}
			mix := sumOf(in...)
			stems := memSet(names, bufs, rate)
			wants := []want{}
			if late != 0 {
				stems[2] = memSource(names[2], delayed(bufs[2], late), pcm24(rate, 2))
				wants = append(wants, want{code: stemmaster.CodeOffset, file: names[2], value: v(float64(late))})
			}
			m := memSource("mix.wav", mix, pcm24(rate, 2))
			rep := run(t, stems, &m)
			for k, db := range moves {
				if db != 0 {
					wants = append(wants, want{code: stemmaster.CodeGainMismatch, file: names[k], text: fmt.Sprintf("%.1f dB %s", math.Abs(db), map[bool]string{true: "quiet", false: "hot"}[db > 0])})
				}
			}
			for _, p := range findingProblems(rep, wants) {
				t.Error(p)
			}
			for _, f := range rep.Findings {
				if f.Code != stemmaster.CodeGainMismatch {
					continue
				}
				k := -1
				for i, n := range names {
					if n == f.File {
						k = i
					}
				}
				if k < 0 || f.Value == nil || math.Abs(*f.Value+moves[k]) > 0.1 {
					t.Errorf("%s: value %s, want %.2f ± 0.1 dB", f.File, fmtValue(f.Value), -moves[k])
				}
			}
			if rep.Mix == nil || rep.Mix.FittedResidualDB > SumMismatchDB {
				t.Errorf("mix report %+v: want the fit to explain the residual", rep.Mix)
			}
			if t.Failed() {
				t.Logf("findings: %s", describe(rep.Findings))
			}
		})
	}
}

// TestRebalancedThenBusProcessing: faders moved after the export and the
// mix then through a master-bus compressor or limiter. The plain fit
// blames every stem for the compression (each pulled down by how hard it
// drove the bus) and the bus-gain track against the stems as delivered
// reads the rebalance as a moving gain; the bilinear fit (stem levels and
// a gain moving with time together) names the two stems that moved, each
// within ±0.25 dB of its change (the bus gain moves within its 20 ms
// blocks too, which a per-block gain cannot follow exactly), and the
// residual as master-bus processing.
func TestRebalancedThenBusProcessing(t *testing.T) {
	t.Parallel()
	const rate = 48000
	names, bufs := song(rate, 5, 6)
	moves := []float64{2, 0, -3, 0, 0}
	var in []*audio.Buffer
	for k, b := range bufs {
		in = append(in, scaled(b, audio.Amplitude(moves[k])))
	}
	mix := sumOf(in...)
	for _, tc := range []struct {
		name string
		mix  func(t *testing.T) *audio.Buffer
	}{
		{"limiter", func(*testing.T) *audio.Buffer { return limited(mix, rate, audio.DB(float64(mix.Peak()))-6) }},
		{"compressor", func(t *testing.T) *audio.Buffer {
			return compressed(t, mix, rate, dynamics.CompressorParams{ThresholdDB: -24, Ratio: 4, AttackMS: 5, ReleaseMS: 100, MakeupDB: 3})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := memSource("mix.wav", tc.mix(t), pcm24(rate, 2))
			rep := run(t, memSet(names, bufs, rate), &m)
			wants := []want{
				{code: stemmaster.CodeGainMismatch, file: names[0], text: "quiet against the mix, beside the other stems"},
				{code: stemmaster.CodeGainMismatch, file: names[2], text: "hot against the mix, beside the other stems"},
				{code: stemmaster.CodeSumMismatch, file: "mix.wav", text: "master-bus processing"},
			}
			for _, p := range findingProblems(rep, wants) {
				t.Error(p)
			}
			for _, f := range rep.Findings {
				for k, n := range names {
					if f.Code == stemmaster.CodeGainMismatch && f.File == n && (f.Value == nil || math.Abs(*f.Value+moves[k]) > 0.25) {
						t.Errorf("%s: value %s, want %.2f ± 0.25 dB", n, fmtValue(f.Value), -moves[k])
					}
				}
			}
			if t.Failed() {
				t.Logf("findings: %s", describe(rep.Findings))
			}
		})
	}
}
