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

// NewFIR runs any odd symmetric FIR: its output is the direct convolution,
// delayed by Latency (the FIR's half-length plus the block, here the
// smallest, 1024 frames, for 301 taps), whatever the block sizes.
func TestFIRIsConvolution(t *testing.T) {
	t.Parallel()
	taps := make([]float64, 301)
	for i := range taps {
		k := float64(i - 150)
		taps[i] = math.Exp(-k*k/2000) * math.Cos(0.3*k) / 20
	}
	e := NewFIR(func(float64) []float64 { return taps })
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
func processInBlocks(e *EQ, buf *audio.Buffer) {
	sizes := []int{1, 7, 4096, 333, 1000}
	for pos, k := 0, 0; pos < buf.Frames(); k++ {
		n := min(sizes[k%len(sizes)], buf.Frames()-pos)
		e.Process(&audio.Buffer{Data: [][]float32{buf.Data[0][pos : pos+n], buf.Data[1][pos : pos+n]}})
		pos += n
	}
}

func BenchmarkProcess(b *testing.B) {
	e := New([]Point{{31.5, 6}, {16000, -6}})
	e.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 4096, Channels: 2})
	buf := audiotest.WhiteNoise(1, 2, 4096, -6)
	b.SetBytes(4096 * 2 * 4)
	b.ResetTimer()
	for range b.N {
		e.Process(buf)
	}
}
