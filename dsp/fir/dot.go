package fir

// Dot returns Σ a[i]·b[i] over i < len(a). It panics if len(b) < len(a).
func Dot(a, b []float64) float64 {
	b = b[:len(a)]
	return dotImpl(a, b)
}

// Dot2 returns a·b0 and a·b1, the sums over i < len(a), in one pass over a:
// a row of filter taps against two channels' histories (each tap is loaded
// once for both), or one history against two rows of taps. It panics if b0
// or b1 is shorter than a.
func Dot2(a, b0, b1 []float64) (s0, s1 float64) {
	b0 = b0[:len(a)]
	b1 = b1[:len(a)]
	return dot2Impl(a, b0, b1)
}

// Dot2Rows is Dot2 over many rows: for j < len(offs)/2, with ao =
// offs[2j] and bo = offs[2j+1], it sets out[2j], out[2j+1] to
// Dot2(a[ao:ao+k], b0[bo:bo+k], b1[bo:bo+k]), the same bits. A polyphase
// filter passes a block of output frames (each frame's row of taps and
// window of history) in one call, so the per-frame cost is the kernel's
// alone. It panics if a row or window is out of range or out is shorter
// than offs.
func Dot2Rows(a []float64, k int, b0, b1 []float64, offs []int, out []float64) {
	n := len(offs) / 2
	out = out[:2*n]
	if n == 0 {
		return
	}
	for j := range n {
		ao, bo := offs[2*j], offs[2*j+1]
		if ao < 0 || bo < 0 || k < 0 || ao+k > len(a) || bo+k > len(b0) || bo+k > len(b1) {
			panic("fir: Dot2Rows: row or window out of range")
		}
	}
	rowsImpl(a, k, b0, b1, offs[:2*n], out)
}

// rowsGeneric is Dot2Rows through the selected Dot2 kernel.
func rowsGeneric(a []float64, k int, b0, b1 []float64, offs []int, out []float64) {
	for j := range len(offs) / 2 {
		ao, bo := offs[2*j], offs[2*j+1]
		out[2*j], out[2*j+1] = dot2Impl(a[ao:ao+k], b0[bo:bo+k], b1[bo:bo+k])
	}
}

// DotPortable returns Σ a[i]·b[i] over i < len(a) in plain Go, with the same
// summation order on every machine: four partial sums, (s0 + s1) + (s2 + s3),
// which lets the processor overlap the multiply-adds (measured faster than
// one sum). Filters whose output must be the same bits everywhere (the
// true-peak limiter's oversampler, the stem checks' least-squares sums) use
// it; Dot may sum in another order. It panics if len(b) < len(a).
func DotPortable(a, b []float64) float64 {
	b = b[:len(a)]
	return finishLanes(a, b, 0, []float64{0, 0, 0, 0})
}

// finishPortable adds DotPortable's tail from i (fewer than 4 elements)
// into the first of its partial sums and returns their sum.
func finishPortable(a, b []float64, i int, s [4]float64) float64 {
	for ; i < len(a); i++ {
		s[0] += float64(a[i] * b[i])
	}
	return (s[0] + s[1]) + (s[2] + s[3])
}

// DotPortable4 returns DotPortable(a, bj) for four vectors bj, the same
// bits, in one pass over a: a least-squares sum of one signal against
// several. With AVX2 the four sums run side by side in vector registers,
// lane k of each holding DotPortable's k-th partial sum, so it costs a
// fraction of four DotPortable calls. It panics if a bj is shorter than a.
func DotPortable4(a, b0, b1, b2, b3 []float64) (s0, s1, s2, s3 float64) {
	n := len(a)
	b0, b1, b2, b3 = b0[:n], b1[:n], b2[:n], b3[:n]
	var acc [16]float64
	m := 0
	if lanesAccelerated && n >= 4 {
		m = n &^ 3
		dot4LanesAVX(&a[0], &[4]*float64{&b0[0], &b1[0], &b2[0], &b3[0]}, m, &acc)
	}
	s0 = finishLanes(a, b0, m, acc[0:4])
	s1 = finishLanes(a, b1, m, acc[4:8])
	s2 = finishLanes(a, b2, m, acc[8:12])
	s3 = finishLanes(a, b3, m, acc[12:16])
	return s0, s1, s2, s3
}

// finishLanes continues DotPortable's partial sums s from element m (a
// multiple of 4) to the end and returns the dot product.
func finishLanes(a, b []float64, m int, s []float64) float64 {
	s0, s1, s2, s3 := s[0], s[1], s[2], s[3]
	i := m
	for ; i+4 <= len(a); i += 4 {
		s0 += float64(a[i] * b[i])
		s1 += float64(a[i+1] * b[i+1])
		s2 += float64(a[i+2] * b[i+2])
		s3 += float64(a[i+3] * b[i+3])
	}
	return finishPortable(a, b, i, [4]float64{s0, s1, s2, s3})
}

// dot2Generic is the portable Dot2: one pass, two partial sums per result,
// each element of a loaded once for both. (In the resampler this measured
// 20 % faster than two passes of DotPortable, and faster than four partial
// sums per result, for which the compiler runs out of registers.)
func dot2Generic(a, b0, b1 []float64) (float64, float64) {
	b0 = b0[:len(a)]
	b1 = b1[:len(a)]
	var s0, s1, t0, t1 float64
	i := 0
	for ; i+2 <= len(a); i += 2 {
		x, y := a[i], a[i+1]
		s0 += x * b0[i]
		s1 += y * b0[i+1]
		t0 += x * b1[i]
		t1 += y * b1[i+1]
	}
	if i < len(a) {
		s0 += a[i] * b0[i]
		t0 += a[i] * b1[i]
	}
	return s0 + s1, t0 + t1
}
