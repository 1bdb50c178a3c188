package lineq

import (
	"math"
	"math/cmplx"
	"testing"

	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/internal/audiotest"
)

const rate = 48000

// The designed FIR follows a smooth curve within 0.25 dB from 30 Hz to
// 18 kHz (its response evaluated exactly from the taps).
func TestDesignFollowsCurve(t *testing.T) {
	t.Parallel()
	pts := []Point{{31.5, 6}, {63, 4}, {125, -3}, {250, 0}, {1000, 2}, {4000, -6}, {8000, -9}, {16000, 3}}
	taps := Design(pts, rate)
	c := float64(len(taps)-1) / 2
	for f := 30.0; f < 18000; f *= math.Pow(2, 1.0/12) {
		var z complex128
		for i, h := range taps {
			z += complex(h, 0) * cmplx.Exp(complex(0, -2*math.Pi*f*(float64(i)-c)/rate))
		}
		got := 20 * math.Log10(cmplx.Abs(z))
		if want := Response(pts, f); math.Abs(got-want) > 0.25 {
			t.Errorf("%.0f Hz: %.2f dB, want %.2f", f, got, want)
		}
		// Linear phase: the response about the centre tap is real.
		if math.Abs(imag(z)) > 1e-6*cmplx.Abs(z)+1e-9 {
			t.Errorf("%.0f Hz: imaginary part %g about the centre: not linear phase", f, imag(z))
		}
	}
}

// A flat curve passes the signal through, delayed by exactly Latency,
// whatever the block sizes.
func TestFlatIsDelay(t *testing.T) {
	t.Parallel()
	in := audiotest.WhiteNoise(3, 2, 40000, -6)
	e := New([]Point{{1000, 0}})
	e.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 4096, Channels: 2})
	lat := e.Latency()
	buf := audio.NewBuffer(2, in.Frames()+lat)
	for c := range 2 {
		copy(buf.Data[c], in.Data[c])
	}
	processInBlocks(e, buf)
	for c := range 2 {
		for i := 0; i < in.Frames(); i++ {
			if d := math.Abs(float64(buf.Data[c][i+lat] - in.Data[c][i])); d > 2e-4 {
				t.Fatalf("channel %d frame %d: %g, want %g (latency %d)", c, i, buf.Data[c][i+lat], in.Data[c][i], lat)
			}
		}
	}
}

// newFIR runs any odd symmetric FIR: its output is the direct convolution,
// delayed by Latency (the FIR's half-length plus the block, here the
// smallest, 1024 frames, for 301 taps), whatever the block sizes.
func TestFIRIsConvolution(t *testing.T) {
	t.Parallel()
	taps := make([]float64, 301)
	for i := range taps {
		k := float64(i - 150)
		taps[i] = math.Exp(-k*k/2000) * math.Cos(0.3*k) / 20
	}
	e := newFIR(func(float64) []float64 { return taps })
	e.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 4096, Channels: 2})
	if lat := e.Latency(); lat != 150+1024 {
		t.Fatalf("latency %d, want %d", lat, 150+1024)
	}
	in := audiotest.WhiteNoise(7, 2, 9000, -6)
	buf := in.Clone()
	processInBlocks(e, buf)
	for c := range 2 {
		for m := 1024; m < buf.Frames(); m++ {
			var z float64 // the causal convolution at m − 1024
			for i, h := range taps {
				if j := m - 1024 - i; j >= 0 {
					z += h * float64(in.Data[c][j])
				}
			}
			if d := math.Abs(float64(buf.Data[c][m]) - z); d > 1e-6 {
				t.Fatalf("channel %d frame %d: %g, want %g", c, m, buf.Data[c][m], z)
			}
		}
	}
}

// processInBlocks runs e over the stereo buf in place in blocks of 1, 7,
// 4096, 333 and 1000 frames in turn.
func processInBlocks(e dsp.Processor, buf *audio.Buffer) {
	sizes := []int{1, 7, 4096, 333, 1000}
	for pos, k := 0, 0; pos < buf.Frames(); k++ {
		n := min(sizes[k%len(sizes)], buf.Frames()-pos)
		e.Process(&audio.Buffer{Data: [][]float32{buf.Data[0][pos : pos+n], buf.Data[1][pos : pos+n]}})
		pos += n
	}
}

// TestHighPass measures the multirate rumble filter at 20 Hz at 44.1 and
// 48 kHz with tones through it, fed in varied blocks: at 5 and 10 Hz 80 dB
// or more down, 20 to 40 dB at 15 Hz, −6 ± 0.1 dB at 20 Hz; from 30 Hz up,
// the output is the input delayed by exactly Latency to within 0.001 dB of
// the tone (1.2·10⁻⁴ of its amplitude, the full-rate design's ripple),
// tones near the low rate's multiples included, where a poor anti-alias
// or anti-image filter would fold rumble-band residue in; and a constant
// comes out below −120 dBFS.
func TestHighPass(t *testing.T) {
	t.Parallel()
	for _, fs := range []float64{44100, 48000} {
		h := NewHighPass(20)
		h.Prepare(dsp.Spec{SampleRate: fs, MaxBlockSize: 4096, Channels: 2})
		lat := h.Latency()
		if lat > int(0.2*fs) {
			t.Errorf("%g Hz: latency %d frames, want under 0.2 s", fs, lat)
		}
		low := fs / float64(h.d)
		run := func(in *audio.Buffer) *audio.Buffer {
			h.Reset()
			out := in.Clone()
			processInBlocks(h, out)
			return out
		}
		const amp = 0.5
		frames := 2*lat + int(2*fs)
		for _, c := range []struct{ f, lo, hi float64 }{{5, -200, -80}, {10, -200, -80}, {15, -40, -20}, {20, -6.1, -5.9}} {
			out := run(audiotest.Sine(fs, 2, frames, c.f, 20*math.Log10(amp), 0))
			for ch := range 2 {
				g := 20 * math.Log10(audiotest.ToneAmplitude(out.Data[ch][2*lat:], c.f, fs)/amp)
				if g < c.lo || g > c.hi {
					t.Errorf("%g Hz rate, %g Hz tone, channel %d: %.2f dB, want %g … %g", fs, c.f, ch, g, c.lo, c.hi)
				}
			}
		}
		for _, f := range []float64{30, 31, 35, 40, 60, 100, low - 15, low + 15, 2*low - 25, 1000, 5000, 15000, 20000} {
			in := audiotest.Sine(fs, 2, frames, f, 20*math.Log10(amp), 0)
			out := run(in)
			var worst float64
			for ch := range 2 {
				for i := 2 * lat; i < frames; i++ {
					worst = max(worst, math.Abs(float64(out.Data[ch][i]-in.Data[ch][i-lat])))
				}
			}
			if worst > 1.2e-4*amp {
				t.Errorf("%g Hz rate, %g Hz tone: differs from the input delayed by %d frames by up to %.3g, want ≤ %.3g", fs, f, lat, worst, 1.2e-4*amp)
			}
		}
		dc := audio.NewBuffer(2, frames)
		for ch := range 2 {
			for i := range frames {
				dc.Data[ch][i] = amp
			}
		}
		out := run(dc)
		var worst float64
		for ch := range 2 {
			for _, s := range out.Data[ch][2*lat:] {
				worst = max(worst, math.Abs(float64(s)))
			}
		}
		if worst > 1e-6 {
			t.Errorf("%g Hz rate: a constant %g leaves %.3g (%.1f dBFS), want below -120 dBFS", fs, amp, worst, 20*math.Log10(worst))
		}
	}
}

func BenchmarkHighPass(b *testing.B) { benchProcess(b, NewHighPass(20)) }

func BenchmarkProcess(b *testing.B) { benchProcess(b, New([]Point{{31.5, 6}, {16000, -6}})) }

// benchProcess times p over blocks of 4096 stereo frames at 48 kHz.
func benchProcess(b *testing.B, p dsp.Processor) {
	p.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 4096, Channels: 2})
	buf := audiotest.WhiteNoise(1, 2, 4096, -6)
	b.SetBytes(4096 * 2 * 4)
	b.ResetTimer()
	for range b.N {
		p.Process(buf)
	}
}
