//go:build amd64 && !purego

package pcm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestDecodeS24StereoKernel decodes random bytes with the assembly and
// with the Go loop alone and compares every sample's bits, for every frame
// count to 40 and a long block, at an offset into dst.
func TestDecodeS24StereoKernel(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2 here: the Go loop is all there is")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range append(rangeFrames(40), 4093, 4096) {
		src := make([]byte, 6*n)
		for i := range src {
			src[i] = byte(rng.Uint32())
		}
		got := [][]float32{make([]float32, n+3), make([]float32, n+3)}
		want := [][]float32{make([]float32, n+3), make([]float32, n+3)}
		decodeS24Stereo(got, 3, src, n)
		hasAVX2 = false
		decodeS24Stereo(want, 3, src, n)
		hasAVX2 = true
		for c := range got {
			for i := range got[c] {
				if math.Float32bits(got[c][i]) != math.Float32bits(want[c][i]) {
					t.Fatalf("%d frames: channel %d sample %d = %v, Go %v", n, c, i, got[c][i], want[c][i])
				}
			}
		}
	}
}

func rangeFrames(n int) []int {
	r := make([]int, n+1)
	for i := range r {
		r[i] = i
	}
	return r
}
