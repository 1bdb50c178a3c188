package report

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/internal/testkit"
)

// TestHTMLCorrelationNoSignal: a silent master's correlation (null
// figures) reads "no signal", never "NaN" or a score.
func TestHTMLCorrelationNoSignal(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rep := testReport(false)
	nan := stemmaster.Level(math.NaN())
	rep.Master.Correlation = &stemmaster.CorrelationReport{Overall: nan, MinWindow: nan}
	if err := WriteHTML(dir, rep); err != nil {
		t.Fatal(err)
	}
	page := string(testkit.ReadFile(t, filepath.Join(dir, HTMLName)))
	if !strings.Contains(page, "mono compatibility (correlation)</td><td>no signal") || strings.Contains(page, "NaN") {
		t.Errorf("report.html does not say the correlation has no signal")
	}
}
