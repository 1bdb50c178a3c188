package engine

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"stemmaster"
	"stemmaster/internal/audiotest"
)

// A match EQ of +6.02 dB everywhere doubles the master, aligned to the
// frame: its latency (FIR delay plus one block) is compensated.
func TestMatchEQAlignedGain(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const n = 60000
	in := audiotest.WhiteNoise(5, 2, n, -20)
	writeWAV(t, filepath.Join(dir, "a.wav"), in, rate, 32, true)
	s := &stemmaster.Session{Dir: dir,
		Stems: []stemmaster.StemSpec{{File: "a.wav"}},
		Master: stemmaster.Master{Target: &stemmaster.NoTarget,
			MatchEQ: []stemmaster.MatchPoint{{FreqHz: 100, GainDB: 20 * math.Log10(2)}, {FreqHz: 10000, GainDB: 20 * math.Log10(2)}}},
		Outputs: []stemmaster.Output{{Format: "wav", BitDepth: 32, SampleFormat: "float"}},
	}
	out := t.TempDir()
	rep, err := Render(context.Background(), s, Options{OutDir: out, SkipCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Master.Latency.Master == 0 {
		t.Error("the report shows no master latency for the match EQ")
	}
	got, _ := readAll(t, filepath.Join(out, "main.wav"))
	if got.Frames() != n {
		t.Fatalf("frames = %d, want %d", got.Frames(), n)
	}
	for c := range 2 {
		for i := 20000; i < 40000; i++ { // away from the FIR's edges
			if d := math.Abs(float64(got.Data[c][i]) - 2*float64(in.Data[c][i])); d > 1e-3 {
				t.Fatalf("channel %d frame %d: %g, want %g", c, i, got.Data[c][i], 2*in.Data[c][i])
			}
		}
	}
}
