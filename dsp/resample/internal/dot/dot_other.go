//go:build !amd64 || purego

package dot

const kernel = "go"

func dot(a, b []float64) float64 { return dotGeneric(a, b) }

func dot2(a, b0, b1 []float64) (float64, float64) { return dot2Generic(a, b0, b1) }
