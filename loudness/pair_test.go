package loudness

import (
	"math"
	"testing"

	"stemmaster/audio"
	"stemmaster/internal/audiotest"
)

// TestProcessPairExact checks that two meters fed through ProcessPair hold,
// after every block, the filter state and sub-block sums, bit for bit, of
// two meters fed one at a time, and give the same results. The four
// channels carry four different signals (pink noise with a long silence,
// so the states decay and are flushed; full-scale white noise; a full-scale
// square wave; silence then a sine), so a swapped lane shows; the blocks
// are of odd and tiny lengths too.
func TestProcessPairExact(t *testing.T) {
	t.Parallel()
	const frames = 40000
	pink := audiotest.PinkNoise(3, 1, frames, -6).Data[0]
	clear(pink[10000:30000])
	white := audiotest.WhiteNoise(5, 1, frames, 0).Data[0]
	square := make([]float32, frames)
	for i := range square {
		square[i] = 1
		if i/37%2 == 1 {
			square[i] = -1
		}
	}
	sine := audiotest.Sine(48000, 1, frames, 997, -3, 0).Data[0]
	clear(sine[:15000])
	x := &audio.Buffer{Data: [][]float32{pink, white}}
	y := &audio.Buffer{Data: [][]float32{square, sine}}
	for _, rate := range []float64{44100, 48000, 96000} {
		for _, opt := range [][2]Options{
			{{Series: true}, {Series: true}},
			{{TruePeak: true}, {IntegratedOnly: true}},
		} {
			pa, pb := NewMeter(rate, 2, opt[0]), NewMeter(rate, 2, opt[1])
			sa, sb := NewMeter(rate, 2, opt[0]), NewMeter(rate, 2, opt[1])
			pos := 0
			for _, size := range []int{0, 1, 2, 3, 479, 480, 481, 4095, 1, 4096, 20001, 30000} {
				size = min(size, frames-pos)
				bx, by := audio.NewBuffer(2, size), audio.NewBuffer(2, size)
				for c := range 2 {
					copy(bx.Data[c], x.Data[c][pos:pos+size])
					copy(by.Data[c], y.Data[c][pos:pos+size])
				}
				ProcessPair(pa, pb, bx, by)
				sa.Process(bx)
				sb.Process(by)
				pos += size
				for _, m := range [][2]*Meter{{pa, sa}, {pb, sb}} {
					p, s := m[0], m[1]
					for c := range p.filters {
						if p.filters[c] != s.filters[c] || math.Float64bits(p.acc[c]) != math.Float64bits(s.acc[c]) {
							t.Fatalf("%g Hz, after %d frames: channel %d: paired %+v %v, single %+v %v",
								rate, pos, c, p.filters[c], p.acc[c], s.filters[c], s.acc[c])
						}
					}
					if len(p.hist) != len(s.hist) {
						t.Fatalf("%g Hz, after %d frames: %d sub-blocks paired, %d single", rate, pos, len(p.hist), len(s.hist))
					}
					for i := range p.hist {
						if math.Float64bits(p.hist[i]) != math.Float64bits(s.hist[i]) {
							t.Fatalf("%g Hz, after %d frames: sub-block %d: paired %v, single %v", rate, pos, i, p.hist[i], s.hist[i])
						}
					}
				}
			}
			sameResult(t, pa.Result(), sa.Result())
			sameResult(t, pb.Result(), sb.Result())
		}
	}
}

func sameResult(t *testing.T, a, b Result) {
	t.Helper()
	same := func(x, y []float64) bool {
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if math.Float64bits(x[i]) != math.Float64bits(y[i]) {
				return false
			}
		}
		return true
	}
	if !same([]float64{a.IntegratedLUFS, a.LoudnessRangeLU, a.TruePeakDBTP, a.SamplePeakDBFS, a.MomentaryMaxLUFS, a.ShortTermMaxLUFS},
		[]float64{b.IntegratedLUFS, b.LoudnessRangeLU, b.TruePeakDBTP, b.SamplePeakDBFS, b.MomentaryMaxLUFS, b.ShortTermMaxLUFS}) ||
		!same(a.ChannelTruePeakDBTP, b.ChannelTruePeakDBTP) || !same(a.ChannelSamplePeakDBFS, b.ChannelSamplePeakDBFS) ||
		!same(a.MomentaryLUFS, b.MomentaryLUFS) || !same(a.ShortTermLUFS, b.ShortTermLUFS) {
		t.Fatalf("paired result %+v, single %+v", a, b)
	}
}

// TestProcessPairFallback checks the pairs the kernel does not take (other
// rates, other positions, mono, blocks of different lengths): ProcessPair
// then feeds each meter on its own, with the same results.
func TestProcessPairFallback(t *testing.T) {
	t.Parallel()
	noise := audiotest.PinkNoise(9, 2, 30000, -3)
	mono := &audio.Buffer{Data: noise.Data[:1]}
	short := &audio.Buffer{Data: [][]float32{noise.Data[0][:20000], noise.Data[1][:20000]}}
	for _, tc := range []struct {
		name         string
		rateA, rateB float64
		chA, chB     int
		x, y         *audio.Buffer
		lead         *audio.Buffer // fed to a first, so a is ahead of b
	}{
		{"rates", 48000, 44100, 2, 2, noise, noise, nil},
		{"mono", 48000, 48000, 1, 2, mono, noise, nil},
		{"lengths", 48000, 48000, 2, 2, noise, short, nil},
		{"positions", 48000, 48000, 2, 2, noise, noise, short},
	} {
		pa, pb := NewMeter(tc.rateA, tc.chA, Options{}), NewMeter(tc.rateB, tc.chB, Options{})
		sa, sb := NewMeter(tc.rateA, tc.chA, Options{}), NewMeter(tc.rateB, tc.chB, Options{})
		if tc.lead != nil {
			pa.Process(tc.lead)
			sa.Process(tc.lead)
		}
		ProcessPair(pa, pb, tc.x, tc.y)
		sa.Process(tc.x)
		sb.Process(tc.y)
		t.Run(tc.name, func(t *testing.T) {
			sameResult(t, pa.Result(), sa.Result())
			sameResult(t, pb.Result(), sb.Result())
		})
	}
}

// TestProcessPairAllocs checks that pairing does not allocate per block.
func TestProcessPairAllocs(t *testing.T) {
	noise := audiotest.PinkNoise(4, 2, 4096, -3)
	a, b := NewMeter(48000, 2, Options{IntegratedOnly: true}), NewMeter(48000, 2, Options{IntegratedOnly: true})
	run := func() {
		a.Reset()
		b.Reset()
		ProcessPair(a, b, noise, noise)
	}
	run()
	if n := testing.AllocsPerRun(20, run); n != 0 {
		t.Fatalf("ProcessPair allocates %v times per block", n)
	}
}

// BenchmarkKWeightPair meters two 10 s 48 kHz stereo streams in
// 4096-frame blocks (integrated loudness only, so the K-weighting is
// nearly all the work), one meter at a time or paired, and reports ns per
// stereo frame.
func BenchmarkKWeightPair(b *testing.B) {
	const fs, frames, block = 48000, 480000, 4096
	x := audiotest.PinkNoise(7, 2, frames, -1)
	y := audiotest.PinkNoise(8, 2, frames, -1)
	for _, paired := range []bool{false, true} {
		name := "single"
		if paired {
			name = "paired"
		}
		b.Run(name, func(b *testing.B) {
			ma, mb := NewMeter(fs, 2, Options{IntegratedOnly: true}), NewMeter(fs, 2, Options{IntegratedOnly: true})
			vx, vy := &audio.Buffer{Data: make([][]float32, 2)}, &audio.Buffer{Data: make([][]float32, 2)}
			for b.Loop() {
				ma.Reset()
				mb.Reset()
				for off := 0; off < frames; off += block {
					end := min(off+block, frames)
					for c := range 2 {
						vx.Data[c], vy.Data[c] = x.Data[c][off:end], y.Data[c][off:end]
					}
					if paired {
						ProcessPair(ma, mb, vx, vy)
					} else {
						ma.Process(vx)
						mb.Process(vy)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(2*frames), "ns/frame")
		})
	}
}
