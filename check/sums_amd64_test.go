//go:build amd64 && !purego

package check

import (
	"math/rand/v2"
	"testing"
)

// TestStereoLanesKernels holds each two-block kernel (stereoLanes2 runs
// one of them) to stereoLanesGo bit for bit, the lanes added to.
func TestStereoLanesKernels(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	kernels := map[string]func(l0, r0, l1, r1 []float32, lanes *[2][5][2]float64){"sse2": stereoLanesSSE2}
	if lanesAVX {
		kernels["avx"] = stereoLanes2AVX
	}
	for name, kernel := range kernels {
		for _, n := range []int{2, 4, 64, 4096} {
			var in [4][]float32
			for i := range in {
				in[i] = make([]float32, n)
				for j := range in[i] {
					in[i][j] = float32(rng.NormFloat64() * 0.2)
				}
			}
			got := [2][5][2]float64{{1: {0.25, 0}}, {4: {0, -0.5}}}
			want := got
			stereoLanesGo(in[0], in[1], &want[0])
			stereoLanesGo(in[2], in[3], &want[1])
			kernel(in[0], in[1], in[2], in[3], &got)
			if got != want {
				t.Errorf("%s, n=%d: %v, stereoLanesGo %v", name, n, got, want)
			}
		}
	}
}

func BenchmarkStereoLanes2(b *testing.B) {
	var in [4][]float32
	for i := range in {
		in[i] = make([]float32, 4096)
		for j := range in[i] {
			in[i][j] = float32(j%97) / 97
		}
	}
	kernels := map[string]func(l0, r0, l1, r1 []float32, lanes *[2][5][2]float64){"sse2": stereoLanesSSE2}
	if lanesAVX {
		kernels["avx"] = stereoLanes2AVX
	}
	for name, kernel := range kernels {
		b.Run(name, func(b *testing.B) {
			var lanes [2][5][2]float64
			for b.Loop() {
				kernel(in[0], in[1], in[2], in[3], &lanes)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*4096), "ns/frame")
		})
	}
}
