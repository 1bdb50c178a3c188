// Package vec holds the elementwise kernels of the dsp processors: the
// mid/side encode and decode, the width, the multiband's band sums, the
// dynamic band's output, the stem summer's float32 sum and scale and its
// conversion of a stem into a weighted float64 sum (WidenMulAdd), the
// oversampling stages' interleaving and halved sums, and the float32 ↔
// float64 conversions (Widen, Narrow) the filters and detectors run
// through. Each
// has a Go loop, the reference, and an AVX kernel (vec_amd64.s) that runs
// the same operations in the same order four frames at a time (Widen
// eight; no fused multiply-add; halving is a multiply by 0.5, exact as the
// division by 2), so the results are bit-identical; the Go loop takes the
// frames the kernel leaves. The kernels live together so their assembly
// shares one set of macros.
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package vec

// MSEncode writes the processed part p (the mid, or the side when side)
// of the frames of x rounded to float32 into x, what the rounding lost
// into resid, and the other part into rest: M = (L + R)/2, S = (L − R)/2
// in float64, exact from float32.
func MSEncode(l, r, x []float32, resid, rest []float64, side bool) {
	msRun(l, r, x, resid, rest, side, msEncodeAsm, msEncodeGo)
}

// msRun runs a mid/side kernel over the frames of x: asm (with the sign
// of side) on the head, the Go loop on the rest.
func msRun(l, r, x []float32, resid, rest []float64, side bool,
	asm func(l, r, x []float32, resid, rest []float64, s float64),
	loop func(l, r, x []float32, resid, rest []float64, side bool)) {
	n := len(x)
	l, r, resid, rest = l[:n], r[:n], resid[:n], rest[:n]
	d := head(n)
	asm(l[:d], r[:d], x[:d], resid[:d], rest[:d], sideSign(side))
	loop(l[d:], r[d:], x[d:], resid[d:], rest[d:], side)
}

func msEncodeGo(l, r, x []float32, resid, rest []float64, side bool) {
	for i := range x {
		a, b := float64(l[i]), float64(r[i])
		mid := (a + b) / 2
		sd := (a - b) / 2
		p, q := mid, sd
		if side {
			p, q = sd, mid
		}
		x[i] = float32(p)
		resid[i] = p - float64(x[i])
		rest[i] = q
	}
}

// MSDecode is MSEncode's inverse after the processing of x: with p = x +
// resid, L = M + S and R = M − S.
func MSDecode(l, r, x []float32, resid, rest []float64, side bool) {
	msRun(l, r, x, resid, rest, side, msDecodeAsm, msDecodeGo)
}

func msDecodeGo(l, r, x []float32, resid, rest []float64, side bool) {
	for i, v := range x {
		p := float64(v) + resid[i]
		if side { // p = S, rest = M
			l[i], r[i] = float32(rest[i]+p), float32(rest[i]-p)
		} else {
			l[i], r[i] = float32(p+rest[i]), float32(p-rest[i])
		}
	}
}

// sideSign is the kernels' s: with it, p = (L + s·R)/2, the other part
// (L − s·R)/2, and the decode's R = s·p − s·rest, each exact.
func sideSign(side bool) float64 {
	if side {
		return -1
	}
	return 1
}

// Width scales the side of the stereo pair l, r by 2h: L' = M + (L − R)·h,
// R' = M − (L − R)·h.
func Width(l, r []float32, h float64) {
	r = r[:len(l)]
	d := head(len(l))
	widthAsm(l[:d], r[:d], h)
	widthGo(l[d:], r[d:], h)
}

func widthGo(l, r []float32, h float64) {
	for i, a := range l {
		m := (float64(a) + float64(r[i])) / 2
		w := (float64(a) - float64(r[i])) * h
		l[i] = float32(m + w)
		r[i] = float32(m - w)
	}
}

// AddF32 sets dst[i] += src[i] (float32) for the samples of src: the
// stem summer's sum (dsp/stemsum).
func AddF32(dst, src []float32) {
	k := len(src)
	dst = dst[:k]
	d := head(k)
	addF32Asm(dst[:d], src[:d])
	addF32Go(dst[d:], src[d:])
}

func addF32Go(dst, src []float32) {
	for i, v := range src {
		dst[i] += v
	}
}

// ScaleF32 sets dst[i] = g·src[i] (float32; len(src) ≥ len(dst)): the
// stem summer's placement of a stem on the bus (dsp/stemsum.Scale). The
// kernel takes eight values a step, sixteen while sixteen remain.
func ScaleF32(dst, src []float32, g float32) {
	src = src[:len(dst)]
	d := head(len(dst)) &^ 7
	scaleF32Asm(dst[:d], src[:d], g)
	scaleF32Go(dst[d:], src[d:], g)
}

func scaleF32Go(dst, src []float32, g float32) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] = g * v
	}
}

// MulAdd sets s[i] += x[i]·g[i] for the frames of g.
func MulAdd(s, x, g []float64) {
	k := len(g)
	s, x = s[:k], x[:k]
	d := head(k)
	maddAsm(s[:d], x[:d], g[:d])
	maddGo(s[d:], x[d:], g[d:])
}

func maddGo(s, x, g []float64) {
	for i, v := range g {
		s[i] += x[i] * v
	}
}

// WidthAdd adds the stereo band l, r gained by g and its side scaled by
// h to sl, sr: mid = (l + r)/2·g, side = (l − r)/2·g·h.
func WidthAdd(sl, sr, l, r, g []float64, h float64) {
	k := len(g)
	sl, sr, l, r = sl[:k], sr[:k], l[:k], r[:k]
	d := head(k)
	widthAddAsm(sl[:d], sr[:d], l[:d], r[:d], g[:d], h)
	widthAddGo(sl[d:], sr[d:], l[d:], r[d:], g[d:], h)
}

func widthAddGo(sl, sr, l, r, g []float64, h float64) {
	for i, v := range g {
		mid := (l[i] + r[i]) / 2 * v
		side := (l[i] - r[i]) / 2 * v * h
		sl[i] += mid + side
		sr[i] += mid - side
	}
}

// BellOut sets x[i] = x[i] + g[i]·b[i] (a bell band: the gain − 1 times
// the band added to the signal) for the frames of g.
func BellOut(x []float32, b, g []float64) {
	k := len(g)
	x, b = x[:k], b[:k]
	d := head(k)
	bellOutAsm(x[:d], b[:d], g[:d])
	bellOutGo(x[d:], b[d:], g[d:])
}

func bellOutGo(x []float32, b, g []float64) {
	for i, v := range g {
		x[i] = float32(float64(x[i]) + v*b[i])
	}
}

// SplitOut sets x[i] = lo[i] + (g[i] + 1)·b[i] (a split band: the low
// band plus the gained high band) for the frames of g.
func SplitOut(x []float32, lo, b, g []float64) {
	k := len(g)
	x, lo, b = x[:k], lo[:k], b[:k]
	d := head(k)
	splitOutAsm(x[:d], lo[:d], b[:d], g[:d])
	splitOutGo(x[d:], lo[d:], b[d:], g[d:])
}

func splitOutGo(x []float32, lo, b, g []float64) {
	for i, v := range g {
		x[i] = float32(lo[i] + (v+1)*b[i])
	}
}

// Interleave sets out[2i] = even[i] and out[2i+1] = odd[i] for the values
// of odd: a 2× stream from its two phases (the saturation's up stages).
func Interleave(out, even, odd []float64) {
	k := len(odd)
	out, even = out[:2*k], even[:k]
	d := head(k)
	interleaveAsm(out[:2*d], even[:d], odd[:d])
	interleaveGo(out[2*d:], even[d:], odd[d:])
}

func interleaveGo(out, even, odd []float64) {
	for i, v := range odd {
		o := out[2*i : 2*i+2 : 2*i+2]
		o[0], o[1] = even[i], v
	}
}

// HalfSumSplit sets c[i] = ½·(a[i] + b[i]) for the first 2·len(v0) values
// and splits c into its even values v0 and its odd values v1 (a half-band
// down stage's output, loaded into the next stage's two phases).
func HalfSumSplit(v0, v1, a, b []float64) {
	k := len(v0)
	v1, a, b = v1[:k], a[:2*k], b[:2*k]
	d := head(k)
	halfSumSplitAsm(v0[:d], v1[:d], a[:2*d], b[:2*d])
	halfSumSplitGo(v0[d:], v1[d:], a[2*d:], b[2*d:])
}

func halfSumSplitGo(v0, v1, a, b []float64) {
	for i := range v0 {
		x, y := a[2*i:2*i+2:2*i+2], b[2*i:2*i+2:2*i+2]
		v0[i] = 0.5 * (x[0] + y[0])
		v1[i] = 0.5 * (x[1] + y[1])
	}
}
