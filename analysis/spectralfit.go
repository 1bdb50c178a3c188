package analysis

import (
	"cmp"
	"math"
	"slices"

	"stemmaster/dsp/fft"
)

// An equaliser on the mix. A master-bus EQ makes the mix a filtered copy
// of the stems' sum: one gain per frequency (a transfer function) explains
// the residual, where one gain per moment (the bus-gain track) does not,
// and a missing stem, which has content of its own, is explained by
// neither. SpectralFit estimates that transfer function from the
// short-time spectra of the fitted sum and the mix (frames as
// BandResidual's), per bin averaged over every frame and channel, and
// measures how much of the residual it removes.

// SpectralFit accumulates the cross-spectra of a fitted sum and the mix.
type SpectralFit struct {
	fft    *fft.Real
	n      int
	rate   float64
	win    []float64
	frames *pairFrames
	seq    []float64
	cy, cm []complex128
	yy, mm []float64
	my     []complex128
	lo, hi int // bins compared
}

// EQExplainedMin: one gain per frequency explains at least this fraction
// of the residual: the mix is the sum through an equaliser (a missing
// stem, content of its own, leaves most of its energy unexplained; the
// bus-gain track and the stems' tracks are read first).
const EQExplainedMin = 0.9

// EQBandMinDB: an octave band whose gain is this far from 0 dB or more
// is named.
const EQBandMinDB = 0.5

// NewSpectralFit returns an accumulator for channels channels at rate Hz,
// comparing 20 Hz to 20 kHz (or the Nyquist frequency).
func NewSpectralFit(channels int, rate float64) *SpectralFit {
	n := 1 << int(math.Round(math.Log2(rate*bandFrameSeconds)))
	s := &SpectralFit{fft: fft.NewReal(n), n: n, rate: rate, win: sineWindow(n), seq: make([]float64, n),
		cy: make([]complex128, n/2+1), cm: make([]complex128, n/2+1),
		yy: make([]float64, n/2+1), mm: make([]float64, n/2+1), my: make([]complex128, n/2+1)}
	s.lo = max(1, int(math.Ceil(20*float64(n)/rate)))
	s.hi = min(n/2, int(math.Floor(20000*float64(n)/rate)))
	s.frames = newPairFrames(channels, n, s.frame)
	return s
}

// Add accumulates one channel's block: y the fitted sum, m the mix
// (equal lengths).
func (s *SpectralFit) Add(ch int, y, m []float64) { s.frames.add(ch, y, m) }

func (s *SpectralFit) frame(y, m []float64) {
	for i, v := range y {
		s.seq[i] = v * s.win[i]
	}
	s.cy = s.fft.Coefficients(s.cy, s.seq)
	for i, v := range m {
		s.seq[i] = v * s.win[i]
	}
	s.cm = s.fft.Coefficients(s.cm, s.seq)
	for k := s.lo; k <= s.hi; k++ {
		a, b := s.cy[k], s.cm[k]
		s.yy[k] += real(a)*real(a) + imag(a)*imag(a)
		s.mm[k] += real(b)*real(b) + imag(b)*imag(b)
		s.my[k] += b * complex(real(a), -imag(a))
	}
}

// EQBand is the gain of the mix against the fitted sum over one octave.
type EQBand struct {
	CentreHz float64
	GainDB   float64
}

// SpectralFitResult is what SpectralFit found.
type SpectralFitResult struct {
	// Explained is the fraction of the residual (from 20 Hz to 20 kHz)
	// that one gain per frequency removes; NaN without a residual.
	Explained float64
	// LeftEnergy is the residual energy that gain leaves (from 20 Hz to
	// 20 kHz; the signals' own units, as the Gram sums').
	LeftEnergy float64
	// Bands are the octave bands (31.5 Hz … 16 kHz) where the sum has
	// energy, with the mix's gain against it.
	Bands []EQBand
	// Lossy says that the residual looks like a lossy codec's: the sum
	// carries the mix's energy in every octave where the residual matters
	// (within LossyLevelDB) but not its waveform there, and the residual
	// grows with frequency (a perceptual coder hides its noise under
	// loud, high content), the top two octaves' LossyRiseDB or more over
	// the octaves under 500 Hz. LowDB and HighDB are those residuals,
	// relative to the mix in their octaves.
	Lossy         bool
	LowDB, HighDB float64
}

// The thresholds of SpectralFitResult.Lossy.
const (
	// LossyLevelDB: in every octave whose residual is within
	// lossyMattersDB of the largest, the sum's energy is within this of
	// the mix's (a missing stem leaves the sum 8–13 dB short in its
	// octaves; a codec keeps the energy and loses the waveform).
	LossyLevelDB   = 1.0
	lossyMattersDB = 20.0
	// LossyRiseDB: the top two octaves' residual over the lowest
	// octaves' (28 dB on real music decoded from 320 kb/s MP3).
	LossyRiseDB = 15.0
)

// Result finishes the frames and returns the fit. Add may not be called
// after it.
func (s *SpectralFit) Result() SpectralFitResult {
	s.frames.flush()
	r := SpectralFitResult{Explained: math.NaN()}
	var before, after float64
	for k := s.lo; k <= s.hi; k++ {
		yy, mm, my := s.yy[k], s.mm[k], s.my[k]
		before += max(mm-2*real(my)+yy, 0)
		a := mm
		if yy > 0 {
			a -= (real(my)*real(my) + imag(my)*imag(my)) / yy
		}
		after += max(a, 0)
	}
	// Every bin compared lies between DC and Nyquist: it stands for two.
	r.LeftEnergy = 2 * after / float64(s.n)
	if before > 0 {
		r.Explained = 1 - after/before
	}
	var total float64
	for k := s.lo; k <= s.hi; k++ {
		total += s.yy[k]
	}
	var octs []octave
	for c := 31.25; c < 20000; c *= 2 {
		lo := max(s.lo, int(math.Ceil(c/math.Sqrt2*float64(s.n)/s.rate)))
		hi := min(s.hi, int(math.Floor(c*math.Sqrt2*float64(s.n)/s.rate)))
		var yy, mm, res float64
		var my complex128
		for k := lo; k <= hi; k++ {
			yy += s.yy[k]
			mm += s.mm[k]
			my += s.my[k]
			res += max(s.mm[k]-2*real(s.my[k])+s.yy[k], 0)
		}
		octs = append(octs, octave{res, mm, yy})
		// A band under −60 dB of the sum's energy has no gain to speak of.
		if yy <= 1e-6*total || yy <= 0 {
			continue
		}
		g := math.Hypot(real(my), imag(my)) / yy
		r.Bands = append(r.Bands, EQBand{CentreHz: c, GainDB: 20 * math.Log10(g)})
	}
	r.lossy(octs)
	return r
}

// octave is one octave band's residual, mix and sum energies.
type octave struct{ res, mm, yy float64 }

// lossy sets Lossy, LowDB and HighDB from the octaves' residual, mix and
// sum energies (31.5 Hz up).
func (r *SpectralFitResult) lossy(octs []octave) {
	r.LowDB, r.HighDB = math.NaN(), math.NaN()
	if len(octs) < 6 {
		return
	}
	worst := 0.0
	for _, o := range octs {
		worst = max(worst, o.res)
	}
	if worst <= 0 {
		return
	}
	for _, o := range octs {
		if o.res >= worst*math.Pow(10, -lossyMattersDB/10) && (o.mm <= 0 || o.yy <= 0 || math.Abs(10*math.Log10(o.yy/o.mm)) > LossyLevelDB) {
			return
		}
	}
	ratio := func(os []octave) float64 {
		var res, mm float64
		for _, o := range os {
			res, mm = res+o.res, mm+o.mm
		}
		return 10 * math.Log10(res/mm)
	}
	r.LowDB, r.HighDB = ratio(octs[:4]), ratio(octs[len(octs)-2:])
	r.Lossy = r.HighDB-r.LowDB >= LossyRiseDB
}

// Moved returns up to three bands whose gain is furthest from 0 dB, by
// EQBandMinDB or more, in order of frequency.
func (r SpectralFitResult) Moved() []EQBand {
	var out []EQBand
	for _, b := range r.Bands {
		if math.Abs(b.GainDB) >= EQBandMinDB {
			out = append(out, b)
		}
	}
	slices.SortFunc(out, func(a, b EQBand) int { return cmp.Compare(math.Abs(b.GainDB), math.Abs(a.GainDB)) })
	out = out[:min(len(out), 3)]
	slices.SortFunc(out, func(a, b EQBand) int { return cmp.Compare(a.CentreHz, b.CentreHz) })
	return out
}
