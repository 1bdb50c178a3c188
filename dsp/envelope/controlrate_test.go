package envelope

import (
	"math"
	"math/rand/v2"
	"testing"

	"stemmaster/dsp/internal/dsptest"
)

// TestControlRateWorked: a unit impulse, runs of 2 frames, decay ½ and
// a gain computer returning the peak: the envelope is 1, ½, ¼, ⅛ …, the
// runs' peaks 1 then ¼, and the gain ramps one run behind — 0, 0, then
// ½, 1 towards the first peak, then 1 − ⅜, 1 − ¾ towards ¼.
func TestControlRateWorked(t *testing.T) {
	t.Parallel()
	c := NewControlRate(2, 0.5)
	c.Reset(0)
	g := make([]float64, 6)
	var peaks []float64
	c.Process([][]float64{{1, 0, 0, 0, 0, 0}}, g, func(p float64) float64 { peaks = append(peaks, p); return p })
	want := []float64{0, 0, 0.5, 1, 0.625, 0.25}
	for i := range g {
		if g[i] != want[i] {
			t.Fatalf("gains %v, want %v", g, want)
		}
	}
	if len(peaks) != 3 || peaks[0] != 1 || peaks[1] != 0.25 || peaks[2] != 0.0625 {
		t.Fatalf("peaks %v, want [1 0.25 0.0625]", peaks)
	}
}

// TestControlRateChannels: the envelope follows the largest |x| over the
// channels, so one channel, the same with a quieter second one, and three
// channels whose largest is that one (a NaN among them) give the same
// gains and state bit for bit, over blocks of uneven lengths crossing the
// runs, for several run lengths.
func TestControlRateChannels(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(2463534242, 1))
	noise := func() float64 { return 2*rng.Float64() - 1 }
	for _, run := range []int{1, 5, 6, 16} {
		cs := [3]ControlRate{NewControlRate(run, 0.999), NewControlRate(run, 0.999), NewControlRate(run, 0.999)}
		calls := [3]int{}
		for blk, n := range []int{1, 7, 300, 256, 513, 0, 3, 1000} {
			a, quiet, other := make([]float64, n), make([]float64, n), make([]float64, n)
			for i := range a {
				a[i] = noise() * math.Pow(10, -float64(i/97%5))
				quiet[i], other[i] = a[i]*noise(), -a[i]*noise()
				if i%31 == 0 {
					other[i] = math.NaN()
				}
			}
			var gs [3][]float64
			for k, det := range [][][]float64{{a}, {a, quiet}, {quiet, other, a}} {
				gs[k] = make([]float64, n)
				cs[k].Process(det, gs[k], func(p float64) float64 { calls[k]++; return 1 / (1 + 10*p) })
			}
			for k := 1; k < 3; k++ {
				for i := range gs[0] {
					if math.Float64bits(gs[k][i]) != math.Float64bits(gs[0][i]) {
						t.Fatalf("run %d, block %d frame %d: %d channels %g, one %g", run, blk, i, len(gs), gs[k][i], gs[0][i])
					}
				}
				if cs[k] != cs[0] || calls[k] != calls[0] {
					t.Fatalf("run %d, block %d: state %+v after %d runs, one channel %+v after %d", run, blk, cs[k], calls[k], cs[0], calls[0])
				}
			}
		}
	}
}

// BenchmarkControlRate: the detector and ramps of a 6-sample run (1 ms
// attack at 48 kHz) over a 400 Hz tone with noise, CPU time per frame,
// for one and two detector channels.
func BenchmarkControlRate(b *testing.B) {
	const n = 256
	for _, chans := range []int{1, 2} {
		det := make([][]float64, chans)
		for c := range det {
			det[c] = make([]float64, n)
			for i := range det[c] {
				det[c][i] = 0.3*math.Sin(2*math.Pi*400*float64(i+c)/48000) + 0.01*math.Sin(float64(i*i))
			}
		}
		g := make([]float64, n)
		ctl := func(p float64) float64 { return 1 / (1 + p) }
		b.Run("ch"+string(rune('0'+chans)), func(b *testing.B) {
			c := NewControlRate(6, 0.9996)
			cpu0 := dsptest.CPUTime()
			for b.Loop() {
				c.Process(det, g, ctl)
			}
			b.ReportMetric(float64(dsptest.CPUTime()-cpu0)/float64(b.N*n), "cpu-ns/frame")
		})
	}
}
