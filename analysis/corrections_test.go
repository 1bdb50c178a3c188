package analysis

import (
	"testing"

	"stemmaster"
)

// TestResolve: the one rule for what a session corrects. A finding names
// the correction its fix text or its code gives; the session corrects it
// when the stem's fields hold that correction (every strip of a file
// listed twice); an error it does not correct blocks. A finding on a file
// the session does not list (the mix), or any finding of a stereo
// session, names none; in a stereo session only the mix's own errors
// block.
func TestResolve(t *testing.T) {
	t.Parallel()
	left, right, rate := 1.0, 2.0, 44100.0
	findings := []stemmaster.Finding{
		{Code: stemmaster.CodeOffset, Severity: stemmaster.SeverityError, File: "drums.wav", Fix: "… or set offset_samples: -1000 for drums.wav in the session"},
		{Code: stemmaster.CodePolarityInverted, Severity: stemmaster.SeverityError, File: "bass.wav", Fix: "export it again without the polarity flip, or set polarity: inverted for bass.wav in the session"},
		{Code: stemmaster.CodeGainMismatch, Severity: stemmaster.SeverityWarning, File: "keys.wav", Fix: "… or set gain_db: -11.9 for keys.wav in the session"},
		{Code: stemmaster.CodeChannelsSwapped, Severity: stemmaster.SeverityError, File: "gtr.wav"},
		{Code: stemmaster.CodePolarityInverted, Severity: stemmaster.SeverityError, File: "pad.wav", Value: &right},
		{Code: stemmaster.CodePolarityInverted, Severity: stemmaster.SeverityError, File: "vox.wav", Value: &left},
		{Code: stemmaster.CodeSampleRateMismatch, Severity: stemmaster.SeverityError, File: "fx.wav", Value: &rate},
		{Code: stemmaster.CodeOffset, Severity: stemmaster.SeverityError, File: "mix.wav", Fix: "export the mix again"},
		{Code: stemmaster.CodeClipping, Severity: stemmaster.SeverityWarning, File: "keys.wav", Fix: "lower the track"},
		{Code: stemmaster.CodeClipping, Severity: stemmaster.SeverityWarning, File: "mix.wav", Fix: "lower the track"},
		{Code: stemmaster.CodeMonoAsStereo, Severity: stemmaster.SeverityInfo, File: "keys.wav"},
	}
	s := &stemmaster.Session{Dir: "/songs/a", Stems: []stemmaster.StemSpec{
		{File: "stems/drums.wav", OffsetSamples: -1000},
		{File: "bass.wav", Polarity: stemmaster.PolarityInverted},
		{File: "keys.wav", GainDB: -11.93},
		{File: "gtr.wav", SwapChannels: true},
		{File: "pad.wav", Polarity: stemmaster.PolarityLeftInverted}, // the wrong channel
		{File: "vox.wav", Polarity: stemmaster.PolarityLeftInverted},
		{File: "vox.wav"}, // a second strip of the file, left as delivered
		{File: "fx.wav", Resample: true},
	}}
	want := []struct {
		field     string
		value     float64
		setting   string
		corrected bool
		blocking  bool
		// outstanding: the master of the stems is made with it (not the
		// mix's own clipping, nor a note).
		outstanding bool
	}{
		{"offset_samples", -1000, "", true, false, false},
		{"polarity", -1, "inverted", true, false, false},
		{"gain_db", -11.9, "", true, false, false},
		{"swap_channels", 1, "", true, false, false},
		{"polarity", -1, "right_inverted", false, true, true},
		{"polarity", -1, "left_inverted", false, true, true},
		{"resample", 1, "", true, false, false},
		{"", 0, "", false, true, true},
		{"", 0, "", false, false, true},
		{"", 0, "", false, false, false},
		{"", 0, "", false, false, false},
	}
	rs := Resolve(findings, s, false)
	for i, w := range want {
		r := rs[i]
		if (r.Correction == nil) != (w.field == "") || r.Correction != nil && (r.Correction.Field != w.field || r.Correction.Value != w.value || r.Correction.Setting != w.setting) ||
			r.Corrected != w.corrected || r.Blocking != w.blocking || r.Outstanding != w.outstanding {
			t.Errorf("%s on %s: correction %+v corrected %v blocking %v outstanding %v; want %s %g %q corrected %v blocking %v outstanding %v",
				r.Code, r.File, r.Correction, r.Corrected, r.Blocking, r.Outstanding, w.field, w.value, w.setting, w.corrected, w.blocking, w.outstanding)
		}
	}
	if n := Blocking(rs); n != 3 {
		t.Errorf("Blocking = %d, want 3", n)
	}
	if got := CorrectedLines(rs); len(got) != 5 || got[0] != "offset: drums.wav: " || got[2] != "gain_mismatch: keys.wav: " {
		t.Errorf("CorrectedLines = %q", got)
	}
	// The render's check names a stem by its path when two share a base
	// name; the rule finds it by that path.
	s2 := &stemmaster.Session{Dir: "/songs/a", Stems: []stemmaster.StemSpec{{File: "a/drums.wav", OffsetSamples: -1000}, {File: "b/drums.wav"}}}
	for name, corrected := range map[string]bool{"/songs/a/a/drums.wav": true, "/songs/a/b/drums.wav": false, "drums.wav": false} {
		r := Resolve([]stemmaster.Finding{{Code: stemmaster.CodeOffset, Severity: stemmaster.SeverityError, File: name, Fix: "set offset_samples: -1000 for x"}}, s2, false)[0]
		if r.Corrected != corrected {
			t.Errorf("%s: corrected %v, want %v", name, r.Corrected, corrected)
		}
	}
	// A stereo session renders the mix alone, its one stem: no finding
	// is corrected, and none on a stem or between the files (the mix's
	// offset against the stems) blocks; the mix cut short is read by the
	// render and blocks. The mix's own faults, and only they, are what
	// its master is made with.
	stereo := &stemmaster.Session{Stems: []stemmaster.StemSpec{{File: "mix.wav"}}}
	cut := stemmaster.Finding{Code: stemmaster.CodeTruncated, Severity: stemmaster.SeverityError, File: "mix.wav"}
	for _, r := range Resolve(append(findings, cut), stereo, true) {
		mixOwn := r.File == "mix.wav" && (r.Code == stemmaster.CodeTruncated || r.Code == stemmaster.CodeClipping)
		if r.Correction != nil || r.Corrected || r.Blocking != (r.Code == stemmaster.CodeTruncated) || r.Outstanding != mixOwn {
			t.Errorf("stereo session: %s on %s: %+v", r.Code, r.File, r)
		}
	}
	// Set writes what MadeBy reads.
	for _, r := range rs {
		if r.Correction == nil {
			continue
		}
		var st stemmaster.StemSpec
		r.Correction.Set(&st)
		if !r.Correction.MadeBy(&st) {
			t.Errorf("%+v: Set then MadeBy is false: %+v", r.Correction, st)
		}
	}
}

// TestOffsetLabelCounts: the offset fix's button reads "1 sample", not
// "1 samples".
func TestOffsetLabelCounts(t *testing.T) {
	t.Parallel()
	for fix, want := range map[string]string{
		"set offset_samples: -1 for keys.wav in the session":   "move keys.wav 1 sample earlier",
		"set offset_samples: 1 for keys.wav in the session":    "move keys.wav 1 sample later",
		"set offset_samples: -480 for keys.wav in the session": "move keys.wav 480 samples earlier",
	} {
		a := CorrectionFor(stemmaster.Finding{Code: stemmaster.CodeOffset, File: "keys.wav", Fix: fix})
		if a == nil || a.Label != want {
			t.Errorf("%q: %+v, want the label %q", fix, a, want)
		}
	}
}
