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

// ebuWindowCases are Tech 3341 cases 9–11 (short-term loudness, 3 s window)
// and 12–14 (momentary loudness, 400 ms window): the same three signals,
// scaled to the window.
var ebuWindowCases = []struct {
	label      string  // "S" or "M", as the spec writes it
	first      int     // the spec's number of the first of the three cases
	window     float64 // seconds
	hi, lo     float64 // seconds of the -20 and -30 dBFS tones of the first case
	reps       int     // how often the first case repeats the pair
	steadyFrom int     // the first series value whose window is full of the pair
	delay      float64 // seconds each file (second case) or segment (third) starts later
	series     func(Result) []float64
	max        func(Result) float64
}{
	{"S", 9, 3, 1.34, 1.66, 5, shortTermSubBlocks - 1, 0.15,
		func(r Result) []float64 { return r.ShortTermLUFS }, func(r Result) float64 { return r.ShortTermMaxLUFS }},
	// M = -23.0, constant after 1 s.
	{"M", 12, 0.4, 0.18, 0.22, 25, 99, 0.02,
		func(r Result) []float64 { return r.MomentaryLUFS }, func(r Result) float64 { return r.MomentaryMaxLUFS }},
}

// TestTech3341Windows covers cases 9–14 (short-term and momentary loudness).
func TestTech3341Windows(t *testing.T) {
	t.Parallel()
	const fs = 48000
	for _, w := range ebuWindowCases {
		t.Run(fmt.Sprintf("3341-%d", w.first), func(t *testing.T) {
			var segs []audiotest.Segment
			for range w.reps {
				segs = append(segs, tone(w.hi, -20), tone(w.lo, -30))
			}
			series := w.series(Measure(audiotest.Sequence(fs, 2, segs...), fs, Options{Series: true}))
			// -23.0, constant once the window is full.
			for k := w.steadyFrom; k < len(series); k++ {
				if !near(series[k], -23, tolLU) {
					t.Fatalf("%s at %.2f s = %.3f LUFS, want -23.0 ± %.1f", w.label, float64(k+1)*SeriesStep, series[k], tolLU)
				}
			}
		})
		t.Run(fmt.Sprintf("3341-%d", w.first+1), func(t *testing.T) {
			for i := range 20 {
				sig := audiotest.Sequence(fs, 2, quiet(float64(i)*w.delay), tone(w.window, -23), quiet(1))
				if got := w.max(Measure(sig, fs, Options{})); !near(got, -23, tolLU) {
					t.Errorf("file %d: max %s = %.3f LUFS, want -23.0 ± %.1f", i, w.label, got, tolLU)
				}
			}
		})
		t.Run(fmt.Sprintf("3341-%d", w.first+2), func(t *testing.T) {
			var segs []audiotest.Segment
			for i := range 20 {
				fi := float64(i)
				segs = append(segs, quiet(fi*w.delay), tone(w.window, -38+fi), quiet(w.window-w.delay*fi))
			}
			r := Measure(audiotest.Sequence(fs, 2, segs...), fs, Options{Series: true})
			checkSegmentMaxima(t, w.label, w.series(r), 2*w.window)
		})
	}
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
