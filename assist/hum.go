package assist

import (
	"math"
	"slices"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/dsp/fft"
)

// Under 80 Hz, where the resonance search (resonance.go) stops, a stem
// whose role carries nothing there — a vocal, an effect — may still hold
// a narrow, steady peak: mains hum (a line at 50 or 60 Hz and its
// harmonics, from a ground loop, a guitar amp, a lamp dimmer), or a low
// resonance (an air conditioner, a fridge, a stand's ringing). The
// role's high-pass takes a few dB off it (12 dB an octave: 8 dB at 50 Hz
// under an 80 Hz high-pass); a peak 20 dB over its surroundings needs a
// notch of its own. The search reads a spectrum fine enough to tell a
// mains line from a note beside it (bins of at most fineBinHz: G1 lies
// at 49.0 Hz, B♭1 at 58.3), in up to fineMaxFrames frames spread over
// the stem, and keeps what stands out in most of them: a note is played
// part of the time, hum and a resonance ring through everything, the
// pauses too. Kicks and basses are never searched: their fundamentals
// lie there on purpose. Thresholds are rules of thumb.
const (
	lowPeakTopHz    = 80 // where resonances() starts
	lowPeakBottomHz = 20
	fineBinHz       = 0.4
	fineMaxFrames   = 64
	// humHarmonics: the lines searched, 50 … 400 Hz (60 … 480 Hz);
	// rectified hum is strongest at the second.
	humHarmonics = 8
	// humDB is how far a mains line's long-term level stands over the
	// median bin within a sixth of an octave around it; lowFrameDB how
	// far a line or a low peak stands out, as the median over the frames
	// (steady): a frame of noise alone reads about 5 dB, the strongest of
	// the line's bins against the median of the others.
	humDB      = 10
	lowFrameDB = 8
	// humNotches bounds the notches (the strongest lines): with the
	// high-pass, three resonances and a vocal's seven tone bands a strip
	// stays within stemmaster.MaxEQBands.
	humNotches = 3
	// humWidthHz is a hum notch's bandwidth: mains frequency holds within
	// ±0.2 Hz, so a 2 Hz notch takes the line out and no music beside it.
	// Q is at most 50, so over 100 Hz the notch is f/50 wide.
	humWidthHz = 2.0
	// lowCutMaxDB bounds a hum notch or a low peak's cut: what it leaves
	// 30 dB down sits under the programme.
	lowCutMaxDB = 30
)

// mainsHz are the mains frequencies of the world's grids.
var mainsHz = []float64{50, 60}

// searchesLow reports whether a role's stems are searched for hum and low
// peaks: those that should carry nothing under 80 Hz.
func searchesLow(r stemmaster.Role) bool { return r.IsVocal() || r == stemmaster.RoleFX }

// fineSpectrum is the power spectrum (left and right summed) of frames of
// a track at bins of at most fineBinHz, up to fineTopHz: each frame's and
// their mean.
type fineSpectrum struct {
	binHz  float64
	frames [][]float64 // the frames that hold any signal
	mean   []float64
}

// fineTopHz bounds the fine spectrum: the highest hum harmonic searched
// and the sixth of an octave over it.
var fineTopHz = humHarmonics * 60 * math.Pow(2, 1.0/6)

func fineSpectrumOf(b *audio.Buffer, rate int) *fineSpectrum {
	n := 1 << int(math.Ceil(math.Log2(float64(rate)/fineBinHz)))
	total := b.Frames()
	hop := n / 2
	if total > n {
		hop = max(hop, (total-n)/(fineMaxFrames-1))
	}
	bins := min(n/2+1, int(fineTopHz*float64(n)/float64(rate))+2)
	fs := &fineSpectrum{binHz: float64(rate) / float64(n), mean: make([]float64, bins)}
	tr := fft.NewReal(n)
	win := make([]float64, n)
	for i := range win {
		win[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n))
	}
	seq := make([]float64, n)
	var coef []complex128
	for start := 0; start == 0 || start+n <= total; start += hop {
		p := make([]float64, bins)
		var e float64
		for _, ch := range b.Data {
			for i := range n {
				v := 0.0
				if start+i < total {
					v = float64(ch[start+i])
				}
				e += v * v
				seq[i] = v * win[i]
			}
			coef = tr.Coefficients(coef, seq)
			for k := range p {
				p[k] += real(coef[k])*real(coef[k]) + imag(coef[k])*imag(coef[k])
			}
		}
		if e > 0 {
			fs.frames = append(fs.frames, p)
			for k, v := range p {
				fs.mean[k] += v
			}
		}
		if start+n >= total {
			break
		}
	}
	for k := range fs.mean {
		fs.mean[k] /= float64(max(1, len(fs.frames)))
	}
	return fs
}

// lineExcess is how far, in dB, the strongest bin within tol Hz of f
// stands over the median bin from a sixth of an octave under f to a
// sixth over (the line's own bins and the window's main lobe beside them
// left out); NaN where that is silent. scratch is reused.
func (fs *fineSpectrum) lineExcess(p []float64, f, tol float64, scratch []float64) (float64, []float64) {
	k0, k1 := int(math.Ceil((f-tol)/fs.binHz)), int(math.Floor((f+tol)/fs.binHz))
	lo, hi := int(f*math.Pow(2, -1.0/6)/fs.binHz), int(math.Ceil(f*math.Pow(2, 1.0/6)/fs.binHz))
	if k1 < k0 {
		k0 = int(math.Round(f / fs.binHz))
		k1 = k0
	}
	if lo < 1 || hi >= len(p) {
		return math.NaN(), scratch
	}
	var peak float64
	for k := k0; k <= k1; k++ {
		peak = max(peak, p[k])
	}
	scratch = scratch[:0]
	for k := lo; k <= hi; k++ {
		if k < k0-3 || k > k1+3 {
			scratch = append(scratch, p[k])
		}
	}
	if len(scratch) == 0 {
		return math.NaN(), scratch
	}
	slices.Sort(scratch)
	floor := scratch[len(scratch)/2]
	if !(peak > 0 && floor > 0) {
		return math.NaN(), scratch
	}
	return 10 * math.Log10(peak/floor), scratch
}

// steady is the median over the frames of the line's excess (lineExcess);
// NaN without frames.
func (fs *fineSpectrum) steady(f, tol float64) float64 {
	var ex, scratch []float64
	for _, p := range fs.frames {
		var e float64
		e, scratch = fs.lineExcess(p, f, tol, scratch)
		if !math.IsNaN(e) {
			ex = append(ex, e)
		}
	}
	if len(ex) == 0 {
		return math.NaN()
	}
	slices.Sort(ex)
	return ex[len(ex)/2]
}

// lowPeaks fills LowPeaks: the mains hum (the lines of the mains
// frequency whose first or second harmonic is there, at most humNotches,
// the strongest), then the strongest other narrow peak under lowPeakTopHz
// standing resonanceDB over the octave around it at 1/24 octave and
// lowFrameDB over its surroundings in most frames.
func (a *Analysis) lowPeaks(b *audio.Buffer) {
	fs := fineSpectrumOf(b, a.rate)
	var hum []Resonance
	for _, m := range mainsHz {
		var lines []Resonance
		base := false
		for h := 1; h <= humHarmonics; h++ {
			f := m * float64(h)
			tol := math.Max(fs.binHz, 0.005*f) // the grid's ±0.5 %
			ex, _ := fs.lineExcess(fs.mean, f, tol, nil)
			if !(ex >= humDB) || !(fs.steady(f, tol) >= lowFrameDB) {
				continue
			}
			base = base || h <= 2
			lines = append(lines, Resonance{FreqHz: f, ExcessDB: ex, Q: math.Min(50, f/humWidthHz), MainsHz: m})
		}
		if base && energy(lines) > energy(hum) {
			hum = lines
		}
	}
	slices.SortFunc(hum, func(x, y Resonance) int { return cmpDesc(x.ExcessDB, y.ExcessDB) })
	a.LowPeaks = hum[:min(len(hum), humNotches)]

	// Other peaks: 1/24-octave levels against the octave around them, as
	// resonances() reads them above 80 Hz.
	var centres []float64
	for f := float64(lowPeakBottomHz); f <= lowPeakTopHz*math.Sqrt2; f *= math.Pow(2, 1.0/24) {
		centres = append(centres, f)
	}
	lv := make([]float64, len(centres))
	for i, c := range centres {
		var s float64
		for k := int(math.Ceil(c * math.Pow(2, -1.0/48) / fs.binHz)); k <= int(c*math.Pow(2, 1.0/48)/fs.binHz) && k < len(fs.mean); k++ {
			s += fs.mean[k]
		}
		lv[i] = db(s)
	}
	best := Resonance{}
	for i := 1; i+1 < len(lv) && centres[i] < lowPeakTopHz; i++ {
		ex, ok := peakExcess(lv, i)
		if !ok || ex < resonanceDB || ex <= best.ExcessDB || nearLine(a.LowPeaks, centres[i], 1.0/24) {
			continue
		}
		tol := centres[i] * (math.Pow(2, 1.0/48) - 1)
		if !(fs.steady(centres[i], tol) >= lowFrameDB) {
			continue
		}
		best = Resonance{FreqHz: centres[i], ExcessDB: ex, Q: math.Min(16, math.Max(2, peakQ(lv, i, 6)))}
	}
	if best.FreqHz > 0 {
		a.LowPeaks = append(a.LowPeaks, best)
	}
}

// energy is the lines' summed excess in power: which mains reads stronger.
func energy(lines []Resonance) float64 {
	var s float64
	for _, l := range lines {
		s += math.Pow(10, l.ExcessDB/10)
	}
	return s
}

// nearLine reports whether f lies within oct octaves of one of the
// peaks: a hum line the search already took.
func nearLine(peaks []Resonance, f, oct float64) bool {
	for _, p := range peaks {
		if math.Abs(math.Log2(f/p.FreqHz)) < oct {
			return true
		}
	}
	return false
}
