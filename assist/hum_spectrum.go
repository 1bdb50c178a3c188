package assist

import (
	"math"
	"sync"

	"stemmaster/audio"
	"stemmaster/dsp/fft"
)

// fineSpectrum is the power spectrum (left and right summed) of frames of
// a track at bins of at most fineBinHz, up to fineTopHz: each frame's and
// their mean.
type fineSpectrum struct {
	binHz  float64
	frames [][]float64 // the frames that hold any signal
	energy []float64   // each frame's energy (its samples' squares summed)
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
	w := getFineWork(n)
	defer fineWorks.Put(w)
	tr, win, seq, coef := w.tr, w.win, w.seq, w.coef
	defer func() { w.coef = coef }()
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
			fs.energy = append(fs.energy, e)
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

// fineWork is what one fine spectrum needs besides its frames: the
// transform, its Hann window and buffers, a few MB at 0.4 Hz bins. Every
// stem of an analysis is searched for hum, so they are kept for the next
// stem (and the next analysis) rather than made again for each.
type fineWork struct {
	tr       *fft.Real
	win, seq []float64
	coef     []complex128
}

var fineWorks sync.Pool

// getFineWork returns a fineWork for transforms of n points.
func getFineWork(n int) *fineWork {
	if w, ok := fineWorks.Get().(*fineWork); ok && len(w.win) == n {
		return w
	}
	w := &fineWork{tr: fft.NewReal(n), win: make([]float64, n), seq: make([]float64, n)}
	for i := range w.win {
		w.win[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n))
	}
	return w
}
