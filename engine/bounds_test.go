package engine

import (
	"testing"

	"stemmaster"
)

// TestSessionBoundsWithinProcessors checks that every value a session
// accepts for a limiter or compressor parameter is one the processor
// accepts too, so a valid session never fails later, at render time, with
// an error that names no line. The session's bounds live in the root
// package (no I/O, no DSP imports), the processors' in their packages; this
// test is what keeps the two in step. Each parameter is swept over its
// session range, past both ends.
func TestSessionBoundsWithinProcessors(t *testing.T) {
	t.Parallel()
	const rate = 48000.0
	validMaster := func(m stemmaster.Master) bool {
		// Validate does no I/O: x.wav need not exist.
		s := &stemmaster.Session{Stems: []stemmaster.StemSpec{{File: "x.wav"}}, Master: m}
		return s.Validate() == nil && s.ValidateRate(rate) == nil
	}
	sweep := []float64{-1, 0, 0.001, 0.1, 0.25, 0.49, 0.5, 0.99, 1, 2, 5, 10, 19.9, 20, 20.1, 50, 100, 999, 1000,
		1001, 2000, 2001, 5000, 9999, 10000, 10001}
	for _, v := range sweep {
		lim := []stemmaster.LimiterParams{{LookaheadMS: v}, {ReleaseMS: v}}
		for _, lp := range lim {
			m := stemmaster.Master{Limiter: &lp}
			if !validMaster(m) {
				continue
			}
			ceiling, _ := m.Ceiling()
			if _, err := newLimiter(limiterParams(m, ceiling), rate, BlockSize); err != nil {
				t.Errorf("the session accepts limiter %+v, the limiter refuses it: %v", lp, err)
			}
		}
		comp := []stemmaster.CompressorParams{
			{ThresholdDB: -v, Ratio: 2}, {ThresholdDB: -10, Ratio: v}, {ThresholdDB: -10, Ratio: 2, AttackMS: v},
			{ThresholdDB: -10, Ratio: 2, ReleaseMS: v}, {ThresholdDB: -10, Ratio: 2, KneeDB: v},
			{ThresholdDB: -10, Ratio: 2, MakeupDB: v}, {ThresholdDB: -10, Ratio: 2, MakeupDB: -v},
			{ThresholdDB: -10, Ratio: 2, SidechainHPFHz: v},
		}
		for _, cp := range comp {
			if !validMaster(stemmaster.Master{Compressor: &cp}) {
				continue
			}
			if _, err := newCompressor(cp, rate); err != nil {
				t.Errorf("the session accepts compressor %+v, the compressor refuses it: %v", cp, err)
			}
		}
	}
}
