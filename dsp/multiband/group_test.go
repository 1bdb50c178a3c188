package multiband

import (
	"testing"

	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/internal/dsptest"
	"stemmaster/internal/audiotest"
)

// TestKeyGroup: stems through the multiband as a group, the key split and
// detected once, get the same bits as each keyed by the sum on its own.
func TestKeyGroup(t *testing.T) {
	stems := []*audio.Buffer{audiotest.PinkNoise(1, 2, 3000, -3), audiotest.Sine(rate, 2, 3000, 90, -6, 0), audiotest.WhiteNoise(2, 2, 3000, -12)}
	dsptest.CheckKeyGroup(t, func() dsp.KeyGroup {
		m := New(Params{CrossoversHz: []float64{150, 2000, 8000}, Bands: []Band{
			{ThresholdDB: -30, Ratio: 4, Width: 0.5}, {ThresholdDB: -20, Ratio: 2, Width: 1, ExpandThresholdDB: -40, ExpandRatio: 2},
			{ThresholdDB: -24, Ratio: 3, Width: 1.5, AttackMS: 1}, {ThresholdDB: -30, Ratio: 2, Width: 1, MakeupDB: 2},
		}})
		m.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 700, Channels: 2})
		return m
	}, stems, 700)
}
