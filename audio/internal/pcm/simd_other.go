//go:build !amd64 || purego

package pcm

func decodeS24StereoFast(l, r []float32, src []byte) int { return 0 }

func encodeS24StereoFast(dst []byte, l, r []float32) int { return 0 }

func encodeS16StereoFast(dst []byte, l, r []float32) int { return 0 }

func quantizeFast(dst []int32, src []float32, bits int) int { return 0 }
