package audiotest

import (
	"math"

	"stemmaster/audio"
	"stemmaster/dsp/fir"
)

// TruePeak16x is an ideal-as-practical true-peak reference, independent of
// every interpolator under test: a Kaiser-windowed sinc (β = 12) with 48
// zero crossings each side, evaluated directly at the 15 fractional
// positions between samples. Its passband is flat within 0.01 dB far beyond
// 0.45·fs, and at 16× the worst sampling miss of a tone at 0.45·fs is
// 1 − cos(π·0.45/16) → −0.0034 dB. Slow (96 multiplications per point), for
// tests and benchmarks only.
type TruePeak16x struct {
	kern [16][]float64 // kern[q][j]: weight of x[n+1−Z+j] at n + q/16
}

const tp16ZeroCrossings = 48

// NewTruePeak16x designs the reference's kernels.
func NewTruePeak16x() *TruePeak16x {
	r := &TruePeak16x{}
	const beta = 12.0
	z := tp16ZeroCrossings
	win := fir.NewKaiser(beta)
	for q := 1; q < 16; q++ {
		k := make([]float64, 2*z)
		for j := range k {
			t := float64(j-z+1) - float64(q)/16
			k[j] = fir.Sinc(t) * win.At(t/float64(z))
		}
		r.kern[q] = k
	}
	return r
}

// FramePeaks returns, per frame n, the largest magnitude over the channels
// of the sample and the 15 interpolated points after it (b is taken to be
// silent before and after).
func (r *TruePeak16x) FramePeaks(b *audio.Buffer) []float64 {
	z := tp16ZeroCrossings
	out := make([]float64, b.Frames())
	x := make([]float64, b.Frames()+2*z)
	for _, ch := range b.Data {
		clear(x)
		for i, v := range ch {
			x[z+i] = float64(v)
		}
		for n := range out {
			best := math.Max(out[n], math.Abs(x[z+n]))
			w := x[n+1 : n+1+2*z]
			for q := 1; q < 16; q++ {
				k := r.kern[q]
				var s0, s1 float64
				for j := 0; j < len(k); j += 2 {
					s0 += k[j] * w[j]
					s1 += k[j+1] * w[j+1]
				}
				best = math.Max(best, math.Abs(s0+s1))
			}
			out[n] = best
		}
	}
	return out
}

// TruePeakDB returns b's true peak in dBTP by the reference and how many
// frames have a peak above ceilingDBTP (overs).
func (r *TruePeak16x) TruePeakDB(b *audio.Buffer, ceilingDBTP float64) (peakDB float64, overs int) {
	c := audio.Amplitude(ceilingDBTP)
	best := 0.0
	for _, p := range r.FramePeaks(b) {
		best = math.Max(best, p)
		if p > c {
			overs++
		}
	}
	return audio.DB(best), overs
}
