package engine

import (
	"math"
	"math/rand/v2"
	"testing"

	"stemmaster/audio"
)

// TestQuantiseMatchesDefinition pins quantise to its definition (round
// half away from zero on the bits-bit grid, clamped to [−1, 1 − 1 LSB],
// NaN kept) bit for bit, on random samples of every magnitude and the
// special values.
func TestQuantiseMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	src := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 2, -2, 0.5 / 32768, -0.5 / 32768,
		float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), math.MaxFloat32, math.SmallestNonzeroFloat32}
	for range 100000 {
		src = append(src, math.Float32frombits(rng.Uint32()), float32(2*rng.Float64()-1))
	}
	for _, bits := range []int{16, 20, 24} {
		b := &audio.Buffer{Data: [][]float32{append([]float32(nil), src...)}}
		quantise(b, bits)
		scale := math.Ldexp(1, bits-1)
		for i, v := range src {
			want := float32(math.Max(-1, math.Min((scale-1)/scale, math.Round(float64(v)*scale)/scale)))
			if got := b.Data[0][i]; math.Float32bits(got) != math.Float32bits(want) && !(got != got && want != want) {
				t.Fatalf("%d bits: quantise(%v) = %v, want %v", bits, v, got, want)
			}
		}
	}
}
