package assist

import (
	"fmt"
	"math"
	"strings"

	"stemmaster"
)

// Family is a broad style family: it picks the balance norms and the
// master's target curve (the split Ozone's assistant also uses).
type Family string

// Families.
const (
	FamilyAuto      Family = "auto"
	FamilyBassHeavy Family = "bass_heavy"
	FamilyModern    Family = "modern"
	FamilyAcoustic  Family = "acoustic"
)

// Families lists the concrete families.
var Families = []Family{FamilyBassHeavy, FamilyModern, FamilyAcoustic}

// ParseFamily reads --family.
func ParseFamily(s string) (Family, error) {
	switch f := Family(s); f {
	case FamilyAuto, FamilyBassHeavy, FamilyModern, FamilyAcoustic:
		return f, nil
	case "":
		return FamilyAuto, nil
	}
	return "", fmt.Errorf("family %q is not one of auto, bass_heavy, modern, acoustic", s)
}

// point is one corner of a piecewise-linear curve (dB against log frequency).
type point struct{ hz, db float64 }

// curve evaluates a piecewise-linear curve in log frequency, flat beyond
// its ends.
func curve(pts []point, f float64) float64 {
	if f <= pts[0].hz {
		return pts[0].db
	}
	for i := 1; i < len(pts); i++ {
		if f <= pts[i].hz {
			t := math.Log(f/pts[i-1].hz) / math.Log(pts[i].hz/pts[i-1].hz)
			return pts[i-1].db + t*(pts[i].db-pts[i-1].db)
		}
	}
	return pts[len(pts)-1].db
}

// stemCurves are the 1/3-octave band levels (shape only, dB) a family's
// stem is corrected toward when no mix says otherwise. See the package
// documentation for where each comes from.
var stemCurves = map[stemmaster.Role][]point{
	// Byrne et al. (1994) universal LTASS, rounded: flat 250–500 Hz, about
	// 8 dB down at 2 kHz, 11 at 4 kHz; a produced vocal keeps more
	// presence and air than speech (rule of thumb: +2 … +3 dB above 3 kHz).
	stemmaster.RoleLeadVocal:     {{80, -24}, {125, -14}, {200, -5}, {315, 0}, {500, 0}, {800, -3}, {1250, -6}, {2000, -8}, {3150, -9}, {5000, -11}, {8000, -14}, {12500, -19}, {16000, -26}},
	stemmaster.RoleBackingVocals: {{80, -26}, {125, -16}, {200, -7}, {315, -1}, {500, 0}, {800, -3}, {1250, -6}, {2000, -8}, {3150, -9}, {5000, -11}, {8000, -14}, {12500, -19}, {16000, -26}},
	// Rules of thumb: kick fundamental 50–80 Hz on top, the shells 9–12 dB
	// under it, then flat to the cymbals up to 8 kHz.
	stemmaster.RoleDrums: {{40, -3}, {63, 0}, {80, 0}, {125, -4}, {250, -9}, {500, -12}, {1000, -13}, {2000, -13}, {4000, -13}, {8000, -14}, {12500, -17}, {16000, -22}},
	stemmaster.RoleBass:  {{31.5, -6}, {50, -1}, {63, 0}, {100, 0}, {160, -3}, {250, -7}, {500, -14}, {1000, -20}, {2000, -26}, {4000, -34}},
	// Harmonic instruments: the 250–500 Hz body, −3 dB per octave above.
	stemmaster.RoleInstruments: {{63, -10}, {125, -4}, {250, 0}, {500, 0}, {1000, -3}, {2000, -6}, {4000, -9}, {8000, -13}, {12500, -18}, {16000, -24}},
}

// percussionCurve is the drums curve for a drums stem without a kick
// (percussion, a top kit): rising to the cymbals' 8 kHz, a rule of thumb.
var percussionCurve = []point{{200, -14}, {500, -9}, {1000, -6}, {2000, -4}, {4000, -2}, {8000, 0}, {12500, -2}, {16000, -6}}

// stemRange is the band range over which a role's tone is corrected: where
// the family carries its energy.
var stemRange = map[stemmaster.Role][2]float64{
	stemmaster.RoleLeadVocal:     {100, 12500},
	stemmaster.RoleBackingVocals: {125, 12500},
	stemmaster.RoleDrums:         {40, 16000},
	stemmaster.RoleBass:          {31.5, 4000},
	stemmaster.RoleInstruments:   {63, 16000},
}

// masterCurves are the target long-term spectra of a master (1/3-octave
// band levels, shape only). The modern curve follows the mean LTAS of
// popular music (Elowsson & Friberg 2017; Pestana et al. 2013): a plateau
// from 50 to 120 Hz and a fall of about 3 dB per octave above 250 Hz,
// steepening above 8 kHz. Bass-heavy lifts the plateau 3 dB below 100 Hz,
// acoustic lowers it 3 dB and falls more gently — those offsets are rules
// of thumb.
var masterCurves = map[Family][]point{
	FamilyModern:    {{31.5, -4}, {50, 0}, {120, 0}, {250, -3}, {500, -6}, {1000, -9}, {2000, -12}, {4000, -15}, {8000, -18}, {12500, -22}, {16000, -28}},
	FamilyBassHeavy: {{31.5, -1}, {50, 3}, {100, 2.5}, {160, 0}, {250, -3}, {500, -6}, {1000, -9}, {2000, -12}, {4000, -15}, {8000, -18}, {12500, -22}, {16000, -28}},
	FamilyAcoustic:  {{31.5, -9}, {50, -5}, {120, -2}, {250, -2}, {500, -4}, {1000, -7}, {2000, -10}, {4000, -13}, {8000, -16}, {12500, -20}, {16000, -26}},
}

// stemDynamics holds per family the 1 s crest (median peak-to-RMS, dB)
// above which a stem gets a compressor, and that compressor's attack and
// release (ms): quick on voices, slower on drums so the transients pass.
// Rules of thumb for produced stems.
var stemDynamics = map[stemmaster.Role]struct{ crestMax, attackMS, releaseMS float64 }{
	stemmaster.RoleLeadVocal:     {14, 5, 80},
	stemmaster.RoleBackingVocals: {14, 5, 100},
	stemmaster.RoleDrums:         {20, 15, 120},
	stemmaster.RoleBass:          {12, 20, 150},
	stemmaster.RoleInstruments:   {16, 10, 150},
}

// highPass is the high-pass a role gets when it carries energy below it
// that does not belong to its role (Hz; 0: none).
var highPass = map[stemmaster.Role]float64{
	stemmaster.RoleLeadVocal:     80,
	stemmaster.RoleBackingVocals: 120,
	stemmaster.RoleInstruments:   40,
	stemmaster.RoleFX:            40,
	stemmaster.RoleDrums:         25,
	stemmaster.RoleBass:          25,
}

func roleName(r stemmaster.Role) string { return strings.ReplaceAll(string(r), "_", " ") }

// Sibilance and width norms (rules of thumb; see the package doc).
const (
	// sibilanceMaxDB: a vocal whose loudest 5–10 kHz moments stand above
	// this against its 1–5 kHz gets a de-esser.
	sibilanceMaxDB = -3
	// deEssMinRangeDB … deEssMaxRangeDB bound the de-esser's full-amount
	// cut: deEssMinRangeDB at the norm, deEssSlope dB more per dB over it
	// (3 to 8 dB is the usual de-essing depth on a produced vocal).
	deEssMinRangeDB = 3
	deEssMaxRangeDB = 8
	deEssSlope      = 0.5
	// deEssSplitOctaves is how far under the sibilance peak the de-esser
	// splits: the engine's LR8 high band passes 94 % of the cut half an
	// octave above its split.
	deEssSplitOctaves = 0.5
	// deEssPercentile is the share of 20 ms frames whose split-band peak
	// stays under the de-esser's threshold: the esses are the loudest
	// moments of that band, rarely more than a fifth of a vocal.
	deEssPercentile = 0.8
	// wideMaxDB is the side-to-mid ratio above which a stem is narrowed:
	// 0 dB is a left/right correlation of about 0 and a mono fold-down
	// 3 dB down, where correlation meters turn from safe to risky.
	wideMaxDB = 0
	// wideAimDB is where a narrowed stem's side-to-mid ratio lands at full
	// amount: correlation about +0.33, mono fold-down 1.8 dB down.
	wideAimDB = -3
	// minWidth bounds the narrowing: an anti-phase stem is mostly side,
	// and taking it all out would leave nothing; it needs its polarity
	// fixed, which the reason says.
	minWidth = 0.25
	// lowCorrMin is the correlation under lowMonoHz below which a stem's
	// low end counts as losing level in mono; it is then made mono there.
	lowCorrMin = 0.5
	lowMonoHz  = 150.0
)
