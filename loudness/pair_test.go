package loudness

import (
	"math"
	"testing"

	"stemmaster/audio"
	"stemmaster/internal/audiotest"
)

// TestProcessGroupExact: five meters fed together, block by block in
// turn through ProcessGroup (a quad and a single, or pairs without the
// eight-lane kernel), ProcessQuad and one, and ProcessPair twice and one,
// hold the filter states and sub-block sums, bit for bit, of meters fed
// one at a time, after every block, and give the same results. The ten
// channels carry different signals (laneSignals, then each again at
// another level and polarity), so a swapped lane shows; the blocks are of
// odd and tiny lengths too.
func TestProcessGroupExact(t *testing.T) {
	t.Parallel()
	const frames = 40000
	four := laneSignals(frames)
	chans := four[:]
	for i := range 4 {
		c := make([]float32, frames)
		for j, v := range four[i] {
			c[j] = -0.3 * v
		}
		chans = append(chans, c)
	}
	order := []int{0, 5, 1, 6, 2, 7, 3, 4, 0, 1} // ten channels: five stereo streams
	opts := []Options{{Series: true}, {TruePeak: true}, {IntegratedOnly: true}, {}, {IntegratedOnly: true}}
	for _, rate := range []float64{44100, 48000, 96000} {
		grouped, single := make([]*Meter, 5), make([]*Meter, 5)
		for j := range 5 {
			grouped[j], single[j] = NewMeter(rate, 2, opts[j]), NewMeter(rate, 2, opts[j])
		}
		pos := 0
		for blk, size := range []int{0, 1, 2, 3, 479, 480, 481, 4095, 1, 4096, 20001, 30000} {
			size = min(size, frames-pos)
			bufs := make([]*audio.Buffer, 5)
			for j := range bufs {
				bufs[j] = audio.NewBuffer(2, size)
				for c := range 2 {
					copy(bufs[j].Data[c], chans[order[2*j+c]][pos:pos+size])
				}
				single[j].Process(bufs[j])
			}
			switch blk % 3 {
			case 0:
				ProcessGroup(grouped, bufs)
			case 1:
				ProcessQuad((*[4]*Meter)(grouped[:4]), (*[4]*audio.Buffer)(bufs[:4]))
				grouped[4].Process(bufs[4])
			default:
				ProcessPair(grouped[0], grouped[1], bufs[0], bufs[1])
				ProcessPair(grouped[2], grouped[3], bufs[2], bufs[3])
				grouped[4].Process(bufs[4])
			}
			pos += size
			for j := range grouped {
				g, s := grouped[j], single[j]
				for c := range g.filters {
					if g.filters[c] != s.filters[c] || math.Float64bits(g.acc[c]) != math.Float64bits(s.acc[c]) {
						t.Fatalf("%g Hz, after %d frames: meter %d channel %d: grouped %+v %v, single %+v %v",
							rate, pos, j, c, g.filters[c], g.acc[c], s.filters[c], s.acc[c])
					}
				}
				if len(g.hist) != len(s.hist) {
					t.Fatalf("%g Hz, after %d frames: meter %d: %d sub-blocks grouped, %d single", rate, pos, j, len(g.hist), len(s.hist))
				}
				for i := range g.hist {
					if math.Float64bits(g.hist[i]) != math.Float64bits(s.hist[i]) {
						t.Fatalf("%g Hz, after %d frames: meter %d sub-block %d: grouped %v, single %v", rate, pos, j, i, g.hist[i], s.hist[i])
					}
				}
			}
		}
		for j := range grouped {
			sameResult(t, grouped[j].Result(), single[j].Result())
		}
	}
}

// laneSignals are four channels of frames (48 kHz) unlike each other, so
// that a swapped lane in a kernel shows: pink noise with a long silence
// (the filter states decay and are flushed), full-scale white noise, a
// full-scale square wave, silence then a sine.
func laneSignals(frames int) [4][]float32 {
	pink := audiotest.PinkNoise(3, 1, frames, -6).Data[0]
	clear(pink[frames/4 : 3*frames/4])
	white := audiotest.WhiteNoise(5, 1, frames, 0).Data[0]
	square := make([]float32, frames)
	for i := range square {
		square[i] = 1
		if i/37%2 == 1 {
			square[i] = -1
		}
	}
	sine := audiotest.Sine(48000, 1, frames, 997, -3, 0).Data[0]
	clear(sine[:3*frames/8])
	return [4][]float32{pink, white, square, sine}
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

// TestProcessQuadFallback: four meters the kernel cannot take together
// (one at another rate, one ahead, one mono) still read as alone.
func TestProcessQuadFallback(t *testing.T) {
	t.Parallel()
	noise := audiotest.PinkNoise(9, 2, 30000, -3)
	lead := &audio.Buffer{Data: [][]float32{noise.Data[0][:700], noise.Data[1][:700]}}
	for _, tc := range []struct {
		name  string
		rates [4]float64
		ahead int // meter fed lead first; -1 none
	}{
		{"rates", [4]float64{48000, 48000, 44100, 48000}, -1},
		{"positions", [4]float64{48000, 48000, 48000, 48000}, 2},
	} {
		var g, s [4]*Meter
		var bufs [4]*audio.Buffer
		for j := range g {
			g[j], s[j] = NewMeter(tc.rates[j], 2, Options{}), NewMeter(tc.rates[j], 2, Options{})
			bufs[j] = noise
			if j == tc.ahead {
				g[j].Process(lead)
				s[j].Process(lead)
			}
		}
		ProcessQuad(&g, &bufs)
		for j := range g {
			s[j].Process(bufs[j])
			sameResult(t, g[j].Result(), s[j].Result())
		}
	}
}

// BenchmarkKWeightQuad meters four 10 s 48 kHz stereo streams in
// 4096-frame blocks (integrated loudness only) in pairs or as a quad, and
// reports ns per stereo frame.
func BenchmarkKWeightQuad(b *testing.B) {
	const fs, frames, block = 48000, 480000, 4096
	var xs [4]*audio.Buffer
	for j := range xs {
		xs[j] = audiotest.PinkNoise(uint64(7+j), 2, frames, -1)
	}
	for _, quad := range []bool{false, true} {
		name := "pairs"
		if quad {
			name = "quad"
		}
		b.Run(name, func(b *testing.B) {
			var ms [4]*Meter
			var vs [4]*audio.Buffer
			for j := range ms {
				ms[j] = NewMeter(fs, 2, Options{IntegratedOnly: true})
				vs[j] = &audio.Buffer{Data: make([][]float32, 2)}
			}
			for b.Loop() {
				for _, m := range ms {
					m.Reset()
				}
				for off := 0; off < frames; off += block {
					end := min(off+block, frames)
					for j := range vs {
						for c := range 2 {
							vs[j].Data[c] = xs[j].Data[c][off:end]
						}
					}
					if quad {
						ProcessQuad(&ms, &vs)
					} else {
						ProcessPair(ms[0], ms[1], vs[0], vs[1])
						ProcessPair(ms[2], ms[3], vs[2], vs[3])
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(4*frames), "ns/frame")
		})
	}
}
