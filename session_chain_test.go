package stemmaster

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func ptr(v float64) *float64 { return &v }

// TestChainValidation: every new processor's bounds are refused with the
// path of the field and the accepted range; a full valid chain passes.
func TestChainValidation(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.wav"), nil, 0o644)
	valid := func() *Session {
		return &Session{Dir: dir, Stems: []StemSpec{{
			File: "a.wav", Role: RoleLeadVocal,
			EQ:         []EQBand{{Type: EQPeak, FreqHz: 300, GainDB: -2, Channel: ChannelSide}},
			Compressor: &CompressorParams{ThresholdDB: -20, Ratio: 2, Channel: ChannelMid},
			DeEsser:    &DeEsserParams{FreqHz: 6000, ThresholdDB: -30, RangeDB: 6},
			DynamicEQ:  []DynamicEQBand{{FreqHz: 2500, ThresholdDB: -30, Ratio: 3, RangeDB: 4}},
			Width:      ptr(1.2),
		}}, Master: Master{
			Multiband:  &MultibandParams{CrossoversHz: []float64{150, 2500}, Bands: []MultibandBand{{}, {ThresholdDB: -20, Ratio: 2}, {Width: ptr(1.3)}}},
			Saturation: &SaturationParams{DriveDB: 4, Character: SaturationWarm},
			Limiter:    &LimiterParams{Character: LimiterPunchy},
		}}
	}
	if err := valid().Validate(); err != nil {
		t.Fatalf("valid chain refused: %v", err)
	}
	cases := []struct {
		edit func(s *Session)
		want string
	}{
		{func(s *Session) { s.Stems[0].EQ[0].Channel = "left" }, `stems[0].eq[0].channel: "left" is not stereo, mid or side`},
		{func(s *Session) { s.Stems[0].Compressor.Channel = "mids" }, `stems[0].compressor.channel`},
		{func(s *Session) { s.Stems[0].DeEsser.FreqHz = 2000 }, "stems[0].de_esser.freq_hz: 2000 is outside 4000 … 10000 Hz"},
		{func(s *Session) { s.Stems[0].DeEsser.RangeDB = 0 }, "stems[0].de_esser.range_db"},
		{func(s *Session) { s.Stems[0].DynamicEQ[0].Ratio = 0.5 }, "stems[0].dynamic_eq[0].ratio"},
		{func(s *Session) { s.Stems[0].Width = ptr(5) }, "stems[0].width: 5 is outside 0 … 4"},
		{func(s *Session) { s.Master.Multiband.CrossoversHz = []float64{150} }, "master.multiband.crossovers_hz"},
		{func(s *Session) { s.Master.Multiband.CrossoversHz[1] = 160 }, "master.multiband.crossovers_hz[1]: 160 is less than 1.25"},
		{func(s *Session) { s.Master.Multiband.Bands[2].Width = ptr(-1) }, "master.multiband.bands[2].width"},
		{func(s *Session) { s.Master.Saturation.DriveDB = 30 }, "master.saturation.drive_db: 30 is outside 0 … 24 dB"},
		{func(s *Session) { s.Master.Saturation.Character = "fuzz" }, "master.saturation.character"},
		{func(s *Session) { s.Master.Limiter.Character = "loud" }, "master.limiter.character"},
		{func(s *Session) {
			s.Master.Multiband, s.Master.Saturation = nil, nil
			s.Master.Limiter.StemAware = &StemAwareParams{Drums: ptr(0)}
		}, "master.limiter.stem_aware.drums: 0 is outside 0.05 … 20"},
	}
	for _, c := range cases {
		s := valid()
		c.edit(s)
		err := s.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want one containing %q", err, c.want)
		}
	}
	s := valid()
	s.Stems[0].DeEsser.FreqHz = 9500
	if err := s.ValidateRate(16000); err == nil || !strings.Contains(err.Error(), "stems[0].de_esser.freq_hz") {
		t.Errorf("9.5 kHz de-esser at 16 kHz: %v", err)
	}
	// Stem-aware limiting goes with every master processor (they process
	// each stem keyed by the sum).
	s = valid()
	s.Master.Compressor = &CompressorParams{ThresholdDB: -20, Ratio: 2, Channel: ChannelMid}
	s.Master.Limiter.StemAware = &StemAwareParams{}
	if err := s.Validate(); err != nil {
		t.Errorf("stem-aware with multiband, saturation and a mid glue compressor refused: %v", err)
	}
	if w := (StemAwareParams{}).Weight(RoleDrums); w != 2 {
		t.Errorf("default drums weight %g", w)
	}
}
