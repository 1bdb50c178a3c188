package limiter

import (
	"fmt"
	"math"
	"testing"

	"stemmaster/audio"
	"stemmaster/dsp/internal/dsptest"
	"stemmaster/internal/audiotest"
)

func TestStats(t *testing.T) {
	t.Parallel()
	// Half a second of silence, then a 997 Hz sine peaking at 0 dBFS for
	// half a second. Ceiling −1 dBTP and the 0.15 dB safety margin give a
	// steady reduction of 1.15 dB; the attack ramp starts L frames before the
	// sine, so the active share is ½ plus at most L/N, and the mean over all
	// frames about half the reduction.
	const (
		rate = 48000.0
		tol  = 0.01 // dB; detector error on a 1 kHz tone is far smaller
	)
	n := int(rate / 2)
	x := audiotest.Concat(audiotest.Silence(2, n), audiotest.Sine(rate, 2, n, 997, 0, 0.2))
	l := newLimiter(DefaultParams(), rate, 2)
	// Feed exactly the input frames plus the latency, block by block, and
	// check BlockMaxGRDB along the way.
	y := audio.NewBuffer(2, 2*n+l.Latency())
	for c := range x.Data {
		copy(y.Data[c], x.Data[c])
	}
	var blockMax []float64
	for at := 0; at < y.Frames(); at += 4800 {
		end := min(at+4800, y.Frames())
		l.Process(&audio.Buffer{Data: [][]float32{y.Data[0][at:end], y.Data[1][at:end]}})
		blockMax = append(blockMax, l.BlockMaxGRDB())
	}
	// The expected reduction: the input's true peak (a little above 0 dBTP
	// at the abrupt onset of the sine, by the 16× reference) less the
	// internal ceiling −1 − 0.15 dBTP.
	inputTP, _ := newReference16x().truePeakDB(x)
	want := inputTP - (DefaultCeilingDBTP - DefaultSafetyMarginDB)
	st := l.Stats()
	L := float64(l.lookahead)
	frames := float64(y.Frames())
	if math.Abs(st.MaxGRDB-want) > tol {
		t.Errorf("MaxGRDB = %.4f, want %.2f", st.MaxGRDB, want)
	}
	if steady := -(DefaultCeilingDBTP - DefaultSafetyMarginDB); math.Abs(st.MeanActiveGRDB-steady) > 0.02 {
		t.Errorf("MeanActiveGRDB = %.4f, want about %.2f", st.MeanActiveGRDB, want)
	}
	if lo, hi := (float64(n)-L)/frames, (float64(n)+L)/frames; st.ActiveShare < lo || st.ActiveShare > hi {
		t.Errorf("ActiveShare = %.4f, want in [%.4f, %.4f]", st.ActiveShare, lo, hi)
	}
	if lo, hi := st.MeanActiveGRDB*(float64(n)-L)/frames, want*(float64(n)+L)/frames; st.MeanGRDB < lo || st.MeanGRDB > hi {
		t.Errorf("MeanGRDB = %.4f, want in [%.4f, %.4f]", st.MeanGRDB, lo, hi)
	}
	if blockMax[0] != 0 {
		t.Errorf("first block (silence): BlockMaxGRDB = %g, want 0", blockMax[0])
	}
	if last := blockMax[len(blockMax)-2]; math.Abs(last-(-(DefaultCeilingDBTP - DefaultSafetyMarginDB))) > tol {
		t.Errorf("block in the sine: BlockMaxGRDB = %.4f, want %.2f", last, want)
	}
}

func TestReductionDB(t *testing.T) {
	t.Parallel()
	// Against math.Log10 over the whole range of gains a limiter produces.
	const tol = 1e-6 // dB
	for g := 1e-6; g < 1; g *= 1.0137 {
		want := -20 * math.Log10(g)
		if got := reductionDB(g); math.Abs(got-want) > tol {
			t.Fatalf("reductionDB(%g) = %.9f, want %.9f", g, got, want)
		}
	}
}

// TestPeakReading: a limiter that keeps its largest reading
// (TrackReading) gives the same output and statistics as one that does
// not; its reading is at least the exact one (every chunk detected, none
// skipped), and on either side of the margin under the ceiling the two
// agree, since only chunks whose bound lies under it skip; at or under the
// ceiling no frame is reduced, over it some are.
func TestPeakReading(t *testing.T) {
	t.Parallel()
	const margin = 1e-3
	x := audiotest.Concat(audiotest.PinkNoise(1, 2, 30000, -20), audiotest.Sine(48000, 2, 20000, 220, -8, 0.1),
		audiotest.PinkNoise(2, 2, 30000, -12), audiotest.Sine(48000, 2, 6000, 4000, -10, 0.4))
	r1 := exactReading(x)
	_, ceiling := newLimiter(DefaultParams(), 48000, 2).PeakReading()
	// Gains that put the exact reading just under and over the margin's
	// line and the ceiling, and well under.
	for _, at := range []float64{0.5, (1 - margin) * (1 - 1e-5), (1 - margin) * (1 + 1e-5), 1 - 1e-5, 1 + 1e-5, 1.5} {
		t.Run(fmt.Sprint(at), func(t *testing.T) {
			y := x.Clone()
			g := float32(at * ceiling / r1)
			for _, ch := range y.Data {
				for i := range ch {
					ch[i] *= g
				}
			}
			want := exactReading(y)
			plain := newLimiter(DefaultParams(), 48000, 2)
			l := newLimiter(DefaultParams(), 48000, 2)
			l.TrackReading(margin)
			a, b := process(plain, y, 1000), process(l, y, 1000)
			dsptest.CheckSameBits(t, b, a, "keeping the reading")
			if s, p := l.Stats(), plain.Stats(); s != p {
				t.Errorf("stats %+v, want %+v", s, p)
			}
			got, _ := l.PeakReading()
			t.Logf("exact reading %.6f of the ceiling, kept %.6f, %d chunks skipped", want/ceiling, got/ceiling, l.skipped)
			if got < want {
				t.Errorf("reading %g under the exact one %g", got, want)
			}
			line := ceiling * (1 - margin)
			if (got <= line) != (want <= line) {
				t.Errorf("reading %g and exact %g on either side of %g", got, want, line)
			}
			if reduced := l.Stats().MaxGRDB > 0; reduced != (want > ceiling) {
				t.Errorf("exact reading %g against the ceiling %g, yet reduced %v", want, ceiling, reduced)
			}
		})
	}
}

// exactReading is the largest reading of a limiter that detects every
// chunk (none takes the exact skip) over x.
func exactReading(x *audio.Buffer) float64 {
	ref := newLimiter(DefaultParams(), 48000, 2)
	ref.noSkip = true
	ref.TrackReading(0)
	process(ref, x, 4096)
	r, _ := ref.PeakReading()
	return r
}
