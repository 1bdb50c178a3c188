package sessionfile

import (
	"errors"
	"runtime"
	"strings"
	"testing"

	"stemmaster"
)

// aliasBomb is a session whose stems are n aliases of one stem whose EQ is
// n aliases of one band: a few bytes a level, n² bands once expanded.
func aliasBomb(n int) string {
	var b strings.Builder
	b.WriteString("stems:\n  - &s {file: vox.wav, eq: [&e {type: peak, freq_hz: 1000, gain_db: 1, q: 1}")
	b.WriteString(strings.Repeat(", *e", n-1))
	b.WriteString("]}\n")
	b.WriteString(strings.Repeat("  - *s\n", n-1))
	return b.String()
}

// TestAliasBomb: a session file's aliases cannot expand it without bound. The
// 3000 × 3000 form of this document (33 KiB) took 56 s and 7.4 GB before the
// decoder counted what it visits; 400 × 400 shows the same refusal at once.
func TestAliasBomb(t *testing.T) {
	t.Parallel()
	_, err := Parse([]byte(aliasBomb(400)), "bomb.yaml")
	if err == nil {
		t.Fatal("Parse accepted a session that aliases expand to 160000 EQ bands")
	}
	var se *stemmaster.SessionError
	if !errors.As(err, &se) || se.ErrKind() != stemmaster.ErrTooMany || se.File != "bomb.yaml" || se.Line == 0 {
		t.Fatalf("error %#v, want a too_many SessionError with the file and line", err)
	}
	if !strings.Contains(err.Error(), "aliases") {
		t.Errorf("error %q does not say the aliases are at fault", err)
	}
}

// aliasStems is a session of n stems, each a few bytes aliasing one
// 16-band EQ.
func aliasStems(n int) string {
	var b strings.Builder
	b.WriteString("stems:\n  - {file: a.wav, eq: &e [")
	b.WriteString(strings.Repeat("{type: peak, freq_hz: 1000, gain_db: 1, q: 1, channel: mid}, ", 15))
	b.WriteString("{type: peak, freq_hz: 1000, gain_db: 1, q: 1, channel: mid}]}\n")
	b.WriteString(strings.Repeat("  - {file: a.wav, eq: *e}\n", n-1))
	return b.String()
}

// TestAliasStems: stems aliasing one 16-band EQ, each a few bytes, expand
// within 16 times what is written but past MaxValues: refused at
// MaxValues, allocating about 100 MiB, not the 600 that 16 times would take.
func TestAliasStems(t *testing.T) {
	// Not parallel: the allocation count is the process's.
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Parse([]byte(aliasStems(24000)), "stems.yaml")
	runtime.ReadMemStats(&after)
	var se *stemmaster.SessionError
	if !errors.As(err, &se) || se.ErrKind() != stemmaster.ErrTooMany || !strings.Contains(se.Problem, "aliases") {
		t.Fatalf("Parse: %v, want too many through aliases", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 200<<20 {
		t.Errorf("refusing it allocated %d MiB", alloc>>20)
	}
}

// TestAliasReuse: an anchor reused as a user would (one EQ curve on every
// stem of a large session) stays within the bound.
func TestAliasReuse(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("stems:\n  - {file: vox.wav, eq: &curve [")
	for i := 0; i < 16; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("{type: peak, freq_hz: 1000, gain_db: 1, q: 1, channel: mid}")
	}
	b.WriteString("]}\n")
	for i := 1; i < 64; i++ {
		b.WriteString("  - {file: vox.wav, gain_db: -1, pan: 0.1, mute: false, eq: *curve}\n")
	}
	s, err := Parse([]byte(b.String()), "reuse.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Stems) != 64 || len(s.Stems[63].EQ) != 16 {
		t.Fatalf("%d stems, the last with %d bands; want 64 with 16", len(s.Stems), len(s.Stems[63].EQ))
	}
}

// TestHugeWholeNumber: a whole number too large for the field is out of
// range, not "not a whole number"; a fraction in a whole-number field is an
// error, never truncated; a whole number written with a point is read.
func TestHugeWholeNumber(t *testing.T) {
	t.Parallel()
	_, err := Parse([]byte(`{"stems":[{"file":"vox.wav","offset_samples":99999999999999999999}]}`), "s.json")
	if err == nil || !strings.Contains(err.Error(), "99999999999999999999 is out of range") {
		t.Errorf("error %v, want the value named as out of range", err)
	}
	// yaml.v3 alone reads 1.5 into an int as 1.
	for _, v := range []string{"1.5", "-2.9", "0.5"} {
		_, err = Parse([]byte(`{"stems":[{"file":"vox.wav","offset_samples":`+v+`}]}`), "s.json")
		if err == nil || !strings.Contains(err.Error(), v+" is not a whole number") {
			t.Errorf("offset_samples %s: error %v, want it named as not a whole number", v, err)
		}
	}
	s, err := Parse([]byte("stems: [{file: vox.wav, offset_samples: -480.0}]\noutputs: [{format: wav, bit_depth: 24.0, sample_rate: 4.41e4}]\n"), "s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if s.Stems[0].OffsetSamples != -480 || s.Outputs[0].BitDepth != 24 || s.Outputs[0].SampleRate != 44100 {
		t.Errorf("whole numbers written with a point read as %d, %d, %d", s.Stems[0].OffsetSamples, s.Outputs[0].BitDepth, s.Outputs[0].SampleRate)
	}
}

// TestOneDocument: a second YAML document is an error at its line, never
// dropped unread; a stray "---" before or after the session, or a tab
// indenting it, are told apart.
func TestOneDocument(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ text, want string }{
		{"stems: [{file: vox.wav}]\n---\nstems: [{file: drums.wav}]\n", "s.yaml:2: a second YAML document starts here"},
		{"stems:\n\t- file: vox.wav\n", "s.yaml:2: syntax error: found character that cannot start any token (a tab on this line: YAML indents with spaces only)"},
	} {
		if _, err := Parse([]byte(c.text), "s.yaml"); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.text, err, c.want)
		}
	}
	for _, text := range []string{"---\nstems: [{file: vox.wav}]\n", "stems: [{file: vox.wav}]\n---\n", "stems: [{file: vox.wav}]\n...\n"} {
		if s, err := Parse([]byte(text), "s.yaml"); err != nil || len(s.Stems) != 1 {
			t.Errorf("%q: %v", text, err)
		}
	}
}

// TestTopLevelNotAMapping: a document that is not a mapping names the
// session as what is wrong ("s.yaml:1: is not a mapping of fields" named
// nothing).
func TestTopLevelNotAMapping(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]string{
		"[a, b]\n":      "s.yaml:1: session: a list is not a mapping of fields",
		"just words\n":  `s.yaml:1: session: "just words" is not a mapping of fields`,
		"---\nnull\n":   "s.yaml:2: session: null is not a mapping of fields",
		"[{file: x}]\n": "s.yaml:1: session: a list is not a mapping of fields",
	} {
		if _, err := Parse([]byte(text), "s.yaml"); err == nil || err.Error() != want {
			t.Errorf("%q: %v, want %q", text, err, want)
		}
	}
}

// TestNullField: a block field written as null is left out (the default
// master), as a null list is, not refused as "master: null is not a
// mapping of fields".
func TestNullField(t *testing.T) {
	t.Parallel()
	for _, text := range []string{"stems: [{file: vox.wav}]\nmaster: null\n", "stems: [{file: vox.wav}]\nmaster: ~\noutputs: null\n", `{"stems": [{"file": "vox.wav"}], "master": null}`} {
		s, err := Parse([]byte(text), "s.yaml")
		if err != nil || s.Master.Limiter != nil || len(s.Outputs) != 0 {
			t.Errorf("%q: %v", text, err)
		}
	}
}
