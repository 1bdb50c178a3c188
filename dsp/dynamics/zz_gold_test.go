package dynamics

import (
	"encoding/binary"
	"math"
	"os"
	"testing"

	"stemmaster/dsp"
	"stemmaster/internal/audiotest"
)

func TestZZGold(t *testing.T) {
	mode := os.Getenv("GOLD")
	if mode == "" {
		t.Skip()
	}
	var out []byte
	for _, p := range []CompressorParams{
		{ThresholdDB: -30, Ratio: 4, KneeDB: 6, AttackMS: 5, ReleaseMS: 100},
		{ThresholdDB: -30, Ratio: 4, KneeDB: 6, AttackMS: 5, ReleaseMS: 100, Unlinked: true},
		{ThresholdDB: -20, Ratio: 3, AttackMS: 50, ReleaseMS: 10, Unlinked: true, Detector: DetectorRMS, MakeupDB: 3},
		{ThresholdDB: -30, Ratio: 4, KneeDB: 6, AttackMS: 5, ReleaseMS: 100, SidechainHPFHz: 100},
	} {
		for _, ch := range []int{1, 2, 3} {
			c := NewCompressor(p)
			c.Prepare(dsp.Spec{SampleRate: 48000, MaxBlockSize: 1000, Channels: ch})
			buf := audiotest.Concat(audiotest.PinkNoise(1, ch, 30000, -3), audiotest.Silence(ch, 20000), audiotest.PinkNoise(2, ch, 9000, -20))
			run(c, buf, nil)
			for _, d := range buf.Data {
				for _, v := range d {
					out = binary.LittleEndian.AppendUint32(out, math.Float32bits(v))
				}
			}
			out = binary.LittleEndian.AppendUint64(out, math.Float64bits(c.MaxGainReductionDB()))
			out = binary.LittleEndian.AppendUint64(out, math.Float64bits(c.GainReductionDB()))
		}
	}
	if mode == "write" {
		os.WriteFile("/tmp/gold_dyn.bin", out, 0o644)
		return
	}
	want, _ := os.ReadFile("/tmp/gold_dyn.bin")
	if string(want) != string(out) {
		t.Fatal("differs from gold")
	}
}
