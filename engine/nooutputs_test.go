package engine

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"stemmaster"
	"stemmaster/internal/testkit"
)

// A render that delivers nothing (its only version has no stems to play)
// reports an empty list of outputs, never null: report.json readers
// iterate it without a nil check.
func TestNothingDeliveredReportsEmptyOutputs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	versionStems(t, dir)
	s := &stemmaster.Session{Dir: dir, Stems: []stemmaster.StemSpec{{File: "vox.wav"}},
		Outputs: []stemmaster.Output{{Format: "wav", BitDepth: 24}}, Versions: []stemmaster.Version{stemmaster.VersionInstrumental}}
	out := t.TempDir()
	rep, err := Render(context.Background(), s, Options{OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Outputs == nil || len(rep.Outputs) != 0 {
		t.Errorf("outputs %#v, want an empty list", rep.Outputs)
	}
	js := testkit.ReadFile(t, filepath.Join(out, "report.json"))
	if bytes.Contains(js, []byte(`"outputs": null`)) || !bytes.Contains(js, []byte(`"outputs": []`)) {
		t.Errorf("report.json does not list outputs as []:\n%.400s", js)
	}
}
