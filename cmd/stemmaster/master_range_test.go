package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/internal/audiotest"
	"stemmaster/internal/testkit"
)

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
