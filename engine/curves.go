package engine

import (
	"math"

	"gonum.org/v1/gonum/dsp/fourier"

	"stemmaster"
	"stemmaster/audio"
)

// CurveStepS is the time step of the report's curves.
const CurveStepS = 0.1

// Long-term average spectrum: Hann-windowed FFTs of spectrumSize frames,
// one every spectrumHopS seconds, power averaged, summed into 1/6-octave
// bands centred on 1 kHz·2^(k/6) from 20 Hz to 20 kHz.
const (
	spectrumSize = 8192
	spectrumHopS = 0.5
)

// spectrum accumulates a long-term average power spectrum of a stereo
// signal (both channels' power averaged).
type spectrum struct {
	rate   float64
	fft    *fourier.FFT
	window []float64
	seq    []float64
	coef   []complex128
	power  []float64 // one-sided |X|², summed over frames
	frames int
	next   int // start frame of the next analysis window
	hop    int
	// feed's ring of the last spectrumSize frames per channel, and the
	// frames fed so far.
	hist [][]float32
	fed  int
}

func newSpectrum(rate float64) *spectrum {
	s := &spectrum{
		rate:   rate,
		fft:    fourier.NewFFT(spectrumSize),
		window: make([]float64, spectrumSize),
		seq:    make([]float64, spectrumSize),
		power:  make([]float64, spectrumSize/2+1),
		hop:    int(rate * spectrumHopS),
	}
	for i := range s.window {
		s.window[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/spectrumSize)
	}
	return s
}

// advance analyses every window that lies within the first avail frames of
// buf.
func (s *spectrum) advance(buf *audio.Buffer, avail int) {
	for s.next+spectrumSize <= avail {
		for c := range buf.Data {
			x := buf.Data[c][s.next : s.next+spectrumSize]
			for i, v := range x {
				s.seq[i] = float64(v) * s.window[i]
			}
			s.coef = s.fft.Coefficients(s.coef, s.seq)
			for k, z := range s.coef {
				s.power[k] += (real(z)*real(z) + imag(z)*imag(z)) / float64(len(buf.Data))
			}
		}
		s.frames++
		s.next += s.hop
	}
}

// feed analyses a signal streamed block by block (frame 0 first): every
// window that lies within the frames fed so far, exactly as advance over
// the whole signal would.
func (s *spectrum) feed(b *audio.Buffer) {
	if s.hist == nil {
		s.hist = make([][]float32, len(b.Data))
		for c := range s.hist {
			s.hist[c] = make([]float32, spectrumSize)
		}
	}
	n := b.Frames()
	for off := 0; ; {
		for s.next+spectrumSize <= s.fed {
			s.window1(s.next % spectrumSize)
		}
		if off == n {
			return
		}
		k := min(n-off, s.next+spectrumSize-s.fed)
		for c := range b.Data {
			copyIn(s.hist[c], s.fed, b.Data[c][off:off+k])
		}
		s.fed += k
		off += k
	}
}

// window1 analyses the window held in the ring (its frame i at
// (at+i) mod spectrumSize) and moves to the next.
func (s *spectrum) window1(at int) {
	for _, r := range s.hist {
		for i := range s.seq {
			s.seq[i] = float64(r[(at+i)%spectrumSize]) * s.window[i]
		}
		s.coef = s.fft.Coefficients(s.coef, s.seq)
		for k, z := range s.coef {
			s.power[k] += (real(z)*real(z) + imag(z)*imag(z)) / float64(len(s.hist))
		}
	}
	s.frames++
	s.next += s.hop
}

// blockRange returns the smallest and largest sample of b over its
// channels, as the builtin min and max take them (−0 below +0, NaN when
// there is one). It compares the samples as integers ordered as the
// floats are (orderKey), which the processor does without branches; a
// block holding NaN, whose key lies beyond an infinity's, is taken again
// by blockRangeFloat.
func blockRange(b *audio.Buffer) (lo, hi float32) {
	klo, khi := int32(math.MaxInt32), int32(math.MinInt32)
	for _, ch := range b.Data {
		for _, v := range ch[:b.Frames()] {
			k := orderKey(v)
			klo = min(klo, k)
			khi = max(khi, k)
		}
	}
	if b.Frames() == 0 || klo < orderKey(float32(math.Inf(-1))) || khi > orderKey(float32(math.Inf(1))) {
		return blockRangeFloat(b)
	}
	return fromOrderKey(klo), fromOrderKey(khi)
}

// orderKey maps a float32 to an int32 in the same order (−0 just below
// +0): negative floats have every bit but the sign flipped.
func orderKey(v float32) int32 {
	k := int32(math.Float32bits(v))
	return k ^ int32(uint32(k>>31)>>1)
}

func fromOrderKey(k int32) float32 {
	return math.Float32frombits(uint32(k ^ int32(uint32(k>>31)>>1)))
}

// blockRangeFloat is blockRange with the builtin min and max.
func blockRangeFloat(b *audio.Buffer) (lo, hi float32) {
	lo, hi = float32(math.Inf(1)), float32(math.Inf(-1))
	for _, ch := range b.Data {
		for _, v := range ch[:b.Frames()] {
			lo = min(lo, v)
			hi = max(hi, v)
		}
	}
	return lo, hi
}

// bandCentres are the 1/6-octave centres from 20 Hz to 20 kHz.
func bandCentres() []float64 {
	var f []float64
	for k := -33; ; k++ {
		c := 1000 * math.Pow(2, float64(k)/6)
		if c > 20000 {
			return f
		}
		if c >= 20 {
			f = append(f, c)
		}
	}
}

// bands returns the band levels in dB relative to a full-scale sine: the
// mean-square power of the band (Parseval, corrected for the window) over
// 0.5. A band narrower than the FFT's resolution takes the power density
// of its nearest bin.
func (s *spectrum) bands(centres []float64) []stemmaster.Level {
	out := make([]stemmaster.Level, len(centres))
	if s.frames == 0 {
		for i := range out {
			out[i] = stemmaster.Level(math.NaN())
		}
		return out
	}
	var w2 float64
	for _, w := range s.window {
		w2 += w * w
	}
	scale := 2 / (spectrumSize * w2 * float64(s.frames))
	binHz := s.rate / spectrumSize
	for i, c := range centres {
		lo, hi := c*math.Pow(2, -1.0/12), c*math.Pow(2, 1.0/12)
		var p float64
		k0, k1 := int(math.Ceil(lo/binHz)), int(math.Floor(hi/binHz))
		if k1 >= len(s.power) {
			k1 = len(s.power) - 1
		}
		if k0 <= k1 {
			for k := k0; k <= k1; k++ {
				p += s.power[k]
			}
		} else {
			k := min(int(math.Round(c/binHz)), len(s.power)-1)
			p = s.power[k] * (hi - lo) / binHz
		}
		out[i] = stemmaster.Level(10 * math.Log10(p*scale/0.5))
	}
	return out
}

// seriesSteps picks, from a 10 ms loudness series (window ends at (j+1)·10
// ms), the value at the end of each curve step.
func seriesSteps(series []float64, steps int) []stemmaster.Level {
	out := make([]stemmaster.Level, steps)
	for k := range out {
		j := (k+1)*10 - 1
		if j >= len(series) {
			j = len(series) - 1
		}
		if j < 0 {
			out[k] = stemmaster.Level(math.NaN())
			continue
		}
		out[k] = stemmaster.Level(series[j])
	}
	return out
}

func levels(x []float64) []stemmaster.Level {
	out := make([]stemmaster.Level, len(x))
	for i, v := range x {
		out[i] = stemmaster.Level(v)
	}
	return out
}
