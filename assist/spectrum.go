package assist

import (
	"math"

	"stemmaster/dsp/fft"

	"stemmaster/audio"
)

// psd is a long-term power spectrum: mid and side power per FFT bin,
// averaged over Hann-windowed frames, scaled so that a band's sum reads
// as mean-square power relative to a full-scale sine.
type psd struct {
	binHz     float64
	mid, side []float64
}

func fftSize(rate int) int {
	n := 16384
	for float64(n) < 16384*float64(rate)/48000*0.75 {
		n *= 2
	}
	return n
}

// longTerm computes the mid/side power spectrum of a stereo buffer.
func longTerm(b *audio.Buffer, rate int) *psd {
	n := fftSize(rate)
	hop := n / 2
	tr := fft.NewReal(n)
	win := make([]float64, n)
	var w2 float64
	for i := range win {
		win[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n))
		w2 += win[i] * win[i]
	}
	p := &psd{binHz: float64(rate) / float64(n), mid: make([]float64, n/2+1), side: make([]float64, n/2+1)}
	seqM, seqS := make([]float64, n), make([]float64, n)
	var coef []complex128
	frames := 0
	L, R := b.Data[0], b.Data[1]
	total := len(L)
	// A signal shorter than one frame is zero-padded into one.
	for start := 0; start == 0 || start+n <= total; start += hop {
		for i := range n {
			var l, r float64
			if start+i < total {
				l, r = float64(L[start+i]), float64(R[start+i])
			}
			seqM[i] = (l + r) / 2 * win[i]
			seqS[i] = (l - r) / 2 * win[i]
		}
		coef = tr.Coefficients(coef, seqM)
		for k, z := range coef {
			p.mid[k] += real(z)*real(z) + imag(z)*imag(z)
		}
		coef = tr.Coefficients(coef, seqS)
		for k, z := range coef {
			p.side[k] += real(z)*real(z) + imag(z)*imag(z)
		}
		frames++
		if start+n >= total {
			break
		}
	}
	// One-sided power → mean square per channel; over 0.5 → re full-scale sine.
	scale := 2 / (float64(n) * w2 * float64(frames)) / 0.5
	for k := range p.mid {
		p.mid[k] *= scale
		p.side[k] *= scale
	}
	return p
}

// band returns the power of x between lo and hi Hz; a band narrower than
// a bin takes its share of the nearest bin.
func (p *psd) band(x []float64, lo, hi float64) float64 {
	k0, k1 := int(math.Ceil(lo/p.binHz)), int(math.Floor(hi/p.binHz))
	k1 = min(k1, len(x)-1)
	if k0 <= k1 {
		var s float64
		for k := k0; k <= k1; k++ {
			s += x[k]
		}
		return s
	}
	k := min(int(math.Round((lo+hi)/2/p.binHz)), len(x)-1)
	return x[k] * (hi - lo) / p.binHz
}

// bands returns levels in dB at fractional-octave bands of width 1/n
// octave around the given centres, for mid, side and total (L and R
// power averaged, which is mid + side).
func (p *psd) bands(centres []float64, n float64) (total, mid, side []float64) {
	total, mid, side = make([]float64, len(centres)), make([]float64, len(centres)), make([]float64, len(centres))
	for i, c := range centres {
		lo, hi := c*math.Pow(2, -0.5/n), c*math.Pow(2, 0.5/n)
		m, s := p.band(p.mid, lo, hi), p.band(p.side, lo, hi)
		mid[i], side[i], total[i] = db(m), db(s), db(m+s)
	}
	return total, mid, side
}

// rangePower is the total (mid + side) power between lo and hi Hz.
func (p *psd) rangePower(lo, hi float64) float64 {
	return p.band(p.mid, lo, hi) + p.band(p.side, lo, hi)
}

func db(p float64) float64 {
	if p <= 1e-30 {
		return math.NaN()
	}
	return 10 * math.Log10(p)
}
