package dsp_test

import (
	"testing"

	"stemmaster/dsp"
	"stemmaster/dsp/biquad"
	"stemmaster/dsp/dynamics"
	"stemmaster/dsp/internal/dsptest"
	"stemmaster/internal/audiotest"
)

// BenchmarkWidth and BenchmarkMidSideCompressor: stereo pink noise through
// the width control (1.4) and a compressor on the mid (the M/S wrapper's
// encode and decode around it).
func BenchmarkWidth(b *testing.B) {
	w, err := dsp.NewWidth(1.4)
	if err != nil {
		b.Fatal(err)
	}
	w.Prepare(dsp.Spec{SampleRate: 48000, MaxBlockSize: 4096, Channels: 2})
	dsptest.BenchProcess(b, w, audiotest.PinkNoise(1, 2, 4096, -6))
}

func BenchmarkMidSideCompressor(b *testing.B) {
	m := dsp.NewMidSide(dynamics.NewCompressor(dynamics.CompressorParams{ThresholdDB: -30, Ratio: 3, AttackMS: 5, ReleaseMS: 100}), dsp.ChannelMid)
	m.Prepare(dsp.Spec{SampleRate: 48000, MaxBlockSize: 4096, Channels: 2})
	dsptest.BenchProcess(b, m, audiotest.PinkNoise(1, 2, 4096, -6))
}

// BenchmarkMidSideEQ: one peak band on the mid (the M/S wrapper's encode
// and decode around a one-channel EQ, fused where the EQ allows it).
func BenchmarkMidSideEQ(b *testing.B) {
	m := dsp.NewMidSide(biquad.NewEQ(biquad.Band{Type: biquad.TypePeak, FreqHz: 3000, GainDB: 1, Q: 1}), dsp.ChannelMid)
	m.Prepare(dsp.Spec{SampleRate: 48000, MaxBlockSize: 4096, Channels: 2})
	dsptest.BenchProcess(b, m, audiotest.PinkNoise(1, 2, 4096, -6))
}
