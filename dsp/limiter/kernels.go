package limiter

import "math"

// The detector's and the gain computer's per-value passes as block kernels
// (assembly where the processor allows, the same bits as the Go loops
// here: TestKernels).

// framePeaks is framePeakOf for every frame of a chunk, with the state in
// locals: out[i] = the peak of the frame z[4i : 4i+4] completes + hfWeight
// × hf[i]. zm is z with the two values before it (the previous chunk's
// last two, z2 and z1) in its first two slots; framePeaks puts them there
// and keeps the chunk's last two for the next.
func (l *TruePeakLimiter) framePeaks(zm, hf, out []float64) {
	zm[0], zm[1] = l.z2, l.z1
	k := framePeakArgs{w: l.hfWeight, fp: l.framePeak}
	framePeaksGo(zm, hf, out, &k, framePeaksFast(zm, hf, out, &k))
	n := 4 * len(out)
	l.z2, l.z1, l.framePeak = zm[n], zm[n+1], k.fp
}

// framePeaksGo is framePeaks' loop from frame from on.
func framePeaksGo(zm, hf, out []float64, k *framePeakArgs, from int) {
	fp, w := k.fp, k.w
	hf = hf[:len(out)]
	for i := from; i < len(out); i++ {
		zz := (*[6]float64)(zm[4*i : 4*i+6])
		p0 := refine(zz[0], zz[1], zz[2])
		p1 := refine(zz[1], zz[2], zz[3])
		p2 := refine(zz[2], zz[3], zz[4])
		p3 := refine(zz[3], zz[4], zz[5])
		out[i] = max(fp, p0, p1, p2) + w*hf[i]
		fp = p3
	}
	k.fp = fp
}

// framePeakArgs is framePeaks' argument block for the assembly: the
// near-Nyquist weight and the peak of the frame being collected (in and
// out).
type framePeakArgs struct {
	w, fp float64
}

// magnitudes writes (first) or raises z[2t] to |even[t]| and z[2t+1] to
// |odd[t]| for every t of odd.
func magnitudes(z, even, odd []float64, first bool) {
	even, z = even[:len(odd)], z[:2*len(odd)]
	magnitudesGo(z, even, odd, first, magnitudesFast(z, even, odd, first))
}

// magnitudesGo is magnitudes' loop from t on.
func magnitudesGo(z, even, odd []float64, first bool, t int) {
	if first {
		for ; t < len(odd); t++ {
			zz := z[2*t : 2*t+2 : 2*t+2]
			zz[0], zz[1] = math.Abs(even[t]), math.Abs(odd[t])
		}
		return
	}
	for ; t < len(odd); t++ {
		zz := z[2*t : 2*t+2 : 2*t+2]
		zz[0], zz[1] = max(zz[0], math.Abs(even[t])), max(zz[1], math.Abs(odd[t]))
	}
}

// maxAbs returns the largest |x[i]| (0 for none; NaN if any is NaN), with
// four independent maxima so the loop is not bound by the latency of one.
func maxAbs(x []float64) float64 {
	i, m := maxAbsFast(x)
	return maxAbsGo(x, i, m)
}

// maxAbsGo is maxAbs' loop from x[i] on, m the maximum before it.
func maxAbsGo(x []float64, i int, m float64) float64 {
	m0 := m
	var m1, m2, m3 float64
	for ; i+4 <= len(x); i += 4 {
		q := (*[4]float64)(x[i : i+4])
		m0, m1 = max(m0, math.Abs(q[0])), max(m1, math.Abs(q[1]))
		m2, m3 = max(m2, math.Abs(q[2])), max(m3, math.Abs(q[3]))
	}
	for ; i < len(x); i++ {
		m0 = max(m0, math.Abs(x[i]))
	}
	return max(m0, m1, m2, m3)
}

// ceilingGains replaces each detected peak in g by the gain that brings it
// to the ceiling, min(1, ceiling/peak), without a branch (a peak of 0
// gives c/0 = +Inf, so 1; a NaN stays NaN, as min keeps it).
func ceilingGains(g []float64, ceiling float64) {
	for i := ceilingFast(g, ceiling); i < len(g); i++ {
		g[i] = min(1, ceiling/g[i])
	}
}
