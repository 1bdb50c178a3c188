package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/internal/testkit"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestGoldenOutputs pins the bytes of every output of a render whose
// master gain is fixed (no loudness targeting): the stems' strips, the
// sum, the master EQ and glue compressor, the limiter, resampling, dither
// and the WAV and FLAC encoders. A change to how the engine schedules,
// buffers or streams the work must leave them as they are; a change to the
// processing itself updates them deliberately (go test -run
// TestGoldenOutputs -update) and says so in its commit.
func TestGoldenOutputs(t *testing.T) {
	t.Parallel()
	s := demoSession(t)
	s.Master.Target = &stemmaster.NoTarget
	s.Master.GainDB = 6 // into the limiter
	s.Outputs = []stemmaster.Output{
		{Format: "wav", BitDepth: 24},
		{Format: "wav", BitDepth: 16, SampleRate: 44100, Dither: stemmaster.DitherTPDF, Suffix: "cd"},
		{Format: "flac", BitDepth: 24, Suffix: "lossless"},
		{Format: "wav", BitDepth: 32, SampleFormat: "float", Suffix: "float"},
	}
	s.Versions = []stemmaster.Version{stemmaster.VersionMain, stemmaster.VersionInstrumental}
	out := t.TempDir()
	rep, err := Render(context.Background(), s, Options{OutDir: out, SkipCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	for _, o := range rep.Outputs {
		b, err := os.ReadFile(filepath.Join(out, o.File))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		fmt.Fprintf(&got, "%s  %s\n", hex.EncodeToString(sum[:]), o.File)
	}
	golden := filepath.Join("testdata", "golden-outputs.sha256")
	want := testkit.Golden(t, "golden-outputs.sha256", []byte(got.String()), *update)
	if got.String() != string(want) {
		t.Errorf("outputs differ from %s:\ngot:\n%swant:\n%s", golden, got.String(), want)
	}
}
