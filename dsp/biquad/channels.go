package biquad

// ProcessChannels runs f over the first k frames of every channel of x
// (channel c with channel c's state), pairs of channels in one pass.
func (f *Filter) ProcessChannels(x [][]float64, k int) {
	c := 0
	for ; c+1 < len(x); c += 2 {
		f.Process2(c, x[c][:k], c+1, x[c+1][:k])
	}
	if c < len(x) {
		f.Process(c, x[c][:k])
	}
}

// Widen sets dst[i] = float64(src[i]) (exact) for the frames of dst: the
// float64 domain the filters run in, for the processors built on them
// (the conversion kernel is vec.Widen's).
func Widen(dst []float64, src []float32) { load(dst, src) }

// Narrow sets dst[i] = float32(src[i]), rounded to nearest as Go's
// conversion, for the frames of src (vec.Narrow).
func Narrow(dst []float32, src []float64) { store(dst, src) }
