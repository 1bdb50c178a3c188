package stemmaster

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// noFiles is a session folder that does not exist. Validate does no I/O
// (a stem's file is checked where it is opened), so the validation tests'
// sessions name stems that are nowhere on the disk.
const noFiles = "/nonexistent/stems"

func TestSessionInCode(t *testing.T) {
	t.Parallel()
	// A session built in code (the service) validates without file or line.
	s := &Session{Dir: noFiles, Stems: []StemSpec{{File: "a.wav", Compressor: &CompressorParams{Ratio: 0.5}}}}
	err := s.Validate()
	want := "stems[0].compressor.ratio: 0.5 is below 1"
	if err == nil || err.Error() != want {
		t.Errorf("error\n got: %v\nwant: %s", err, want)
	}
}

func TestVersionIncludes(t *testing.T) {
	t.Parallel()
	// Version contents: instrumental = no vocals, a cappella =
	// vocals only, tv = no lead vocal.
	tests := []struct {
		v    Version
		want string // roles included, in Roles order
	}{
		{VersionMain, "lead_vocal backing_vocals drums bass instruments fx other"},
		{VersionInstrumental, "drums bass instruments fx other"},
		{VersionACappella, "lead_vocal backing_vocals"},
		{VersionTV, "backing_vocals drums bass instruments fx other"},
	}
	for _, tc := range tests {
		var got []string
		for _, r := range Roles {
			if tc.v.Includes(r) {
				got = append(got, string(r))
			}
		}
		if g := strings.Join(got, " "); g != tc.want {
			t.Errorf("%s includes %s, want %s", tc.v, g, tc.want)
		}
	}
}

func TestValidateLines(t *testing.T) {
	t.Parallel()
	// Lines (filled by the session-file reader) put the line in front of
	// each problem; a field absent from Lines takes its nearest parent's
	// line. The expected texts follow SessionError's format
	// "file:line: field: value problem" and the limits in session_validate.go.
	s := &Session{
		Dir:  noFiles,
		Name: "s.yaml",
		Stems: []StemSpec{{
			File:       "a.wav",
			EQ:         []EQBand{{Type: EQLowPass, FreqHz: 30000}},
			Compressor: &CompressorParams{Ratio: 0.5},
		}},
		Lines: map[string]int{
			"stems":                  1,
			"stems[0]":               2,
			"stems[0].compressor":    4,
			"stems[0].eq[0].freq_hz": 7,
		},
	}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"parent line", s.Validate(), "s.yaml:4: stems[0].compressor.ratio: 0.5 is below 1"},
		{"own line", s.ValidateRate(48000), "s.yaml:7: stems[0].eq[0].freq_hz: 30000 is above Nyquist (24000 Hz)"},
		// A value of megabytes (a file name in a hostile session) is cut
		// at a character's start, saying how long it is.
		{"long value", &SessionError{File: "s.yaml", Line: 2, Field: "stems[0].file", Value: `"` + strings.Repeat("é", 1<<20) + `"`, Problem: "does not exist"},
			`s.yaml:2: stems[0].file: "` + strings.Repeat("é", 59) + `… (2097154 bytes) does not exist`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err == nil || tc.err.Error() != tc.want {
				t.Errorf("error\n got: %v\nwant: %s", tc.err, tc.want)
			}
		})
	}
}

// TestValidateTooMany: a list longer than its bound is one too_many error
// naming its length and the bound, and only the items within the bound are
// checked further (the 17th band's bad type is not reported).
func TestValidateTooMany(t *testing.T) {
	t.Parallel()
	bands := make([]EQBand, MaxEQBands+1)
	for i := range bands {
		bands[i] = EQBand{Type: EQPeak, FreqHz: 1000, Q: 1}
	}
	bands[MaxEQBands].Type = "wobble"
	outs := make([]Output, MaxOutputs+1)
	for i := range outs {
		outs[i] = Output{Format: "wav", BitDepth: 24, Suffix: "v" + strings.Repeat("x", i)}
	}
	s := &Session{Stems: []StemSpec{{File: "a.wav", EQ: bands}}, Outputs: outs}
	got := s.Validate()
	want := "stems[0].eq: 17 bands are more than 16\noutputs: 9 outputs are more than 8"
	if got == nil || got.Error() != want {
		t.Fatalf("error\n got: %v\nwant: %s", got, want)
	}
	var se *SessionError
	if !errors.As(got, &se) || se.Kind != ErrTooMany {
		t.Errorf("first error %+v, want kind %s", se, ErrTooMany)
	}
}

// TestChainValidation: every new processor's bounds are refused with the
// path of the field and the accepted range; a full valid chain passes.
func TestChainValidation(t *testing.T) {
	t.Parallel()
	valid := func() *Session {
		return &Session{Dir: noFiles, Stems: []StemSpec{{
			File: "a.wav", Role: RoleLeadVocal,
			EQ:         []EQBand{{Type: EQPeak, FreqHz: 300, GainDB: -2, Channel: ChannelSide}},
			Compressor: &CompressorParams{ThresholdDB: -20, Ratio: 2, Channel: ChannelMid},
			DeEsser:    &DeEsserParams{FreqHz: 6000, ThresholdDB: -30, RangeDB: 6},
			DynamicEQ:  []DynamicEQBand{{FreqHz: 2500, ThresholdDB: -30, Ratio: 3, RangeDB: 4}},
			Width:      new(1.2),
		}}, Master: Master{
			Multiband:  &MultibandParams{CrossoversHz: []float64{150, 2500}, Bands: []MultibandBand{{}, {ThresholdDB: -20, Ratio: 2}, {Width: new(1.3)}}},
			Saturation: &SaturationParams{DriveDB: 4, Character: SaturationWarm},
			Limiter:    &LimiterParams{Character: LimiterPunchy},
		}}
	}
	if err := valid().Validate(); err != nil {
		t.Fatalf("valid chain refused: %v", err)
	}
	cases := []struct {
		edit func(s *Session)
		want string
	}{
		{func(s *Session) { s.Stems[0].EQ[0].Channel = "left" }, `stems[0].eq[0].channel: "left" is not stereo, mid or side`},
		{func(s *Session) { s.Stems[0].Compressor.Channel = "mids" }, `stems[0].compressor.channel`},
		{func(s *Session) { s.Stems[0].DeEsser.FreqHz = 2000 }, "stems[0].de_esser.freq_hz: 2000 is outside 4000 … 10000 Hz"},
		{func(s *Session) { s.Stems[0].DeEsser.RangeDB = 0 }, "stems[0].de_esser.range_db"},
		{func(s *Session) { s.Stems[0].DynamicEQ[0].Ratio = 0.5 }, "stems[0].dynamic_eq[0].ratio"},
		{func(s *Session) { s.Stems[0].Width = new(5.0) }, "stems[0].width: 5 is outside 0 … 4"},
		{func(s *Session) { s.Master.Multiband.CrossoversHz = []float64{150} }, "master.multiband.crossovers_hz"},
		{func(s *Session) { s.Master.Multiband.CrossoversHz[1] = 160 }, "master.multiband.crossovers_hz[1]: 160 is less than 1.25"},
		{func(s *Session) { s.Master.Multiband.Bands[2].Width = new(-1.0) }, "master.multiband.bands[2].width"},
		{func(s *Session) { s.Master.Saturation.DriveDB = 30 }, "master.saturation.drive_db: 30 is outside 0 … 24 dB"},
		{func(s *Session) { s.Master.Saturation.Character = "fuzz" }, "master.saturation.character"},
		{func(s *Session) { s.Master.Limiter.Character = "loud" }, "master.limiter.character"},
		{func(s *Session) {
			s.Master.Multiband, s.Master.Saturation = nil, nil
			s.Master.Limiter.StemAware = &StemAwareParams{Drums: new(0.0)}
		}, "master.limiter.stem_aware.drums: 0 is outside 0.05 … 20"},
	}
	for _, c := range cases {
		s := valid()
		c.edit(s)
		err := s.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want one containing %q", err, c.want)
		}
	}
	s := valid()
	s.Stems[0].DeEsser.FreqHz = 9500
	if err := s.ValidateRate(16000); err == nil || !strings.Contains(err.Error(), "stems[0].de_esser.freq_hz") {
		t.Errorf("9.5 kHz de-esser at 16 kHz: %v", err)
	}
	// Shaped dither at the stems' rate needs that rate to be 44.1 or 48 kHz.
	s = valid()
	s.Outputs = []Output{{Format: FormatWAV, BitDepth: 16, Dither: DitherShaped}}
	if err := s.ValidateRate(48000); err != nil {
		t.Errorf("shaped dither at the stems' 48 kHz: %v", err)
	}
	want := `outputs[0].dither: "shaped" is designed for 44.1 and 48 kHz, and this output is at the stems' 96000 Hz (set sample_rate: 44100, or use tpdf)`
	if err := s.ValidateRate(96000); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("shaped dither at the stems' 96 kHz: %v, want %q", err, want)
	}
	s.Outputs[0].SampleRate = 44100
	if err := s.ValidateRate(96000); err != nil {
		t.Errorf("shaped dither at 44.1 kHz from 96 kHz stems: %v", err)
	}
	// Stem-aware limiting goes with every master processor (they process
	// each stem keyed by the sum).
	s = valid()
	s.Master.Compressor = &CompressorParams{ThresholdDB: -20, Ratio: 2, Channel: ChannelMid}
	s.Master.Limiter.StemAware = &StemAwareParams{}
	if err := s.Validate(); err != nil {
		t.Errorf("stem-aware with multiband, saturation and a mid glue compressor refused: %v", err)
	}
	if w := (StemAwareParams{}).Weight(RoleDrums); w != 2 {
		t.Errorf("default drums weight %g", w)
	}
}

// TestValidateStemCount: a session listing more than MaxStems stems is one
// too_many error on "stems", and only the first MaxStems are checked
// further. A 0.9 MB session of 50,000 stems ran for minutes and took 24 GB
// (the check compares every pair of stems) before anything failed.
func TestValidateStemCount(t *testing.T) {
	t.Parallel()
	stems := make([]StemSpec, 50000)
	for i := range stems {
		stems[i] = StemSpec{File: "a.wav", GainDB: 100}
	}
	err := (&Session{Stems: stems}).Validate()
	var se *SessionError
	if !errors.As(err, &se) || se.Kind != ErrTooMany || se.Field != "stems" || se.Error() != "stems: 50000 stems are more than 128" {
		t.Fatalf("first error %v, want stems: 50000 stems are more than 128 (too_many)", err)
	}
	if n := len(SessionErrors(err)); n != 1+MaxStems {
		t.Errorf("%d errors, want the count and the gains of the first %d stems", n, MaxStems)
	}
	if err := (&Session{Stems: stems[:MaxStems:MaxStems]}).Validate(); err == nil || errors.As(err, &se) && se.Kind == ErrTooMany {
		t.Errorf("%d stems: %v, want only their gains refused", MaxStems, err)
	}
}

func TestStemCorrectionsValidate(t *testing.T) {
	t.Parallel()
	s := &Session{Stems: []StemSpec{
		{File: "a.wav", Polarity: PolarityLeftInverted, SwapChannels: true, Resample: true},
		{File: "b.wav", Polarity: "left"},
	}}
	errs := SessionErrors(s.Validate())
	if len(errs) != 1 || errs[0].Field != "stems[1].polarity" || errs[0].ErrKind() != ErrInvalid {
		t.Fatalf("Validate = %v, want one invalid stems[1].polarity", errs)
	}
	if err := s.ValidateChannels(0, 2); err != nil {
		t.Errorf("stereo stem: %v", err)
	}
	errs = SessionErrors(s.ValidateChannels(0, 1))
	if len(errs) != 2 || errs[0].Field != "stems[0].swap_channels" || errs[1].Field != "stems[0].polarity" {
		t.Fatalf("mono stem: %v, want swap_channels and polarity", errs)
	}
	want := `stems[0].polarity: "left_inverted" needs a stereo stem; a.wav has 1 channel(s) (use inverted)`
	if errs[1].Error() != want {
		t.Errorf("got %q\nwant %q", errs[1].Error(), want)
	}
	for _, tc := range []struct {
		p    Polarity
		l, r float64
	}{{"", 1, 1}, {PolarityNormal, 1, 1}, {PolarityInverted, -1, -1}, {PolarityLeftInverted, -1, 1}, {PolarityRightInverted, 1, -1}} {
		if l, r := tc.p.Signs(); l != tc.l || r != tc.r {
			t.Errorf("%q.Signs() = %g, %g; want %g, %g", tc.p, l, r, tc.l, tc.r)
		}
	}
}

// TestSuffixLength: a suffix too long for a file name is refused when the
// session is validated; 300 characters passed and the render failed at
// its end with "file name too long".
func TestSuffixLength(t *testing.T) {
	t.Parallel()
	for n, ok := range map[int]bool{MaxSuffixLen: true, MaxSuffixLen + 1: false, 300: false} {
		s := &Session{Stems: []StemSpec{{File: "a.wav"}}, Outputs: []Output{{Format: "wav", BitDepth: 24, Suffix: strings.Repeat("a", n)}}}
		err := s.Validate()
		if ok != (err == nil) || !ok && !strings.Contains(err.Error(), "outputs[0].suffix") {
			t.Errorf("a suffix of %d characters: %v", n, err)
		}
	}
}

// BenchmarkValidate validates sessions of growing size; the time per stem
// stays flat (validation is linear in the session's size), and a session
// over the bounds costs no more than one at them.
func BenchmarkValidate(b *testing.B) {
	for _, n := range []int{1000, 4000, 16000} {
		s := &Session{}
		for i := range n {
			s.Stems = append(s.Stems, StemSpec{File: fmt.Sprintf("s%d.wav", i), EQ: []EQBand{{Type: EQPeak, FreqHz: 1000, Q: 1}}})
			s.Outputs = append(s.Outputs, Output{Format: FormatWAV, BitDepth: 24, Suffix: fmt.Sprintf("o%d", i)})
			s.Versions = append(s.Versions, VersionMain)
		}
		b.Run(fmt.Sprintf("stems=%d", n), func(b *testing.B) {
			for b.Loop() {
				s.Validate()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/stem")
		})
	}
}

// TestAsMain: a version that plays every stem main plays is named, with
// the reason, and only then; a version with no stem (a_cappella of stems
// without vocals) is empty, not main again.
func TestAsMain(t *testing.T) {
	t.Parallel()
	stems := func(roles ...Role) *Session {
		s := &Session{}
		for _, r := range roles {
			s.Stems = append(s.Stems, StemSpec{File: string(r) + ".wav", Role: r})
		}
		return s
	}
	noVocals := stems(RoleDrums, RoleBass, RoleInstruments)
	withVocal := stems(RoleDrums, RoleLeadVocal)
	backing := stems(RoleDrums, RoleBackingVocals)
	mutedVocal := stems(RoleDrums, RoleLeadVocal)
	mutedVocal.Stems[1].Mute = true
	cases := []struct {
		s    *Session
		v    Version
		want string
	}{
		{noVocals, VersionMain, ""},
		{noVocals, VersionInstrumental, "no stem that plays has the role lead_vocal or backing_vocals"},
		{noVocals, VersionTV, "no stem that plays has the role lead_vocal"},
		{noVocals, VersionACappella, ""},
		{withVocal, VersionInstrumental, ""},
		{withVocal, VersionTV, ""},
		{backing, VersionTV, "no stem that plays has the role lead_vocal"},
		{backing, VersionInstrumental, ""},
		{mutedVocal, VersionInstrumental, "no stem that plays has the role lead_vocal or backing_vocals"},
		{stems(), VersionTV, ""},
	}
	for _, c := range cases {
		if got := c.s.AsMain(c.v); got != c.want {
			t.Errorf("%v of %+v: %q, want %q", c.v, c.s.Stems, got, c.want)
		}
	}
}
