package analysis

import (
	"math"

	"stemmaster/dsp/fft"
)

// A stem's own reverb or delay, printed on it or left off it. A reverb
// send exported with a stem (or a stem exported dry while the mix has its
// reverb) leaves a residual that is that stem through a long filter: a
// diffuse, delayed copy of it. One gain per stem cannot take it up, one
// gain per moment neither, and the peak-following index reads it as
// content of its own, like a missing stem. But a missing stem is new
// music, which no filter of any stem predicts, while a reverb is a linear
// function of the stem it smears: over frames longer than the reverb's
// decay, the residual is coherent with that stem, bin by bin.
//
// StemSmear measures it. Per stem k and frequency bin, over frames of
// SmearFrameSeconds (sine-windowed, half overlapping, every channel), it
// accumulates the cross-spectrum with the residual r and both spectra;
// the share of the residual a filter of stem k predicts is
// Σ_f |S_kr|²/S_kk ÷ Σ_f S_rr (the magnitude-squared coherence weighted by
// the residual's spectrum). That filter's impulse response (the inverse
// transform of S_kr/S_kk) tells a reverb or delay (most of its energy
// later than SmearLateMS) from an equaliser (its energy within a few
// milliseconds of lag 0).

// SmearFrameSeconds is the frame length: a reverb's decay must fit in it
// for the coherence to hold (a 1.5 s reverb keeps most of its energy in
// its first half second).
const SmearFrameSeconds = 2.8

// SmearExplainedMin: a filter of one stem predicts at least this share of
// the residual: the residual is that stem, filtered. An independent
// missing stem is predicted at the estimator's bias (under 5 % of it by
// any stem on francium), a reverb printed on the lead vocal or left off
// it at 40–50 % (the frames cut its tail), an echo at 95 %, an EQ at
// 100 %.
const SmearExplainedMin = 0.25

// A filter whose impulse response holds SmearLateShareMin of its energy
// or more later than SmearLateMS (either side of lag 0), and
// SmearCausalMin of that after lag 0, is a reverb or a delay: the
// residual follows the stem (a reverb printed on a stem or left off it:
// 74–100 % late, 77–100 % of that after). A compressor or limiter on a
// stem is partly predicted by a filter too (it acts alike on alike
// notes), but what its filter holds late lies either side (28–43 % after,
// on a sung line and a pad), or little of it lies late (a limiter on
// sparse piano notes: 60 %).
const (
	SmearLateMS       = 5.0
	SmearLateShareMin = 0.7
	SmearCausalMin    = 0.7
)

// An equaliser's response lies within a few milliseconds: at most
// EQLateShareMax of it later than SmearLateMS (a treble shelf: 0.1 %),
// and, being linear, it predicts the residual whole: SmearEQExplainedMin
// or more (a treble boost on a stem: 100 %; a compressor on a stem's
// alike notes can too, 100 % on a kick, but 46 % on sparse piano notes,
// and an MP3 coder's noise 39 %).
const (
	EQLateShareMax      = 0.2
	SmearEQExplainedMin = 0.9
)

// StemSmear accumulates the cross-spectra of a residual with the stems.
type StemSmear struct {
	fft    *fft.Real
	n, hop int
	rate   float64
	win    []float64
	pend   [][][]float64 // [channel][0: residual, 1+k: stem k] samples not yet framed
	seq    []float64
	cr, cs []complex128
	rr     []float64
	ss     [][]float64    // [stem][bin]
	sr     [][]complex128 // [stem][bin]: conj(S)·R
	used   []bool         // stems ever added
	done   bool           // the pending samples were framed (Result)
	lo, hi int
}

// NewStemSmear returns an accumulator for stems stems of channels channels
// at rate Hz, comparing 20 Hz to 20 kHz (or the Nyquist frequency).
func NewStemSmear(stems, channels int, rate float64) *StemSmear {
	n := 1 << int(math.Round(math.Log2(rate*SmearFrameSeconds)))
	s := &StemSmear{fft: fft.NewReal(n), n: n, hop: n / 2, rate: rate, win: sineWindow(n), seq: make([]float64, n),
		cr: make([]complex128, n/2+1), cs: make([]complex128, n/2+1), rr: make([]float64, n/2+1),
		ss: make([][]float64, stems), sr: make([][]complex128, stems), used: make([]bool, stems), pend: make([][][]float64, channels)}
	for k := range stems {
		s.ss[k] = make([]float64, n/2+1)
		s.sr[k] = make([]complex128, n/2+1)
	}
	for c := range s.pend {
		s.pend[c] = make([][]float64, 1+stems)
		for i := range s.pend[c] {
			// Half a frame of silence ahead, so the first samples get
			// their full weight from the two frames over them.
			s.pend[c][i] = make([]float64, s.hop, n)
		}
	}
	s.lo = max(1, int(math.Ceil(20*float64(n)/rate)))
	s.hi = min(n/2, int(math.Floor(20000*float64(n)/rate)))
	return s
}

// Add takes one channel's block: r the residual, stems[k] stem k's samples
// (each as long as r; nil for a stem left out, the same in every call).
// It allocates nothing.
func (s *StemSmear) Add(ch int, r []float64, stems [][]float64) {
	p := s.pend[ch]
	for at := 0; at < len(r); {
		k := min(s.n-len(p[0]), len(r)-at)
		p[0] = append(p[0], r[at:at+k]...)
		for i, x := range stems {
			if x != nil {
				s.used[i] = true
				p[1+i] = append(p[1+i], x[at:at+k]...)
			}
		}
		at += k
		if len(p[0]) == s.n {
			s.frame(p)
		}
	}
}

// frame takes the full frame of p and moves on by a hop.
func (s *StemSmear) frame(p [][]float64) {
	s.cr = s.coefficients(s.cr, p[0])
	for b := s.lo; b <= s.hi; b++ {
		v := s.cr[b]
		s.rr[b] += real(v)*real(v) + imag(v)*imag(v)
	}
	for k, used := range s.used {
		if !used {
			continue
		}
		s.cs = s.coefficients(s.cs, p[1+k])
		ss, sr := s.ss[k], s.sr[k]
		for b := s.lo; b <= s.hi; b++ {
			x, v := s.cs[b], s.cr[b]
			ss[b] += real(x)*real(x) + imag(x)*imag(x)
			sr[b] += complex(real(x), -imag(x)) * v
		}
	}
	for i := range p {
		p[i] = p[i][:copy(p[i], p[i][min(s.hop, len(p[i])):])]
	}
}

func (s *StemSmear) coefficients(dst []complex128, x []float64) []complex128 {
	for i, v := range x {
		s.seq[i] = v * s.win[i]
	}
	return s.fft.Coefficients(dst, s.seq)
}

// SmearResult is what a filter of one stem predicts of the residual.
type SmearResult struct {
	// Explained is the share of the residual's energy the filter
	// predicts (0…1).
	Explained float64
	// LateShare is the share of the filter's impulse-response energy
	// later than SmearLateMS either side of lag 0.
	LateShare float64
	// Causal is the share of that late energy at positive lags (the
	// residual after the stem), as a reverb's or a delay's.
	Causal float64
	// GainDB is the filter's energy gain: the predicted part's energy
	// against the stem's, dB.
	GainDB float64
}

// Reverb says whether the filter reads as a reverb or a delay of the
// stem.
func (r SmearResult) Reverb() bool {
	return r.Explained >= SmearExplainedMin && r.LateShare >= SmearLateShareMin && r.Causal >= SmearCausalMin
}

// Equaliser says whether the filter reads as an EQ on the stem.
func (r SmearResult) Equaliser() bool {
	return r.Explained >= SmearEQExplainedMin && r.LateShare <= EQLateShareMax
}

// Result returns, per stem, what a filter of it predicts of the residual
// (zero for a stem never added). It pads the pending samples first.
func (s *StemSmear) Result() []SmearResult {
	out := make([]SmearResult, len(s.ss))
	for c := range s.pend {
		if s.done {
			break
		}
		p := s.pend[c]
		for left := len(p[0]); left > 0; left -= s.hop {
			for i := range p {
				p[i] = append(p[i], make([]float64, s.n-len(p[i]))...)
			}
			s.frame(p)
		}
	}
	s.done = true
	var rr float64
	for b := s.lo; b <= s.hi; b++ {
		rr += s.rr[b]
	}
	if !(rr > 0) {
		return out
	}
	full := fft.New(s.n)
	spec := make([]complex128, s.n)
	h := make([]complex128, s.n)
	late := int(math.Ceil(SmearLateMS / 1000 * s.rate))
	for k := range out {
		var pred, stem float64
		clear(spec)
		for b := s.lo; b <= s.hi; b++ {
			ss, sr := s.ss[k][b], s.sr[k][b]
			stem += ss
			if !(ss > 0) {
				continue
			}
			pred += (real(sr)*real(sr) + imag(sr)*imag(sr)) / ss
			// The inverse transform of H = S_kr/S_kk, as the forward
			// transform of its conjugate (the response is real).
			hb := sr / complex(ss, 0)
			spec[b] = complex(real(hb), -imag(hb))
			if b < s.n/2 {
				spec[s.n-b] = hb
			}
		}
		if !(stem > 0) {
			continue
		}
		out[k].Explained = pred / rr
		out[k].GainDB = 10 * math.Log10(max(pred/stem, 1e-30))
		h = full.Transform(h, spec)
		var all, far, after float64
		for t, v := range h {
			e := real(v) * real(v)
			all += e
			if t > late && t < s.n-late {
				far += e
				if t < s.n/2 {
					after += e
				}
			}
		}
		if all > 0 {
			out[k].LateShare = far / all
		}
		if far > 0 {
			out[k].Causal = after / far
		}
	}
	return out
}
