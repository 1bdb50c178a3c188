// Package stemsum is the one stem summer: how a stem is placed on the
// stereo bus (the constant-power law's −3 dB centre for a mono stem, a
// stereo stem as it is, the channel corrections a check finds) and how
// stems add up. The engine sums its bus and the plain sum with it in
// float32, as it renders; the stem checks (package check) sum in float64
// with the weights a least-squares fit gives each stem. See
// docs/architecture.md for where each is used.
package stemsum

import (
	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/internal/vec"
)

// MonoGain is the gain of a mono stem in each channel of a stereo sum: the
// constant-power pan law's centre, dsp.PanGains(0), whose left gain is √½
// exactly (the right one, sin π/4, is one float64 ulp under it and the
// same float32).
var MonoGain, _ = dsp.PanGains(0)

// Add adds src to dst, sample by sample (len(dst) ≤ len(src)), with the
// dsp kernels' float32 sum (vec.AddF32).
func Add(dst, src []float32) { vec.AddF32(dst, src[:len(dst)]) }

// AddPlain adds n frames of b, one stem as delivered, to the stereo sum:
// a stereo stem as it is (the first two channels of a wider one), a mono
// stem in the centre at the constant-power law (−3 dB in each channel),
// as the engine's strips place it and the check sums it.
func AddPlain(sum, b *audio.Buffer, n int) {
	switch b.Channels() {
	case 0:
	case 1:
		l, r := dsp.PanGains(0)
		gl, gr := float32(l), float32(r)
		for i, v := range b.Data[0][:n] {
			sum.Data[0][i] += float32(gl * v)
			sum.Data[1][i] += float32(gr * v)
		}
	default:
		for c := range 2 {
			Add(sum.Data[c][:n], b.Data[c])
		}
	}
}

// Stem says how a stem enters a float64 sum: its channels, and the
// corrections applied before it is summed (its channels exchanged, a sign
// per channel of the file).
type Stem struct {
	Channels int
	Swap     bool       // exchange left and right (stereo only)
	Sign     [2]float64 // per channel of the file: 1, or −1 for inverted
}

// Summer converts the stems of a block to float64 in the sum's layout
// (a mono stem feeds every channel at MonoGain, after its sign) and builds
// their weighted sum. Conv and Sum hold the last block loaded.
type Summer struct {
	Conv [][][]float64 // [stem][channel] → samples; a mono stem's channels share one slice
	Sum  [][]float64   // [channel]
	ch   int
	st   []Stem
}

// NewSummer returns a summer of the stems into channels channels, for
// blocks of up to block frames.
func NewSummer(stems []Stem, channels, block int) *Summer {
	s := &Summer{ch: channels, st: stems, Conv: make([][][]float64, len(stems))}
	for k, in := range stems {
		s.Conv[k] = make([][]float64, channels)
		for c := range channels {
			if c > 0 && in.Channels == 1 {
				s.Conv[k][c] = s.Conv[k][0]
				continue
			}
			s.Conv[k][c] = make([]float64, block)
		}
	}
	s.Sum = make([][]float64, channels)
	for c := range s.Sum {
		s.Sum[c] = make([]float64, block)
	}
	return s
}

// Load converts the first n frames of each stem's block (blocks[k], its
// channels) and sums them with the given gains (nil: unity), in the stems'
// order.
func (s *Summer) Load(blocks [][][]float32, n int, gains []float64) {
	for c := range s.Sum {
		clear(s.Sum[c][:n])
	}
	for k, src := range blocks {
		scale := 1.0
		if len(src) == 1 && s.ch == 2 {
			scale = MonoGain
		}
		swap := s.st[k].Swap && s.st[k].Channels == 2
		w := 1.0
		if gains != nil {
			w = gains[k]
		}
		for c := range s.ch {
			dst, acc := s.Conv[k][c][:n], s.Sum[c][:n]
			if c >= len(src) {
				// A mono stem's other channel: its converted samples are
				// the first channel's, already there.
				if w != 0 {
					for i, v := range dst {
						acc[i] += w * v
					}
				}
				continue
			}
			sc := c
			if swap {
				sc = 1 - c
			}
			g := scale * s.st[k].Sign[sc]
			x := src[sc][:n]
			if w == 0 {
				for i, v := range x {
					dst[i] = float64(v) * g
				}
				continue
			}
			vec.WidenMulAdd(dst, acc, x, g, w)
		}
	}
}

// Scale sets dst[i] = g·src[i] (len(src) ≥ len(dst)): the float32 product
// with which the engine places a decoded stem on the bus (its polarity,
// gain and pan folded into g), and gains the bus before the limiter.
func Scale(dst, src []float32, g float32) { vec.ScaleF32(dst, src[:len(dst)], g) }
