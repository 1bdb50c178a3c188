package pcm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func TestQuantize(t *testing.T) {
	t.Parallel()
	// Expected values: v·2^(bits-1) rounded half away from zero, clamped to
	// [-2^(bits-1), 2^(bits-1)-1]; NaN → 0.
	tests := []struct {
		v    float32
		bits int
		want int32
	}{
		{0, 16, 0},
		{1, 16, 32767},
		{-1, 16, -32768},
		{2, 24, 1<<23 - 1},
		{-2, 24, -1 << 23},
		{0.5 / 32768, 16, 1},
		{-0.5 / 32768, 16, -1},
		{0.49 / 32768, 16, 0},
		{1, 32, math.MaxInt32},
		{-1, 32, math.MinInt32},
		{float32(math.NaN()), 24, 0},
		{float32(math.Inf(1)), 8, 127},
		{float32(math.Inf(-1)), 8, -128},
	}
	for _, tc := range tests {
		if got := Quantize(tc.v, tc.bits); got != tc.want {
			t.Errorf("Quantize(%v, %d) = %d, want %d", tc.v, tc.bits, got, tc.want)
		}
	}
}

// layouts is every layout the codecs use, fast paths and generic.
func layouts() []Layout {
	var ls []Layout
	for _, be := range []bool{false, true} {
		for _, ch := range []int{1, 2, 3} {
			ls = append(ls,
				Layout{Kind: Unsigned, Bytes: 1, Channels: ch, BigEndian: be},
				Layout{Kind: Signed, Bytes: 1, Channels: ch, BigEndian: be},
				Layout{Kind: Signed, Bytes: 2, Channels: ch, BigEndian: be},
				Layout{Kind: Signed, Bytes: 3, Channels: ch, BigEndian: be},
				Layout{Kind: Signed, Bytes: 4, Channels: ch, BigEndian: be},
				Layout{Kind: Float, Bytes: 4, Channels: ch, BigEndian: be},
				Layout{Kind: Float, Bytes: 8, Channels: ch, BigEndian: be},
			)
		}
	}
	return ls
}

// TestEncodeDecode: samples on a layout's grid survive Encoder→Decoder
// exactly, through both the specialised and the generic loops.
func TestEncodeDecode(t *testing.T) {
	t.Parallel()
	for _, l := range layouts() {
		t.Run(fmt.Sprintf("%+v", l), func(t *testing.T) {
			const frames = 257
			rng := rand.New(rand.NewPCG(uint64(l.Bytes), uint64(l.Channels)))
			src := make([][]float32, l.Channels)
			for c := range src {
				src[c] = make([]float32, frames)
				for i := range src[c] {
					switch {
					case l.Kind == Float:
						src[c][i] = float32(rng.NormFloat64())
					default:
						bits := min(8*l.Bytes, 24) // float32 holds 24 bits
						full := int64(1) << (bits - 1)
						src[c][i] = float32(float64(rng.Int64N(2*full)-full) / float64(full))
					}
				}
			}
			b := make([]byte, frames*l.FrameBytes())
			Encoder(l)(b, src, 0, frames)
			dst := make([][]float32, l.Channels)
			for c := range dst {
				dst[c] = make([]float32, frames+5)
			}
			Decoder(l)(dst, 5, b, frames)
			for c := range src {
				for i, v := range src[c] {
					if dst[c][5+i] != v {
						t.Fatalf("ch %d frame %d = %v, want %v", c, i, dst[c][5+i], v)
					}
				}
			}
		})
	}
}

// BenchmarkDecode measures the conversion loops alone, by block size; MB/s
// is of PCM bytes.
func BenchmarkDecode(b *testing.B) {
	for _, l := range []Layout{
		{Kind: Signed, Bytes: 3, Channels: 2},
		{Kind: Signed, Bytes: 2, Channels: 2},
		{Kind: Float, Bytes: 4, Channels: 2},
		{Kind: Signed, Bytes: 3, Channels: 2, BigEndian: true},
	} {
		for _, block := range []int{256, 4096, 65536} {
			b.Run(fmt.Sprintf("%dbyte-be=%v/%d", l.Bytes, l.BigEndian, block), func(b *testing.B) {
				src := make([]byte, block*l.FrameBytes())
				dst := [][]float32{make([]float32, block), make([]float32, block)}
				conv := Decoder(l)
				b.SetBytes(int64(len(src)))
				for b.Loop() {
					conv(dst, 0, src, block)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*block*2), "ns/sample")
			})
		}
	}
}

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
