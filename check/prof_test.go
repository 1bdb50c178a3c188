package check

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func TestProfBench(t *testing.T) {
	dir := os.Getenv("I11_BENCH")
	if dir == "" {
		t.Skip()
	}
	stems, _ := filepath.Glob(filepath.Join(dir, "stem?.wav"))
	rep, err := Run(context.Background(), FileSources(stems), MixSource(filepath.Join(dir, "mix.wav")), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(describe(rep.Findings))
}
