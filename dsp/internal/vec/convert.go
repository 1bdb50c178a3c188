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

// WidenMulAdd sets dst[i] = float64(x[i])·g and adds w·dst[i] to acc[i]
// (len(acc), len(x) ≥ len(dst)), each product rounded before the
// addition: the stem summer's conversion of a stem's channel into its
// weighted float64 sum (dsp/stemsum.Summer).
func WidenMulAdd(dst, acc []float64, x []float32, g, w float64) {
	acc, x = acc[:len(dst)], x[:len(dst)]
	d := head(len(dst))
	widenMulAddAsm(dst[:d], acc[:d], x[:d], g, w)
	widenMulAddGo(dst[d:], acc[d:], x[d:], g, w)
}

func widenMulAddGo(dst, acc []float64, x []float32, g, w float64) {
	acc, x = acc[:len(dst)], x[:len(dst)]
	for i, v := range x {
		y := float64(v) * g
		dst[i] = y
		acc[i] += float64(w * y)
	}
}
