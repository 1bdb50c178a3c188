package limiter

import (
	"fmt"
	"math"

	"stemmaster/dsp/envelope"
)

// Defaults for the zero values of Params.LookaheadMS and Params.ReleaseMS.
const (
	DefaultCeilingDBTP = -1.0
	DefaultLookaheadMS = 5.0
	DefaultReleaseMS   = 80.0
	// DefaultSafetyMarginDB lowers the internal ceiling to cover the
	// detector's residual error and the inter-sample effect of a changing
	// gain (without the near-Nyquist guard, the 16× reference read square
	// waves up to 0.07 dB above the internal ceiling; with it, nothing in the
	// tests comes out above it).
	DefaultSafetyMarginDB = 0.05
	// ActiveThresholdDB is the gain reduction above which a frame counts as
	// active in Stats.
	ActiveThresholdDB = 0.01
)

// Limits of the parameters Validate accepts.
const (
	MinLookaheadMS = 0.5
	MaxLookaheadMS = 50.0
	MinReleaseMS   = 1.0
	MaxReleaseMS   = 5000.0
)

// Params set a limiter. The zero value of LookaheadMS and ReleaseMS means
// their defaults; CeilingDBTP is used as given (0 means 0 dBTP). Use
// DefaultParams for the documented defaults.
type Params struct {
	CeilingDBTP    float64 // highest output true peak, dBTP
	LookaheadMS    float64 // look-ahead and attack ramp, ms (default 5)
	ReleaseMS      float64 // release time constant, ms (default 80)
	SafetyMarginDB float64 // internal ceiling lowered by this much (≥ 0); 0 means DefaultSafetyMarginDB, negative means none
	// Character maps the release onto its time constants (see
	// releaseTimes): "transparent" (the default, ""), "punchy" or "dense".
	Character string
}

// Characters of the release.
const (
	CharacterTransparent = "transparent"
	CharacterPunchy      = "punchy"
	CharacterDense       = "dense"
)

// Characters lists the accepted Character values.
var Characters = []string{CharacterTransparent, CharacterPunchy, CharacterDense}

// releaseTimes returns the program-dependent release's fast and slow time
// constants, its averaging time (ms, from ReleaseMS = R) and its hold (ms)
// for the Character:
//
//   - transparent: fast 0.3·R, slow R, average 2·R, hold 10 ms — the hold
//     plus the look-ahead window (15 ms in all) bridges the gap between
//     the half-cycle peaks of bass down to 33 Hz, so sustained limiting on
//     bass holds the gain still instead of rippling at twice the bass
//     frequency (the ripple is what intermodulates the rest of the mix);
//     below that, the periodic hold (periodicHoldMS) takes over;
//   - punchy: fast 0.2·R, slow 0.8·R, average R, hold 4 ms — transients
//     recover quickest, for the least mean reduction; bass under ~55 Hz
//     modulates more;
//   - dense: fast 0.5·R, slow 2·R, average 2·R, hold 12 ms — slower, even
//     reduction that changes little from note to note.
//
// The numbers were chosen on the SMPTE tone (60 and 40 Hz + 7 kHz, driven
// up to +12 dB) and the francium mix brought to −9 LUFS (bench/limiter.sh).
func (p Params) releaseTimes() (fast, slow, avg, hold float64) {
	r := p.ReleaseMS
	switch p.Character {
	case CharacterPunchy:
		return 0.2 * r, 0.8 * r, r, 4
	case CharacterDense:
		return 0.5 * r, 2 * r, 2 * r, 12
	default:
		return 0.3 * r, r, 2 * r, 10
	}
}

// ReleaseEnvelope returns the program-dependent release the limiter runs,
// at sampleRate steps per second: for models of its gain at a coarser
// rate than the audio's.
func (p Params) ReleaseEnvelope(sampleRate float64) envelope.Release {
	fast, slow, avg, hold := p.WithDefaults().releaseTimes()
	return envelope.NewRelease(fast, slow, avg, hold, periodicHoldMS, sampleRate)
}

// periodicHoldMS is the longest interval between the reduction's peaks the
// release's periodic hold bridges (envelope.Release): |x| of a tone peaks
// twice a period, so 30 ms holds the gain still under tones down to about
// 17 Hz, where a steady 20 Hz sine driven +6 dB otherwise came out at
// THD+N −37.9 dB (x42-dpl −57.9 dB) with the gain rippling at 40 Hz.
const periodicHoldMS = 30

// DefaultParams returns a −1 dBTP ceiling, 5 ms look-ahead, 80 ms release:
// where a user of the package starts, and the limiter the tests of this
// package and the ones above it run. The engine builds its own from the
// session (engine.LimiterParams, through WithDefaults).
func DefaultParams() Params {
	return Params{CeilingDBTP: DefaultCeilingDBTP, LookaheadMS: DefaultLookaheadMS, ReleaseMS: DefaultReleaseMS}
}

// ParamError reports a parameter out of range.
type ParamError struct {
	Param string
	Value float64
	Want  string
}

func (e *ParamError) Error() string {
	return fmt.Sprintf("limiter: %s = %g: want %s", e.Param, e.Value, e.Want)
}

// WithDefaults returns p with a zero LookaheadMS or ReleaseMS replaced by
// its default: the figures the limiter runs with, for a report to show.
// These defaults are the only ones; a session's absent limiter fields reach
// here as zeros.
func (p Params) WithDefaults() Params {
	if p.LookaheadMS == 0 {
		p.LookaheadMS = DefaultLookaheadMS
	}
	if p.ReleaseMS == 0 {
		p.ReleaseMS = DefaultReleaseMS
	}
	return p
}

func (p Params) withDefaults() Params {
	p = p.WithDefaults()
	switch {
	case p.SafetyMarginDB == 0:
		p.SafetyMarginDB = DefaultSafetyMarginDB
	case p.SafetyMarginDB < 0:
		p.SafetyMarginDB = 0
	}
	return p
}

// Validate reports the first parameter out of range as a *ParamError.
func (p Params) Validate() error {
	p = p.withDefaults()
	switch {
	case math.IsNaN(p.CeilingDBTP) || p.CeilingDBTP > 0 || p.CeilingDBTP < -60:
		return &ParamError{"ceiling_dbtp", p.CeilingDBTP, "-60 … 0 dBTP"}
	case !(p.LookaheadMS >= MinLookaheadMS && p.LookaheadMS <= MaxLookaheadMS):
		return &ParamError{"lookahead_ms", p.LookaheadMS, fmt.Sprintf("%g … %g ms", MinLookaheadMS, MaxLookaheadMS)}
	case !(p.ReleaseMS >= MinReleaseMS && p.ReleaseMS <= MaxReleaseMS):
		return &ParamError{"release_ms", p.ReleaseMS, fmt.Sprintf("%g … %g ms", MinReleaseMS, MaxReleaseMS)}
	case !(p.SafetyMarginDB <= 1):
		return &ParamError{"safety_margin_db", p.SafetyMarginDB, "≤ 1 dB"}
	case p.Character != "" && p.Character != CharacterTransparent && p.Character != CharacterPunchy && p.Character != CharacterDense:
		return &ParamError{"character", math.NaN(), fmt.Sprintf("transparent, punchy or dense, not %q", p.Character)}
	}
	return nil
}

// lookaheadFrames is the look-ahead L in frames at sampleRate (at least 1).
func (p Params) lookaheadFrames(sampleRate float64) int {
	return max(1, int(math.Round(p.LookaheadMS*sampleRate/1000)))
}
