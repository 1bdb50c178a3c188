package dsp

import (
	"math"
	"slices"
	"testing"
)

// stereoKernelInput is a stereo pair with values over 12 decades, both
// signs, zeros, equal and opposite channels, and float32's extremes.
func stereoKernelInput(n int) (l, r []float32) {
	b := randomStereo(n)
	l, r = b.Data[0], b.Data[1]
	special := []float32{0, float32(math.Copysign(0, -1)), math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, 1, -1}
	for i := 0; i+1 < n; i += 13 {
		l[i] = special[(i/13)%len(special)]
		switch i % 3 {
		case 0:
			r[i] = l[i]
		case 1:
			r[i] = -l[i]
		default:
			r[i+1] = special[(i/13+3)%len(special)]
		}
	}
	return l, r
}

// TestStereoKernels: the mid/side encode and decode and the width, as
// dispatched (the AVX kernels where they run, for all but the last frames),
// give exactly the Go loops' bits, on mid and side, for every length's
// tail.
func TestStereoKernels(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 3, 4, 7, 64, 1001} {
		l, r := stereoKernelInput(n)
		for _, side := range []bool{false, true} {
			x, xg := make([]float32, n), make([]float32, n)
			resid, residg := make([]float64, n), make([]float64, n)
			rest, restg := make([]float64, n), make([]float64, n)
			msEncode(l, r, x, resid, rest, side)
			msEncodeGo(l, r, xg, residg, restg, side)
			if !sameBits32(x, xg) || !sameBits64(resid, residg) || !sameBits64(rest, restg) {
				t.Fatalf("n %d side %v: encode differs from the Go loop", n, side)
			}
			for i := range x { // a processed part, as the inner processor leaves it
				x[i] *= 0.7
				xg[i] = x[i]
			}
			dl, dr := slices.Clone(l), slices.Clone(r)
			gl, gr := slices.Clone(l), slices.Clone(r)
			msDecode(dl, dr, x, resid, rest, side)
			msDecodeGo(gl, gr, xg, residg, restg, side)
			if !sameBits32(dl, gl) || !sameBits32(dr, gr) {
				t.Fatalf("n %d side %v: decode differs from the Go loop", n, side)
			}
		}
		for _, h := range []float64{0, 0.55, 0.7, 2} {
			wl, wr := slices.Clone(l), slices.Clone(r)
			gl, gr := slices.Clone(l), slices.Clone(r)
			widthApply(wl, wr, h)
			widthGo(gl, gr, h)
			if !sameBits32(wl, gl) || !sameBits32(wr, gr) {
				t.Fatalf("n %d h %g: width differs from the Go loop", n, h)
			}
		}
	}
}

func sameBits32(a, b []float32) bool {
	return slices.EqualFunc(a, b, func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) })
}

func sameBits64(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })
}
