package multiband

// The band sums of addTo, with AVX kernels (add_amd64.s) that run the Go
// loops' arithmetic four frames at a time where the processor has it.

// madd sets s[i] += x[i]·g[i] for the frames of g.
func madd(s, x, g []float64) {
	k := len(g)
	s, x = s[:k], x[:k]
	done := 0
	if addAccelerated {
		done = k &^ 3
		maddAsm(s[:done], x[:done], g[:done])
	}
	maddGo(s[done:], x[done:], g[done:])
}

func maddGo(s, x, g []float64) {
	x = x[:len(g)]
	s = s[:len(g)]
	for i, v := range x {
		s[i] += v * g[i]
	}
}

// widthAdd adds the stereo band l, r gained by g and its side scaled by
// h to sl, sr: mid = (l + r)/2·g, side = (l − r)/2·g·h.
func widthAdd(sl, sr, l, r, g []float64, h float64) {
	k := len(g)
	sl, sr, l, r = sl[:k], sr[:k], l[:k], r[:k]
	done := 0
	if addAccelerated {
		done = k &^ 3
		widthAddAsm(sl[:done], sr[:done], l[:done], r[:done], g[:done], h)
	}
	widthAddGo(sl[done:], sr[done:], l[done:], r[done:], g[done:], h)
}

func widthAddGo(sl, sr, l, r, g []float64, h float64) {
	sl, sr, l, r = sl[:len(g)], sr[:len(g)], l[:len(g)], r[:len(g)]
	for i := range g {
		mid := (l[i] + r[i]) / 2 * g[i]
		side := (l[i] - r[i]) / 2 * g[i] * h
		sl[i] += mid + side
		sr[i] += mid - side
	}
}
