package vec

// Widen sets dst[i] = float64(src[i]) (exact) for every value of src, into
// the float64 domain the filters and detectors run in; dst must hold as
// many. The kernel converts eight values a step.
func Widen(dst []float64, src []float32) {
	dst = dst[:len(src)]
	n := head(len(src)) &^ 7
	widenAsm(dst[:n], src[:n])
	for i := n; i < len(src); i++ {
		dst[i] = float64(src[i])
	}
}

// Narrow sets dst[i] = float32(src[i]) for every value of src, rounded to
// nearest as Go's conversion rounds (so does VCVTPD2PS); dst must hold as
// many.
func Narrow(dst []float32, src []float64) {
	dst = dst[:len(src)]
	n := head(len(src))
	narrowAsm(dst[:n], src[:n])
	for i := n; i < len(src); i++ {
		dst[i] = float32(src[i])
	}
}
