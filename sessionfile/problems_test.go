package sessionfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"stemmaster"
)

// TestLoadNamesThePath: errors name the session file as it was given, not
// its base name: an album's songs each have a session.yaml, and a batch
// over them must say which one is wrong.
func TestLoadNamesThePath(t *testing.T) {
	t.Parallel()
	p := writeSession(t, "session.yaml", "stems:\n  - file: vox.wav\n    gain_db: 60\n")
	_, err := Load(p)
	if want := p + ":3: stems[0].gain_db: 60 is beyond ±48 dB"; err == nil || err.Error() != want {
		t.Errorf("error\n got: %v\nwant: %s", err, want)
	}
}

// TestLoadEveryProblem: a session with a misspelt key, a value of the
// wrong type, values out of range, a missing file and an unknown version
// is reported whole in one run, ordered by line, and the value that could
// not be read is not reported a second time as absent or out of range.
func TestLoadEveryProblem(t *testing.T) {
	t.Parallel()
	text := `stems:
  - file: vox.wav
    compressor: {threshold_db: -20, ratio: 300, knees_db: 6}
  - file: drums.wav
    pan: left
    gain_db: 60
  - file: nothere.wav
    compressor: {threshold_db: -20, ratio: lots}
master:
  target: {integrated_lufs: loud}
outputs: [{format: wav, bit_depth: twenty-four}]
versions: [main, instrumental, a_cappella, tv, radio]
`
	p := writeSession(t, "s.yaml", text)
	_, err := Load(p)
	// Each line below is a problem written into the text above, at its line.
	want := strings.Join([]string{
		`s.yaml:3: stems[0].compressor: "knees_db" is not a known field (threshold_db, ratio, attack_ms, release_ms, knee_db, makeup_db, sidechain_hpf_hz, channel): did you mean knee_db?`,
		`s.yaml:3: stems[0].compressor.ratio: 300 is above 100`,
		`s.yaml:5: stems[1].pan: "left" is not a number`,
		`s.yaml:6: stems[1].gain_db: 60 is beyond ±48 dB`,
		`s.yaml:7: stems[2].file: "nothere.wav" does not exist`,
		`s.yaml:8: stems[2].compressor.ratio: "lots" is not a number`,
		`s.yaml:10: master.target.integrated_lufs: "loud" is not a number`,
		`s.yaml:11: outputs[0].bit_depth: "twenty-four" is not a whole number`,
		`s.yaml:12: versions: 5 versions are more than the 4 there are (main, instrumental, a_cappella, tv)`,
		`s.yaml:12: versions[4]: "radio" is not a version (main, instrumental, a_cappella, tv)`,
	}, "\n")
	if got := relative(err, p); got != want {
		t.Errorf("errors\n got: %s\nwant: %s", got, want)
	}
	// Parse alone reports the problems of reading, all of them, and no
	// session.
	data, _ := os.ReadFile(p)
	s, err := Parse(data, "s.yaml")
	if s != nil || len(stemmaster.SessionErrors(err)) != 5 {
		t.Errorf("Parse: %v, %d errors (%v); want no session and the 5 errors of reading", s != nil, len(stemmaster.SessionErrors(err)), err)
	}
}

// TestLoadBoundsTheProblems: a document of thousands of wrong values is
// not a line each: maxErrors, then one line saying more follow.
func TestLoadBoundsTheProblems(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("stems:\n  - file: vox.wav\n    eq:\n")
	for range 1000 {
		b.WriteString("      - {type: peak, freq_hz: high}\n")
	}
	_, err := Load(writeSession(t, "s.yaml", b.String()))
	errs := stemmaster.SessionErrors(err)
	if len(errs) != maxErrors+1 || errs[maxErrors].ErrKind() != stemmaster.ErrTooMany || !strings.Contains(errs[maxErrors].Problem, "more problems") {
		t.Fatalf("%d errors, the last %v; want %d and one saying more follow", len(errs), errs[len(errs)-1], maxErrors)
	}
}

// TestMergeKeys: YAML merge keys (<<) merge an anchored mapping under the
// keys written beside them, as YAML 1.1 defines them and yaml.v3 reads
// them: the mapping's own keys win, then earlier merged mappings.
func TestMergeKeys(t *testing.T) {
	t.Parallel()
	text := `stems:
  - file: vox.wav
    compressor: &glue {threshold_db: -20, ratio: 3, attack_ms: 5}
  - file: drums.wav
    compressor:
      <<: *glue
      ratio: 4
  - file: bass.wav
    compressor: {<<: [&slow {release_ms: 300, ratio: 1.5}, *glue], knee_db: 3}
master:
  target: {<<: {preset: apple}, true_peak_dbtp: -2}
`
	s, err := Load(writeSession(t, "s.yaml", text))
	if err != nil {
		t.Fatal(err)
	}
	// The figures are those written above, merged by the rule.
	for i, want := range []stemmaster.CompressorParams{
		{ThresholdDB: -20, Ratio: 3, AttackMS: 5},
		{ThresholdDB: -20, Ratio: 4, AttackMS: 5},
		{ThresholdDB: -20, Ratio: 1.5, AttackMS: 5, ReleaseMS: 300, KneeDB: 3},
	} {
		if got := s.Stems[i].Compressor; got == nil || *got != want {
			t.Errorf("stems[%d].compressor = %+v, want %+v", i, got, want)
		}
	}
	if tg := s.Master.EffectiveTarget(); tg.IntegratedLUFS != -16 || tg.TruePeakDBTP != -2 {
		t.Errorf("target %s, want apple's -16 LUFS at -2 dBTP", tg)
	}
	if got := s.Lines["stems[1].compressor.threshold_db"]; got != 3 {
		t.Errorf("a merged field's line is %d, want 3 (where it is written)", got)
	}

	// A merge of something that is no mapping, a key twice beside a
	// merge, and a quoted "<<" (JSON has no merge keys) are errors.
	p := writeSession(t, "bad.yaml", `stems:
  - file: vox.wav
    compressor: {<<: 3, threshold_db: -20, ratio: 2}
  - file: drums.wav
    compressor: {<<: {ratio: 2}, threshold_db: -20, threshold_db: -10}
  - {"file": "bass.wav", "<<": {"gain_db": 1}}
`)
	_, err = Load(p)
	want := strings.Join([]string{
		`bad.yaml:3: stems[0].compressor: 3 is merged (<<) but is not a mapping or a list of mappings`,
		`bad.yaml:5: stems[1].compressor.threshold_db: is given twice`,
		`bad.yaml:6: stems[2]: "<<" is not a known field (file, role, gain_db, pan, mute, polarity, swap_channels, resample, offset_samples, eq, compressor, de_esser, dynamic_eq, multiband, width)`,
	}, "\n")
	if got := relative(err, p); got != want {
		t.Errorf("errors\n got: %s\nwant: %s", got, want)
	}
}

// TestLoadRelativeToTheSession: stem and mix paths resolve from the
// session's folder, not the working directory, whatever characters the
// folder's name holds.
func TestLoadRelativeToTheSession(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "01 Fräncium ✦")
	if err := os.MkdirAll(filepath.Join(dir, "stems"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"stems/vox.wav", "mix.wav"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(dir, "session.yaml")
	if err := os.WriteFile(p, []byte("stems: [{file: stems/vox.wav}]\nmix: mix.wav\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.Path(s.Stems[0].File), filepath.Join(dir, "stems", "vox.wav"); got != want {
		t.Errorf("stem resolves to %q, want %q", got, want)
	}
	if got, want := s.Path(s.Mix), filepath.Join(dir, "mix.wav"); got != want {
		t.Errorf("mix resolves to %q, want %q", got, want)
	}
}

// TestUnitWrittenWithTheFigure: a figure written with its unit ("0.5dB",
// "3 kHz") is refused with the way to write it: the number alone, in the
// unit the field's name carries, or for the target's short form in LUFS.
// Values that are no figure get no hint.
func TestUnitWrittenWithTheFigure(t *testing.T) {
	t.Parallel()
	text := `stems:
  - file: vox.wav
    gain_db: 0.5dB
    offset_samples: 100 samples
    eq: [{type: peak, freq_hz: 3k, gain_db: 1}, {type: high_pass, freq_hz: 2.5 kHz}]
    compressor: {threshold_db: -20, ratio: 3, attack_ms: 5ms}
    pan: left
master:
  target: {integrated_lufs: -14 LUFS}
`
	p := writeSession(t, "s.yaml", text)
	_, err := Load(p)
	want := strings.Join([]string{
		`s.yaml:3: stems[0].gain_db: "0.5dB" is not a number (write the number alone, 0.5: the field's unit, dB, is in its name)`,
		`s.yaml:4: stems[0].offset_samples: "100 samples" is not a whole number (write the number alone, 100: the field's unit, samples, is in its name)`,
		`s.yaml:5: stems[0].eq[0].freq_hz: "3k" is not a number (write the number alone, 3000: the field's unit, Hz, is in its name)`,
		`s.yaml:5: stems[0].eq[1].freq_hz: "2.5 kHz" is not a number (write the number alone, 2500: the field's unit, Hz, is in its name)`,
		`s.yaml:6: stems[0].compressor.attack_ms: "5ms" is not a number (write the number alone, 5: the field's unit, ms, is in its name)`,
		`s.yaml:7: stems[0].pan: "left" is not a number`,
		`s.yaml:9: master.target.integrated_lufs: "-14 LUFS" is not a number (write the number alone, -14: the field's unit, LUFS, is in its name)`,
	}, "\n")
	if got := relative(err, p); got != want {
		t.Errorf("errors\n got: %s\nwant: %s", got, want)
	}
	// target: -11 LUFS, the short form written with its unit, read as a
	// preset's name: "is not a preset", with no word of the number.
	p = writeSession(t, "t.yaml", "stems:\n  - file: vox.wav\nmaster:\n  target: -11 LUFS\n")
	_, err = Load(p)
	want = `t.yaml:4: master.target: "-11 LUFS" is not a preset or a number (write the number alone, -11: a target written as a number is a loudness in LUFS)`
	if got := relative(err, p); got != want {
		t.Errorf("errors\n got: %s\nwant: %s", got, want)
	}
}
