//go:build amd64 && !purego

package pcm

import "golang.org/x/sys/cpu"

// hasAVX2 selects the assembly decoder.
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
