package envelope

import (
	"math"
	"testing"

	"stemmaster/dsp/internal/dsptest"
)

// TestControlRateRuns: Process (the loops for one and two channels) gives exactly the one loop's gains and state,
// over blocks of uneven lengths (runs crossing blocks and pieces), with a
// gain computer that depends on the peaks, for several run lengths.
func TestControlRateRuns(t *testing.T) {
	t.Parallel()
	x := uint64(2463534242)
	noise := func() float64 {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		return float64(int64(x)) / (1 << 63)
	}
	for _, run := range []int{1, 5, 6, 16} {
		for _, chans := range []int{1, 2} {
			a, b := NewControlRate(run, 0.999), NewControlRate(run, 0.999)
			a.Reset(0.5)
			b.Reset(0.5)
			var pa, pb []float64
			ctl := func(seen *[]float64) func(float64) float64 {
				return func(p float64) float64 {
					*seen = append(*seen, p)
					return 1 / (1 + 10*p)
				}
			}
			for blk, n := range []int{1, 7, 300, 256, 513, 0, 3, 1000} {
				det := make([][]float64, chans)
				for c := range det {
					det[c] = make([]float64, n)
					for i := range det[c] {
						det[c][i] = noise() * math.Pow(10, -float64((i/97+c)%5))
					}
				}
				ga, gb := make([]float64, n), make([]float64, n)
				a.Process(det, ga, ctl(&pa))
				b.processLoop(det, gb, ctl(&pb))
				for i := range ga {
					if math.Float64bits(ga[i]) != math.Float64bits(gb[i]) {
						t.Fatalf("run %d, %d channels, block %d frame %d: gain %g, one loop %g", run, chans, blk, i, ga[i], gb[i])
					}
				}
				if a != b {
					t.Fatalf("run %d, %d channels, block %d: state %+v, one loop %+v", run, chans, blk, a, b)
				}
			}
			if len(pa) != len(pb) || len(pa) == 0 {
				t.Fatalf("run %d: %d peaks, one loop %d", run, len(pa), len(pb))
			}
			for i := range pa {
				if pa[i] != pb[i] {
					t.Fatalf("run %d: peak %d %g, one loop %g", run, i, pa[i], pb[i])
				}
			}
		}
	}
}

// BenchmarkControlRate: the detector and ramps of a 6-sample run (1 ms
// attack at 48 kHz) over a 400 Hz tone with noise, per frame: Process (the
// loops for one and two channels) against the general loop.
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
		for _, name := range []string{"process", "loop"} {
			b.Run(name+"/ch"+string(rune('0'+chans)), func(b *testing.B) {
				c := NewControlRate(6, 0.9996)
				cpu0 := dsptest.CPUTime()
				for b.Loop() {
					if name == "loop" {
						c.processLoop(det, g, ctl)
					} else {
						c.Process(det, g, ctl)
					}
				}
				b.ReportMetric(float64(dsptest.CPUTime()-cpu0)/float64(b.N*n), "cpu-ns/frame")
			})
		}
	}
}
