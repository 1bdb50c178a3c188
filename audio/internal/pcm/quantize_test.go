package pcm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// refQuantize is Quantize written with a branch per case: the definition
// the branch-free quantize must reproduce.
func refQuantize(v float32, bits int) int32 {
	full := float64(int64(1) << (bits - 1))
	x := float64(v) * full
	switch {
	case x != x:
		return 0
	case x >= full-1:
		return int32(full - 1)
	case x <= -full:
		return int32(-full)
	case x < 0:
		return int32(x - 0.5)
	}
	return int32(x + 0.5)
}

// TestQuantizeMatchesReference compares Quantize with refQuantize on
// random samples of every magnitude, on the half-LSB points and their
// float32 neighbours, and on the special values, for every word length
// the encoders use.
func TestQuantizeMatchesReference(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	var vals []float32
	for range 200000 {
		vals = append(vals, math.Float32frombits(rng.Uint32()))
	}
	for _, bits := range []int{8, 16, 24, 32} {
		full := float32(math.Ldexp(1, bits-1))
		for k := -300; k <= 300; k++ {
			for _, v := range []float32{(float32(k) + 0.5) / full, float32(k) / full} {
				vals = append(vals, v, math.Nextafter32(v, 2), math.Nextafter32(v, -2))
			}
		}
		vals = append(vals, 1, -1, math.Nextafter32(1, 0), math.Nextafter32(-1, 0), 2, -2,
			float32(math.Copysign(0, -1)), float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)),
			math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32)
	}
	for _, bits := range []int{8, 16, 24, 32} {
		for _, v := range vals {
			if got, want := Quantize(v, bits), refQuantize(v, bits); got != want {
				t.Fatalf("Quantize(%v (%#x), %d) = %d, reference %d", v, math.Float32bits(v), bits, got, want)
			}
		}
	}
}

// BenchmarkEncodeStereo times the stereo integer fast paths on a block of
// 4096 frames of full-scale noise; ns/frame is per stereo frame.
func BenchmarkEncodeStereo(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	src := [][]float32{make([]float32, 4096), make([]float32, 4096)}
	for c := range src {
		for i := range src[c] {
			src[c][i] = float32(2*rng.Float64() - 1)
		}
	}
	for _, l := range []Layout{{Kind: Signed, Bytes: 2, Channels: 2}, {Kind: Signed, Bytes: 3, Channels: 2}} {
		b.Run(fmt.Sprintf("s%d", 8*l.Bytes), func(b *testing.B) {
			enc := Encoder(l)
			dst := make([]byte, 4096*l.FrameBytes())
			for b.Loop() {
				enc(dst, src, 0, 4096)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*4096), "ns/frame")
		})
	}
}
