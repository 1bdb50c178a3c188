package envelope

// Block forms of the per-frame gain path: each gives exactly the bits of
// the per-value function it names (Log2, Exp2, Smoother.Step), computed in
// assembly four lanes at a time where the processor allows (the serial
// smoother in scalar assembly: its choice of coefficient by a compare and
// a blend is shorter on the recursion's critical path than the Go code's
// mask in integer registers). The Go loops are the reference and the
// fallback; TestKernelsMatchGo holds the two to the same bits.

// Log2Block sets dst[i] = Log2(src[i]) for every value of src (positive
// normal values; len(dst) ≥ len(src)).
func Log2Block(dst, src []float64) {
	dst = dst[:len(src)]
	for i := log2Fast(dst, src); i < len(src); i++ {
		dst[i] = Log2(src[i])
	}
}

// GainBlock sets gain[i] to the linear gain for a gain reduction gr[i]
// (dB, ≥ 0) with a makeup of makeupDB: Exp2((makeupDB − gr[i])·Log2PerDB),
// or exactly makeupLin (the makeup as an amplitude) where gr[i] is 0. It
// returns the largest gr[i] (0 for none). len(gain) ≥ len(gr).
func GainBlock(gain, gr []float64, makeupDB, makeupLin float64) float64 {
	gain = gain[:len(gr)]
	k := gainConsts{makeup: makeupDB, makeupLin: makeupLin}
	i := gainFast(gain, gr, &k)
	peak := k.peak
	for ; i < len(gr); i++ {
		r := gr[i]
		v := makeupLin
		if r != 0 {
			v = Exp2((makeupDB - r) * Log2PerDB)
		}
		gain[i] = v
		peak = MaxPos(peak, r)
	}
	return peak
}

// gainConsts is GainBlock's argument block for the assembly: the makeup,
// and the largest reduction of the lanes it did (out).
type gainConsts struct {
	makeup, makeupLin float64
	peak              float64
}

// Run steps the smoother over a block: out[i] is the reduction after the
// step towards target[i], starting from gr; it returns the last (gr for an
// empty block). len(out) ≥ len(target).
func (s Smoother) Run(gr float64, target, out []float64) float64 {
	out = out[:len(target)]
	if smoothFast(&s, gr, target, out) {
		if len(out) > 0 {
			return out[len(out)-1]
		}
		return gr
	}
	for i, t := range target {
		gr = s.Step(gr, t)
		out[i] = gr
	}
	return gr
}
