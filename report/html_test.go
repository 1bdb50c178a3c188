package report

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/internal/testkit"
)

// writtenPage writes rep's report.html alone into a new folder and
// returns the page.
func writtenPage(t *testing.T, rep *stemmaster.Report) string {
	t.Helper()
	dir := t.TempDir()
	if err := WriteHTML(dir, rep); err != nil {
		t.Fatal(err)
	}
	return string(testkit.ReadFile(t, filepath.Join(dir, HTMLName)))
}

// TestHTMLWordsAsTheCommandLine: report.html counts the targeting passes in
// the command line's words ("1 targeting pass", where it said "1 targeting
// passes") and names the limiter's attribution row as what it is.
func TestHTMLWordsAsTheCommandLine(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 3} {
		rep := testReport(false)
		rep.Master.Iterations = n
		rep.Master.Limiter = &stemmaster.LimiterReport{Attribution: "the limiter did not reduce the gain"}
		page := writtenPage(t, rep)
		want := map[int]string{1: "(1 targeting pass)", 3: "(3 targeting passes)"}[n]
		if !strings.Contains(page, want) {
			t.Errorf("%d passes: report.html lacks %q", n, want)
		}
		if strings.Contains(page, "limiter caused by</td><td>the limiter did not") {
			t.Errorf("report.html reads \"limiter caused by the limiter did not reduce the gain\"")
		}
	}
}

// TestHTMLGainReductionAsThePage: the limiter's and the glue compressor's
// reduction read in the words and at the precision of the page's chain
// figures and the CLI's summary (a mean of 0.04 dB is not "0.0"), rounded
// from the JSON's two decimals as the page rounds them: a maximum of 2.345
// is 2.35 in report.json and reads 2.4 on the page and here.
func TestHTMLGainReductionAsThePage(t *testing.T) {
	t.Parallel()
	rep := testReport(false)
	gr := stemmaster.GainReduction{MaxDB: 2.345, MeanDB: 0.044, ActiveShare: 0.126}
	rep.Master.Limiter = &stemmaster.LimiterReport{GainReduction: gr, CeilingDBTP: -1}
	rep.Master.Glue = &stemmaster.GainReduction{MaxDB: 1.26, MeanDB: 0.512, ActiveShare: 0.4}
	page := writtenPage(t, rep)
	for _, want := range []string{
		"<td>limiter</td><td>ceiling -1.0 dBTP; up to 2.4 dB, mean 0.04 dB, active 13 % of the time</td>",
		"<td>glue compressor</td><td>up to 1.3 dB, mean 0.51 dB, active 40 % of the time</td>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
}

// TestHTMLCorrelationNoSignal: a silent master's correlation (null
// figures) reads "no signal", never "NaN" or a score.
func TestHTMLCorrelationNoSignal(t *testing.T) {
	t.Parallel()
	rep := testReport(false)
	nan := stemmaster.Level(math.NaN())
	rep.Master.Correlation = &stemmaster.CorrelationReport{Overall: nan, MinWindow: nan}
	page := writtenPage(t, rep)
	if !strings.Contains(page, "mono compatibility (correlation)</td><td>no signal") || strings.Contains(page, "NaN") {
		t.Errorf("report.html does not say the correlation has no signal")
	}
}

func TestWriteHTML(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rep := testReport(true)
	rep.CheckMix = &stemmaster.MixReport{File: "mix.wav", NullResidualDB: -4.24, FittedResidualDB: -140, ThresholdDB: -50}
	if err := Write(dir, rep); err != nil {
		t.Fatal(err)
	}
	page := string(testkit.ReadFile(t, filepath.Join(dir, HTMLName)))
	// The figures are the report's, rounded to one decimal.
	for _, want := range []string{"-20.0", "-14.0", "-1.0", "main.wav", `alt="waveform.png"`, `alt="limiter.png"`, `src="data:image/png;base64,iVBORw0KGgo`, "the limiter works hard", "streaming (-14 LUFS, -1 dBTP)", "0123456789ab",
		// The check's comparison with the mix, named as the check's (as
		// delivered), apart from the stem sum after the strips.
		"The stems as delivered against the mix mix.wav (the check's measurement, before the session's corrections): residual -4.2 dB; corrected for the findings -140.0 dB",
		"before: stem sum (after the stems' strips"} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	// Self-contained: the page names no file beside it.
	if strings.Contains(page, `src="waveform.png"`) || strings.Count(page, "data:image/png;base64,") < 4 {
		t.Errorf("report.html does not inline its four pictures")
	}
}

// TestHTMLNamesBefore: report.html's "before" row is the mix on a stereo
// master (one input) and the stem sum on a stem master, as the pictures say;
// only a stem master's limiter is attributed to stems.
func TestHTMLNamesBefore(t *testing.T) {
	t.Parallel()
	for _, tc := range inputCases() {
		where := map[bool]string{true: "its strip", false: "the stems' strips"}[tc.stems == 1]
		want := "before: " + tc.name + " (after " + where + ", before the master chain)"
		rep := withStems(testReport(false), tc.stems)
		rep.Master.Limiter = &stemmaster.LimiterReport{Attribution: "stem0.wav caused 100 % of the limiter's gain reduction"}
		page := writtenPage(t, rep)
		if !strings.Contains(page, want) || strings.Contains(page, tc.not) {
			t.Errorf("%d stem(s): report.html lacks %q or names %q", tc.stems, want, tc.not)
		}
		// One input has no stems to attribute the limiter to, as on the
		// page; stems have.
		if got := strings.Contains(page, "limiter, by stem"); got != (tc.stems > 1) {
			t.Errorf("%d stem(s): report.html's \"limiter, by stem\" row shown: %v", tc.stems, got)
		}
	}
}

// TestHTMLFindingsOneInput: a stereo master's report.html does not list
// being a single file as a finding, as the page's results do not; its
// other findings, and a stem master's, are listed.
func TestHTMLFindingsOneInput(t *testing.T) {
	t.Parallel()
	single := stemmaster.Finding{Code: stemmaster.CodeSingleStem, Severity: stemmaster.SeverityInfo, File: "stem0.wav", Message: "a single file is a stereo master"}
	hot := stemmaster.Finding{Code: stemmaster.CodeHeadroom, Severity: stemmaster.SeverityWarning, File: "stem0.wav", Message: "peaks at 0 dBFS"}
	for _, tc := range []struct {
		stems      int
		singleSeen bool
	}{{1, false}, {2, true}} {
		rep := withStems(testReport(false), tc.stems)
		rep.Findings = []stemmaster.Finding{single, hot}
		page := writtenPage(t, rep)
		if got := strings.Contains(page, single.Message); got != tc.singleSeen || !strings.Contains(page, hot.Message) {
			t.Errorf("%d stem(s): report.html lists single_stem: %v (want %v), lists the headroom warning: %v", tc.stems, got, tc.singleSeen, strings.Contains(page, hot.Message))
		}
	}
}
