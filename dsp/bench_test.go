package dsp_test

import (
	"testing"

	"stemmaster/dsp"
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
