package dsp

import (
	"math"
	"math/rand/v2"
	"testing"

	"stemmaster/audio"
)

// TestSumStemsSameBits: sumStems gives every frame the bits of adding the
// sources one after the other to a cleared destination, for 0 to 9
// sources holding signed zeros, subnormals and rounding-sensitive values.
func TestSumStemsSameBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 257
	val := func() float32 {
		switch rng.IntN(6) {
		case 0:
			return float32(math.Copysign(0, -1))
		case 1:
			return 0
		case 2:
			return float32(rng.NormFloat64() * 1e-40)
		}
		return float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(8)-4)))
	}
	for k := range 10 {
		srcs := make([]*audio.Buffer, k)
		for s := range srcs {
			srcs[s] = audio.NewBuffer(2, n)
			for c := range 2 {
				for i := range n {
					srcs[s].Data[c][i] = val()
				}
			}
		}
		got := audio.NewBuffer(2, n)
		for c := range 2 {
			for i := range n {
				got.Data[c][i] = 7 // stale
			}
		}
		SumInto(got, srcs, n)
		for c := range 2 {
			for i := range n {
				var want float32
				for _, s := range srcs {
					want += s.Data[c][i]
				}
				if math.Float32bits(got.Data[c][i]) != math.Float32bits(want) {
					t.Fatalf("%d sources, channel %d frame %d: %v, one by one %v", k, c, i, got.Data[c][i], want)
				}
			}
		}
	}
}
