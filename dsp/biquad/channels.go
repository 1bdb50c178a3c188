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
