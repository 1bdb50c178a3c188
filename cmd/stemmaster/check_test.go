package main

import (
	"bytes"
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/internal/audiotest"
)

// checkDelivery writes three 4 s pink-noise stems (a separate seed each,
// bursts so that they differ over time) and their exact mix; the stem
// "bass.wav" is delayed by delay samples after the mix is made.
func checkDelivery(t *testing.T, delay int) (stems []string, mix string) {
	t.Helper()
	dir := t.TempDir()
	const rate, frames = 48000, 4 * 48000
	f := audio.Format{SampleRate: rate, Channels: 2, BitDepth: 24, SampleFormat: audio.Int}
	names := []string{"drums.wav", "bass.wav", "keys.wav"}
	sum := audio.NewBuffer(2, frames)
	for i, name := range names {
		b := audiotest.PinkNoise(uint64(i+1), 2, frames, -20)
		for c := range b.Data {
			for k := range b.Data[c] {
				if (k/(rate/(4+i)))%2 == 1 {
					b.Data[c][k] *= 0.1
				}
				sum.Data[c][k] += b.Data[c][k]
			}
		}
		if name == "bass.wav" && delay > 0 {
			d := audio.NewBuffer(2, frames)
			for c := range b.Data {
				copy(d.Data[c][delay:], b.Data[c])
			}
			b = d
		}
		stems = append(stems, writeInfoFixture(t, dir, name, "wav", f, b))
	}
	return stems, writeInfoFixture(t, dir, "mix.wav", "wav", f, sum)
}

// TestCheckCommand runs `stemmaster check` end to end: the exit status of
// docs/cli.md (0 clean, 1 on an error finding, 2 on wrong usage), the JSON
// report on stdout, and the checklist with its fixes on stderr.
func TestCheckCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		delay      int
		json       bool
		wantExit   int
		wantStderr []string
		wantCode   string
		wantValue  float64
	}{
		{"clean", 0, true, exitOK, []string{"✓ Same start (time-zero)", "✓ Stems sum to the mix", "Advice:"}, "", 0},
		{"bass 480 samples late", 480, true, exitInputError,
			[]string{"✗ Same start (time-zero)", "bass.wav starts 480 samples (10.0 ms) late against the mix", "fix: ", "offset_samples: -480"}, stemmaster.CodeOffset, 480},
		{"checklist only", 480, false, exitInputError, []string{"✗ Same start (time-zero)"}, "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stems, mix := checkDelivery(t, tc.delay)
			args := []string{"check", "--mix", mix}
			if tc.json {
				args = append(args, "--json")
			}
			code, stdout, stderr := runCLI(append(args, stems...)...)
			if code != tc.wantExit {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.wantExit, stderr)
			}
			for _, s := range tc.wantStderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr does not say %q:\n%s", s, stderr)
				}
			}
			if !tc.json {
				if len(stdout) != 0 {
					t.Errorf("stdout without --json: %q", stdout)
				}
				return
			}
			if n := strings.Count(stdout, "\n"); n != 1 {
				t.Errorf("stdout has %d lines, want one JSON object", n)
			}
			var rep stemmaster.CheckReport
			if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
				t.Fatalf("stdout is not a check report: %v\n%s", err, stdout)
			}
			if len(rep.Stems) != 3 || rep.Sum == nil || rep.Mix == nil || rep.Mix.File != filepath.Base(mix) || rep.Advice == nil {
				t.Errorf("report lacks parts: %s", stdout)
			}
			// Its checklist is the one stderr prints, line for line.
			var cj checkJSON
			if err := json.Unmarshal([]byte(stdout), &cj); err != nil || len(cj.Checklist) == 0 {
				t.Fatalf("check --json's checklist: %v\n%s", err, stdout)
			}
			for _, l := range cj.Checklist {
				if !strings.Contains(stderr, "\n  "+l.Glyph+" "+l.Text+"\n") {
					t.Errorf("check --json has the line %q, stderr does not:\n%s", l.Glyph+" "+l.Text, stderr)
				}
			}
			for _, key := range []string{`"stems":`, `"sum":`, `"mix":`, `"null_residual_db":`, `"findings":`, `"advice":`, `"service":`, `"integrated_lufs":`, `"true_peak_dbtp":`} {
				if !strings.Contains(stdout, key) {
					t.Errorf("JSON lacks %s (docs/checks.md)", key)
				}
			}
			if tc.wantCode == "" {
				for _, f := range rep.Findings {
					if f.Severity != stemmaster.SeverityInfo {
						t.Errorf("clean delivery: %s %s: %s", f.Severity, f.Code, f.Message)
					}
				}
				return
			}
			found := false
			for _, f := range rep.Findings {
				if f.Code == tc.wantCode && f.File == "bass.wav" && f.Value != nil && *f.Value == tc.wantValue {
					found = true
				}
			}
			if !found {
				t.Errorf("no %s finding on bass.wav with value %v: %s", tc.wantCode, tc.wantValue, stdout)
			}
		})
	}
	t.Run("no stems is a usage error", func(t *testing.T) {
		code, _, _ := runCLI("check")
		if code != exitUsage {
			t.Errorf("exit %d, want %d", code, exitUsage)
		}
	})
}

// TestMixLineSaysWhatItMeasured: the Mix line's verdict is the
// checklist's "Stems sum to the mix": both residuals it states at or under
// the threshold. A delivery the findings explain still does not sum, and a
// reversed mix (the whole mix left as residual) never does.
func TestMixLineSaysWhatItMeasured(t *testing.T) {
	t.Parallel()
	nan := stemmaster.Level(math.NaN())
	for _, c := range []struct {
		null, fitted stemmaster.Level
		want, not    string
	}{
		{-140, -140, "null against it (residual at the -140 dB floor: nothing left): at or under the -50 dB threshold, they sum to the mix", "do not"},
		{-2.9, -140, "; corrected for the findings above they null against it (residual at the -140 dB floor: nothing left): as delivered over the -50 dB threshold, they do not sum to the mix; the findings above explain all of the difference", "at or under"},
		{-60, -140, "; corrected for the findings above they null against it (residual at the -140 dB floor: nothing left): at or under the -50 dB threshold, they sum to the mix", "do not"},
		{3, -0.01, "; corrected for the findings above they leave a residual of -0.0 dB against it: over the -50 dB threshold, they do not sum to the mix", "at or under"},
		{-6, -41.4, "leave a residual of -41.4 dB against it: over the -50 dB threshold, they do not sum to the mix", "at or under"},
		{nan, nan, "cannot be compared with it", "threshold"},
	} {
		got := mixLine(&stemmaster.MixReport{File: "mix.wav", NullResidualDB: c.null, FittedResidualDB: c.fitted, ThresholdDB: -50})
		if !strings.Contains(got, c.want) || strings.Contains(got, c.not) {
			t.Errorf("residuals %v, %v: %q, want it to say %q and not %q", c.null, c.fitted, got, c.want, c.not)
		}
	}
}

// TestChecklistOneFile: for one file the rules that compare files, or hold
// them against a mix, are one line "not needed: one file" as on the page (both
// print analysis.Checklist), never a ✓ that says nothing or a call for
// the mix; being one file is not marked as a finding. Two stems without a
// mix are checked against each other and want the mix for the rest. One
// file's loudness line names the file, not a sum.
func TestChecklistOneFile(t *testing.T) {
	t.Parallel()
	single := stemmaster.Finding{Code: stemmaster.CodeSingleStem, Severity: stemmaster.SeverityInfo, File: "song.wav", Message: "one file"}
	sum := stemmaster.SumReport{IntegratedLUFS: -20, TruePeakDBTP: -1, SamplePeakDBFS: -1.5}
	for _, c := range []struct {
		name      string
		rep       *stemmaster.CheckReport
		want, not []string
	}{
		{"one file", &stemmaster.CheckReport{Stems: []stemmaster.StemReport{{File: "song.wav"}}, Findings: []stemmaster.Finding{single}, Sum: &sum},
			[]string{"  – 9 checks between files or against a mix — not needed: one file", "  ✓ No clipping", "  ✓ song.wav", "\nThe file: -20.0 LUFS"},
			[]string{"✓ Same length", "Same length", "Polarity as in the mix", "no reference mix", "single_stem", "i ", "Sum:"}},
		{"two stems", &stemmaster.CheckReport{Stems: []stemmaster.StemReport{{File: "a.wav"}, {File: "b.wav"}}, Sum: &sum},
			[]string{"  ✓ Same length", "  ✓ Number of stems", "  – Polarity as in the mix — not checked: no reference mix", "\nSum: -20.0 LUFS"},
			[]string{"not needed", "The file"}},
	} {
		var buf bytes.Buffer
		printChecklist(&buf, c.rep, nil, false)
		out := buf.String()
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: the checklist lacks %q:\n%s", c.name, w, out)
			}
		}
		for _, n := range c.not {
			if strings.Contains(out, n) {
				t.Errorf("%s: the checklist has %q:\n%s", c.name, n, out)
			}
		}
	}
}

// TestChecklistOtherFindings: a finding whose code no rule names is
// listed under "other findings", with its fix and mark, as the page's
// checklist lists it, never dropped from the terminal's.
func TestChecklistOtherFindings(t *testing.T) {
	t.Parallel()
	rep := &stemmaster.CheckReport{Stems: []stemmaster.StemReport{{File: "a.wav"}, {File: "b.wav"}}, Findings: []stemmaster.Finding{
		{Code: "new_code", Severity: stemmaster.SeverityWarning, File: "a.wav", Message: "something new", Fix: "export again"},
		{Code: stemmaster.CodeClipping, Severity: stemmaster.SeverityWarning, File: "b.wav", Message: "clips"},
	}}
	var buf bytes.Buffer
	printChecklist(&buf, rep, nil, false)
	out := buf.String()
	if !strings.Contains(out, "  ! Other findings\n      warning: something new\n        fix: export again\n") || strings.Count(out, "clips") != 1 {
		t.Errorf("the checklist does not list the unnamed code under other findings once, or lists clipping twice:\n%s", out)
	}
	buf.Reset()
	printChecklist(&buf, &stemmaster.CheckReport{Stems: rep.Stems}, nil, false)
	if strings.Contains(buf.String(), "other findings") {
		t.Errorf("a clean delivery's checklist has an other-findings line:\n%s", buf.String())
	}
}

// TestCheckMixAmongStems: `check --mix M … M …` refuses at once, naming
// both, instead of comparing the stems with a mix they hold.
func TestCheckMixAmongStems(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a := audiotest.WriteWAV(t, dir, "a.wav", audiotest.Sine(48000, 2, 4800, 440, -12, 0), 48000, 24)
	mix := audiotest.WriteWAV(t, dir, "mix.wav", audiotest.Sine(48000, 2, 4800, 440, -6, 0), 48000, 24)
	args := []string{"check", "--json", "--mix", mix, a, mix}
	code, stdout, stderr := runCLI(args...)
	if code != exitInputError || !failedStdout(args, code, stdout, stderr) || !strings.Contains(stderr, "the mix "+mix+" is also given as the stem "+mix) {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit %d naming the mix among the stems", code, stdout, stderr, exitInputError)
	}
	if code, _, stderr := runCLI("check", "--mix", mix, a); code == exitInputError && strings.Contains(stderr, "also given") {
		t.Errorf("a delivery with its own mix refused: %s", stderr)
	}
}

// TestChecklistChannelLayout: channel_mismatch and mono_as_stereo share
// the table's one "Channel layout" line, the page's grouping, each finding
// under it; mono_as_stereo reads one file, so for a single file the line
// is checked (✓), never "not needed".
func TestChecklistChannelLayout(t *testing.T) {
	t.Parallel()
	mismatch := stemmaster.Finding{Code: stemmaster.CodeChannelMismatch, Severity: stemmaster.CodeSeverity[stemmaster.CodeChannelMismatch], File: "vox.wav", Message: "vox.wav is mono; the other stems are stereo"}
	mono := stemmaster.Finding{Code: stemmaster.CodeMonoAsStereo, Severity: stemmaster.CodeSeverity[stemmaster.CodeMonoAsStereo], File: "bass.wav", Message: "bass.wav is mono stored as stereo"}
	rep := &stemmaster.CheckReport{Stems: []stemmaster.StemReport{{File: "vox.wav"}, {File: "bass.wav"}}, Findings: []stemmaster.Finding{mismatch, mono}}
	var buf bytes.Buffer
	printChecklist(&buf, rep, nil, false)
	out := buf.String()
	if strings.Count(out, "Channel layout") != 1 {
		t.Fatalf("want one \"Channel layout\" line:\n%s", out)
	}
	// The findings under the rule's line are indented deeper, up to the
	// next rule's line.
	var under []string
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if strings.HasSuffix(l, " Channel layout") {
			for _, f := range lines[i+1:] {
				if !strings.HasPrefix(f, "      ") {
					break
				}
				under = append(under, f)
			}
		}
	}
	block := strings.Join(under, "\n")
	for _, f := range []stemmaster.Finding{mismatch, mono} {
		if !strings.Contains(block, f.Message) {
			t.Errorf("%s is not under \"Channel layout\":\n%s", f.Code, out)
		}
	}

	one := &stemmaster.CheckReport{Stems: []stemmaster.StemReport{{File: "song.wav"}}}
	buf.Reset()
	printChecklist(&buf, one, nil, false)
	if out := buf.String(); !strings.Contains(out, "  ✓ Channel layout\n") {
		t.Errorf("one file stored as it should be: want \"✓ Channel layout\" (mono_as_stereo reads one file):\n%s", out)
	}
}
