package engine

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/dsp/fourier"

	"stemmaster/audio"
)

// gonumPower is the long-term power spectrum as a real FFT per channel
// (gonum's) gives it: the reference for the two-channel transform.
func gonumPower(f *fourier.FFT, b *audio.Buffer, rate float64) (power []float64, frames int) {
	power = make([]float64, spectrumSize/2+1)
	seq := make([]float64, spectrumSize)
	var coef []complex128
	hop := int(rate * spectrumHopS)
	for at := 0; at+spectrumSize <= b.Frames(); at += hop {
		for _, ch := range b.Data {
			for i := range seq {
				seq[i] = float64(ch[at+i]) * (0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/spectrumSize))
			}
			coef = f.Coefficients(coef, seq)
			for k, z := range coef {
				power[k] += (real(z)*real(z) + imag(z)*imag(z)) / float64(len(b.Data))
			}
		}
		frames++
	}
	return power, frames
}

// TestSpectrumAgainstGonum: the spectrum's bins agree with per-channel
// real FFTs within 1e-12 of the largest bin, and its band levels within
// 1e-6 dB where they lie within 100 dB of the loudest band (below that
// both are rounding noise of the loud bins), for stereo and mono signals (noise under tones, one channel
// silent, the two channels equal and opposite). A wrong pairing of the
// two channels' bins shows as whole decibels.
func TestSpectrumAgainstGonum(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	const fs = 48000
	centres := bandCentres()
	for _, tc := range []struct {
		name string
		ch   int
		gen  func(c, i int) float64
	}{
		{"noise and tones", 2, func(c, i int) float64 {
			return 0.05*rng.NormFloat64() + 0.3*math.Sin(2*math.Pi*float64(440*(c+1)*i)/fs)
		}},
		{"right silent", 2, func(c, i int) float64 {
			if c == 1 {
				return 0
			}
			return 0.1*rng.NormFloat64() + 0.5*math.Sin(2*math.Pi*60*float64(i)/fs)
		}},
		{"opposite", 2, func(c, i int) float64 {
			return float64(1-2*c) * 0.4 * math.Sin(2*math.Pi*1000*float64(i)/fs+0.3*math.Sin(float64(i)/3000))
		}},
		{"mono", 1, func(c, i int) float64 { return 0.2 * rng.NormFloat64() }},
		{"three channels", 3, func(c, i int) float64 { return 0.1 * float64(c+1) * rng.NormFloat64() }},
	} {
		b := audio.NewBuffer(tc.ch, 2*fs+5000)
		for i := range b.Frames() {
			for c := range b.Data {
				b.Data[c][i] = float32(tc.gen(c, i))
			}
		}
		s := newSpectrum(fs)
		s.advance(b, b.Frames())
		want, frames := gonumPower(fourier.NewFFT(spectrumSize), b, fs)
		if s.frames != frames {
			t.Fatalf("%s: %d windows, want %d", tc.name, s.frames, frames)
		}
		var top float64
		for _, p := range want {
			top = max(top, p)
		}
		for k := range want {
			if d := math.Abs(s.power[k] - want[k]); d > 1e-12*top {
				t.Fatalf("%s: bin %d: %g, gonum %g (off %.3g of the largest bin)", tc.name, k, s.power[k], want[k], d/top)
			}
		}
		ref := &spectrum{rate: fs, window: s.window, power: want, frames: frames}
		got, exp := s.bands(centres), ref.bands(centres)
		loudest := math.Inf(-1)
		for _, v := range exp {
			loudest = max(loudest, float64(v))
		}
		for i := range got {
			if float64(exp[i]) < loudest-100 {
				continue
			}
			if d := math.Abs(float64(got[i] - exp[i])); !(d <= 1e-6) {
				t.Errorf("%s: band %g Hz: %.12f dB, gonum %.12f", tc.name, centres[i], got[i], exp[i])
			}
		}
	}
}

// benchWindow is one window of stereo noise.
func benchWindow() *audio.Buffer {
	buf := audio.NewBuffer(busChannels, spectrumSize)
	rng := rand.New(rand.NewPCG(1, 2))
	for c := range buf.Data {
		for i := range buf.Data[c] {
			buf.Data[c][i] = float32(rng.NormFloat64() * 0.1)
		}
	}
	return buf
}

func BenchmarkSpectrum(b *testing.B) {
	buf := benchWindow()
	s := newSpectrum(48000)
	for b.Loop() {
		s.analyse(buf.Data, 0)
	}
}

// BenchmarkSpectrumGonum is one window of BenchmarkSpectrum as per-channel
// real FFTs (gonum's) do it, for the ratio.
func BenchmarkSpectrumGonum(b *testing.B) {
	buf := benchWindow()
	f := fourier.NewFFT(spectrumSize)
	for b.Loop() {
		gonumPower(f, buf, 48000)
	}
}

// TestSpectrumFeed: the spectrum of a signal fed block by block, in pieces
// of any size, is bit for bit the spectrum of the whole signal, at a rate
// whose windows do not overlap and at one where they do.
func TestSpectrumFeed(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	for _, fs := range []float64{48000, 8000} {
		b := audio.NewBuffer(busChannels, int(3*fs)+123)
		for c := range b.Data {
			for i := range b.Data[c] {
				b.Data[c][i] = float32(rng.NormFloat64() * 0.1)
			}
		}
		whole := newSpectrum(fs)
		whole.advance(b, b.Frames())
		fed := newSpectrum(fs)
		for pos := 0; pos < b.Frames(); {
			n := min(b.Frames()-pos, 1+rng.IntN(9000))
			v := &audio.Buffer{Data: make([][]float32, busChannels)}
			for c := range v.Data {
				v.Data[c] = b.Data[c][pos : pos+n]
			}
			fed.feed(v)
			pos += n
		}
		if whole.frames == 0 || fed.frames != whole.frames {
			t.Fatalf("%g Hz: %d windows fed, %d whole", fs, fed.frames, whole.frames)
		}
		for k := range whole.power {
			if fed.power[k] != whole.power[k] {
				t.Fatalf("%g Hz: bin %d: %g fed, %g whole", fs, k, fed.power[k], whole.power[k])
			}
		}
	}
}
