package engine

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"stemmaster"
	"stemmaster/audio"
)

// neutral is a session with unity gains, no processing, no target and a
// 32-bit float output: its main output must be the plain float sum.
func neutral(dir string, files ...string) *stemmaster.Session {
	s := &stemmaster.Session{Dir: dir,
		Master:  stemmaster.Master{Target: &stemmaster.NoTarget},
		Outputs: []stemmaster.Output{{Format: "wav", BitDepth: 32, SampleFormat: "float"}}}
	for _, f := range files {
		s.Stems = append(s.Stems, stemmaster.StemSpec{File: f})
	}
	return s
}

func TestNeutralNullsAgainstMix(t *testing.T) {
	fr := francium(t)
	out := t.TempDir()
	rep, err := Render(context.Background(), neutral(fr, franciumStems...), Options{OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := readAll(t, filepath.Join(out, "main.wav"))
	mix, _ := readAll(t, filepath.Join(fr, "mix.wav"))
	if got.Frames() != mix.Frames() {
		t.Fatalf("frames %d, mix %d", got.Frames(), mix.Frames())
	}
	// The mix is the 24-bit sum of the 24-bit stems (README), so the float
	// sum differs from it only by float32 rounding, far below the 24-bit
	// floor of -138 dBFS.
	const floorDB = -138.0
	var peak float64
	for c := range got.Data {
		for i := range got.Data[c] {
			peak = math.Max(peak, math.Abs(float64(got.Data[c][i]-mix.Data[c][i])))
		}
	}
	if db := audio.DB(peak); db > floorDB {
		t.Errorf("residual against mix.wav peaks at %.1f dBFS, want ≤ %.0f", db, floorDB)
	}
	t.Logf("residual %.1f dBFS; sum %+v; wall %.2f s (%.1f× real time)", audio.DB(peak), rep.Sum, float64(rep.WallTimeS), float64(rep.XRealTime))
}
