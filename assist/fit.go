package assist

import (
	"math"

	"stemmaster"
	"stemmaster/dsp/biquad"
	"stemmaster/engine"
)

// bandDB is the magnitude response in dB of one session EQ band at f.
func bandDB(b stemmaster.EQBand, f, rate float64) float64 {
	q := b.DefaultQ()
	var c biquad.Coefficients
	switch b.Type {
	case stemmaster.EQPeak:
		c = biquad.Peak(rate, b.FreqHz, q, b.GainDB)
	case stemmaster.EQLowShelf:
		c = biquad.LowShelf(rate, b.FreqHz, q, b.GainDB)
	case stemmaster.EQHighShelf:
		c = biquad.HighShelf(rate, b.FreqHz, q, b.GainDB)
	default:
		bb := engine.EQBand(b)
		return bb.Sections(nil, rate).MagnitudeDB(f, rate)
	}
	return c.MagnitudeDB(f, rate)
}

// bandAverageDB is the response of bands averaged in power over the
// 1/3-octave band around centre (five points), which is what a band level
// of the long-term spectrum sees.
func bandAverageDB(bands []stemmaster.EQBand, centre, rate float64) float64 {
	var p float64
	for j := -2; j <= 2; j++ {
		f := centre * math.Pow(2, float64(j)/15)
		if f >= rate/2 {
			f = rate / 2 * 0.999
		}
		var d float64
		for _, b := range bands {
			d += bandDB(b, f, rate)
		}
		p += math.Pow(10, d/10)
	}
	return 10 * math.Log10(p/5)
}

// fitGains sets the gains of bands (whose type, frequency and Q are
// fixed) so that their summed response, averaged over each 1/3-octave
// band, follows target (dB per centre) where weight is positive. It is a
// damped Gauss–Newton least-squares fit with the gains held within ±limit;
// ridge keeps overlapping bands from fighting.
func fitGains(bands []stemmaster.EQBand, centres, target, weight []float64, limit, ridge, rate float64) {
	n := len(bands)
	if n == 0 {
		return
	}
	resp := func() []float64 {
		r := make([]float64, len(centres))
		for k, c := range centres {
			if weight[k] > 0 {
				r[k] = bandAverageDB(bands, c, rate)
			}
		}
		return r
	}
	for iter := 0; iter < 8; iter++ {
		r := resp()
		// Jacobian by central differences, band by band (dB responses of
		// cascaded bands add, so each column only needs its own band).
		J := make([][]float64, n)
		for b := range bands {
			J[b] = make([]float64, len(centres))
			g := bands[b].GainDB
			for k, c := range centres {
				if weight[k] <= 0 {
					continue
				}
				bands[b].GainDB = g + 0.25
				up := bandAverageDB(bands[b:b+1], c, rate)
				bands[b].GainDB = g - 0.25
				dn := bandAverageDB(bands[b:b+1], c, rate)
				J[b][k] = (up - dn) / 0.5
			}
			bands[b].GainDB = g
		}
		A := make([][]float64, n)
		rhs := make([]float64, n)
		for i := range n {
			A[i] = make([]float64, n)
			for j := range n {
				for k := range centres {
					A[i][j] += weight[k] * J[i][k] * J[j][k]
				}
			}
			A[i][i] += ridge
			for k := range centres {
				rhs[i] += weight[k] * J[i][k] * (target[k] - r[k])
			}
			rhs[i] -= ridge * bands[i].GainDB * 0.1
		}
		d := solve(A, rhs)
		var moved float64
		for i := range bands {
			g := math.Max(-limit, math.Min(limit, bands[i].GainDB+d[i]))
			moved = math.Max(moved, math.Abs(g-bands[i].GainDB))
			bands[i].GainDB = g
		}
		if moved < 0.01 {
			break
		}
	}
}

// solve solves A·x = b by Gaussian elimination with partial pivoting; a
// singular column gives 0.
func solve(A [][]float64, b []float64) []float64 {
	n := len(b)
	for c := range n {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(A[r][c]) > math.Abs(A[p][c]) {
				p = r
			}
		}
		A[c], A[p] = A[p], A[c]
		b[c], b[p] = b[p], b[c]
		if math.Abs(A[c][c]) < 1e-12 {
			continue
		}
		for r := c + 1; r < n; r++ {
			f := A[r][c] / A[c][c]
			for k := c; k < n; k++ {
				A[r][k] -= f * A[c][k]
			}
			b[r] -= f * b[c]
		}
	}
	x := make([]float64, n)
	for i := n - 1; i >= 0; i-- {
		if math.Abs(A[i][i]) < 1e-12 {
			continue
		}
		s := b[i]
		for k := i + 1; k < n; k++ {
			s -= A[i][k] * x[k]
		}
		x[i] = s / A[i][i]
	}
	return x
}

// smooth averages a band curve (dB) over ±width/2 octaves around each band
// (bands are 1/3 octave apart); NaN values are skipped.
func smooth(x []float64, widthOct float64) []float64 {
	half := int(math.Round(widthOct * 3 / 2))
	out := make([]float64, len(x))
	for i := range x {
		var s float64
		n := 0
		for j := max(0, i-half); j <= min(len(x)-1, i+half); j++ {
			if !math.IsNaN(x[j]) {
				s += x[j]
				n++
			}
		}
		out[i] = math.NaN()
		if n > 0 {
			out[i] = s / float64(n)
		}
	}
	return out
}

// octavePeaks returns peak bands one octave wide (Q √2) at the octave
// centres inside [lo, hi], shelves at the two ends.
func octavePeaks(lo, hi, rate float64) []stemmaster.EQBand {
	var out []stemmaster.EQBand
	for f := 31.25; f <= 16000; f *= 2 {
		// A peak is designed below Nyquist only; at 0.45 of the rate its
		// octave already reaches past it.
		if f < lo*0.99 || f > hi*1.01 || f >= 0.45*rate {
			continue
		}
		out = append(out, stemmaster.EQBand{Type: stemmaster.EQPeak, FreqHz: f, Q: 1.4142}) // √2: one octave
	}
	return out
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	r := math.Round(v*p) / p
	if r == 0 {
		return 0 // not −0, which prints as "-0"
	}
	return r
}
