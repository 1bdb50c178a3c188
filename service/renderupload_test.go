package service

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"stemmaster/jobs"
	"stemmaster/store"
	"stemmaster/store/storetest"
)

// TestOutputUploader: files begun at different times (one twice) are all
// stored under the attempt's prefix and described in name order with their
// sizes and figures; a copy that fails fails the whole set.
func TestOutputUploader(t *testing.T) {
	t.Parallel()
	dir, _, blobs := storetest.Open(t)
	r := &Runner{Blobs: blobs}
	files := map[string]string{"main.wav": "RIFFmain", "report.json": `{"a":1}`, jobs.PreviewName: "RIFFsum", "waveform.png": "png"}
	out := filepath.Join(dir, "out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(out, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	prefix := store.AttemptPrefix("p1", "j1", 1)
	up := r.newUploader(context.Background(), prefix)
	up.put("main.wav", filepath.Join(out, "main.wav"))
	up.put(jobs.PreviewName, filepath.Join(out, jobs.PreviewName))
	if err := up.putDir(out); err != nil { // main.wav and the preview again: not copied twice
		t.Fatal(err)
	}
	outs, err := up.wait(map[string][]byte{"main.wav": []byte(`{"integrated_lufs":-14}`)}, -20.5)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range outs {
		names = append(names, o.Name)
		if o.BlobKey != prefix+o.Name || o.Size != int64(len(files[o.Name])) || o.Kind != jobs.OutputKind(o.Name) {
			t.Errorf("%s: %+v", o.Name, o)
		}
		rc, err := blobs.Open(context.Background(), o.BlobKey)
		if err != nil {
			t.Fatal(err)
		}
		rc.Close()
	}
	if got := strings.Join(names, " "); got != "main.wav preview-sum.wav report.json waveform.png" {
		t.Errorf("outputs in the order %s", got)
	}
	if string(outs[0].Figures) != `{"integrated_lufs":-14}` || string(outs[1].Figures) != `{"integrated_lufs":-20.5}` {
		t.Errorf("figures: main %s, preview %s", outs[0].Figures, outs[1].Figures)
	}

	failing := r.newUploader(context.Background(), store.AttemptPrefix("p1", "j1", 2))
	failing.put("main.wav", filepath.Join(out, "main.wav"))
	failing.put("gone.wav", filepath.Join(out, "gone.wav"))
	if _, err := failing.wait(nil, 0); err == nil {
		t.Error("a copy that failed did not fail the set")
	}
	failing.abandon()
}
