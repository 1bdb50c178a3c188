package biquad

import (
	"math"

	"stemmaster/dsp"
)

// Band types, as written in session files.
const (
	TypePeak       = "peak"
	TypeLowShelf   = "low_shelf"
	TypeHighShelf  = "high_shelf"
	TypeHighPass   = "high_pass"
	TypeLowPass    = "low_pass"
	TypeBandPass   = "band_pass"
	TypeNotch      = "notch"
	TypeLRHighPass = "lr_high_pass" // Linkwitz-Riley
	TypeLRLowPass  = "lr_low_pass"  // Linkwitz-Riley
	DefaultSlope   = 12             // dB/oct of a pass band whose Slope is 0
	MaxQ           = 100            // largest Q a band accepts
	MaxGainDB      = 48             // largest |GainDB| a band accepts
	processorName  = "eq"
)

// Band is one EQ band as a session file describes it.
//
//   - peak, low_shelf, high_shelf: FreqHz, GainDB, Q (Q > 0; 0.7071 is the
//     steepest shelf without overshoot).
//   - band_pass (0 dB at FreqHz), notch: FreqHz, Q.
//   - high_pass, low_pass: FreqHz and Slope 6, 12 (default), 24 or 48 dB/oct.
//     Slope 12 is the cookbook filter with Q (0.7071 = Butterworth); 6, 24 and
//     48 are Butterworth of order 1, 4 and 8 and ignore Q.
//   - lr_high_pass, lr_low_pass: Linkwitz-Riley of Slope 12 (default), 24 or
//     48 dB/oct; Q is ignored.
//
// GainDB is ignored by the types without gain.
type Band struct {
	Type   string  `json:"type" yaml:"type"`
	FreqHz float64 `json:"freq_hz" yaml:"freq_hz"`
	GainDB float64 `json:"gain_db,omitempty" yaml:"gain_db,omitempty"`
	Q      float64 `json:"q,omitempty" yaml:"q,omitempty"`
	Slope  int     `json:"slope,omitempty" yaml:"slope,omitempty"`
}

func paramError(param string, v float64, format string, args ...any) error {
	return dsp.NewParamError(processorName, param, v, format, args...)
}

// usesQ reports whether Q shapes the band's response.
func (b Band) usesQ() bool {
	switch b.Type {
	case TypePeak, TypeLowShelf, TypeHighShelf, TypeBandPass, TypeNotch:
		return true
	case TypeHighPass, TypeLowPass:
		return b.slope() == 12
	}
	return false
}

func (b Band) slope() int {
	if b.Slope == 0 {
		return DefaultSlope
	}
	return b.Slope
}

// Validate checks the band for a given sample rate and returns a
// *dsp.ParamError naming the first parameter that cannot be used. A
// sampleRate of 0 skips the checks that depend on the rate.
func (b Band) Validate(sampleRate float64) error {
	switch b.Type {
	case TypePeak, TypeLowShelf, TypeHighShelf, TypeBandPass, TypeNotch:
		if b.Slope != 0 {
			return paramError("slope", float64(b.Slope), "slope applies only to pass filters, not %s", b.Type)
		}
	case TypeHighPass, TypeLowPass:
		switch b.slope() {
		case 6, 12, 24, 48:
		default:
			return paramError("slope", float64(b.Slope), "%s slope must be 6, 12, 24 or 48 dB/oct", b.Type)
		}
	case TypeLRHighPass, TypeLRLowPass:
		switch b.slope() {
		case 12, 24, 48:
		default:
			return paramError("slope", float64(b.Slope), "%s slope must be 12, 24 or 48 dB/oct", b.Type)
		}
	default:
		return paramError("type", math.NaN(), "unknown band type %q (want peak, low_shelf, high_shelf, high_pass, low_pass, band_pass, notch, lr_high_pass or lr_low_pass)", b.Type)
	}
	if math.IsNaN(b.FreqHz) || b.FreqHz <= 0 || math.IsInf(b.FreqHz, 0) {
		return paramError("freq_hz", b.FreqHz, "must be a positive frequency")
	}
	if sampleRate > 0 && b.FreqHz >= sampleRate/2 {
		return paramError("freq_hz", b.FreqHz, "at or above the Nyquist frequency %g Hz", sampleRate/2)
	}
	if b.usesQ() && (math.IsNaN(b.Q) || b.Q <= 0 || b.Q > MaxQ) {
		return paramError("q", b.Q, "must be in (0, %d] for %s", MaxQ, b.Type)
	}
	if math.IsNaN(b.GainDB) || math.Abs(b.GainDB) > MaxGainDB {
		return paramError("gain_db", b.GainDB, "must be within ±%d dB", MaxGainDB)
	}
	return nil
}

// Sections appends the band's sections for sampleRate to dst and returns
// the extended cascade. It panics when Validate(sampleRate) fails.
func (b Band) Sections(dst Cascade, sampleRate float64) Cascade {
	if err := b.Validate(sampleRate); err != nil {
		panic("biquad: Band.Sections on an invalid band: " + err.Error())
	}
	fs, f := sampleRate, b.FreqHz
	switch b.Type {
	case TypePeak:
		return append(dst, Peak(fs, f, b.Q, b.GainDB))
	case TypeLowShelf:
		return append(dst, LowShelf(fs, f, b.Q, b.GainDB))
	case TypeHighShelf:
		return append(dst, HighShelf(fs, f, b.Q, b.GainDB))
	case TypeBandPass:
		return append(dst, BandPass(fs, f, b.Q))
	case TypeNotch:
		return append(dst, Notch(fs, f, b.Q))
	case TypeHighPass:
		if b.slope() == 12 {
			return append(dst, HighPass(fs, f, b.Q))
		}
		return ButterworthHighPass(dst, fs, f, b.slope()/6)
	case TypeLowPass:
		if b.slope() == 12 {
			return append(dst, LowPass(fs, f, b.Q))
		}
		return ButterworthLowPass(dst, fs, f, b.slope()/6)
	case TypeLRHighPass:
		return LinkwitzRileyHighPass(dst, fs, f, b.slope()/6)
	default: // TypeLRLowPass
		return LinkwitzRileyLowPass(dst, fs, f, b.slope()/6)
	}
}
