//go:build amd64 && !purego

package dot

func init() {
	if accelerated {
		impls = append(impls, struct {
			name string
			dot  func(a, b []float64) float64
			dot2 func(a, b0, b1 []float64) (float64, float64)
		}{"avx2", dotAVX2, dot2AVX2})
	}
}
