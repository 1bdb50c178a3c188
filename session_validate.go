package stemmaster

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Limits a session is held to.
const (
	MaxGainDB       = 48.0 // stem, EQ and makeup gains: ±48 dB
	MinEQFreqHz     = 10.0 // lowest EQ frequency
	MaxOffsetFrames = 1 << 31
	MinSampleRate   = 8000
	MaxSampleRate   = 384000
	// MaxOutputs bounds the deliverable formats of a session and
	// MaxEQBands the bands of one EQ: each output is rendered for every
	// version, and each band runs on every sample of its strip.
	MaxOutputs = 8
	MaxEQBands = 16
	// MaxSuffixLen bounds an output's suffix.
	MaxSuffixLen = 64
	// MaxStems bounds the stems of a session, far above any stem
	// delivery (the check calls more than 8 a multitrack) and a large
	// multitrack: the check compares every pair of stems (its memory and
	// time grow with the square of their count), so a session listing
	// thousands would take gigabytes and hours before anything failed.
	MaxStems = 128
)

var suffixPattern = regexp.MustCompile(`^[A-Za-z0-9_]+(-[A-Za-z0-9_]+)*$`)

// validator collects SessionErrors in document order.
type validator struct {
	s    *Session
	errs []error
}

func (v *validator) add(path, value, problem string) { v.addKind(ErrInvalid, path, value, problem) }

func (v *validator) addKind(kind ErrorKind, path, value, problem string) {
	v.errs = append(v.errs, &SessionError{File: v.s.Name, Line: v.s.line(path), Field: path, Value: value, Problem: problem, Kind: kind})
}

// tooMany reports a list at path longer than most (its items counted in
// noun) and returns the part that is checked further.
func tooMany[T any](v *validator, path string, items []T, most int, noun string) []T {
	if len(items) > most {
		v.addKind(ErrTooMany, path, strconv.Itoa(len(items))+" "+noun, fmt.Sprintf("are more than %d", most))
		return items[:most]
	}
	return items
}

// oneOf reports value at path unless it is empty (the default) or one of
// allowed, naming them in the message ("is not soft, warm or cubic"), so
// the names accepted and the names listed are one list.
func oneOf[T ~string](v *validator, path string, value T, allowed ...T) {
	if value == "" || slices.Contains(allowed, value) {
		return
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	last := len(names) - 1
	v.add(path, strconv.Quote(string(value)), "is not "+strings.Join(names[:last], ", ")+" or "+names[last])
}

func (v *validator) num(path string, x float64, problem string) {
	v.add(path, FormatNumber(x), problem)
}

// within reports x at path unless lo ≤ x ≤ hi; unit ("dB", "ms", "Hz" or
// "") ends the message.
func (v *validator) within(path string, x, lo, hi float64, unit string) {
	if math.IsNaN(x) || x < lo || x > hi {
		problem := fmt.Sprintf("is outside %g … %g", lo, hi)
		if unit != "" {
			problem += " " + unit
		}
		v.num(path, x, problem)
	}
}

// Validate checks everything that needs neither audio nor the disk: the
// stem count (1 … MaxStems), roles,
// gains (±48 dB), pans (-1…1), EQ bands (at most MaxEQBands per strip;
// type, frequency ≥ 10 Hz, Q > 0, slope), compressors (ratio ≥ 1,
// threshold ≤ 0, times ≥ 0), the limiter (ceiling ≤ 0 dBTP), the target,
// outputs (at most MaxOutputs) and versions (no repeats). The frequencies
// are checked against Nyquist by ValidateRate once the stems' rate is
// known; that the files exist is checked where they are opened
// (sessionfile.CheckFiles for the command line, the upload records in the
// service, audio.Open in the engine). All problems are
// returned, joined with errors.Join; each is a *SessionError naming the
// field, the value, its Kind and (for a file) the line. Its time is linear
// in the session's size.
func (s *Session) Validate() error {
	v := &validator{s: s}
	if len(s.Stems) == 0 {
		v.add("stems", "", "lists no stems")
	}
	for i, st := range tooMany(v, "stems", s.Stems, MaxStems, "stems") {
		v.stem(fmt.Sprintf("stems[%d]", i), st)
	}
	v.master(s.Master)
	v.outputs(s.Outputs)
	v.versions(s.Versions)
	return errors.Join(v.errs...)
}

func (v *validator) gain(path string, g float64) {
	if math.IsNaN(g) || math.Abs(g) > MaxGainDB {
		v.num(path, g, fmt.Sprintf("is beyond ±%g dB", MaxGainDB))
	}
}

func (v *validator) stem(p string, st StemSpec) {
	if st.File == "" {
		v.add(p+".file", `""`, "is empty")
	}
	if st.Role != "" && !st.Role.Valid() {
		v.add(p+".role", strconv.Quote(string(st.Role)), "is not a role (lead_vocal, backing_vocals, drums, bass, instruments, fx, other)")
	}
	v.gain(p+".gain_db", st.GainDB)
	v.within(p+".pan", st.Pan, -1, 1, "")
	oneOf(v, p+".polarity", st.Polarity, PolarityNormal, PolarityInverted, PolarityLeftInverted, PolarityRightInverted)
	if st.OffsetSamples <= -MaxOffsetFrames || st.OffsetSamples >= MaxOffsetFrames {
		v.add(p+".offset_samples", strconv.FormatInt(st.OffsetSamples, 10), "is beyond ±2^31 frames")
	}
	v.eq(p+".eq", st.EQ)
	if st.Compressor != nil {
		v.compressor(p+".compressor", *st.Compressor)
	}
	v.stemExtras(p, st)
}

func (v *validator) eq(p string, bands []EQBand) {
	bands = tooMany(v, p, bands, MaxEQBands, "bands")
	for i, b := range bands {
		bp := fmt.Sprintf("%s[%d]", p, i)
		if !slices.Contains(EQBandTypes, b.Type) {
			v.add(bp+".type", strconv.Quote(b.Type), "is not an EQ type ("+strings.Join(EQBandTypes, ", ")+")")
		}
		if math.IsNaN(b.FreqHz) || b.FreqHz < MinEQFreqHz {
			v.num(bp+".freq_hz", b.FreqHz, fmt.Sprintf("is below %g Hz", MinEQFreqHz))
		}
		v.gain(bp+".gain_db", b.GainDB)
		v.within(bp+".q", b.Q, 0, 100, "")
		switch {
		case b.Slope == 0:
		case b.Type == EQHighPass || b.Type == EQLowPass:
			if b.Slope != 6 && b.Slope != 12 && b.Slope != 24 && b.Slope != 48 {
				v.add(bp+".slope", strconv.Itoa(b.Slope), "is not 6, 12, 24 or 48")
			}
		case b.Type == EQLRHighPass || b.Type == EQLRLowPass:
			if b.Slope != 12 && b.Slope != 24 && b.Slope != 48 {
				v.add(bp+".slope", strconv.Itoa(b.Slope), "is not 12, 24 or 48")
			}
		default:
			v.add(bp+".slope", strconv.Itoa(b.Slope), "applies only to the pass filters")
		}
	}
}

func (v *validator) compressor(p string, c CompressorParams) {
	v.within(p+".threshold_db", c.ThresholdDB, -96, 0, "dB")
	if math.IsNaN(c.Ratio) || c.Ratio < 1 {
		v.num(p+".ratio", c.Ratio, "is below 1")
	} else if c.Ratio > 100 {
		v.num(p+".ratio", c.Ratio, "is above 100")
	}
	v.within(p+".attack_ms", c.AttackMS, 0, 1000, "ms")
	v.within(p+".release_ms", c.ReleaseMS, 0, 10000, "ms")
	v.within(p+".knee_db", c.KneeDB, 0, 48, "dB")
	v.gain(p+".makeup_db", c.MakeupDB)
	if math.IsNaN(c.SidechainHPFHz) || c.SidechainHPFHz < 0 || (c.SidechainHPFHz > 0 && c.SidechainHPFHz < MinEQFreqHz) {
		v.num(p+".sidechain_hpf_hz", c.SidechainHPFHz, fmt.Sprintf("is below %g Hz", MinEQFreqHz))
	}
}

func (v *validator) master(m Master) {
	if f := m.RumbleFilterHz; f != 0 {
		v.within("master.rumble_filter_hz", f, MinRumbleFilterHz, MaxRumbleFilterHz, "Hz")
	}
	v.matchEQ("master.match_eq", m.MatchEQ)
	v.eq("master.eq", m.EQ)
	if m.Compressor != nil {
		v.compressor("master.compressor", *m.Compressor)
	}
	if l := m.Limiter; l != nil {
		if c := l.CeilingDBTP; c != nil && (math.IsNaN(*c) || *c > 0) {
			v.num("master.limiter.ceiling_dbtp", *c, "is above 0 dBTP")
		} else if c != nil && *c < -20 {
			v.num("master.limiter.ceiling_dbtp", *c, "is below -20 dBTP")
		}
		// 0 means the limiter's default; the bounds lie inside what the
		// limiter accepts (engine's TestSessionBoundsWithinProcessors).
		if math.IsNaN(l.LookaheadMS) || l.LookaheadMS != 0 && (l.LookaheadMS < 0.5 || l.LookaheadMS > 20) {
			v.num("master.limiter.lookahead_ms", l.LookaheadMS, "is outside 0.5 … 20 ms (0 means the default, 5 ms)")
		}
		if math.IsNaN(l.ReleaseMS) || l.ReleaseMS != 0 && (l.ReleaseMS < 1 || l.ReleaseMS > 2000) {
			v.num("master.limiter.release_ms", l.ReleaseMS, "is outside 1 … 2000 ms (0 means the default, 80 ms)")
		}
		v.within("master.limiter.warn_gain_reduction_db", l.WarnGainReductionDB, 0, 48, "dB")
	}
	if m.Target != nil {
		if err := m.Target.check(); err != nil {
			v.add("master.target."+err.Field, err.Value, err.Problem)
		}
	}
	v.gain("master.gain_db", m.GainDB)
	v.masterExtras(m)
}

func (v *validator) outputs(outs []Output) {
	outs = tooMany(v, "outputs", outs, MaxOutputs, "outputs")
	names := make(map[string]int, len(outs))
	for i, o := range outs {
		p := fmt.Sprintf("outputs[%d]", i)
		oneOf(v, p+".sample_format", o.SampleFormat, "int", "float")
		switch {
		case o.Format == "":
			v.add(p+".format", "", "is required: wav, flac or aiff")
		case o.BitDepth == 0 && (o.Format == FormatWAV || o.Format == FormatFLAC || o.Format == FormatAIFF):
			v.add(p+".bit_depth", "", "is required: 16, 24, or 32 for WAV and AIFF")
		case o.Format == FormatWAV && o.IsFloat():
			if o.BitDepth != 32 {
				v.add(p+".bit_depth", strconv.Itoa(o.BitDepth), "is not 32 (float WAV is 32-bit)")
			}
		case o.Format == FormatAIFF && o.IsFloat():
			// The aiff encoder writes integer PCM only (float needs AIFF-C).
			v.add(p+".sample_format", `"float"`, "is not possible in AIFF")
		case o.Format == FormatWAV || o.Format == FormatAIFF:
			// Integer WAV, and the deliverable the aiff encoder writes:
			// integer PCM of 16, 24 or 32 bits, as the codec reads them.
			if o.BitDepth != 16 && o.BitDepth != 24 && o.BitDepth != 32 {
				v.add(p+".bit_depth", strconv.Itoa(o.BitDepth), "is not 16, 24 or 32")
			}
		case o.Format == FormatFLAC:
			if o.IsFloat() {
				v.add(p+".sample_format", `"float"`, "is not possible in FLAC")
			} else if o.BitDepth != 16 && o.BitDepth != 24 {
				v.add(p+".bit_depth", strconv.Itoa(o.BitDepth), "is not 16 or 24 (the FLAC encoder writes those)")
			}
		default:
			v.add(p+".format", strconv.Quote(o.Format), "is not wav, flac or aiff")
		}
		if o.SampleRate != 0 && (o.SampleRate < MinSampleRate || o.SampleRate > MaxSampleRate) {
			v.add(p+".sample_rate", strconv.Itoa(o.SampleRate), fmt.Sprintf("is outside %d … %d Hz", MinSampleRate, MaxSampleRate))
		}
		oneOf(v, p+".dither", o.Dither, DitherTPDF, DitherShaped, DitherNone)
		switch {
		case o.Dither == DitherTPDF && !o.IsFloat() && o.BitDepth > MaxDitherBits:
			v.add(p+".dither", strconv.Quote(o.Dither), fmt.Sprintf("is not possible at %d bits: its rounding error, −193 dB, is below anything dither masks (leave dither out)", o.BitDepth))
		case o.Dither == DitherShaped && (o.IsFloat() || o.BitDepth != 16):
			v.add(p+".dither", strconv.Quote(o.Dither), "is for 16-bit outputs: deeper words put their flat dither below hearing already (use tpdf, or leave dither out)")
		case o.Dither == DitherShaped && o.SampleRate != 0 && !ShapedDitherRate(o.SampleRate):
			v.add(p+".dither", strconv.Quote(o.Dither), fmt.Sprintf("is designed for 44.1 and 48 kHz, not %d Hz (use tpdf)", o.SampleRate))
		}
		switch {
		case o.Suffix != "" && !suffixPattern.MatchString(o.Suffix):
			v.add(p+".suffix", strconv.Quote(o.Suffix), "is not letters, digits, _ and -")
		case len(o.Suffix) > MaxSuffixLen:
			// The file name, its temporary name and a download named
			// after the song must fit a file system's 255 bytes.
			v.add(p+".suffix", strconv.Quote(o.Suffix), fmt.Sprintf("is longer than %d characters", MaxSuffixLen))
		}
		name := o.FileName(VersionMain)
		if j, dup := names[name]; dup {
			v.addKind(ErrDuplicate, p+".suffix", strconv.Quote(o.Suffix), fmt.Sprintf("gives the same file name as outputs[%d] (%s); set a different suffix", j, name))
		} else {
			names[name] = i
		}
	}
}

func (v *validator) versions(vs []Version) {
	if len(vs) > len(AllVersions) {
		v.addKind(ErrTooMany, "versions", strconv.Itoa(len(vs))+" versions", fmt.Sprintf("are more than the %d there are (main, instrumental, a_cappella, tv)", len(AllVersions)))
		// Among one entry more there is an unknown name or a repeat,
		// which its own line below names (the typo to fix, where
		// "too many" alone hides it).
		vs = vs[:len(AllVersions)+1]
	}
	seen := map[Version]bool{}
	for i, ver := range vs {
		p := fmt.Sprintf("versions[%d]", i)
		if !ver.Valid() {
			v.add(p, strconv.Quote(string(ver)), "is not a version (main, instrumental, a_cappella, tv)")
		} else if seen[ver] {
			v.addKind(ErrDuplicate, p, strconv.Quote(string(ver)), "is listed twice")
		}
		seen[ver] = true
	}
}

// ValidateRate is the second validation step, once the stems' headers are
// read: every EQ and sidechain frequency must lie below the Nyquist
// frequency of the stems' rate, and an output at the stems' rate with
// shaped dither needs that rate to be 44.1 or 48 kHz.
func (s *Session) ValidateRate(sampleRate int) error {
	v := &validator{s: s}
	ny := float64(sampleRate) / 2
	check := func(p string, f float64) {
		switch {
		case f > ny:
			v.num(p, f, fmt.Sprintf("is above Nyquist (%s Hz)", FormatNumber(ny)))
		case f == ny:
			v.num(p, f, fmt.Sprintf("is at Nyquist (%s Hz); it must lie below", FormatNumber(ny)))
		}
	}
	bands := func(p string, eq []EQBand, c *CompressorParams) {
		for i, b := range eq {
			check(fmt.Sprintf("%s.eq[%d].freq_hz", p, i), b.FreqHz)
		}
		if c != nil {
			check(p+".compressor.sidechain_hpf_hz", c.SidechainHPFHz)
		}
	}
	for i, st := range s.Stems {
		bands(fmt.Sprintf("stems[%d]", i), st.EQ, st.Compressor)
	}
	bands("master", s.Master.EQ, s.Master.Compressor)
	for i, pt := range s.Master.MatchEQ {
		check(fmt.Sprintf("master.match_eq[%d].freq_hz", i), pt.FreqHz)
	}
	s.rateExtras(v, float64(sampleRate))
	for i, o := range s.Outputs {
		if o.Dither == DitherShaped && o.SampleRate == 0 && !ShapedDitherRate(sampleRate) {
			v.add(fmt.Sprintf("outputs[%d].dither", i), strconv.Quote(o.Dither),
				fmt.Sprintf("is designed for 44.1 and 48 kHz, and this output is at the stems' %d Hz (set sample_rate: 44100, or use tpdf)", sampleRate))
		}
	}
	return errors.Join(v.errs...)
}

// ValidateChannels is the check of a stem's fields against its file once
// its header is read: swap_channels and a one-channel polarity need a
// stereo stem. It returns a *SessionError naming the field, or nil.
func (s *Session) ValidateChannels(i, channels int) error {
	if i < 0 || i >= len(s.Stems) || channels == 2 {
		return nil
	}
	v := &validator{s: s}
	st := s.Stems[i]
	p := fmt.Sprintf("stems[%d]", i)
	if st.SwapChannels {
		v.add(p+".swap_channels", "true", fmt.Sprintf("needs a stereo stem; %s has %d channel(s)", st.File, channels))
	}
	if st.Polarity.PerChannel() {
		v.add(p+".polarity", strconv.Quote(string(st.Polarity)), fmt.Sprintf("needs a stereo stem; %s has %d channel(s) (use inverted)", st.File, channels))
	}
	return errors.Join(v.errs...)
}
