package stemmaster

import (
	"path/filepath"
	"slices"
	"strings"
)

// Session is everything a render needs: the stems and their processing, the
// optional reference mix, the master chain, the deliverables and the
// versions. It is the session file of docs/session.md, read by package sessionfile
// (YAML or JSON) or built in code (the service fills it from the project).
//
// In a session what is absent is off: no EQ or compressor means none. Master
// Target nil means the default (streaming); a Target with None turns
// loudness targeting off. Outputs defaults to one 24-bit WAV at the stems'
// rate, Versions to [main] (see WithDefaults).
type Session struct {
	Stems    []StemSpec `json:"stems"`
	Mix      string     `json:"mix,omitempty"`
	Master   Master     `json:"master"`
	Outputs  []Output   `json:"outputs,omitempty"`
	Versions []Version  `json:"versions,omitempty"`

	// Dir is the directory relative paths resolve against: the session
	// file's directory (sessionfile.Load sets it). Empty means the working
	// directory.
	Dir string `json:"-"`
	// Name is the session file as errors print it (its path as given,
	// "album/03/session.yaml"); empty for sessions built in code.
	Name string `json:"-"`

	// Lines maps a field path ("stems[2].eq[0].freq_hz") to its line in
	// the session file, so Validate and ValidateRate can point at it (a
	// field absent from the map takes its nearest parent's line). The
	// session-file reader (package sessionfile) fills it; nil for sessions
	// built in code, whose errors carry no line.
	Lines map[string]int `json:"-"`
}

// StemSpec is one stem and its channel strip: polarity and offset, gain and
// pan, EQ, compressor — applied in that order.
type StemSpec struct {
	File     string   `json:"file"`
	Role     Role     `json:"role,omitempty"`
	GainDB   float64  `json:"gain_db,omitempty"`
	Pan      float64  `json:"pan,omitempty"` // -1 (left) … 1 (right); constant-power law for mono stems, balance for stereo
	Mute     bool     `json:"mute,omitempty"`
	Polarity Polarity `json:"polarity,omitempty"`
	// SwapChannels exchanges a stereo stem's left and right channels as
	// it is read (before polarity is applied to the channels named).
	SwapChannels bool `json:"swap_channels,omitempty"`
	// Resample consents to converting a stem whose sample rate differs
	// from the song's (the rate the other stems share) to the song's
	// rate; without it such a stem refuses the render.
	Resample bool `json:"resample,omitempty"`
	// OffsetSamples delays the stem by that many frames when positive; a
	// negative value drops the stem's first frames (it starts earlier).
	OffsetSamples int64             `json:"offset_samples,omitempty"`
	EQ            []EQBand          `json:"eq,omitempty"`
	Compressor    *CompressorParams `json:"compressor,omitempty"`
	// After the compressor, in this order (session_chain.go).
	DeEsser   *DeEsserParams   `json:"de_esser,omitempty"`
	DynamicEQ []DynamicEQBand  `json:"dynamic_eq,omitempty"`
	Multiband *MultibandParams `json:"multiband,omitempty"`
	Width     *float64         `json:"width,omitempty"` // side gain, 0 (mono) … 4; nil = 1
}

// Polarity of a stem.
type Polarity string

// Polarities; the empty value means normal. LeftInverted and
// RightInverted flip one channel of a stereo stem, named as the file holds
// it (before SwapChannels).
const (
	PolarityNormal        Polarity = "normal"
	PolarityInverted      Polarity = "inverted"
	PolarityLeftInverted  Polarity = "left_inverted"
	PolarityRightInverted Polarity = "right_inverted"
)

// Polarities lists the polarities a session accepts.
var Polarities = []Polarity{PolarityNormal, PolarityInverted, PolarityLeftInverted, PolarityRightInverted}

// Signs returns the factors (±1) the stem's left and right channels, as
// the file holds them, are multiplied by; a mono stem uses the left.
func (p Polarity) Signs() (left, right float64) {
	switch p {
	case PolarityInverted:
		return -1, -1
	case PolarityLeftInverted:
		return -1, 1
	case PolarityRightInverted:
		return 1, -1
	}
	return 1, 1
}

// PerChannel reports whether p flips only one channel (a stereo stem's).
func (p Polarity) PerChannel() bool {
	return p == PolarityLeftInverted || p == PolarityRightInverted
}

// EQ band types (RBJ Audio EQ Cookbook shapes).
const (
	EQPeak       = "peak"
	EQLowShelf   = "low_shelf"
	EQHighShelf  = "high_shelf"
	EQHighPass   = "high_pass"
	EQLowPass    = "low_pass"
	EQBandPass   = "band_pass"
	EQNotch      = "notch"
	EQLRHighPass = "lr_high_pass"
	EQLRLowPass  = "lr_low_pass"
)

// EQBandTypes lists the band types a session accepts.
var EQBandTypes = []string{EQPeak, EQLowShelf, EQHighShelf, EQHighPass, EQLowPass, EQBandPass, EQNotch, EQLRHighPass, EQLRLowPass}

// EQBand is one parametric EQ band.
type EQBand struct {
	Type   string  `json:"type"`
	FreqHz float64 `json:"freq_hz"`
	GainDB float64 `json:"gain_db,omitempty"` // peak and shelves
	Q      float64 `json:"q,omitempty"`       // 0 means the default, 0.7071 (Butterworth) for pass filters and shelves, 1 for peak
	// Slope is the steepness of a high or low pass in dB per octave: 12
	// (one cookbook biquad with Q, the default), 6, 24 or 48 (Butterworth of
	// order 1, 4, 8); for the Linkwitz-Riley pass filters 12, 24 or 48.
	Slope int `json:"slope,omitempty"`
	// Channel is stereo (default), mid or side: the band works on the
	// stereo pair, its mid (L+R)/2 or its side (L−R)/2.
	Channel string `json:"channel,omitempty"`
}

// DefaultQ is the Q a band gets when the session leaves it out.
func (b EQBand) DefaultQ() float64 {
	if b.Q > 0 {
		return b.Q
	}
	if b.Type == EQPeak {
		return 1
	}
	return 0.7071067811865476
}

// CompressorParams tune a feed-forward compressor (per stem, and the
// master's glue compressor).
type CompressorParams struct {
	ThresholdDB float64 `json:"threshold_db"`
	Ratio       float64 `json:"ratio"`
	AttackMS    float64 `json:"attack_ms,omitempty"`  // 0 means 10 ms
	ReleaseMS   float64 `json:"release_ms,omitempty"` // 0 means 120 ms
	KneeDB      float64 `json:"knee_db,omitempty"`
	MakeupDB    float64 `json:"makeup_db,omitempty"`
	// SidechainHPFHz high-passes the detector so the low end does not pump
	// the mix; 0 means off.
	SidechainHPFHz float64 `json:"sidechain_hpf_hz,omitempty"`
	// Channel is stereo (default), mid or side (session_chain.go).
	Channel string `json:"channel,omitempty"`
}

// Attack returns the attack time in ms with its default applied.
func (c CompressorParams) Attack() float64 {
	if c.AttackMS > 0 {
		return c.AttackMS
	}
	return 10
}

// Release returns the release time in ms with its default applied.
func (c CompressorParams) Release() float64 {
	if c.ReleaseMS > 0 {
		return c.ReleaseMS
	}
	return 120
}

// LimiterParams tune the master's true-peak limiter.
type LimiterParams struct {
	// CeilingDBTP overrides the target's true-peak ceiling when set.
	CeilingDBTP *float64 `json:"ceiling_dbtp,omitempty"`
	// LookaheadMS and ReleaseMS: 0 means the limiter's defaults
	// (limiter.DefaultLookaheadMS, limiter.DefaultReleaseMS: 5 and 80 ms).
	LookaheadMS float64 `json:"lookahead_ms,omitempty"`
	ReleaseMS   float64 `json:"release_ms,omitempty"`
	// WarnGainReductionDB is the peak gain reduction above which the
	// report and stderr warn that the target pushes the limiter too hard;
	// 0 means 6 dB.
	WarnGainReductionDB float64 `json:"warn_gain_reduction_db,omitempty"`
	// Character maps the release onto its time constants: transparent
	// (default), punchy or dense.
	Character string `json:"character,omitempty"`
	// StemAware, when set, takes the reduction from the stems by family
	// weight instead of from the sum (session_chain.go).
	StemAware *StemAwareParams `json:"stem_aware,omitempty"`
}

// WarnGR returns the warning threshold in dB with its default applied.
func (l LimiterParams) WarnGR() float64 {
	if l.WarnGainReductionDB > 0 {
		return l.WarnGainReductionDB
	}
	return 6
}

// Master is the master bus: rumble filter → match EQ → EQ → glue compressor → gain →
// true-peak limiter, with the gain found by loudness targeting.
type Master struct {
	// RumbleFilterHz, when not 0, is the −6 dB point of a linear-phase
	// high-pass first on the bus (MinRumbleFilterHz … MaxRumbleFilterHz):
	// it removes DC entirely and takes 80 dB or more off everything below
	// half this frequency, leaves everything from 1.5 times it up within
	// ±0.001 dB, and moves no phase: the bass's peaks move only by the
	// content it takes out, where a minimum-phase high-pass rotating the
	// bass's phase raises them.
	RumbleFilterHz float64  `json:"rumble_filter_hz,omitempty"`
	EQ             []EQBand `json:"eq,omitempty"`
	// MatchEQ is a linear-phase EQ curve (the gain at each point,
	// interpolated in log frequency), run before EQ: the tone match the
	// assistant fits to reference tracks. See MatchPoint.
	MatchEQ    []MatchPoint      `json:"match_eq,omitempty"`
	Compressor *CompressorParams `json:"compressor,omitempty"`
	Limiter    *LimiterParams    `json:"limiter,omitempty"`
	// Target nil means the default, streaming; a Target with None set
	// turns targeting off.
	Target *Target `json:"target,omitempty"`
	// GainDB is a fixed master gain used when targeting is off.
	GainDB float64 `json:"gain_db,omitempty"`
	// After the glue compressor, in this order, before the gain and the
	// limiter (session_chain.go).
	Multiband  *MultibandParams  `json:"multiband,omitempty"`
	Width      *float64          `json:"width,omitempty"`
	Saturation *SaturationParams `json:"saturation,omitempty"`
}

// The bounds of Master.RumbleFilterHz: a corner below 10 Hz leaves the
// rumble in, and a filter this steep above 40 Hz would cut the bass (its
// passband starts at 1.5 times the corner).
const (
	MinRumbleFilterHz = 10
	MaxRumbleFilterHz = 40
)

// EffectiveTarget returns the loudness target with defaults applied.
func (m Master) EffectiveTarget() Target {
	if m.Target == nil {
		t, _ := TargetPreset(DefaultTargetPreset)
		return t
	}
	return *m.Target
}

// Ceiling returns the true-peak ceiling in dBTP the limiter runs at, and
// whether a limiter runs at all: whenever a target is set (at the target's
// ceiling unless the limiter block sets one), and with targeting off only
// when a limiter block is given (at its ceiling, or -1 dBTP).
func (m Master) Ceiling() (dbtp float64, on bool) {
	t := m.EffectiveTarget()
	if m.Limiter != nil && m.Limiter.CeilingDBTP != nil {
		return *m.Limiter.CeilingDBTP, true
	}
	if !t.None {
		return t.TruePeakDBTP, true
	}
	if m.Limiter != nil {
		return -1, true
	}
	return 0, false
}

// Output formats.
const (
	FormatWAV  = "wav"
	FormatFLAC = "flac"
	FormatAIFF = "aiff"
)

// Dither choices.
const (
	DitherTPDF = "tpdf"
	// DitherShaped is TPDF dither with F-weighted noise shaping (package
	// dsp/dither): the noise moved out of 1–5 kHz, where hearing is most
	// sensitive, to above 15 kHz, as a CD master is usually dithered. For
	// 16-bit outputs at ShapedDitherRate.
	DitherShaped = "shaped"
	DitherNone   = "none"
)

// ShapedDitherRate reports whether shaped dither can be had at an output
// rate: its coefficients are designed for 44.1 kHz and hold at 48 kHz
// (dsp/dither's New).
func ShapedDitherRate(rate int) bool { return rate == 44100 || rate == 48000 }

// Output is one deliverable, written for every version.
type Output struct {
	Format       string `json:"format"`                  // wav, flac or aiff
	BitDepth     int    `json:"bit_depth"`               // 16, 24, 32 (not flac); 32 with sample_format float (wav)
	SampleFormat string `json:"sample_format,omitempty"` // int (default) or float
	SampleRate   int    `json:"sample_rate,omitempty"`   // 0: the stems' rate
	Dither       string `json:"dither,omitempty"`        // tpdf (default whenever the depth drops below float), shaped (16 bits at 44.1 or 48 kHz) or none
	Suffix       string `json:"suffix,omitempty"`
}

// IsFloat reports whether the output stores float samples.
func (o Output) IsFloat() bool { return o.SampleFormat == "float" }

// Dithered reports whether TPDF dither is applied: whenever the output is
// integer of at most MaxDitherBits, unless dither is "none".
func (o Output) Dithered() bool {
	return !o.IsFloat() && o.BitDepth <= MaxDitherBits && o.Dither != DitherNone
}

// MaxDitherBits is the deepest integer output that is dithered: a 32-bit
// word rounds the master (float32, 24 bits of mantissa) by at most 2⁻³²
// of full scale, −193 dB, below anything dither masks, and the dither
// itself would be lost in the float32 it is added in.
const MaxDitherBits = 24

// FileName returns the output's file name for a version:
// "<version>.<ext>" or "<version>-<suffix>.<ext>".
func (o Output) FileName(v Version) string {
	name := string(v)
	if o.Suffix != "" {
		name += "-" + o.Suffix
	}
	return name + "." + o.Format
}

// DefaultOutput is the deliverable of a session without outputs: 24-bit WAV
// at the stems' rate.
var DefaultOutput = Output{Format: FormatWAV, BitDepth: 24}

// Version is an alternate version of the master, made from a subset of the
// stems through the same master settings as main.
type Version string

// Versions a session can ask for.
const (
	VersionMain         Version = "main"
	VersionInstrumental Version = "instrumental" // no lead or backing vocals
	VersionACappella    Version = "a_cappella"   // vocals only
	VersionTV           Version = "tv"           // no lead vocal
)

// AllVersions lists the versions in a fixed order.
var AllVersions = []Version{VersionMain, VersionInstrumental, VersionACappella, VersionTV}

// Valid reports whether v is one of AllVersions.
func (v Version) Valid() bool { return slices.Contains(AllVersions, v) }

// Includes reports whether a stem of role r plays in version v.
func (v Version) Includes(r Role) bool {
	switch v {
	case VersionInstrumental:
		return !r.IsVocal()
	case VersionACappella:
		return r.IsVocal()
	case VersionTV:
		return r != RoleLeadVocal
	}
	return true
}

// AsMain says, for a version other than main that plays every stem main
// plays (and at least one), why: no stem that plays has a role the version
// leaves out ("lead_vocal or backing_vocals" for instrumental, "lead_vocal"
// for tv, the other roles for a_cappella). It is "" otherwise. Such a version is the main master again under
// another name, which an album's delivery must not be by mistake: the
// render warns of it.
func (s *Session) AsMain(v Version) string {
	if v == VersionMain {
		return ""
	}
	plays := 0
	for _, st := range s.Stems {
		if st.Mute {
			continue
		}
		if !v.Includes(st.Role) {
			return ""
		}
		plays++
	}
	if plays == 0 {
		return ""
	}
	var left []string
	for _, r := range Roles {
		if !v.Includes(r) {
			left = append(left, string(r))
		}
	}
	last := len(left) - 1
	switch {
	case last < 0:
		return "" // a version that leaves no role out is main
	case last > 0:
		return "no stem that plays has the role " + strings.Join(left[:last], ", ") + " or " + left[last]
	}
	return "no stem that plays has the role " + left[0]
}

// Path resolves a file named in the session against its directory.
func (s *Session) Path(file string) string {
	if file == "" || filepath.IsAbs(file) || s.Dir == "" {
		return file
	}
	return filepath.Join(s.Dir, file)
}

// WithDefaults returns a copy of s with the defaults of docs/session.md filled in:
// roles inferred from file names, outputs [24-bit WAV], versions [main],
// polarity normal.
func (s *Session) WithDefaults() *Session {
	c := *s
	c.Stems = append([]StemSpec(nil), s.Stems...)
	for i := range c.Stems {
		if c.Stems[i].Role == "" {
			c.Stems[i].Role = InferRole(filepath.Base(c.Stems[i].File))
		}
		if c.Stems[i].Polarity == "" {
			c.Stems[i].Polarity = PolarityNormal
		}
	}
	if len(c.Outputs) == 0 {
		c.Outputs = []Output{DefaultOutput}
	}
	if len(c.Versions) == 0 {
		c.Versions = []Version{VersionMain}
	}
	return &c
}
