package check

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/audio"
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

// TestResidualSpan: a residual that lies in one passage is that passage's
// — a stem's dropout, its tail cut, a click on it — and says where, not
// "a lossy file" or "a stem missing" (which francium's drums with 50 ms
// dropped out read as before).
func TestResidualSpan(t *testing.T) {
	t.Parallel()
	const rate, seconds = testRate, 10
	names, clean := song(rate, seconds, 5)
	mixBuf := sumOf(clean...)
	const drums, keys = 0, 2 // song's stems: drums, bass, keys, lead_vox, fx
	zeroed := func(b *audio.Buffer, from, to float64) *audio.Buffer {
		out := b.Clone()
		for _, ch := range out.Data {
			clear(ch[int(from*rate):min(int(to*rate), len(ch))])
		}
		return out
	}
	clicked := func(b *audio.Buffer, at float64) *audio.Buffer {
		out := b.Clone()
		for _, ch := range out.Data {
			for i := range 24 {
				ch[int(at*rate)+i] += 0.5
			}
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		stem  int
		buf   *audio.Buffer
		wants []string
	}{
		{"drums dropped out for 60 ms", drums, zeroed(clean[drums], 6.02, 6.08), []string{"between 6.0", names[drums] + " is silent while it plays around it", "a dropout in " + names[drums]}},
		{"keys cut at 9.1 s", keys, zeroed(clean[keys], 9.1, seconds), []string{"between 9.1", names[keys] + " is silent", "tail cut short"}},
		{"a click on keys", keys, clicked(clean[keys], 4.5), []string{"between 4.50 s and 4.52 s", names[keys] + " departs from its part of the mix", "a click"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			bufs := slices.Clone(clean)
			bufs[tc.stem] = tc.buf
			mix := memSource("mix.wav", mixBuf, pcm24(rate, 2))
			rep := run(t, memSet(names, bufs, rate), &mix)
			var got []string
			for _, f := range rep.Findings {
				if f.Severity == stemmaster.SeverityInfo {
					continue
				}
				got = append(got, f.Code)
				if f.Code != stemmaster.CodeSumMismatch {
					continue
				}
				for _, w := range tc.wants {
					if !strings.Contains(f.Message, w) {
						t.Errorf("sum_mismatch %q lacks %q", f.Message, w)
					}
				}
			}
			if !slices.Equal(got, []string{stemmaster.CodeSumMismatch}) {
				t.Errorf("findings %v, want sum_mismatch alone: %s", got, describe(rep.Findings))
			}
		})
	}
}
