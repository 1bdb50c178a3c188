package assist

import (
	"math"
	"slices"

	"stemmaster/dsp/fft"

	"stemmaster/audio"
)

// sibilance returns the 5–10 kHz energy against the 1–5 kHz energy over
// the loudest 10 % of 20 ms frames in the 5–10 kHz range: an "ess" is a
// short burst there, which a long-term average hides. It also returns
// the frequency where those frames' summed 5–10 kHz spectrum, smoothed
// over 1/3 octave, peaks.
func sibilance(b *audio.Buffer, rate int) (ratioDB, peakHz float64) {
	if rate < 22000 {
		return math.NaN(), math.NaN()
	}
	n := 1024
	for float64(n) < 0.02*float64(rate) {
		n *= 2
	}
	tr := fft.NewReal(n)
	seq := make([]float64, n)
	var coef []complex128
	binHz := float64(rate) / float64(n)
	type fr struct {
		hi, mid float64
		at      int
	}
	var frames []fr
	frame := func(s int) {
		for i := range n {
			w := 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n))
			seq[i] = (float64(b.Data[0][s+i]) + float64(b.Data[1][s+i])) / 2 * w
		}
		coef = tr.Coefficients(coef, seq)
	}
	for s := 0; s+n <= len(b.Data[0]); s += n {
		frame(s)
		f := fr{at: s}
		for k, z := range coef {
			p := real(z)*real(z) + imag(z)*imag(z)
			hz := float64(k) * binHz
			switch {
			case hz >= 1000 && hz < 5000:
				f.mid += p
			case hz >= 5000 && hz < 10000:
				f.hi += p
			}
		}
		if f.hi+f.mid > 0 {
			frames = append(frames, f)
		}
	}
	if len(frames) == 0 {
		return math.NaN(), math.NaN()
	}
	slices.SortFunc(frames, func(x, y fr) int { return cmpDesc(x.hi, y.hi) })
	top := frames[:max(1, len(frames)/10)]
	var hi, mid float64
	spec := make([]float64, n/2+1)
	for _, f := range top {
		hi += f.hi
		mid += f.mid
		frame(f.at)
		for k, z := range coef {
			spec[k] += real(z)*real(z) + imag(z)*imag(z)
		}
	}
	if mid == 0 {
		return math.NaN(), math.NaN()
	}
	best, peakHz := -1.0, math.NaN()
	for k := int(5000 / binHz); float64(k)*binHz <= 10000 && k < len(spec); k++ {
		c := float64(k) * binHz
		var p float64
		for j := int(c / math.Pow(2, 1.0/6) / binHz); j <= int(c*math.Pow(2, 1.0/6)/binHz) && j < len(spec); j++ {
			p += spec[j]
		}
		if p > best {
			best, peakHz = p, c
		}
	}
	return 10 * math.Log10(hi/mid), peakHz
}

func cmpDesc(a, b float64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}
