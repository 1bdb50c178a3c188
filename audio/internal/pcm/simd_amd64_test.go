//go:build amd64 && !purego

package pcm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"stemmaster/internal/testkit"
)

// TestDecodeS24StereoKernel decodes random bytes with the assembly and
// with the Go loop alone and compares every sample's bits, for every frame
// count to 40 and a long block, at an offset into dst, and checks that
// nothing past dst changed.
func TestDecodeS24StereoKernel(t *testing.T) {
	t.Parallel()
	if !hasAVX2 {
		t.Skip("no AVX2 here: the Go loop is all there is")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range append(rangeFrames(40), 4093, 4096) {
		src := make([]byte, 6*n)
		for i := range src {
			src[i] = byte(rng.Uint32())
		}
		got := [][]float32{testkit.Guarded(n+3, guardF32), testkit.Guarded(n+3, guardF32)}
		want := [][]float32{make([]float32, n+3), make([]float32, n+3)}
		decodeS24Stereo(got, 3, src, n)
		decodeS24StereoGo(want[0][3:], want[1][3:], src)
		for c := range got {
			for i := range got[c] {
				if math.Float32bits(got[c][i]) != math.Float32bits(want[c][i]) {
					t.Fatalf("%d frames: channel %d sample %d = %v, Go %v", n, c, i, got[c][i], want[c][i])
				}
			}
			testkit.CheckGuard(t, got[c], guardF32, fmt.Sprintf("%d frames, channel %d", n, c))
		}
	}
}

// The values testkit.Guarded puts past the kernels' outputs, unlikely to
// be what an overrun writes: a decoded sample lies in [−1, 1), and the
// bytes and codes are arbitrary patterns.
const (
	guardF32   = float32(12345.5)
	guardByte  = byte(0xa5)
	guardInt32 = int32(0x5a5a5a5a)
)

func rangeFrames(n int) []int {
	r := make([]int, n+1)
	for i := range r {
		r[i] = i
	}
	return r
}

// TestEncodeStereoKernels encodes random float32s (every bit pattern:
// NaN, infinities, ±0, subnormals, clipping) and the half-LSB points with
// the assembly and with the Go loop alone, for 16 and 24 bits, every frame
// count to 40 and a long block, at an offset, compares the bytes and
// checks that nothing past dst changed.
func TestEncodeStereoKernels(t *testing.T) {
	t.Parallel()
	if !hasAVX2 {
		t.Skip("no AVX2 here: the Go loop is all there is")
	}
	rng := rand.New(rand.NewPCG(9, 10))
	for _, bits := range []int{16, 24} {
		enc, encGo := encodeS16Stereo, encodeS16StereoGo
		if bits == 24 {
			enc, encGo = encodeS24Stereo, encodeS24StereoGo
		}
		full := float32(math.Ldexp(1, bits-1))
		for _, n := range append(rangeFrames(40), 4093, 4096) {
			src := [][]float32{make([]float32, n+5), make([]float32, n+5)}
			for c := range src {
				for i := range src[c] {
					switch rng.IntN(3) {
					case 0:
						src[c][i] = math.Float32frombits(rng.Uint32())
					case 1:
						src[c][i] = (float32(rng.IntN(1<<uint(bits))) - full + 0.5) / full
					default:
						src[c][i] = float32(2.2*rng.Float64() - 1.1)
					}
				}
			}
			got, want := testkit.Guarded(n*bits/4, guardByte), make([]byte, n*bits/4)
			enc(got, src, 5, n)
			encGo(want, src[0][5:5+n], src[1][5:5+n])
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("%d bits, %d frames: byte %d = %#x, Go %#x", bits, n, i, got[i], want[i])
				}
			}
			testkit.CheckGuard(t, got, guardByte, fmt.Sprintf("%d bits, %d frames", bits, n))
		}
	}
}

// TestQuantizeBlockKernel compares QuantizeBlock (the assembly for groups
// of 4) with Quantize sample by sample for every word length the encoders
// use, on random bit patterns and full-scale values, at odd lengths, and
// checks that nothing past dst changed.
func TestQuantizeBlockKernel(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(11, 12))
	for _, bits := range []int{8, 16, 20, 24, 32} {
		for _, n := range []int{0, 1, 3, 4, 5, 17, 4097} {
			src := make([]float32, n)
			for i := range src {
				if i%2 == 0 {
					src[i] = math.Float32frombits(rng.Uint32())
				} else {
					src[i] = float32(2.2*rng.Float64() - 1.1)
				}
			}
			dst := testkit.Guarded(n, guardInt32)
			QuantizeBlock(dst, src, bits)
			for i, v := range src {
				if want := Quantize(v, bits); dst[i] != want {
					t.Fatalf("%d bits: QuantizeBlock(%v) = %d, Quantize %d", bits, v, dst[i], want)
				}
			}
			testkit.CheckGuard(t, dst, guardInt32, fmt.Sprintf("%d bits, %d samples", bits, n))
		}
	}
}
