package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"stemmaster"
	"stemmaster/internal/atomicfile"
	"stemmaster/internal/audiotest"
	"stemmaster/internal/testkit"
)

// masterStems writes two short stems and returns their paths.
func masterStems(t *testing.T) (dir string, paths []string) {
	dir = t.TempDir()
	const rate, n = 48000, 4 * 48000
	paths = append(paths,
		audiotest.WriteWAV(t, dir, "drums.wav", audiotest.PinkNoise(3, 2, n, -8), rate, 24),
		audiotest.WriteWAV(t, dir, "keys.wav", audiotest.Sine(rate, 2, n, 330, -12, 0), rate, 24))
	return dir, paths
}

func TestMasterCLI(t *testing.T) {
	t.Parallel()
	_, stems := masterStems(t)
	out := filepath.Join(t.TempDir(), "out") // created by master
	code, stdout, stderr := runCLI(append([]string{"master", "--json", "--target", "apple", "-o", out}, stems...)...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// Not a terminal and --json: nothing on stderr but warnings.
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if line != "" && !strings.HasPrefix(line, "stemmaster: warning:") {
			t.Errorf("stderr carries more than warnings: %q", line)
		}
	}
	var rep stemmaster.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("--json output: %v\n%s", err, stdout)
	}
	// The apple preset is -16 LUFS / -1 dBTP (docs/session.md); one 24-bit WAV at
	// the stems' rate by default; tolerance ±0.1 LU (the targeting tolerance).
	if rep.Target.Preset != "apple" || len(rep.Outputs) != 1 || rep.Outputs[0].File != "main.wav" || rep.Outputs[0].BitDepth != 24 {
		t.Errorf("report: target %v, outputs %+v", rep.Target, rep.Outputs)
	}
	if d := float64(rep.Outputs[0].IntegratedLUFS) + 16; math.Abs(d) > 0.1 {
		t.Errorf("main.wav reads %+.2f LU off -16 LUFS", d)
	}
	testkit.Exist(t, out, "main.wav", "report.json")
	if rep.Master.Glue == nil {
		t.Error("the default chain has no glue compressor")
	}
}

func TestMasterCLISummary(t *testing.T) {
	t.Parallel()
	_, stems := masterStems(t)
	out := t.TempDir()
	code, stdout, stderr := runCLI("master", "--stereo", "--ceiling", "-2", "-o", out, stems[0])
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// docs/cli.md: human text goes to stderr, stdout is kept for --json.
	if stdout != "" {
		t.Errorf("stdout without --json: %q", stdout)
	}
	// One file mastered alone: its "before" is the mix, as report.html and
	// the pictures say (TestPrintSummaryNamesBefore holds a stem master's).
	for _, want := range []string{"target streaming (-14 LUFS, -1 dBTP)", "before mastering (the mix): ", "limiter at -2.0 dBTP", "main.wav", "report.json"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("summary lacks %q:\n%s", want, stderr)
		}
	}
}

// TestPrintSummaryNamesBefore: the summary names the "before" line as
// report.html and the pictures do (report.Before): the stem sum of a stem
// master, the mix of a stereo master; and one input is "one file (stereo
// mastering)", as the page calls it, never "1 stems".
func TestPrintSummaryNamesBefore(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]string{1: "; one file (stereo mastering), 0.0 s at 0 Hz;", 3: "; 3 stems, 0.0 s at 0 Hz;"} {
		rep := &stemmaster.Report{Stems: make([]stemmaster.StemLoudness, n)}
		var buf bytes.Buffer
		printSummary(&buf, rep, "out")
		if !strings.Contains(buf.String(), want) {
			t.Errorf("%d stem(s): the summary lacks %q:\n%s", n, want, buf.String())
		}
	}
	for n, want := range map[int]string{1: "before mastering (the mix): -20.0 LUFS", 3: "before mastering (stem sum): -20.0 LUFS"} {
		rep := &stemmaster.Report{Sum: stemmaster.Measurement{IntegratedLUFS: -20, LoudnessRangeLU: 4, TruePeakDBTP: -3}}
		for i := range n {
			rep.Stems = append(rep.Stems, stemmaster.StemLoudness{File: fmt.Sprintf("s%d.wav", i)})
		}
		var buf bytes.Buffer
		printSummary(&buf, rep, "out")
		if !strings.Contains(buf.String(), want) {
			t.Errorf("%d stem(s): the summary lacks %q:\n%s", n, want, buf.String())
		}
	}
}

// TestMasterCLIWarnsOfBrokenDelivery: mastering a delivery whose check
// finds an error (here a stem with its polarity flipped against the mix)
// still renders, says so on stderr with the fix, and exits 1 (docs/cli.md:
// exit 1 when a check found an error-severity problem) with a last line
// saying the masters were written. --no-check skips the check: no findings, exit 0.
func TestMasterCLIWarnsOfBrokenDelivery(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const rate, n = 48000, 4 * 48000
	drums := audiotest.PinkNoise(3, 2, n, -8)
	keys := audiotest.Sine(rate, 2, n, 330, -12, 0)
	mix := audiotest.Add(audiotest.PinkNoise(3, 2, n, -8), keys)
	audiotest.Scale(keys, -1) // the delivered keys stem is inverted
	stems := []string{audiotest.WriteWAV(t, dir, "drums.wav", drums, rate, 24), audiotest.WriteWAV(t, dir, "keys.wav", keys, rate, 24)}
	mixPath := audiotest.WriteWAV(t, dir, "mix.wav", mix, rate, 24)
	const finding = "stemmaster: error: check error (polarity_inverted): keys.wav"
	tests := []struct {
		name    string
		flags   []string
		code    int
		finding bool // the finding and the closing line are on stderr
	}{
		{"summary", nil, exitInputError, true},
		{"json", []string{"--json"}, exitInputError, true},
		{"no check", []string{"--no-check"}, exitOK, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			args := append(append([]string{"master", "--mix", mixPath, "-o", out}, tc.flags...), stems...)
			code, stdout, stderr := runCLI(args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, stderr)
			}
			// The masters are written either way.
			testkit.Exist(t, out, "main.wav", "report.json")
			if tc.name == "json" {
				var rep stemmaster.Report
				if err := json.Unmarshal([]byte(stdout), &rep); err != nil || len(rep.Findings) == 0 {
					t.Errorf("--json output (%v, %d findings):\n%s", err, len(rep.Findings), stdout)
				}
			} else if stdout != "" {
				t.Errorf("stdout without --json: %q", stdout)
			}
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			last := lines[len(lines)-1]
			hasFinding := strings.Contains(stderr, finding) && strings.Contains(stderr, "fix: ")
			hasClosing := strings.HasPrefix(last, "stemmaster: masters written to "+out+", but the delivery has 1 error(s)")
			if hasFinding != tc.finding || hasClosing != tc.finding {
				t.Errorf("finding with its fix on stderr %v, closing line %v; want %v:\n%s", hasFinding, hasClosing, tc.finding, stderr)
			}
		})
	}
	// A session that corrects the error as the finding names it (the
	// page's Apply) renders with exit 0 and says so for that finding, in
	// report.json and report.html too; one that does not still exits 1.
	for _, tc := range []struct {
		name, polarity string
		code           int
	}{{"corrected by the session", "inverted", exitOK}, {"not corrected", "normal", exitInputError}} {
		t.Run(tc.name, func(t *testing.T) {
			out, pics := t.TempDir(), t.TempDir()
			sess := testkit.WriteFile(t, t.TempDir(), "s.yaml", []byte(fmt.Sprintf("mix: %s\nstems:\n  - file: %s\n  - file: %s\n    polarity: %s\n", mixPath, stems[0], stems[1], tc.polarity)))
			code, _, stderr := runCLI("master", "-s", sess, "-o", out, "--report", pics)
			if code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, stderr)
			}
			var rep stemmaster.Report
			if err := json.Unmarshal(testkit.ReadFile(t, filepath.Join(out, "report.json")), &rep); err != nil {
				t.Fatal(err)
			}
			corrected := tc.code == exitOK
			said := strings.Contains(stderr, "stemmaster: check error (polarity_inverted): keys.wav has its polarity inverted against the mix; corrected by the session (invert the polarity of keys.wav)")
			html := string(testkit.ReadFile(t, filepath.Join(pics, "report.html")))
			if said != corrected || strings.Contains(stderr, finding) == corrected || (len(rep.CorrectedBySession) == 1) != corrected ||
				strings.Contains(html, "corrected by the session") != corrected {
				t.Errorf("corrected %v: stderr says so %v, report.json %q, report.html says so %v:\n%s", corrected, said, rep.CorrectedBySession, !corrected, stderr)
			}
			// The advice is the page's: the one on stderr, in report.json
			// and in report.html, with the errors reason only while one
			// stands.
			if rep.Advice == nil || len(rep.Advice.Reasons) == 0 {
				t.Fatalf("report.json advice %+v", rep.Advice)
			}
			if !strings.Contains(stderr, "Advice: "+rep.Advice.Service.Headline()+"\n  - "+strings.Join(rep.Advice.Reasons, "\n  - ")+"\n") ||
				!strings.Contains(html, "<h2>Advice: "+rep.Advice.Service.Headline()+"</h2>") {
				t.Errorf("advice %+v not on stderr and in report.html as in report.json:\n%s", rep.Advice, stderr)
			}
			// A balanced mix with its one error in a stem is advised to
			// master the mix as it is, naming that error.
			r0 := rep.Advice.Reasons[0]
			if errs := strings.HasPrefix(r0, "fix the 1 error") || strings.Contains(r0, "the 1 error is in the stems"); errs == corrected {
				t.Errorf("corrected %v: advice %q", corrected, rep.Advice.Reasons)
			}
			// check -s reads the findings as master -s does: the same
			// exit status, the same corrected finding, the same advice.
			code, _, cerr := runCLI("check", "-s", sess)
			if code != tc.code || strings.Contains(cerr, "        corrected by the session: invert the polarity of keys.wav\n") != corrected ||
				!strings.Contains(cerr, "Advice, as the session leaves the stems: "+rep.Advice.Service.Headline()+"\n  - "+strings.Join(rep.Advice.Reasons, "\n  - ")+"\n") {
				t.Errorf("check -s: exit %d, want %d; corrected %v; want master's advice %+v:\n%s", code, tc.code, corrected, rep.Advice, cerr)
			}
			// check -s --json says what its checklist says, as
			// report.json does: the findings the session corrects and the
			// advice the session leaves.
			_, js, _ := runCLI("check", "-s", sess, "--json")
			var cj checkJSON
			if err := json.Unmarshal([]byte(js), &cj); err != nil || cj.CheckReport == nil || !slices.Equal(cj.CorrectedBySession, rep.CorrectedBySession) ||
				cj.AdviceSession == nil || !reflect.DeepEqual(*cj.AdviceSession, *rep.Advice) {
				t.Errorf("check -s --json: corrected_by_session %q, advice_session %+v (%v); want report.json's %q and %+v", cj.CorrectedBySession, cj.AdviceSession, err, rep.CorrectedBySession, rep.Advice)
			}
			// check --json's advice_corrected (what the page shows once
			// Apply has made the correction) is master's advice, word for word.
			if corrected {
				_, js, _ := runCLI(append([]string{"check", "--json", "--mix", mixPath}, stems...)...)
				var cr stemmaster.CheckReport
				if err := json.Unmarshal([]byte(js), &cr); err != nil || cr.AdviceCorrected == nil || !reflect.DeepEqual(*cr.AdviceCorrected, *rep.Advice) {
					t.Errorf("check --json advice_corrected %+v (%v), want master's %+v", cr.AdviceCorrected, err, rep.Advice)
				}
			}
		})
	}
}

func TestMasterCLIErrors(t *testing.T) {
	t.Parallel()
	dir, stems := masterStems(t)
	bad := testkit.WriteFile(t, dir, "bad.yaml", []byte("stems:\n  - file: drums.wav\n    compressor: {threshold_db: -10, ratio: 0.5}\n"))
	// An a cappella of drums delivers nothing: exit 1, not a clean run.
	empty := testkit.WriteFile(t, dir, "empty.yaml", []byte("stems:\n  - {file: drums.wav, role: drums}\nversions: [a_cappella]\n"))
	// A report directory that cannot be made stops the run before it
	// renders (it rendered, then failed).
	reportOut := t.TempDir()
	// Inputs named like outputs: a stem called report.json in the output
	// directory, a stem called waveform.png in the report directory.
	stemData := testkit.ReadFile(t, stems[0])
	asReport := testkit.WriteFile(t, dir, "report.json", stemData)
	asPicture := testkit.WriteFile(t, testkit.Mkdir(t, dir, "pics"), "waveform.png", stemData)
	defer func() {
		for _, p := range []string{asReport, asPicture} {
			if got := testkit.ReadFile(t, p); !bytes.Equal(got, stemData) {
				t.Errorf("the input %s was modified", p)
			}
		}
	}()
	checkExits(t, []exitCase{
		{"no stems", []string{"master"}, exitUsage, "no stems"},
		{"stereo with two files", append([]string{"master", "--stereo"}, stems...), exitUsage, "--stereo masters one file"},
		{"bad target", append([]string{"master", "--target", "loudest"}, stems...), exitUsage, `target "loudest" is neither a preset`},
		{"ceiling above 0", append([]string{"master", "--ceiling", "0.5"}, stems...), exitUsage, "--ceiling 0.5"},
		{"ceiling NaN", append([]string{"master", "--ceiling", "nan"}, stems...), exitUsage, "--ceiling NaN: the ceiling must lie between"},
		{"session and stems", append([]string{"master", "-s", bad}, stems...), exitUsage, "not both"},
		{"empty output directory", append([]string{"master", "-o", ""}, stems...), exitUsage, "-o is empty"},
		{"bad session", []string{"master", "-s", bad, "-o", t.TempDir()}, exitInputError, "bad.yaml:3: stems[0].compressor.ratio: 0.5 is below 1"},
		{"missing stem", []string{"master", "-o", t.TempDir(), stems[0], "nope.wav"}, exitInputError, "stemmaster: nope.wav does not exist\n"},
		{"missing mix", append([]string{"master", "-o", t.TempDir(), "--mix", "nomix.wav"}, stems...), exitInputError, "stemmaster: --mix nomix.wav does not exist\n"},
		{"missing stem in a session", []string{"master", "-s", testkit.WriteFile(t, dir, "gone.yaml", []byte("stems:\n  - file: gone.wav\n")), "-o", t.TempDir()}, exitInputError, "gone.yaml:2: stems[0].file: \"gone.wav\" does not exist"},
		{"input named report.json", []string{"master", "-o", dir, asReport}, exitUsage, "would overwrite the input " + asReport},
		{"input named like a picture", []string{"master", "-o", t.TempDir(), "--report", filepath.Join(dir, "pics"), asPicture}, exitUsage, "would overwrite the input " + asPicture},
		{"every version empty", []string{"master", "-s", empty, "-o", t.TempDir()}, exitInputError, "no master written to"},
		{"report directory a file", []string{"master", "-o", reportOut, "--report", stems[0], stems[0]}, exitInputError, "report directory"},
		{"output directory a file", append([]string{"master", "-o", stems[0]}, stems...), exitInputError,
			"output directory " + stems[0] + " is a file, not a directory; choose another with -o"},
		{"output directory under a file", append([]string{"master", "-o", filepath.Join(stems[0], "out")}, stems...), exitInputError,
			"output directory " + filepath.Join(stems[0], "out") + " cannot be made: not a directory"},
	})
	// A report directory another render holds (here: this test).
	held := t.TempDir()
	unlock, err := atomicfile.LockDir(held)
	if err != nil {
		t.Fatal(err)
	}
	checkExits(t, []exitCase{{"report directory in use", []string{"master", "-o", reportOut, "--report", held, stems[0]}, exitInputError, "report directory " + held + " is in use by another render"}})
	unlock()
	if runtime.GOOS == "linux" { // no file can be created in /proc, even by root
		checkExits(t, []exitCase{{"report directory not writable", []string{"master", "-o", reportOut, "--report", "/proc", stems[0]}, exitInputError, "report directory /proc is not writable"}})
	}
	if ents, _ := os.ReadDir(reportOut); len(ents) != 0 {
		t.Errorf("the render ran before the report directory failed: %d files in the output directory", len(ents))
	}
}

// TestMasterCLICleanDeliveryExitsZero: the francium stems with their mix
// are a clean delivery (no error-severity finding; see the set's README),
// so master exits 0 — exit 1 is kept for deliveries with errors.
func TestMasterCLICleanDeliveryExitsZero(t *testing.T) {
	t.Parallel()
	fr := audiotest.FranciumDir(t)
	args := []string{"master", "--mix", filepath.Join(fr, "mix.wav"), "-o", t.TempDir()}
	for _, s := range audiotest.FranciumStems {
		args = append(args, filepath.Join(fr, s))
	}
	code, _, stderr := runCLI(args...)
	if code != exitOK || strings.Contains(stderr, "stemmaster: error:") {
		t.Errorf("exit %d on a clean delivery:\n%s", code, stderr)
	}
}

// TestMasterCLIFloatOutOfRange: a float stem that is finite but absurdly
// loud (+769 dBFS, near float32's largest value) cannot be mastered to the
// target and the ceiling, and one far below (−200 dBFS) has no loudness to
// target. Either way the run names the file and says why, and stderr,
// report.json and the exit status agree: the loud one is an error (exit 1),
// the quiet one a silent warning with targeting skipped (exit 0).
func TestMasterCLIFloatOutOfRange(t *testing.T) {
	t.Parallel()
	const rate, n = 48000, 2 * 48000
	tests := []struct {
		name, file string
		peakDBFS   float64
		check      string // the finding's code
		code       int
		finding    string // the finding's line on stderr
		severity   stemmaster.Severity
		warning    string // a run warning in stderr and report.json, if any
	}{
		{"far above full scale", "huge.wav", 769, stemmaster.CodeOutOfRange, exitInputError,
			"stemmaster: error: check error (out_of_range): huge.wav peaks at +769.0 dBFS", stemmaster.SeverityError, ""},
		{"far below full scale", "tiny.wav", -200, stemmaster.CodeSilent, exitOK,
			"stemmaster: warning: check warning (silent): tiny.wav is silent", stemmaster.SeverityWarning,
			"loudness targeting skipped"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir, out := t.TempDir(), t.TempDir()
			stem := audiotest.WriteFloatWAV(t, dir, tc.file, audiotest.Sine(rate, 2, n, 440, tc.peakDBFS, 0), rate)
			code, _, stderr := runCLI("master", "-o", out, stem)
			if code != tc.code {
				t.Fatalf("exit %d, want %d:\n%s", code, tc.code, stderr)
			}
			if !strings.Contains(stderr, tc.finding) || !strings.Contains(stderr, tc.warning) {
				t.Errorf("stderr lacks %q or %q:\n%s", tc.finding, tc.warning, stderr)
			}
			var rep stemmaster.Report
			if err := json.Unmarshal(testkit.ReadFile(t, filepath.Join(out, "report.json")), &rep); err != nil {
				t.Fatal(err)
			}
			found := false
			for _, f := range rep.Findings {
				if f.Code == tc.check && f.File == tc.file && f.Severity == tc.severity && strings.Contains(stderr, f.Message+"; fix: "+f.Fix) {
					found = true
				}
			}
			if !found {
				t.Errorf("report.json has no %s %s finding on %s agreeing with stderr: %+v", tc.severity, tc.check, tc.file, rep.Findings)
			}
			if tc.warning != "" && !strings.Contains(strings.Join(rep.Warnings, "\n"), tc.warning) {
				t.Errorf("report.json warnings %q lack %q", rep.Warnings, tc.warning)
			}
		})
	}
}

// TestMasterCLIRefusesNonFinite: a float stem holding NaN or infinite
// samples is refused by the render, from the command line and from a
// session, naming the file, the count and the first one's time, and saying
// that nothing was written: the decoder's "read as silence", true of what
// info and meter measure, read as if the master had gone on.
func TestMasterCLIRefusesNonFinite(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b := audiotest.Sine(48000, 2, 48000, 440, -12, 0)
	b.Data[1][24000] = float32(math.NaN())
	b.Data[0][30000] = float32(math.Inf(-1))
	audiotest.WriteFloatWAV(t, dir, "nan.wav", b, 48000)
	audiotest.WriteWAV(t, dir, "keys.wav", audiotest.Sine(48000, 2, 48000, 220, -12, 0), 48000, 24)
	testkit.WriteFile(t, dir, "s.yaml", []byte("stems:\n  - file: keys.wav\n  - file: nan.wav\n"))
	stems := []string{filepath.Join(dir, "keys.wav"), filepath.Join(dir, "nan.wav")}
	for i, args := range [][]string{
		append([]string{"master"}, stems...),
		append([]string{"master", "--no-check"}, stems...),
		{"master", "-s", filepath.Join(dir, "s.yaml")},
	} {
		out := filepath.Join(dir, fmt.Sprint("out", i))
		code, _, stderr := runCLI(append(args, "-o", out)...)
		want := "nan.wav: 2 NaN or infinite samples (the first at 0.500 s, frame 24000): they are not audio, so the master refuses the stem; nothing written"
		if code != exitInputError || !strings.Contains(stderr, want) || strings.Contains(stderr, "read as silence") {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", args[1], code, stderr, exitInputError, want)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%v: the output directory is there (%v), want none", args[1], err)
		}
	}
}

// TestMasterCLIRefusedStemSaysNothingWritten: a render refused for a
// stem (here one cut short) says, as an interrupted one does, that
// nothing was written, from the command line and from a session, and
// leaves no output directory.
func TestMasterCLIRefusedStemSaysNothingWritten(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cut := audiotest.WriteWAV(t, dir, "cut.wav", audiotest.Sine(48000, 2, 48000, 440, -12, 0), 48000, 24)
	if err := os.Truncate(cut, 44+3*2*24000); err != nil {
		t.Fatal(err)
	}
	audiotest.WriteWAV(t, dir, "keys.wav", audiotest.Sine(48000, 2, 48000, 220, -12, 0), 48000, 24)
	testkit.WriteFile(t, dir, "s.yaml", []byte("stems:\n  - file: keys.wav\n  - file: cut.wav\n"))
	for i, args := range [][]string{
		{"master", "--no-check", filepath.Join(dir, "keys.wav"), cut},
		{"master", "-s", filepath.Join(dir, "s.yaml")},
	} {
		out := filepath.Join(dir, fmt.Sprint("out", i))
		code, _, stderr := runCLI(append(args, "-o", out)...)
		if code != exitInputError || !strings.Contains(stderr, "cut.wav") || !strings.Contains(stderr, "cut short") || !strings.HasSuffix(strings.TrimSpace(stderr), "; nothing written") {
			t.Errorf("%v: exit %d, stderr %q; want %d, the file, cut short and \"; nothing written\"", args[1], code, stderr, exitInputError)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%v: the output directory is there (%v), want none", args[1], err)
		}
	}
}

// TestMasterCLIResample: stems at two rates on the command line are
// refused with the way to convert them that the command line has
// (--resample, not the session's resample: true), and --resample renders
// them at the most common rate.
func TestMasterCLIResample(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	stems := []string{
		audiotest.WriteWAV(t, dir, "drums.wav", audiotest.PinkNoise(3, 2, 2*48000, -8), 48000, 24),
		audiotest.WriteWAV(t, dir, "bass.wav", audiotest.PinkNoise(4, 2, 2*48000, -10), 48000, 24),
		audiotest.WriteWAV(t, dir, "keys.wav", audiotest.Sine(44100, 2, 2*44100, 330, -12, 0), 44100, 24)}
	code, _, stderr := runCLI(append([]string{"master", "--no-check", "-o", t.TempDir()}, stems...)...)
	if code != exitInputError || !strings.Contains(stderr, "keys.wav 44100 Hz") || !strings.Contains(stderr, "--resample") {
		t.Errorf("mixed rates: exit %d, %q; want exit %d naming keys.wav and --resample", code, stderr, exitInputError)
	}
	out := t.TempDir()
	if code, _, stderr := runCLI(append([]string{"master", "--no-check", "--resample", "-o", out}, stems...)...); code != exitOK {
		t.Fatalf("--resample: exit %d, %s", code, stderr)
	}
	var rep stemmaster.Report
	if err := json.Unmarshal(testkit.ReadFile(t, filepath.Join(out, "report.json")), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.SampleRate != 48000 {
		t.Errorf("rendered at %d Hz, want 48000", rep.SampleRate)
	}
}

// TestNewProjectMasterSameOnCLIAndServer: a mix mastered with `master
// --stereo` and as a server project holding the mix alone both take
// engine.StereoMaster (no glue compressor on a finished mix); stems
// mastered with `master` and no session, and as a new server project
// holding them, both take engine.DefaultMaster. So the report's figures
// agree. The CLI ran DefaultMaster's glue compressor on a mix where the
// server's new stereo session had neither it nor the rumble filter (LRA
// 2.9 against 3.0 LU), and a new project's stems went to the server's
// render with an empty chain where the CLI ran the default one.
func TestNewProjectMasterSameOnCLIAndServer(t *testing.T) {
	t.Parallel()
	skipShort(t, "a server and four renders")
	dir := t.TempDir()
	const rate, n = 48000, 4 * 48000
	// Loud pink noise over a quieter sine: the glue compressor's -12 dBFS
	// threshold would take the noise's peaks, and the low sine the
	// rumble filter passes.
	buf := audiotest.PinkNoise(7, 2, n, -6)
	sine := audiotest.Sine(rate, 2, n, 55, -10, 0)
	mix := audiotest.WriteWAV(t, dir, "mix.wav", audiotest.Sum(buf, sine), rate, 24)
	noise := audiotest.WriteWAV(t, dir, "noise.wav", buf, rate, 24)
	bass := audiotest.WriteWAV(t, dir, "bass.wav", sine, rate, 24)
	srv := startServer(t, t.TempDir())
	for _, tc := range []struct {
		name  string
		args  []string
		kind  string
		files []string
		glue  bool
	}{
		{"a mix alone", []string{"--stereo"}, "mix", []string{mix}, false},
		{"two stems", nil, "stems", []string{noise, bass}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append(append([]string{"master"}, tc.args...), "--json", "-o", filepath.Join(t.TempDir(), "out"))
			code, stdout, stderr := runCLI(append(args, tc.files...)...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var cli stemmaster.Report
			if err := json.Unmarshal([]byte(stdout), &cli); err != nil {
				t.Fatalf("--json output: %v\n%s", err, stdout)
			}
			c, err := newAPIProject(srv.url)
			if err != nil {
				t.Fatal(err)
			}
			for _, path := range tc.files {
				f, err := os.Open(path)
				if err != nil {
					t.Fatal(err)
				}
				err = c.Upload(tc.kind, filepath.Base(path), f)
				f.Close()
				if err != nil {
					t.Fatal(err)
				}
			}
			var queued struct{ Job string }
			if _, err := c.Do("POST", c.Path("/render"), nil, "", &queued); err != nil {
				t.Fatal(err)
			}
			if j, err := c.WaitJob(queued.Job, 2*time.Minute); err != nil || j.State != "done" {
				t.Fatalf("server render: %+v, %v", j, err)
			}
			var proj struct {
				Stereo bool              `json:"stereo"`
				Report stemmaster.Report `json:"report"`
			}
			if _, err := c.Do("GET", c.Path(""), nil, "", &proj); err != nil {
				t.Fatal(err)
			}
			if proj.Stereo != (tc.kind == "mix") {
				t.Fatalf("the project is a stereo master: %v, want %v", proj.Stereo, tc.kind == "mix")
			}
			srvM, cliM := proj.Report.Master, cli.Master
			if srvM.Main != cliM.Main || srvM.GainDB != cliM.GainDB {
				t.Errorf("the same audio mastered: server %+v gain %v, CLI %+v gain %v", srvM.Main, srvM.GainDB, cliM.Main, cliM.GainDB)
			}
			if (cliM.Glue != nil) != tc.glue || (srvM.Glue != nil) != tc.glue {
				t.Errorf("glue compressor: CLI %+v, server %+v, want one on each: %v", cliM.Glue, srvM.Glue, tc.glue)
			}
		})
	}
}
