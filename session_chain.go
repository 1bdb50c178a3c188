package stemmaster

import (
	"fmt"
	"math"
	"strconv"
)

// The mastering engineer's processors beyond EQ, compressor and limiter:
// per-stem de-esser, dynamic EQ bands, multiband dynamics and stereo width;
// on the master multiband dynamics, width and saturation before the
// limiter; mid/side work for every EQ band and compressor (Channel); the
// limiter's release character and stem-aware limiting. The engine maps
// them onto the dsp packages (dyneq, multiband, saturate, stemlimit,
// dsp.MidSide); the bounds here are those packages' limits.

// Channel selections of an EQ band or compressor on the stereo pair.
const (
	ChannelStereo = "stereo"
	ChannelMid    = "mid"
	ChannelSide   = "side"
)

// Limiter characters (the release's time constants; dsp/limiter).
const (
	LimiterTransparent = "transparent"
	LimiterPunchy      = "punchy"
	LimiterDense       = "dense"
)

// Saturation characters (dsp/saturate).
const (
	SaturationSoft  = "soft"
	SaturationWarm  = "warm"
	SaturationCubic = "cubic"
)

// Bounds of the new processors.
const (
	MaxWidth           = 4.0  // stereo width (side gain)
	DeEsserMinHz       = 4000 // de-esser split frequency range
	DeEsserMaxHz       = 10000
	MaxDynamicRangeDB  = 24.0 // largest cut of a dynamic band or de-esser
	MaxDynamicEQBands  = 8
	MaxMultibandBands  = 4
	MinMultibandBands  = 2
	MaxSaturationDrive = 24.0
	MinStemWeight      = 0.05
	MaxStemWeight      = 20.0
)

// DeEsserParams: the band above FreqHz (4–10 kHz) is cut by up to RangeDB
// while it exceeds ThresholdDB (split-band). Listen outputs the band alone
// (what the detector hears).
type DeEsserParams struct {
	FreqHz      float64 `json:"freq_hz"`
	ThresholdDB float64 `json:"threshold_db"`
	RangeDB     float64 `json:"range_db"`
	Listen      bool    `json:"listen,omitempty"`
}

// DynamicEQBand is a bell whose cut follows its own band's level: above
// ThresholdDB the band is cut by (level − threshold)·(1 − 1/Ratio), at most
// RangeDB.
type DynamicEQBand struct {
	FreqHz      float64 `json:"freq_hz"`
	Q           float64 `json:"q,omitempty"` // 0 means 2
	ThresholdDB float64 `json:"threshold_db"`
	Ratio       float64 `json:"ratio"`
	RangeDB     float64 `json:"range_db"`
	AttackMS    float64 `json:"attack_ms,omitempty"`  // 0 means 1 ms
	ReleaseMS   float64 `json:"release_ms,omitempty"` // 0 means 60 ms
	Channel     string  `json:"channel,omitempty"`    // stereo (default), mid or side
}

// MultibandParams: 2 to 4 bands split at CrossoversHz (ascending,
// Linkwitz-Riley 24 dB/oct), each with its own dynamics and width.
type MultibandParams struct {
	CrossoversHz []float64       `json:"crossovers_hz"`
	Bands        []MultibandBand `json:"bands"`
}

// MultibandBand is one band's compressor (above ThresholdDB by Ratio),
// expander (below ExpandThresholdDB by ExpandRatio, at most RangeDB) and
// width. Zero ratios mean off; a nil Width means 1.
type MultibandBand struct {
	ThresholdDB       float64  `json:"threshold_db,omitempty"`
	Ratio             float64  `json:"ratio,omitempty"`
	KneeDB            float64  `json:"knee_db,omitempty"`
	AttackMS          float64  `json:"attack_ms,omitempty"`  // 0 means 10 ms
	ReleaseMS         float64  `json:"release_ms,omitempty"` // 0 means 150 ms
	MakeupDB          float64  `json:"makeup_db,omitempty"`
	ExpandThresholdDB float64  `json:"expand_threshold_db,omitempty"`
	ExpandRatio       float64  `json:"expand_ratio,omitempty"`
	RangeDB           float64  `json:"range_db,omitempty"` // 0 means 40 dB
	Width             *float64 `json:"width,omitempty"`
}

// BandWidth returns the band's width (1 when unset).
func (b MultibandBand) BandWidth() float64 {
	if b.Width == nil {
		return 1
	}
	return *b.Width
}

// SaturationParams: drive into an oversampled soft clip before the
// limiter.
type SaturationParams struct {
	DriveDB   float64 `json:"drive_db"`
	OutputDB  float64 `json:"output_db,omitempty"`
	Character string  `json:"character,omitempty"` // soft (default), warm, cubic
}

// StemAwareParams turn on stem-aware limiting: the master limiter's
// reduction is taken from the stems by their family's weight (higher takes
// more). Unset weights are DefaultStemWeight for the role.
type StemAwareParams struct {
	LeadVocal     *float64 `json:"lead_vocal,omitempty"`
	BackingVocals *float64 `json:"backing_vocals,omitempty"`
	Drums         *float64 `json:"drums,omitempty"`
	Bass          *float64 `json:"bass,omitempty"`
	Instruments   *float64 `json:"instruments,omitempty"`
	FX            *float64 `json:"fx,omitempty"`
	Other         *float64 `json:"other,omitempty"`
}

// DefaultStemWeight is the weight of a role stem-aware limiting uses when
// the session sets none: the lead vocal protected, the drums taking it.
func DefaultStemWeight(r Role) float64 {
	switch r {
	case RoleLeadVocal:
		return 0.2
	case RoleBackingVocals:
		return 0.7
	case RoleDrums:
		return 2
	}
	return 1
}

func (p StemAwareParams) field(r Role) *float64 {
	switch r {
	case RoleLeadVocal:
		return p.LeadVocal
	case RoleBackingVocals:
		return p.BackingVocals
	case RoleDrums:
		return p.Drums
	case RoleBass:
		return p.Bass
	case RoleInstruments:
		return p.Instruments
	case RoleFX:
		return p.FX
	}
	return p.Other
}

// Weight returns the weight of a stem of role r.
func (p StemAwareParams) Weight(r Role) float64 {
	if w := p.field(r); w != nil {
		return *w
	}
	return DefaultStemWeight(r)
}

func (v *validator) channel(path, ch string) {
	oneOf(v, path, ch, ChannelStereo, ChannelMid, ChannelSide)
}

func (v *validator) width(path string, w *float64) {
	if w != nil && (math.IsNaN(*w) || *w < 0 || *w > MaxWidth) {
		v.num(path, *w, fmt.Sprintf("is outside 0 … %g", MaxWidth))
	}
}

func (v *validator) deEsser(p string, d DeEsserParams) {
	if math.IsNaN(d.FreqHz) || d.FreqHz < DeEsserMinHz || d.FreqHz > DeEsserMaxHz {
		v.num(p+".freq_hz", d.FreqHz, fmt.Sprintf("is outside %d … %d Hz", DeEsserMinHz, DeEsserMaxHz))
	}
	v.within(p+".threshold_db", d.ThresholdDB, -80, 0, "dB")
	if math.IsNaN(d.RangeDB) || d.RangeDB <= 0 || d.RangeDB > MaxDynamicRangeDB {
		v.num(p+".range_db", d.RangeDB, fmt.Sprintf("is outside (0, %g] dB", MaxDynamicRangeDB))
	}
}

func (v *validator) dynamicEQ(p string, bands []DynamicEQBand) {
	if len(bands) > MaxDynamicEQBands {
		v.addKind(ErrTooMany, p, strconv.Itoa(len(bands))+" bands", fmt.Sprintf("are more than %d", MaxDynamicEQBands))
		bands = bands[:MaxDynamicEQBands]
	}
	for i, b := range bands {
		bp := fmt.Sprintf("%s[%d]", p, i)
		v.within(bp+".freq_hz", b.FreqHz, 20, 20000, "Hz")
		if math.IsNaN(b.Q) || b.Q < 0 || (b.Q > 0 && b.Q < 0.1) || b.Q > 20 {
			v.num(bp+".q", b.Q, "is outside 0.1 … 20")
		}
		v.within(bp+".threshold_db", b.ThresholdDB, -80, 0, "dB")
		v.within(bp+".ratio", b.Ratio, 1, 100, "")
		if math.IsNaN(b.RangeDB) || b.RangeDB <= 0 || b.RangeDB > MaxDynamicRangeDB {
			v.num(bp+".range_db", b.RangeDB, fmt.Sprintf("is outside (0, %g] dB", MaxDynamicRangeDB))
		}
		v.within(bp+".attack_ms", b.AttackMS, 0, 1000, "ms")
		v.within(bp+".release_ms", b.ReleaseMS, 0, 5000, "ms")
		v.channel(bp+".channel", b.Channel)
	}
}

func (v *validator) multiband(p string, m MultibandParams) {
	n := len(m.Bands)
	if n < MinMultibandBands || n > MaxMultibandBands {
		v.add(p+".bands", strconv.Itoa(n)+" bands", fmt.Sprintf("want %d to %d", MinMultibandBands, MaxMultibandBands))
	}
	if len(m.CrossoversHz) != max(n-1, 0) {
		v.add(p+".crossovers_hz", strconv.Itoa(len(m.CrossoversHz))+" frequencies", fmt.Sprintf("want one fewer than the bands (%d)", max(n-1, 0)))
	}
	prev := 0.0
	for i, f := range m.CrossoversHz {
		fp := fmt.Sprintf("%s.crossovers_hz[%d]", p, i)
		switch {
		case math.IsNaN(f) || f < 20 || f > 20000:
			v.num(fp, f, "is outside 20 … 20000 Hz")
		case prev > 0 && f < 1.25*prev:
			v.num(fp, f, fmt.Sprintf("is less than 1.25 × the crossover before it (%s Hz)", FormatNumber(prev)))
		}
		prev = f
	}
	for i, b := range m.Bands {
		bp := fmt.Sprintf("%s.bands[%d]", p, i)
		// Each field's bounds; off: 0 is allowed below lo (a ratio of 0
		// is off, a release of 0 the default).
		for _, f := range []struct {
			name      string
			x, lo, hi float64
			off       bool
			msg       string
		}{
			{"threshold_db", b.ThresholdDB, -96, 0, false, "is outside -96 … 0 dB"},
			{"ratio", b.Ratio, 1, 100, true, "is outside 1 … 100 (0 = off)"},
			{"knee_db", b.KneeDB, 0, 24, false, "is outside 0 … 24 dB"},
			{"attack_ms", b.AttackMS, 0, 5000, false, "is outside 0 … 5000 ms"},
			{"release_ms", b.ReleaseMS, 1, 5000, true, "is outside 1 … 5000 ms"},
			{"makeup_db", b.MakeupDB, -24, 24, false, "is beyond ±24 dB"},
			{"expand_threshold_db", b.ExpandThresholdDB, -120, 0, false, "is outside -120 … 0 dB"},
			{"expand_ratio", b.ExpandRatio, 1, 100, true, "is outside 1 … 100 (0 = off)"},
			{"range_db", b.RangeDB, 0, 60, false, "is outside 0 … 60 dB"},
		} {
			if math.IsNaN(f.x) || (f.x < f.lo && !(f.off && f.x == 0)) || f.x > f.hi {
				v.num(bp+"."+f.name, f.x, f.msg)
			}
		}
		v.width(bp+".width", b.Width)
	}
}

// stemExtras validates a stem's processors beyond EQ and compressor.
func (v *validator) stemExtras(p string, st StemSpec) {
	for i, b := range st.EQ {
		v.channel(fmt.Sprintf("%s.eq[%d].channel", p, i), b.Channel)
	}
	if st.Compressor != nil {
		v.channel(p+".compressor.channel", st.Compressor.Channel)
	}
	if st.DeEsser != nil {
		v.deEsser(p+".de_esser", *st.DeEsser)
	}
	v.dynamicEQ(p+".dynamic_eq", st.DynamicEQ)
	if st.Multiband != nil {
		v.multiband(p+".multiband", *st.Multiband)
	}
	v.width(p+".width", st.Width)
}

// masterExtras validates the master's processors beyond EQ, compressor and
// the limiter's base settings.
func (v *validator) masterExtras(m Master) {
	for i, b := range m.EQ {
		v.channel(fmt.Sprintf("master.eq[%d].channel", i), b.Channel)
	}
	if m.Compressor != nil {
		v.channel("master.compressor.channel", m.Compressor.Channel)
	}
	if m.Multiband != nil {
		v.multiband("master.multiband", *m.Multiband)
	}
	v.width("master.width", m.Width)
	if s := m.Saturation; s != nil {
		v.within("master.saturation.drive_db", s.DriveDB, 0, MaxSaturationDrive, "dB")
		if math.IsNaN(s.OutputDB) || math.Abs(s.OutputDB) > 24 {
			v.num("master.saturation.output_db", s.OutputDB, "is beyond ±24 dB")
		}
		oneOf(v, "master.saturation.character", s.Character, SaturationSoft, SaturationWarm, SaturationCubic)
	}
	if l := m.Limiter; l != nil {
		oneOf(v, "master.limiter.character", l.Character, LimiterTransparent, LimiterPunchy, LimiterDense)
		if sa := l.StemAware; sa != nil {
			for _, r := range Roles {
				if w := sa.field(r); w != nil && (math.IsNaN(*w) || *w < MinStemWeight || *w > MaxStemWeight) {
					v.num("master.limiter.stem_aware."+string(r), *w, fmt.Sprintf("is outside %g … %g", MinStemWeight, MaxStemWeight))
				}
			}
		}
	}
}

// rateExtras checks that the new processors' frequencies lie below
// 0.45 × the stems' sample rate (the filters' design limit).
func (s *Session) rateExtras(v *validator, sampleRate float64) {
	lim := 0.45 * sampleRate
	check := func(path string, f float64) {
		if f >= lim {
			v.num(path, f, fmt.Sprintf("is at or above 0.45 × the sample rate (%s Hz)", FormatNumber(lim)))
		}
	}
	for i, st := range s.Stems {
		for j, b := range st.DynamicEQ {
			check(fmt.Sprintf("stems[%d].dynamic_eq[%d].freq_hz", i, j), b.FreqHz)
		}
		if st.DeEsser != nil {
			check(fmt.Sprintf("stems[%d].de_esser.freq_hz", i), st.DeEsser.FreqHz)
		}
		if st.Multiband != nil {
			for j, f := range st.Multiband.CrossoversHz {
				check(fmt.Sprintf("stems[%d].multiband.crossovers_hz[%d]", i, j), f)
			}
		}
	}
	if s.Master.Multiband != nil {
		for j, f := range s.Master.Multiband.CrossoversHz {
			check(fmt.Sprintf("master.multiband.crossovers_hz[%d]", j), f)
		}
	}
}
