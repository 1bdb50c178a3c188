package engine

import (
	"math"
	"math/rand/v2"
	"testing"

	"stemmaster/audio"
)

// TestSpectrumFeed: the spectrum of a signal fed block by block, in pieces
// of any size, is bit for bit the spectrum of the whole signal, at a rate
// whose windows do not overlap and at one where they do.
func TestSpectrumFeed(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	for _, fs := range []float64{48000, 8000} {
		b := audio.NewBuffer(busChannels, int(3*fs)+123)
		for c := range b.Data {
			for i := range b.Data[c] {
				b.Data[c][i] = float32(rng.NormFloat64() * 0.1)
			}
		}
		whole := newSpectrum(fs)
		whole.advance(b, b.Frames())
		fed := newSpectrum(fs)
		for pos := 0; pos < b.Frames(); {
			n := min(b.Frames()-pos, 1+rng.IntN(9000))
			v := &audio.Buffer{Data: make([][]float32, busChannels)}
			for c := range v.Data {
				v.Data[c] = b.Data[c][pos : pos+n]
			}
			fed.feed(v)
			pos += n
		}
		if whole.frames == 0 || fed.frames != whole.frames {
			t.Fatalf("%g Hz: %d windows fed, %d whole", fs, fed.frames, whole.frames)
		}
		for k := range whole.power {
			if fed.power[k] != whole.power[k] {
				t.Fatalf("%g Hz: bin %d: %g fed, %g whole", fs, k, fed.power[k], whole.power[k])
			}
		}
	}
}

// TestBlockRange pins blockRange to the builtin min and max (bit for bit,
// so −0 against +0 and NaN too) on blocks of special values.
func TestBlockRange(t *testing.T) {
	t.Parallel()
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	negZero := float32(math.Copysign(0, -1))
	blocks := [][2][]float32{
		{{0.5, -0.25}, {0.125, 0.75}},
		{{0, negZero}, {negZero, 0}},
		{{negZero}, {negZero}},
		{{inf, -inf}, {1, 2}},
		{{1, nan, -1}, {0, 0, 0}},
		{{-1e-45, 1e-45}, {-3, 3}},
		{{}, {}},
	}
	for i, d := range blocks {
		b := &audio.Buffer{Data: [][]float32{d[0], d[1]}}
		lo, hi := blockRange(b)
		wlo, whi := blockRangeFloat(b)
		if math.Float32bits(lo) != math.Float32bits(wlo) && !(lo != lo && wlo != wlo) ||
			math.Float32bits(hi) != math.Float32bits(whi) && !(hi != hi && whi != whi) {
			t.Errorf("block %d: %v %v, want %v %v", i, lo, hi, wlo, whi)
		}
	}
}
