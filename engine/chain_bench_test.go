package engine

import (
	"context"
	"testing"

	"stemmaster"
	"stemmaster/internal/demosong"
)

// fullChain turns on every processor of the engineer's chain on the demo
// session: on every stem a mid EQ band, a de-esser, a side dynamic EQ
// band, a four-band multiband and width; on the master a side EQ band,
// a mid glue compressor, a three-band multiband, width and saturation.
func fullChain(s *stemmaster.Session) {
	for i := range s.Stems {
		st := &s.Stems[i]
		st.EQ = append(st.EQ, stemmaster.EQBand{Type: stemmaster.EQPeak, FreqHz: 3000, GainDB: 1, Channel: stemmaster.ChannelMid})
		st.DeEsser = &stemmaster.DeEsserParams{FreqHz: 6000, ThresholdDB: -30, RangeDB: 6}
		st.DynamicEQ = []stemmaster.DynamicEQBand{{FreqHz: 400, ThresholdDB: -30, Ratio: 3, RangeDB: 4, Channel: stemmaster.ChannelSide}}
		st.Multiband = &stemmaster.MultibandParams{CrossoversHz: []float64{120, 1000, 6000}, Bands: []stemmaster.MultibandBand{
			{ThresholdDB: -24, Ratio: 2}, {ThresholdDB: -24, Ratio: 2}, {ThresholdDB: -24, Ratio: 2}, {ThresholdDB: -24, Ratio: 2}}}
		st.Width = new(1.2)
	}
	s.Master.EQ = append(s.Master.EQ, stemmaster.EQBand{Type: stemmaster.EQLowShelf, FreqHz: 120, GainDB: -2, Channel: stemmaster.ChannelSide})
	s.Master.Compressor = &stemmaster.CompressorParams{ThresholdDB: -18, Ratio: 2, Channel: stemmaster.ChannelMid}
	s.Master.Multiband = &stemmaster.MultibandParams{CrossoversHz: []float64{150, 3000}, Bands: []stemmaster.MultibandBand{{}, {ThresholdDB: -20, Ratio: 2}, {Width: new(1.2)}}}
	s.Master.Width = new(1.1)
	s.Master.Saturation = &stemmaster.SaturationParams{DriveDB: 3, Character: stemmaster.SaturationWarm}
}

// BenchmarkChainCPU renders the demo song (30 s, its stems) with the
// plain chain and with every processor on (fullChain), and reports the
// render's CPU time per second of music for each: the full chain's cost
// against the plain one's, measured back to back.
func BenchmarkChainCPU(b *testing.B) {
	for _, full := range []bool{false, true} {
		b.Run(map[bool]string{false: "plain", true: "full"}[full], func(b *testing.B) {
			s := demoSession(b)
			if full {
				fullChain(s)
			}
			if err := s.Validate(); err != nil {
				b.Fatal(err)
			}
			var cpu float64
			for b.Loop() {
				rep, err := Render(context.Background(), s, Options{OutDir: b.TempDir(), SkipCheck: true})
				if err != nil {
					b.Fatal(err)
				}
				cpu += float64(rep.CPUTimeS)
			}
			b.ReportMetric(cpu/float64(b.N)/demosong.DurationS*1000, "cpu-ms/s-of-music")
		})
	}
}
