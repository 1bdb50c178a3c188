package sessionfile

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"stemmaster"
)

// writeSession writes a session file beside empty stand-ins for the stems it
// names (validation checks existence, not content) and returns its path.
func writeSession(t *testing.T, name, text string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"vox.wav", "drums.wav", "bass.wav", "mix.wav", "keys.wav"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// relative is err's text with the directory of the session file p taken
// off the paths it names, for comparing with a message written once.
func relative(err error, p string) string {
	if err == nil {
		return "<nil>"
	}
	return strings.ReplaceAll(err.Error(), filepath.Dir(p)+string(filepath.Separator), "")
}

const fullSession = `stems:
  - file: vox.wav
    role: lead_vocal
    gain_db: 1.5
    pan: 0
    mute: false
    polarity: normal
    offset_samples: 0
    eq: [{type: high_pass, freq_hz: 80, q: 0.707},
         {type: peak, freq_hz: 3000, gain_db: 1.5, q: 1.0}]
    compressor: {threshold_db: -18, ratio: 3, attack_ms: 10, release_ms: 120, knee_db: 6, makeup_db: 0}
  - file: drums.wav
    polarity: inverted
    offset_samples: -480
  - {file: bass.wav, pan: -0.25}
mix: mix.wav
master:
  eq: [{type: low_shelf, freq_hz: 100, gain_db: -1}]
  compressor: {threshold_db: -12, ratio: 2}
  limiter: {ceiling_dbtp: -1, lookahead_ms: 5, release_ms: 80}
  target: {preset: streaming}
outputs:
  - {format: wav, bit_depth: 24}
  - {format: wav, bit_depth: 32, sample_format: float, suffix: float}
  - {format: wav, bit_depth: 16, sample_rate: 44100, dither: tpdf, suffix: cd}
  - {format: flac, bit_depth: 24}
versions: [main, instrumental, a_cappella, tv]
`

func TestLoad(t *testing.T) {
	t.Parallel()
	p := writeSession(t, "session.yaml", fullSession)
	s, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	// Expected values are the ones written in fullSession above.
	if got := len(s.Stems); got != 3 {
		t.Fatalf("stems = %d, want 3", got)
	}
	vox := s.Stems[0]
	if vox.Role != stemmaster.RoleLeadVocal || vox.GainDB != 1.5 || len(vox.EQ) != 2 || vox.EQ[1].FreqHz != 3000 || vox.Compressor == nil || vox.Compressor.Ratio != 3 {
		t.Errorf("lead vocal parsed as %+v", vox)
	}
	if s.Stems[1].Polarity != stemmaster.PolarityInverted || s.Stems[1].OffsetSamples != -480 {
		t.Errorf("drums parsed as %+v", s.Stems[1])
	}
	if got, want := s.Path(s.Stems[2].File), filepath.Join(filepath.Dir(p), "bass.wav"); got != want {
		t.Errorf("path resolves to %q, want %q (relative to the session file)", got, want)
	}
	tg := s.Master.EffectiveTarget()
	if tg.Preset != "streaming" || tg.IntegratedLUFS != -14 || tg.TruePeakDBTP != -1 {
		t.Errorf("target = %+v, want streaming -14/-1", tg)
	}
	if len(s.Outputs) != 4 || s.Outputs[2].SampleRate != 44100 || s.Outputs[2].FileName(stemmaster.VersionTV) != "tv-cd.wav" {
		t.Errorf("outputs = %+v", s.Outputs)
	}
	if len(s.Versions) != 4 {
		t.Errorf("versions = %v", s.Versions)
	}
	d := s.WithDefaults()
	if d.Stems[1].Role != stemmaster.RoleDrums || d.Stems[2].Role != stemmaster.RoleBass {
		t.Errorf("inferred roles %q, %q; want drums, bass", d.Stems[1].Role, d.Stems[2].Role)
	}

	// The same session as JSON (as the service sends it) parses to the same
	// values.
	js, err := json.MarshalIndent(s, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	pj := writeSession(t, "session.json", string(js))
	s2, err := Load(pj)
	if err != nil {
		t.Fatalf("JSON round trip: %v\n%s", err, js)
	}
	js2, _ := json.MarshalIndent(s2, "", "\t")
	if string(js) != string(js2) {
		t.Errorf("JSON round trip differs:\n%s\n---\n%s", js, js2)
	}
}

func TestSessionTargets(t *testing.T) {
	t.Parallel()
	// Expected figures: the preset table of docs/session.md, and the session rules
	// (absent target = streaming; none = off).
	tests := []struct {
		name, target string
		want         string
	}{
		{"absent", "", "streaming (-14 LUFS, -1 dBTP)"},
		{"none", "target: none", "none"},
		{"preset scalar", "target: club", "club (-7 LUFS, -0.3 dBTP)"},
		{"preset mapping", "target: {preset: ebu_r128}", "ebu_r128 (-23 LUFS, -1 dBTP)"},
		{"figures", "target: {integrated_lufs: -12.5, true_peak_dbtp: -2}", "-12.5 LUFS, -2 dBTP"},
		{"figures default ceiling", "target: {integrated_lufs: -10}", "-10 LUFS, -1 dBTP"},
		{"preset overridden", "target: {preset: apple, true_peak_dbtp: -1.5}", "-16 LUFS, -1.5 dBTP"},
		{"a loudness alone, as --target takes it", "target: -11.5", "-11.5 LUFS, -1 dBTP"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text := "stems: [{file: vox.wav}]\n"
			if tc.target != "" {
				text += "master:\n  " + tc.target + "\n"
			}
			s, err := Load(writeSession(t, "s.yaml", text))
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Master.EffectiveTarget().String(); got != tc.want {
				t.Errorf("target = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestSessionErrors(t *testing.T) {
	t.Parallel()
	// Each expected message is the exact text a user sees: file, line (of
	// the offending value in the session text), field, value, problem.
	const head = "stems:\n  - file: vox.wav\n"
	tests := []struct {
		name, text, want string
	}{
		{"missing stem file", "stems:\n  - file: nothere.wav\n",
			`s.yaml:2: stems[0].file: "nothere.wav" does not exist`},
		{"missing mix", head + "mix: gone.wav\n",
			`s.yaml:3: mix: "gone.wav" does not exist`},
		{"unknown field", "stems:\n  - file: vox.wav\n    gian_db: 3\n",
			`s.yaml:3: stems[0]: "gian_db" is not a known field (file, role, gain_db, pan, mute, polarity, swap_channels, resample, offset_samples, eq, compressor, de_esser, dynamic_eq, multiband, width): did you mean gain_db?`},
		{"unknown top-level field", head + "mastr: {}\n",
			`s.yaml:3: session: "mastr" is not a known field (stems, mix, master, outputs, versions): did you mean master?`},
		{"unknown target field", head + "master:\n  target: {lufs: -14}\n",
			`s.yaml:4: master.target: "lufs" is not a known field (preset, integrated_lufs, true_peak_dbtp)`},
		{"loudness above 0", head + "master:\n  target: 3\n",
			`s.yaml:4: master.target.integrated_lufs: 3 is not below 0 LUFS (targets lie from -60 up to, not including, 0)`},
		{"unknown preset", head + "master:\n  target: loudest\n",
			`s.yaml:4: master.target.preset: "loudest" is not a preset (streaming, apple, loud, club, ebu_r128, podcast, none)`},
		{"ratio below 1", head + "    compressor: {threshold_db: -20, ratio: 0.5}\n",
			`s.yaml:3: stems[0].compressor.ratio: 0.5 is below 1`},
		{"ratio absent", head + "    compressor:\n      threshold_db: -20\n",
			`s.yaml:3: stems[0].compressor.ratio: 0 is below 1`},
		{"gain beyond 48", head + "    gain_db: 60\n",
			`s.yaml:3: stems[0].gain_db: 60 is beyond ±48 dB`},
		{"eq gain beyond 48", head + "    eq:\n      - {type: peak, freq_hz: 1000, gain_db: -50}\n",
			`s.yaml:4: stems[0].eq[0].gain_db: -50 is beyond ±48 dB`},
		{"ceiling above 0", head + "master:\n  limiter:\n    ceiling_dbtp: 0.5\n",
			`s.yaml:5: master.limiter.ceiling_dbtp: 0.5 is above 0 dBTP`},
		{"target ceiling above 0", head + "master:\n  target: {integrated_lufs: -14, true_peak_dbtp: 1}\n",
			`s.yaml:4: master.target.true_peak_dbtp: 1 is above 0 dBTP`},
		{"pan out of range", head + "    pan: 1.5\n",
			`s.yaml:3: stems[0].pan: 1.5 is outside -1 … 1`},
		{"bad eq type", head + "    eq: [{type: bell, freq_hz: 100}]\n",
			`s.yaml:3: stems[0].eq[0].type: "bell" is not an EQ type (peak, low_shelf, high_shelf, high_pass, low_pass, band_pass, notch, lr_high_pass, lr_low_pass)`},
		{"not a number", head + "    gain_db: loud\n",
			`s.yaml:3: stems[0].gain_db: "loud" is not a number`},
		{"bad role", head + "    role: singer\n",
			`s.yaml:3: stems[0].role: "singer" is not a role (lead_vocal, backing_vocals, drums, bass, instruments, fx, other)`},
		{"bad polarity", head + "    polarity: reversed\n",
			`s.yaml:3: stems[0].polarity: "reversed" is not normal, inverted, left_inverted or right_inverted`},
		{"bad bit depth", head + "outputs: [{format: wav, bit_depth: 20}]\n",
			`s.yaml:3: outputs[0].bit_depth: 20 is not 16, 24 or 32`},
		{"bit depth absent", head + "outputs: [{format: flac}]\n",
			`s.yaml:3: outputs[0].bit_depth: is required: 16, 24, or 32 for WAV and AIFF`},
		{"32-bit flac", head + "outputs: [{format: flac, bit_depth: 32}]\n",
			`s.yaml:3: outputs[0].bit_depth: 32 is not 16 or 24 (the FLAC encoder writes those)`},
		{"float aiff", head + "outputs: [{format: aiff, bit_depth: 32, sample_format: float}]\n",
			`s.yaml:3: outputs[0].sample_format: "float" is not possible in AIFF`},
		{"dither at 32 bits", head + "outputs: [{format: aiff, bit_depth: 32, dither: tpdf}]\n",
			`s.yaml:3: outputs[0].dither: "tpdf" is not possible at 32 bits: its rounding error, −193 dB, is below anything dither masks (leave dither out)`},
		{"shaped dither at 24 bits", head + "outputs: [{format: wav, bit_depth: 24, dither: shaped}]\n",
			`s.yaml:3: outputs[0].dither: "shaped" is for 16-bit outputs: deeper words put their flat dither below hearing already (use tpdf, or leave dither out)`},
		{"shaped dither at 96 kHz", head + "outputs: [{format: flac, bit_depth: 16, sample_rate: 96000, dither: shaped}]\n",
			`s.yaml:3: outputs[0].dither: "shaped" is designed for 44.1 and 48 kHz, not 96000 Hz (use tpdf)`},
		{"rumble filter too high", head + "master: {rumble_filter_hz: 60}\n",
			`s.yaml:3: master.rumble_filter_hz: 60 is outside 10 … 40 Hz`},
		{"format absent", head + "outputs: [{bit_depth: 24}]\n",
			`s.yaml:3: outputs[0].format: is required: wav, flac or aiff`},
		{"float flac", head + "outputs: [{format: flac, bit_depth: 32, sample_format: float}]\n",
			`s.yaml:3: outputs[0].sample_format: "float" is not possible in FLAC`},
		{"bad version", head + "versions: [main, karaoke]\n",
			`s.yaml:3: versions[1]: "karaoke" is not a version (main, instrumental, a_cappella, tv)`},
		{"same file twice", head + "outputs: [{format: wav, bit_depth: 24}, {format: wav, bit_depth: 16}]\n",
			`s.yaml:3: outputs[1].suffix: "" gives the same file name as outputs[0] (main.wav); set a different suffix`},
		{"no stems", "stems: []\n",
			`s.yaml:1: stems: lists no stems`},
		// yaml.v3 reports an unclosed flow sequence at line 1.
		{"syntax", "stems:\n  - file: [vox.wav\n",
			`s.yaml:1: syntax error: did not find expected ',' or ']'`},
		{"empty", "",
			`s.yaml: the session is empty`},
		{"duplicate key", head + "    gain_db: 1\n    gain_db: 2\n",
			`s.yaml:4: stems[0].gain_db: is given twice`},
		{"json unknown field", `{"stems": [{"file": "vox.wav", "gain": 3}]}`,
			`s.yaml:1: stems[0]: "gain" is not a known field (file, role, gain_db, pan, mute, polarity, swap_channels, resample, offset_samples, eq, compressor, de_esser, dynamic_eq, multiband, width): did you mean gain_db?`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := writeSession(t, "s.yaml", tc.text)
			_, err := Load(p)
			if err == nil {
				t.Fatalf("no error; want %s", tc.want)
			}
			if got := relative(err, p); got != tc.want {
				t.Errorf("error\n got: %s\nwant: %s", got, tc.want)
			}
			var se *stemmaster.SessionError
			if !errors.As(err, &se) {
				t.Errorf("error %T is not a *stemmaster.SessionError", err)
			}
		})
	}
}

func TestSessionSeveralErrors(t *testing.T) {
	t.Parallel()
	// Every problem is reported, in document order, one per line.
	text := "stems:\n  - file: vox.wav\n    gain_db: 50\n    pan: 2\n"
	p := writeSession(t, "s.yaml", text)
	_, err := Load(p)
	want := "s.yaml:3: stems[0].gain_db: 50 is beyond ±48 dB\ns.yaml:4: stems[0].pan: 2 is outside -1 … 1"
	if err == nil || relative(err, p) != want {
		t.Errorf("error\n got: %v\nwant: %s", err, want)
	}
}

func TestValidateRate(t *testing.T) {
	t.Parallel()
	// Nyquist of 48 kHz is 24000 Hz (the second validation step, once the
	// stems' headers are read).
	text := `stems:
  - file: vox.wav
  - file: drums.wav
  - file: bass.wav
    eq:
      - type: low_pass
        freq_hz: 30000
master:
  eq: [{type: high_shelf, freq_hz: 24000, gain_db: 1}]
`
	p := writeSession(t, "session.yaml", text)
	s, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	err = s.ValidateRate(48000)
	want := "session.yaml:7: stems[2].eq[0].freq_hz: 30000 is above Nyquist (24000 Hz)\n" +
		"session.yaml:9: master.eq[0].freq_hz: 24000 is at Nyquist (24000 Hz); it must lie below"
	if err == nil || relative(err, p) != want {
		t.Errorf("error\n got: %v\nwant: %s", err, want)
	}
	if err := s.ValidateRate(96000); err != nil {
		t.Errorf("at 96 kHz: %v", err)
	}
}

func TestParseLines(t *testing.T) {
	t.Parallel()
	// Expected lines are counted in the text below (1-based). A block's
	// line is its key's line; a list item's is its first entry's.
	text := "stems:\n  - file: vox.wav\n    eq:\n      - type: peak\n        freq_hz: 1000\nmaster:\n  target: {integrated_lufs: -12}\n"
	s, err := Parse([]byte(text), "s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "s.yaml" || s.Dir != "" {
		t.Errorf("Name, Dir = %q, %q; want s.yaml and empty (Parse resolves no paths)", s.Name, s.Dir)
	}
	tests := []struct {
		field string
		want  int
	}{
		{"stems", 1},
		{"stems[0]", 2},
		{"stems[0].file", 2},
		{"stems[0].eq", 3},
		{"stems[0].eq[0]", 4},
		{"stems[0].eq[0].freq_hz", 5},
		{"master", 6},
		{"master.target", 7},
		{"master.target.integrated_lufs", 7},
	}
	for _, tc := range tests {
		if got := s.Lines[tc.field]; got != tc.want {
			t.Errorf("Lines[%q] = %d, want %d", tc.field, got, tc.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(fullSession))
	f.Add([]byte(`{"stems": [{"file": "a.wav", "eq": [{"type": "peak", "freq_hz": 1000}]}], "master": {"target": "none"}}`))
	f.Add([]byte("stems: [{file: a.wav}]\nmaster: {target: {integrated_lufs: -14}}\n"))
	for _, doc := range hostile(2048) {
		f.Add([]byte(doc))
	}
	f.Add([]byte(aliasBomb(20)))
	f.Add([]byte(aliasStems(200)))
	f.Fuzz(func(t *testing.T, data []byte) {
		// room never counts fewer values than the parser builds.
		if n, line := room(data, MaxValues); line == 0 && len(data) < 1<<16 {
			if built := nodes(data); built > n {
				t.Fatalf("room %d for %d values built", n, built)
			}
		}
		s, err := Parse(data, "fuzz.yaml")
		if err != nil {
			// Bad input is a typed error naming the file, never a panic.
			var se *stemmaster.SessionError
			if !errors.As(err, &se) || se.File != "fuzz.yaml" {
				t.Fatalf("error %v (%T) is not a *stemmaster.SessionError naming fuzz.yaml", err, err)
			}
			return
		}
		_ = s.Validate()
		_ = s.ValidateRate(48000)
	})
}

// TestMixAmongStems: the mix given as a stem too (the same path, or a link
// to it) is a duplicate error on the mix's line; a stem that is another
// file is not. The check compared the stems with a mix they held, and took
// the mix for 6 dB quieter than "their" sum.
func TestMixAmongStems(t *testing.T) {
	t.Parallel()
	p := writeSession(t, "s.yaml", "stems:\n  - file: vox.wav\n  - file: mix.wav\nmix: ./mix.wav\n")
	_, err := Load(p)
	var se *stemmaster.SessionError
	if !errors.As(err, &se) || se.Field != "mix" || se.Line != 4 || se.ErrKind() != stemmaster.ErrDuplicate || !strings.Contains(se.Problem, "stems[1].file") {
		t.Fatalf("Load: %v, want a duplicate error on mix naming stems[1].file", err)
	}
	dir := filepath.Dir(p)
	if err := os.Symlink("mix.wav", filepath.Join(dir, "link.wav")); err != nil {
		t.Fatal(err)
	}
	if i := MixAmongStems(filepath.Join(dir, "link.wav"), []string{filepath.Join(dir, "vox.wav"), filepath.Join(dir, "mix.wav")}); i != 1 {
		t.Errorf("a link to the mix among the stems: %d, want 1", i)
	}
	if i := MixAmongStems(filepath.Join(dir, "mix.wav"), []string{filepath.Join(dir, "vox.wav"), filepath.Join(dir, "bass.wav")}); i != -1 {
		t.Errorf("stems without the mix: %d, want -1", i)
	}
	if _, err := Load(writeSession(t, "s.yaml", "stems:\n  - file: vox.wav\nmix: mix.wav\n")); err != nil {
		t.Errorf("a session with its own mix: %v", err)
	}
}

// TestLoadTooManyStems: a session of more stems than MaxStems is one
// too_many error, not a line for each stem file it names besides.
func TestLoadTooManyStems(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("stems:\n")
	for i := 0; i <= 2*stemmaster.MaxStems; i++ {
		fmt.Fprintf(&b, "  - file: missing%d.wav\n", i)
	}
	_, err := Load(writeSession(t, "s.yaml", b.String()))
	errs := stemmaster.SessionErrors(err)
	if len(errs) != 1 || errs[0].ErrKind() != stemmaster.ErrTooMany || errs[0].Field != "stems" {
		t.Fatalf("Load: %d errors (%v), want the one too_many error on stems", len(errs), err)
	}
}
