package sessionfile

import (
	"strings"
	"testing"
)

// TestChainFields: the engineer's chain reads from YAML with every new
// field, and a bad value is reported with its line.
func TestChainFields(t *testing.T) {
	t.Parallel()
	const text = `stems:
  - file: vox.wav
    role: lead_vocal
    eq:
      - {type: peak, freq_hz: 3000, gain_db: -2, channel: mid}
    compressor: {threshold_db: -20, ratio: 3, channel: side}
    de_esser: {freq_hz: 6500, threshold_db: -30, range_db: 6}
    dynamic_eq:
      - {freq_hz: 250, q: 1.5, threshold_db: -25, ratio: 3, range_db: 4}
    width: 0.8
  - file: drums.wav
    multiband:
      crossovers_hz: [120, 2500]
      bands:
        - {threshold_db: -18, ratio: 2, width: 0}
        - {}
        - {expand_threshold_db: -50, expand_ratio: 2, width: 1.2}
master:
  width: 1.1
  limiter:
    character: punchy
    stem_aware: {lead_vocal: 0.1, drums: 3}
`
	s, err := Load(writeSession(t, "chain.yaml", text))
	if err != nil {
		t.Fatal(err)
	}
	v := s.Stems[0]
	if v.EQ[0].Channel != "mid" || v.Compressor.Channel != "side" || v.DeEsser.FreqHz != 6500 || v.DynamicEQ[0].Q != 1.5 || *v.Width != 0.8 {
		t.Errorf("stem 0 read as %+v", v)
	}
	mb := s.Stems[1].Multiband
	if len(mb.Bands) != 3 || *mb.Bands[0].Width != 0 || mb.Bands[1].BandWidth() != 1 || mb.CrossoversHz[1] != 2500 {
		t.Errorf("multiband read as %+v", mb)
	}
	l := s.Master.Limiter
	if l.Character != "punchy" || *l.StemAware.LeadVocal != 0.1 || l.StemAware.Weight("drums") != 3 || l.StemAware.Weight("bass") != 1 {
		t.Errorf("limiter read as %+v", l)
	}
	bad := strings.Replace(text, "range_db: 6}", "range_db: 30}", 1)
	_, err = Load(writeSession(t, "bad.yaml", bad))
	if err == nil || !strings.Contains(err.Error(), "bad.yaml:7:") {
		t.Errorf("bad range: %v", err)
	}
	if err != nil && !strings.Contains(err.Error(), "stems[0].de_esser.range_db") {
		t.Errorf("bad range: %v, want the field named", err)
	}
}
