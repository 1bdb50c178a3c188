package dsp

// The mid/side encode and decode of MidSide and the width's loop, with
// AVX kernels (stereo_amd64.s) that run the same arithmetic four frames
// at a time where the processor has it; the Go loops below are the
// reference, and run the frames the kernels leave (fewer than four).

// msEncode writes the processed part p (the mid, or the side when side)
// of the frames of x rounded to float32 into x, what the rounding lost
// into resid, and the other part into rest: M = (L + R)/2, S = (L − R)/2
// in float64, exact from float32.
func msEncode(l, r, x []float32, resid, rest []float64, side bool) {
	n := len(x)
	l, r, resid, rest = l[:n], r[:n], resid[:n], rest[:n]
	done := 0
	if stereoAccelerated {
		done = n &^ 3
		msEncodeAsm(l[:done], r[:done], x[:done], resid[:done], rest[:done], sideSign(side))
	}
	msEncodeGo(l[done:], r[done:], x[done:], resid[done:], rest[done:], side)
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

// msDecode is msEncode's inverse after the processing of x: with p = x +
// resid, L = M + S and R = M − S.
func msDecode(l, r, x []float32, resid, rest []float64, side bool) {
	n := len(x)
	l, r, resid, rest = l[:n], r[:n], resid[:n], rest[:n]
	done := 0
	if stereoAccelerated {
		done = n &^ 3
		msDecodeAsm(l[:done], r[:done], x[:done], resid[:done], rest[:done], sideSign(side))
	}
	msDecodeGo(l[done:], r[done:], x[done:], resid[done:], rest[done:], side)
}

func msDecodeGo(l, r, x []float32, resid, rest []float64, side bool) {
	for i := range x {
		p := float64(x[i]) + resid[i]
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

// widthApply scales the side of the stereo pair l, r by w = 2h: L' = M +
// (L − R)·h, R' = M − (L − R)·h.
func widthApply(l, r []float32, h float64) {
	r = r[:len(l)]
	done := 0
	if stereoAccelerated {
		done = len(l) &^ 3
		widthAsm(l[:done], r[:done], h)
	}
	widthGo(l[done:], r[done:], h)
}

func widthGo(l, r []float32, h float64) {
	for i := range l {
		a, b := float64(l[i]), float64(r[i])
		m := (a + b) / 2
		d := (a - b) * h
		l[i] = float32(m + d)
		r[i] = float32(m - d)
	}
}
