package analysis

import (
	"math"

	"stemmaster/dsp/fft"
)

// BandResidual measures a residual's energy against its reference's (the
// mix's) below a band edge, from short-time spectra: when a stem or the mix
// was converted from a lower rate, it carries nothing above that rate's
// band, whatever the original held there, so the part of the residual up
// there says nothing about the delivery and only the band both rates carry
// is compared.
//
// Frames of bandFrameSeconds (about 12 Hz per bin at 48 kHz) under a sine
// window advance by half a frame: the squared window sums to one at every
// sample (w²(i) + w²(i + n/2) = sin² + cos²), and the stream is padded
// with half a frame of silence at each end, so every sample weighs the
// same and, by Parseval, the energy over all bins is the signal's. The
// sine window's sidelobes fall 12 dB per octave, so a band edge a few
// hundred bins below a stem's cut-off (BandEdgeFraction) keeps the energy
// above it out of the band to well under −80 dB.
type BandResidual struct {
	fft      *fft.Real
	n        int
	edge     int // highest bin counted
	win      []float64
	frames   *pairFrames
	seq      []float64
	coef     []complex128
	res, ref float64
}

// bandFrameSeconds is the length of the analysis frames.
const bandFrameSeconds = 0.085

// BandEdgeFraction places the band edge of a comparison across rates at
// this fraction of the lower Nyquist frequency (18.7 kHz for 44.1 kHz):
// below the passband edge of any converter worth the name (ours keeps
// 20/22.05 of it flat to 0.002 dB, sox's and the DAWs' best a little more,
// cheaper ones start rolling off above about 0.9), so two conversions of
// one signal agree there, and above what anyone hears.
const BandEdgeFraction = 0.85

// NewBandResidual returns an accumulator for channels channels at rate Hz
// that counts energy from DC up to edgeHz.
func NewBandResidual(channels int, rate, edgeHz float64) *BandResidual {
	n := 1 << int(math.Round(math.Log2(rate*bandFrameSeconds)))
	b := &BandResidual{fft: fft.NewReal(n), n: n, win: sineWindow(n), seq: make([]float64, n), coef: make([]complex128, n/2+1)}
	b.edge = min(int(math.Floor(edgeHz*float64(n)/rate)), n/2)
	b.frames = newPairFrames(channels, n, func(r, m []float64) {
		b.res += b.bandEnergy(r)
		b.ref += b.bandEnergy(m)
	})
	return b
}

// Add accumulates one channel's block: r the residual, m the reference
// (equal lengths). It allocates nothing.
func (b *BandResidual) Add(ch int, r, m []float64) { b.frames.add(ch, r, m) }

// bandEnergy is the energy of x under the window from DC to the edge bin
// (one-sided: the bins between DC and Nyquist stand for two).
func (b *BandResidual) bandEnergy(x []float64) float64 {
	for i, v := range x {
		b.seq[i] = v * b.win[i]
	}
	c := b.fft.Coefficients(b.coef, b.seq)
	var e float64
	for k := 0; k <= b.edge; k++ {
		z := c[k]
		p := real(z)*real(z) + imag(z)*imag(z)
		if k > 0 && k < b.n/2 {
			p *= 2
		}
		e += p
	}
	return e / float64(b.n)
}

// DB returns the residual's energy below the edge relative to the
// reference's below it, in dB (−Inf: no residual there; NaN: no
// reference there). Nothing can be added after it.
func (b *BandResidual) DB() float64 {
	b.frames.flush()
	if b.ref <= 0 {
		return math.NaN()
	}
	return 10 * math.Log10(b.res/b.ref)
}
