package stemmaster

import (
	"fmt"
	"math"
)

// MatchPoint is one point of a master match EQ: the gain in dB at a
// frequency. Between points the curve is linear in log frequency; beyond
// the first and last it holds their gains. The engine realises it as a
// linear-phase FIR (package dsp/lineq), so the curve is exact in magnitude
// to the filter's resolution and shifts no phase between bands.
type MatchPoint struct {
	FreqHz float64 `json:"freq_hz"`
	GainDB float64 `json:"gain_db"`
}

// Bounds of a match EQ.
const (
	MaxMatchPoints   = 64
	MaxMatchGainDB   = 24.0
	MatchEQMinFreqHz = 10.0
)

// matchEQ checks a match curve: at most MaxMatchPoints points, frequencies
// from 10 Hz strictly ascending, gains within ±24 dB.
func (v *validator) matchEQ(p string, pts []MatchPoint) {
	if len(pts) > MaxMatchPoints {
		v.add(p, fmt.Sprintf("%d points", len(pts)), fmt.Sprintf("are more than %d", MaxMatchPoints))
		return
	}
	for i, pt := range pts {
		fp := fmt.Sprintf("%s[%d]", p, i)
		switch {
		case math.IsNaN(pt.FreqHz) || pt.FreqHz < MatchEQMinFreqHz:
			v.num(fp+".freq_hz", pt.FreqHz, fmt.Sprintf("is below %g Hz", MatchEQMinFreqHz))
		case i > 0 && !(pt.FreqHz > pts[i-1].FreqHz):
			v.num(fp+".freq_hz", pt.FreqHz, "is not above the previous point's frequency")
		}
		if math.IsNaN(pt.GainDB) || math.Abs(pt.GainDB) > MaxMatchGainDB {
			v.num(fp+".gain_db", pt.GainDB, fmt.Sprintf("is outside ±%g dB", MaxMatchGainDB))
		}
	}
}
