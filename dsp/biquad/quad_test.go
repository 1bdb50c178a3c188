package biquad

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/internal/dsptest"
	"stemmaster/internal/audiotest"
)

// TestQuadKernelExact checks Process2 with the quad kernel (and the pair
// kernel after it) bit for bit against run2 section by section, for
// cascades of four to nine sections and blocks of every length around the
// kernel's ramps (5 to 13 frames, both parities), then long ones.
func TestQuadKernelExact(t *testing.T) {
	t.Parallel()
	all := nineSections()
	if !pairAccelerated {
		t.Skip("no accelerated kernels on this machine")
	}
	noise := audiotest.PinkNoise(3, 2, 3000, -6)
	sizes := []int{5, 6, 7, 8, 9, 10, 11, 12, 13, 256, 777}
	for n := 4; n <= len(all); n++ {
		fast, slow := NewFilter(2, all[:n]), NewFilter(2, all[:n])
		slow.wide, slow.quad = nil, nil
		pos := 0
		for _, size := range sizes {
			x0, x1 := make([]float64, size), make([]float64, size)
			for i := range size {
				x0[i], x1[i] = float64(noise.Data[0][pos+i]), float64(noise.Data[1][pos+i])
			}
			y0, y1 := append([]float64(nil), x0...), append([]float64(nil), x1...)
			fast.Process2(0, x0, 1, x1)
			slow.Process2(0, y0, 1, y1)
			for i := range size {
				if math.Float64bits(x0[i]) != math.Float64bits(y0[i]) || math.Float64bits(x1[i]) != math.Float64bits(y1[i]) {
					t.Fatalf("%d sections, block of %d at %d: frame %d: quad %v %v, run2 %v %v", n, size, pos, i, x0[i], x1[i], y0[i], y1[i])
				}
			}
			pos += size
		}
		for i := range fast.st {
			if fast.st[i] != slow.st[i] {
				t.Fatalf("%d sections: state %d: quad %v, run2 %v", n, i, fast.st[i], slow.st[i])
			}
		}
	}
}

// TestQuadRiderExact: Process2Rider gives the bits of Process2 then the
// rider's Process, output and state, for cascades of four to nine sections
// with a peak, shelf and notch rider, over blocks of every length around
// the kernel's ramps and long ones.
func TestQuadRiderExact(t *testing.T) {
	t.Parallel()
	all := nineSections()
	noise := audiotest.PinkNoise(4, 3, 3000, -6)
	sizes := []int{5, 6, 7, 8, 9, 12, 13, 256, 777}
	for n := 4; n <= len(all); n++ {
		for _, rb := range []Band{{Type: TypePeak, FreqHz: 3000, Q: 1, GainDB: 1}, {Type: TypeLowShelf, FreqHz: 120, Q: 0.707, GainDB: -2}, {Type: TypeNotch, FreqHz: 50, Q: 8}} {
			rs := rb.Sections(nil, 48000)
			f, g, rf, rg := NewFilter(2, all[:n]), NewFilter(2, all[:n]), NewFilter(1, rs), NewFilter(1, rs)
			pos := 0
			for _, size := range sizes {
				x := [3][]float64{make([]float64, size), make([]float64, size), make([]float64, size)}
				for c := range x {
					for i := range size {
						x[c][i] = float64(noise.Data[c][pos+i])
					}
				}
				y := [3][]float64{slices.Clone(x[0]), slices.Clone(x[1]), slices.Clone(x[2])}
				f.Process2Rider(x[0], x[1], rf, x[2])
				g.Process2(0, y[0], 1, y[1])
				rg.Process(0, y[2])
				for c := range x {
					for i := range size {
						if math.Float64bits(x[c][i]) != math.Float64bits(y[c][i]) {
							t.Fatalf("%d sections, rider %s, block of %d at %d: channel %d frame %d: %v with the rider, %v apart", n, rb.Type, size, pos, c, i, x[c][i], y[c][i])
						}
					}
				}
				pos += size
			}
			if !slices.Equal(f.st, g.st) || !slices.Equal(rf.st, rg.st) {
				t.Fatalf("%d sections, rider %s: states differ", n, rb.Type)
			}
		}
	}
}

// nineSections is a cascade of nine sections of every kind, for the
// kernels' tests: an EQ's four, then shelf, notch, low-pass, peak and
// band-pass.
func nineSections() Cascade {
	var all Cascade
	for _, b := range stemEQ {
		all = b.Sections(all, 48000)
	}
	for _, b := range []Band{{Type: TypeLowShelf, FreqHz: 90, Q: 0.7, GainDB: 3}, {Type: TypeNotch, FreqHz: 60, Q: 4},
		{Type: TypeLowPass, FreqHz: 12000, Q: 0.7}, {Type: TypePeak, FreqHz: 5000, Q: 2, GainDB: 4}, {Type: TypeBandPass, FreqHz: 3000, Q: 0.7}} {
		all = b.Sections(all, 48000)
	}
	return all
}

// stemEQ is a stem's four stereo bands (one section each).
var stemEQ = []Band{{Type: TypeHighPass, FreqHz: 40, Q: 0.707}, {Type: TypePeak, FreqHz: 250, Q: 1, GainDB: 1},
	{Type: TypePeak, FreqHz: 1000, Q: 1, GainDB: -2}, {Type: TypeHighShelf, FreqHz: 8000, Q: 0.707, GainDB: 1.5}}

// TestStereoMidSideExact: StereoMidSide gives the bits of an EQ on the
// stereo pair followed by dsp.MidSide wrapping an EQ, on the mid and on
// the side, for a mid/side band of one section (the rider) and of two
// (the fallback), stereo bands of four sections (the quad kernel) and of
// two, over blocks of uneven lengths (1 to 4096 frames, chunks cut short).
func TestStereoMidSideExact(t *testing.T) {
	t.Parallel()
	four := stemEQ
	one := []Band{{Type: TypePeak, FreqHz: 3000, Q: 1, GainDB: 1}}
	two := []Band{{Type: TypeLowShelf, FreqHz: 120, Q: 0.707, GainDB: -2}, {Type: TypeHighPass, FreqHz: 30, Q: 0.707}}
	x := audiotest.PinkNoise(6, 2, 30000, -3)
	for _, c := range []struct {
		stereo, ms []Band
		channel    string
	}{
		{four, one, dsp.ChannelMid}, {four, one, dsp.ChannelSide}, {four, two, dsp.ChannelMid}, {four[:2], one, dsp.ChannelSide},
	} {
		name := fmt.Sprintf("%d stereo bands, %d on the %s", len(c.stereo), len(c.ms), c.channel)
		spec := dsp.Spec{SampleRate: 48000, MaxBlockSize: 4096, Channels: 2}
		fused := NewStereoMidSide(c.stereo, c.ms, c.channel)
		fused.Prepare(spec)
		eq, ms := NewEQ(c.stereo...), dsp.NewMidSide(NewEQ(c.ms...), c.channel)
		eq.Prepare(spec)
		ms.Prepare(spec)
		a, b := x.Clone(), x.Clone()
		sizes := []int{4096, 1, 300, 257, 4096, 3, 2000, 512}
		for at, i := 0, 0; at < x.Frames(); i++ {
			end := min(at+sizes[i%len(sizes)], x.Frames())
			fused.Process(&audio.Buffer{Data: [][]float32{a.Data[0][at:end], a.Data[1][at:end]}})
			view := &audio.Buffer{Data: [][]float32{b.Data[0][at:end], b.Data[1][at:end]}}
			eq.Process(view)
			ms.Process(view)
			at = end
		}
		for ch := range a.Data {
			for i, v := range a.Data[ch] {
				if w := b.Data[ch][i]; math.Float32bits(v) != math.Float32bits(w) {
					t.Fatalf("%s: channel %d frame %d: %v fused, %v apart", name, ch, i, v, w)
				}
			}
		}
	}
}

// BenchmarkStemEQ: a stem's four stereo bands and a peak band on the mid,
// as StereoMidSide runs them ("fused") and as an EQ then dsp.MidSide
// ("apart"), per frame and channel of the pair.
func BenchmarkStemEQ(b *testing.B) {
	mid := []Band{{Type: TypePeak, FreqHz: 3000, Q: 1, GainDB: 1}}
	spec := dsp.Spec{SampleRate: 48000, MaxBlockSize: 4096, Channels: 2}
	fused := NewStereoMidSide(stemEQ, mid, dsp.ChannelMid)
	fused.Prepare(spec)
	eq, ms := NewEQ(stemEQ...), dsp.NewMidSide(NewEQ(mid...), dsp.ChannelMid)
	eq.Prepare(spec)
	ms.Prepare(spec)
	x := audiotest.PinkNoise(1, 2, 4096, -6)
	b.Run("fused", func(b *testing.B) { dsptest.BenchProcess(b, fused, x) })
	b.Run("apart", func(b *testing.B) { dsptest.BenchProcess(b, chain{eq, ms}, x) })
}

// chain runs processors in turn (a benchmark's stand-in for the engine's
// chain).
type chain []dsp.Processor

func (c chain) Prepare(dsp.Spec) {}
func (c chain) Reset()           {}
func (c chain) Latency() int     { return 0 }
func (c chain) Process(buf *audio.Buffer) {
	for _, p := range c {
		p.Process(buf)
	}
}
