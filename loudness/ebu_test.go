package loudness

import (
	"fmt"
	"math"
	"testing"

	"stemmaster/audio"
	"stemmaster/internal/audiotest"
)

// Tolerances of EBU Tech 3341 (V4) and Tech 3342 (V4).
const (
	tolLU      = 0.1 // momentary, short-term, integrated
	tolLRA     = 1.0
	tolTPOver  = 0.2 // true peak may read at most this much high …
	tolTPUnder = 0.4 // … or this much low
)

// tone is a 1 kHz segment at a per-channel peak level, as the EBU test
// signals are specified; quiet is digital silence.
func tone(sec, dbfs float64) audiotest.Segment {
	return audiotest.Segment{Seconds: sec, Freq: 1000, PeakDBFS: dbfs}
}
func quiet(sec float64) audiotest.Segment { return audiotest.Segment{Seconds: sec} }

func near(got, want, tol float64) bool { return math.Abs(got-want) <= tol }

// ebuIntegratedCases are Tech 3341 cases 1–5 (the definitions and expected
// values are the spec's, EBU Tech 3341 V4). Cases 1 and 2 also
// expect the momentary and short-term values to read the level.
var ebuIntegratedCases = []struct {
	name   string
	segs   []audiotest.Segment
	want   float64
	steady bool // momentary and short-term maxima read want as well
}{
	{"3341-1", []audiotest.Segment{tone(20, -23)}, -23, true},
	{"3341-2", []audiotest.Segment{tone(20, -33)}, -33, true},
	{"3341-3", []audiotest.Segment{tone(10, -36), tone(60, -23), tone(10, -36)}, -23, false},
	{"3341-4", []audiotest.Segment{tone(10, -72), tone(10, -36), tone(60, -23), tone(10, -36), tone(10, -72)}, -23, false},
	{"3341-5", []audiotest.Segment{tone(20, -26), tone(20.1, -20), tone(20, -26)}, -23, false},
}

// ebuRangeCases are Tech 3342 cases 1–4 (expected LRA from the spec).
var ebuRangeCases = []struct {
	name string
	segs []audiotest.Segment
	want float64
}{
	{"3342-1", []audiotest.Segment{tone(20, -20), tone(20, -30)}, 10},
	{"3342-2", []audiotest.Segment{tone(20, -20), tone(20, -15)}, 5},
	{"3342-3", []audiotest.Segment{tone(20, -40), tone(20, -20)}, 20},
	{"3342-4", []audiotest.Segment{tone(20, -50), tone(20, -35), tone(20, -20), tone(20, -35), tone(20, -50)}, 15},
}

func TestTech3341Integrated(t *testing.T) {
	t.Parallel()
	for _, fs := range []float64{48000, 44100, 96000} {
		for _, c := range ebuIntegratedCases {
			t.Run(fmt.Sprintf("%s/%gHz", c.name, fs), func(t *testing.T) {
				r := Measure(audiotest.Sequence(fs, 2, c.segs...), fs, Options{})
				t.Logf("I %.3f, max M %.3f, max S %.3f LUFS", r.IntegratedLUFS, r.MomentaryMaxLUFS, r.ShortTermMaxLUFS)
				if !near(r.IntegratedLUFS, c.want, tolLU) {
					t.Errorf("integrated = %.3f LUFS, want %.1f ± %.1f", r.IntegratedLUFS, c.want, tolLU)
				}
				if c.steady {
					if !near(r.MomentaryMaxLUFS, c.want, tolLU) || !near(r.ShortTermMaxLUFS, c.want, tolLU) {
						t.Errorf("max M = %.3f, max S = %.3f LUFS, want %.1f ± %.1f",
							r.MomentaryMaxLUFS, r.ShortTermMaxLUFS, c.want, tolLU)
					}
				}
			})
		}
	}
}

func TestTech3342LoudnessRange(t *testing.T) {
	t.Parallel()
	for _, fs := range []float64{48000, 44100, 96000} {
		for _, c := range ebuRangeCases {
			t.Run(fmt.Sprintf("%s/%gHz", c.name, fs), func(t *testing.T) {
				sig := audiotest.Sequence(fs, 2, c.segs...)
				r := Measure(sig, fs, Options{})
				t.Logf("LRA %.3f LU", r.LoudnessRangeLU)
				if !near(r.LoudnessRangeLU, c.want, tolLRA) {
					t.Errorf("LRA = %.3f LU, want %.0f ± %.0f", r.LoudnessRangeLU, c.want, tolLRA)
				}
				// Tech 3342: the result must not change when the signal is
				// repeated.
				if fs != 48000 {
					return
				}
				rr := Measure(audiotest.Concat(sig, sig), fs, Options{})
				if !near(rr.LoudnessRangeLU, r.LoudnessRangeLU, 0.05) {
					t.Errorf("LRA of the signal twice = %.3f LU, once = %.3f LU", rr.LoudnessRangeLU, r.LoudnessRangeLU)
				}
			})
		}
	}
}

// TestTech3341Case6 is the 5.0 case: L, R at -28, C at -24, Ls, Rs at -30
// dBFS; the surrounds weigh 1.41. Expected I = -23.0 (spec).
func TestTech3341Case6(t *testing.T) {
	t.Parallel()
	const fs = 48000
	levels := []float64{-28, -28, -24, -30, -30} // L R C Ls Rs
	buf := &audio.Buffer{}
	for _, l := range levels {
		buf.Data = append(buf.Data, audiotest.Sequence(fs, 1, tone(20, l)).Data[0])
	}
	r := Measure(buf, fs, Options{})
	if !near(r.IntegratedLUFS, -23, tolLU) {
		t.Errorf("3341-6: integrated = %.3f LUFS, want -23.0 ± %.1f", r.IntegratedLUFS, tolLU)
	}
	// The same levels as 5.1 with a loud LFE: the LFE must not count.
	buf.Data = append(buf.Data[:3], append([][]float32{audiotest.Sequence(fs, 1, tone(20, 0)).Data[0]}, buf.Data[3:]...)...)
	r = Measure(buf, fs, Options{})
	if !near(r.IntegratedLUFS, -23, tolLU) {
		t.Errorf("3341-6 as 5.1 with a 0 dBFS LFE: integrated = %.3f LUFS, want -23.0 ± %.1f", r.IntegratedLUFS, tolLU)
	}
}

// TestTech3341ShortTerm covers cases 9–11 (short-term loudness, 3 s).
func TestTech3341ShortTerm(t *testing.T) {
	t.Parallel()
	const fs = 48000
	t.Run("3341-9", func(t *testing.T) {
		var segs []audiotest.Segment
		for range 5 {
			segs = append(segs, tone(1.34, -20), tone(1.66, -30))
		}
		r := Measure(audiotest.Sequence(fs, 2, segs...), fs, Options{Series: true})
		// S = -23.0, constant once the window is full (window ends ≥ 3 s).
		for k := shortTermSubBlocks - 1; k < len(r.ShortTermLUFS); k++ {
			if !near(r.ShortTermLUFS[k], -23, tolLU) {
				t.Fatalf("S at %.2f s = %.3f LUFS, want -23.0 ± %.1f", float64(k+1)*SeriesStep, r.ShortTermLUFS[k], tolLU)
			}
		}
	})
	t.Run("3341-10", func(t *testing.T) {
		for i := range 20 {
			sig := audiotest.Sequence(fs, 2, quiet(float64(i)*0.15), tone(3, -23), quiet(1))
			r := Measure(sig, fs, Options{})
			if !near(r.ShortTermMaxLUFS, -23, tolLU) {
				t.Errorf("file %d: max S = %.3f LUFS, want -23.0 ± %.1f", i, r.ShortTermMaxLUFS, tolLU)
			}
		}
	})
	t.Run("3341-11", func(t *testing.T) {
		var segs []audiotest.Segment
		for i := range 20 {
			fi := float64(i)
			segs = append(segs, quiet(fi*0.15), tone(3, -38+fi), quiet(3-0.15*fi))
		}
		r := Measure(audiotest.Sequence(fs, 2, segs...), fs, Options{Series: true})
		checkSegmentMaxima(t, "S", r.ShortTermLUFS, 6)
	})
}

// TestTech3341Momentary covers cases 12–14 (momentary loudness, 400 ms).
func TestTech3341Momentary(t *testing.T) {
	t.Parallel()
	const fs = 48000
	t.Run("3341-12", func(t *testing.T) {
		var segs []audiotest.Segment
		for range 25 {
			segs = append(segs, tone(0.18, -20), tone(0.22, -30))
		}
		r := Measure(audiotest.Sequence(fs, 2, segs...), fs, Options{Series: true})
		// M = -23.0, constant after 1 s.
		for k := 99; k < len(r.MomentaryLUFS); k++ {
			if !near(r.MomentaryLUFS[k], -23, tolLU) {
				t.Fatalf("M at %.2f s = %.3f LUFS, want -23.0 ± %.1f", float64(k+1)*SeriesStep, r.MomentaryLUFS[k], tolLU)
			}
		}
	})
	t.Run("3341-13", func(t *testing.T) {
		for i := range 20 {
			sig := audiotest.Sequence(fs, 2, quiet(float64(i)*0.02), tone(0.4, -23), quiet(1))
			r := Measure(sig, fs, Options{})
			if !near(r.MomentaryMaxLUFS, -23, tolLU) {
				t.Errorf("file %d: max M = %.3f LUFS, want -23.0 ± %.1f", i, r.MomentaryMaxLUFS, tolLU)
			}
		}
	})
	t.Run("3341-14", func(t *testing.T) {
		var segs []audiotest.Segment
		for i := range 20 {
			fi := float64(i)
			segs = append(segs, quiet(fi*0.02), tone(0.4, -38+fi), quiet(0.4-0.02*fi))
		}
		r := Measure(audiotest.Sequence(fs, 2, segs...), fs, Options{Series: true})
		checkSegmentMaxima(t, "M", r.MomentaryLUFS, 0.8)
	})
}

// checkSegmentMaxima checks that the largest value of series among the windows
// ending inside segment i (segments of segSec seconds) is -38 + i.
func checkSegmentMaxima(t *testing.T, what string, series []float64, segSec float64) {
	t.Helper()
	per := int(math.Round(segSec / SeriesStep))
	if len(series) < 20*per {
		t.Fatalf("series has %d values, want %d", len(series), 20*per)
	}
	for i := range 20 {
		best := math.Inf(-1)
		for _, v := range series[i*per : (i+1)*per] {
			if !math.IsNaN(v) {
				best = max(best, v)
			}
		}
		if want := -38 + float64(i); !near(best, want, tolLU) {
			t.Errorf("segment %d: max %s = %.3f LUFS, want %.1f ± %.1f", i, what, best, want, tolLU)
		}
	}
}
