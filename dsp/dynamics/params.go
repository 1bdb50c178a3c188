package dynamics

import (
	"math"

	"stemmaster/dsp"
)

// Detector modes.
const (
	DetectorPeak = "peak"
	DetectorRMS  = "rms"
)

// Defaults and limits of CompressorParams.
const (
	DefaultRMSWindowMS = 10.0 // RMS averaging time constant when RMSWindowMS is 0
	MaxTimeMS          = 10000.0
	MaxKneeDB          = 48.0
	MaxMakeupDB        = 48.0
	MinThresholdDB     = -120.0
	MaxThresholdDB     = 24.0
	processorName      = "compressor"
)

// CompressorParams are the compressor's settings as a session file gives
// them. The zero values of Detector, RMSWindowMS, Unlinked and SidechainHPFHz
// mean peak detection, a 10 ms RMS window, stereo link and no sidechain
// filter.
type CompressorParams struct {
	ThresholdDB float64 `json:"threshold_db" yaml:"threshold_db"`
	Ratio       float64 `json:"ratio" yaml:"ratio"`                         // ≥ 1; +Inf is a limiter
	KneeDB      float64 `json:"knee_db,omitempty" yaml:"knee_db,omitempty"` // 0 = hard knee
	AttackMS    float64 `json:"attack_ms" yaml:"attack_ms"`
	ReleaseMS   float64 `json:"release_ms" yaml:"release_ms"`
	MakeupDB    float64 `json:"makeup_db,omitempty" yaml:"makeup_db,omitempty"`
	Detector    string  `json:"detector,omitempty" yaml:"detector,omitempty"` // "peak" (default) or "rms"
	RMSWindowMS float64 `json:"rms_window_ms,omitempty" yaml:"rms_window_ms,omitempty"`
	// Unlinked gives every channel its own detector and gain.
	Unlinked bool `json:"unlinked,omitempty" yaml:"unlinked,omitempty"`
	// SidechainHPFHz is the corner of a 12 dB/oct Butterworth high-pass on
	// the detector path; 0 = off.
	SidechainHPFHz float64 `json:"sidechain_hpf_hz,omitempty" yaml:"sidechain_hpf_hz,omitempty"`
}

func paramError(param string, v float64, format string, args ...any) error {
	return dsp.NewParamError(processorName, param, v, format, args...)
}

func badTime(v float64) bool { return math.IsNaN(v) || v <= 0 || v > MaxTimeMS }

// Validate returns a *dsp.ParamError naming the first unusable parameter. A
// sampleRate of 0 skips the checks that depend on the rate.
func (p CompressorParams) Validate(sampleRate float64) error {
	switch {
	case math.IsNaN(p.ThresholdDB) || p.ThresholdDB < MinThresholdDB || p.ThresholdDB > MaxThresholdDB:
		return paramError("threshold_db", p.ThresholdDB, "must be within [%g, %g] dBFS", MinThresholdDB, MaxThresholdDB)
	case math.IsNaN(p.Ratio) || p.Ratio < 1:
		return paramError("ratio", p.Ratio, "must be at least 1 (1 = no compression)")
	case math.IsNaN(p.KneeDB) || p.KneeDB < 0 || p.KneeDB > MaxKneeDB:
		return paramError("knee_db", p.KneeDB, "must be within [0, %g] dB", MaxKneeDB)
	case badTime(p.AttackMS):
		return paramError("attack_ms", p.AttackMS, "must be in (0, %g] ms", MaxTimeMS)
	case badTime(p.ReleaseMS):
		return paramError("release_ms", p.ReleaseMS, "must be in (0, %g] ms", MaxTimeMS)
	case math.IsNaN(p.MakeupDB) || math.Abs(p.MakeupDB) > MaxMakeupDB:
		return paramError("makeup_db", p.MakeupDB, "must be within ±%g dB", MaxMakeupDB)
	case p.Detector != "" && p.Detector != DetectorPeak && p.Detector != DetectorRMS:
		return paramError("detector", math.NaN(), "unknown detector %q (want peak or rms)", p.Detector)
	case p.RMSWindowMS != 0 && badTime(p.RMSWindowMS):
		return paramError("rms_window_ms", p.RMSWindowMS, "must be in (0, %g] ms", MaxTimeMS)
	case math.IsNaN(p.SidechainHPFHz) || p.SidechainHPFHz < 0:
		return paramError("sidechain_hpf_hz", p.SidechainHPFHz, "must be 0 (off) or a positive frequency")
	case sampleRate > 0 && p.SidechainHPFHz >= sampleRate/2:
		return paramError("sidechain_hpf_hz", p.SidechainHPFHz, "at or above the Nyquist frequency %g Hz", sampleRate/2)
	}
	return nil
}

// StaticCurve is the gain computer of Giannoulis et al. 2012, eq. (4): the
// output level in dB for a detector level x in dB, with the quadratic soft
// knee of width kneeDB centred on the threshold.
func StaticCurve(x, thresholdDB, ratio, kneeDB float64) float64 {
	d := x - thresholdDB
	switch {
	case 2*d <= -kneeDB: // also the hard knee's corner
		return x
	case 2*d > kneeDB:
		return thresholdDB + d/ratio
	default: // inside the knee (kneeDB > 0)
		k := d + kneeDB/2
		return x + (1/ratio-1)*k*k/(2*kneeDB)
	}
}
