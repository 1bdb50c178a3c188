package check

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/internal/audiotest"
)

// TestResidualFloorAndSilentStem: a delivery that is exactly its mix —
// one stem far under the loudness gate (silent) included — reads the
// floor, −140 dB, for both residuals: a figure, never null (which means
// "not measured") and never a fitted residual above the delivered one
// because the fit leaves a silent stem out.
func TestResidualFloorAndSilentStem(t *testing.T) {
	t.Parallel()
	const rate = testRate
	names, bufs := shortSong()
	names = append(names, "room.wav")
	bufs = append(bufs, audiotest.PinkNoise(9, 2, bufs[0].Frames(), -80))
	// Samples on a 2^-16 grid add exactly in float32: the mix is the exact
	// sum, a perfect null.
	for _, b := range bufs {
		for c := range b.Data {
			for i, v := range b.Data[c] {
				b.Data[c][i] = float32(math.Round(float64(v)*65536) / 65536)
			}
		}
	}
	mix := memSource("mix.wav", sumOf(bufs...), pcm24(rate, 2))
	rep := run(t, memSet(names, bufs, rate), &mix)
	silent := false
	for _, f := range rep.Findings {
		silent = silent || f.Code == stemmaster.CodeSilent && f.File == "room.wav"
		if f.Code == stemmaster.CodeSumMismatch {
			t.Errorf("sum_mismatch on a perfect null: %s", f.Message)
		}
	}
	if !silent {
		t.Errorf("room.wav is not found silent: the test does not test the silent stem: %v", rep.Findings)
	}
	if rep.Mix == nil || rep.Mix.NullResidualDB != ResidualFloorDB || rep.Mix.FittedResidualDB != ResidualFloorDB {
		t.Fatalf("mix %+v: want both residuals at the %.0f dB floor", rep.Mix, ResidualFloorDB)
	}
	js, err := json.Marshal(rep.Mix)
	if err != nil {
		t.Fatal(err)
	}
	if want := `"null_residual_db":-140,"fitted_residual_db":-140`; !strings.Contains(string(js), want) {
		t.Errorf("mix as JSON %s, want %s", js, want)
	}
}
