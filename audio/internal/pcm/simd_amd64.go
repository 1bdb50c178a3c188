//go:build amd64 && !purego

package pcm

import "golang.org/x/sys/cpu"

// hasAVX2 selects the assembly converters.
var hasAVX2 = cpu.X86.HasAVX2

// decodeS24StereoFast decodes the first frames of l and r from src in
// assembly, in groups of 8, and returns how many it decoded: all but the
// last 1–8 (whose group would read past src), or none without AVX2.
func decodeS24StereoFast(l, r []float32, src []byte) int {
	groups := (len(l) - 1) / 8
	if !hasAVX2 || groups <= 0 {
		return 0
	}
	decodeS24StereoAVX2(&l[0], &r[0], &src[0], groups)
	return 8 * groups
}

// decodeS24StereoAVX2 is decodeS24Stereo for groups of 8 frames. src must
// hold 4 bytes after the last group.
//
//go:noescape
func decodeS24StereoAVX2(l, r *float32, src *byte, groups int)

// encodeS24StereoFast encodes the first frames of l and r into dst in
// assembly, in groups of 4, and returns how many it encoded: all but the
// last 1–4 (whose group would write past dst), or none without AVX2.
func encodeS24StereoFast(dst []byte, l, r []float32) int {
	groups := (len(l) - 1) / 4
	if !hasAVX2 || groups <= 0 {
		return 0
	}
	encodeS24StereoAVX2(&dst[0], &l[0], &r[0], groups)
	return 4 * groups
}

// encodeS16StereoFast is encodeS24StereoFast for 16 bits.
func encodeS16StereoFast(dst []byte, l, r []float32) int {
	groups := len(l) / 4
	if !hasAVX2 || groups <= 0 {
		return 0
	}
	encodeS16StereoAVX2(&dst[0], &l[0], &r[0], groups)
	return 4 * groups
}

// encodeS24StereoAVX2 is encodeS24Stereo for groups of 4 frames; dst must
// have 4 bytes after the last group.
//
//go:noescape
func encodeS24StereoAVX2(dst *byte, l, r *float32, groups int)

// encodeS16StereoAVX2 is encodeS16Stereo for groups of 4 frames.
//
//go:noescape
func encodeS16StereoAVX2(dst *byte, l, r *float32, groups int)

// quantizeFast quantizes the first samples of src into dst in assembly, in
// groups of 4, and returns how many.
func quantizeFast(dst []int32, src []float32, bits int) int {
	groups := len(src) / 4
	if !hasAVX2 || groups == 0 {
		return 0
	}
	full := float64(int64(1) << (bits - 1))
	quantizeAVX2(&dst[0], &src[0], groups, &[3]float64{full, -full, full - 1})
	return 4 * groups
}

// quantizeAVX2 is Quantize for groups of 4 samples; k holds the scale,
// lowest and highest code.
//
//go:noescape
func quantizeAVX2(dst *int32, src *float32, groups int, k *[3]float64)
