package report

import (
	"path/filepath"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/internal/testkit"
)

// TestHTMLWordsAsTheCommandLine: report.html counts the targeting passes in
// the command line's words ("1 targeting pass", where it said "1 targeting
// passes") and names the limiter's attribution row as what it is.
func TestHTMLWordsAsTheCommandLine(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 3} {
		dir := t.TempDir()
		rep := testReport(false)
		rep.Master.Iterations = n
		rep.Master.Limiter = &stemmaster.LimiterReport{Attribution: "the limiter did not reduce the gain"}
		if err := WriteHTML(dir, rep); err != nil {
			t.Fatal(err)
		}
		page := string(testkit.ReadFile(t, filepath.Join(dir, HTMLName)))
		want := map[int]string{1: "(1 targeting pass)", 3: "(3 targeting passes)"}[n]
		if !strings.Contains(page, want) {
			t.Errorf("%d passes: report.html lacks %q", n, want)
		}
		if strings.Contains(page, "limiter caused by</td><td>the limiter did not") {
			t.Errorf("report.html reads \"limiter caused by the limiter did not reduce the gain\"")
		}
	}
}
