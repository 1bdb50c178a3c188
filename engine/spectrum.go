package engine

import (
	"math"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/dsp/fft"
)

// Long-term average spectrum: Hann-windowed FFTs of spectrumSize frames,
// one every spectrumHopS seconds, power averaged, summed into 1/6-octave
// bands centred on 1 kHz·2^(k/6) from 20 Hz to 20 kHz.
const (
	spectrumSize = 8192
	spectrumHopS = 0.5
)

// spectrum accumulates a long-term average power spectrum of a stereo
// signal (both channels' power averaged).
//
// Two real channels a and b go through one complex transform, of
// z = a + i·b: with Z its transform, |A[k]|² + |B[k]|² =
// (|Z[k]|² + |Z[n−k]|²)/2, and the spectrum needs only that sum. A lone
// channel goes in with b = 0, where the same formula gives |A[k]|².
type spectrum struct {
	rate   float64
	fft    *fft.FFT
	window []float64
	seq    []complex128 // the windowed frames
	coef   []complex128 // their transform
	power  []float64    // one-sided |X|², summed over frames
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
		fft:    fft.New(spectrumSize),
		window: make([]float64, spectrumSize),
		seq:    make([]complex128, spectrumSize),
		coef:   make([]complex128, spectrumSize),
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
		s.analyse(buf.Data, s.next)
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
		if s.fed < s.next {
			// Frames between windows (the hop is longer than a window):
			// no window reads them, so they are not kept.
			k := min(n-off, s.next-s.fed)
			s.fed += k
			off += k
			continue
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
	s.analyse(s.hist, at)
	s.frames++
	s.next += s.hop
}

// analyse adds the power spectrum of the window of spectrumSize frames
// starting at frame at of each channel of data, read modulo the channel's
// length when the window runs past its end (the ring of feed).
func (s *spectrum) analyse(data [][]float32, at int) {
	scale := 1 / (2 * float64(len(data)))
	for c := 0; c < len(data); c += 2 {
		a := data[c]
		var b []float32
		if c+1 < len(data) {
			b = data[c+1]
		}
		s.window2(a, b, at)
		z := s.fft.Transform(s.coef, s.seq)[:spectrumSize]
		power := s.power[:spectrumSize/2+1]
		u := z[0]
		power[0] += 2 * (real(u)*real(u) + imag(u)*imag(u)) * scale
		for k := 1; k < len(power); k++ {
			u, v := z[k], z[spectrumSize-k]
			power[k] += (real(u)*real(u) + imag(u)*imag(u) + real(v)*real(v) + imag(v)*imag(v)) * scale
		}
	}
}

// window2 writes a·window + i·b·window (b nil: 0) from frame at on to
// s.seq, wrapping to frame 0 at the end of the channels.
func (s *spectrum) window2(a, b []float32, at int) {
	i := 0
	for i < spectrumSize {
		j := (at + i) % len(a)
		k := min(spectrumSize-i, len(a)-j)
		seq := s.seq[i : i+k]
		w, x := s.window[i:i+len(seq)], a[j:j+len(seq)]
		if b != nil {
			y := b[j : j+len(seq)]
			for t := range seq {
				seq[t] = complex(float64(x[t])*w[t], float64(y[t])*w[t])
			}
		} else {
			for t := range seq {
				seq[t] = complex(float64(x[t])*w[t], 0)
			}
		}
		i += k
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
