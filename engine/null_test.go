package engine

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/internal/audiotest"
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
	t.Parallel()
	fr := audiotest.FranciumDir(t)
	out := t.TempDir()
	rep, err := Render(context.Background(), neutral(fr, audiotest.FranciumStems...), Options{OutDir: out})
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

// TestNeutralFloatSum renders float stems of different lengths through a
// neutral session: the output must be their plain sum (computed here in
// float64), padded with silence, within -120 dBFS per sample (the
// requirement; float32 rounding of a sum of three is about -150 dBFS).
func TestNeutralFloatSum(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const n = 3 * rate
	stems := []*audio.Buffer{
		audiotest.WhiteNoise(1, 2, n, -6),
		audiotest.PinkNoise(2, 2, n-1000, -8),
		audiotest.Sine(rate, 2, n/2, 1000, -3, 0.3),
	}
	var names []string
	for i, b := range stems {
		name := fmt.Sprintf("stem%d.wav", i)
		audiotest.WriteFloatWAV(t, dir, name, b, rate)
		names = append(names, name)
	}
	out := t.TempDir()
	if _, err := Render(context.Background(), neutral(dir, names...), Options{OutDir: out}); err != nil {
		t.Fatal(err)
	}
	got, _ := readAll(t, filepath.Join(out, "main.wav"))
	if got.Frames() != n {
		t.Fatalf("frames %d, want %d (the longest stem)", got.Frames(), n)
	}
	const boundDB = -120.0
	var worst float64
	for c := range got.Data {
		for i := range got.Data[c] {
			var sum float64
			for _, b := range stems {
				if i < b.Frames() {
					sum += float64(b.Data[c][i])
				}
			}
			worst = math.Max(worst, math.Abs(float64(got.Data[c][i])-sum))
		}
	}
	if db := audio.DB(worst); db > boundDB {
		t.Errorf("output differs from the float sum by up to %.1f dBFS, want ≤ %.0f", db, boundDB)
	}
}

// TestMatchEQAlignedGain: on a neutral session, a match EQ of +6.02 dB
// everywhere doubles the master, aligned to the frame: its latency (FIR
// delay plus one block) is compensated.
func TestMatchEQAlignedGain(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const n = 60000
	in := audiotest.WhiteNoise(5, 2, n, -20)
	audiotest.WriteFloatWAV(t, dir, "a.wav", in, rate)
	s := neutral(dir, "a.wav")
	s.Master.MatchEQ = []stemmaster.MatchPoint{{FreqHz: 100, GainDB: 20 * math.Log10(2)}, {FreqHz: 10000, GainDB: 20 * math.Log10(2)}}
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
