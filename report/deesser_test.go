package report

import (
	"path/filepath"
	"slices"
	"testing"

	"stemmaster"
)

// TestDeEsserPicture: a report whose stem has a de-esser series gets the
// de-esser picture, with its curve drawn.
func TestDeEsserPicture(t *testing.T) {
	t.Parallel()
	rep := testReport(true)
	gr := make([]stemmaster.Level, len(rep.Curves.LimiterGRDB))
	for i := range gr {
		gr[i] = stemmaster.Level(float64(i%20) / 4)
	}
	rep.Stems = []stemmaster.StemLoudness{{File: "vox.wav", Processors: &stemmaster.ProcessorReport{DeEsserGRDB: gr}}}
	dir := t.TempDir()
	names, err := WritePictures(dir, rep)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(names, DeEsserPNG) {
		t.Fatalf("wrote %v, want %s among them", names, DeEsserPNG)
	}
	img := decodePNG(t, filepath.Join(dir, DeEsserPNG))
	if n := countColor(img, colorAfter.R, colorAfter.G, colorAfter.B); n < 100 {
		t.Errorf("only %d pixels of the curve colour", n)
	}
	if _, err := DeEsserPlot(testReport(true)); err != ErrNoCurves {
		t.Errorf("without a de-esser: %v, want ErrNoCurves", err)
	}
}
