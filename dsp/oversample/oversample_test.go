package oversample

import (
	"fmt"
	"math"
	"math/cmplx"
	"testing"

	"gonum.org/v1/gonum/dsp/fourier"

	"stemmaster/audio"
	"stemmaster/dsp/internal/dsptest"
	"stemmaster/internal/audiotest"
)

var factors = []int{2, 4, 8}

// response returns the magnitude response of the prototype, normalised so
// the passband is 1 (the taps sum to factor), at n/2+1 frequencies from 0 to
// the high-rate Nyquist frequency, by FFT of the zero-padded taps.
func response(h []float64, factor, n int) []float64 {
	fft := fourier.NewFFT(n)
	seq := make([]float64, n)
	copy(seq, h)
	coef := fft.Coefficients(nil, seq)
	mag := make([]float64, len(coef))
	for k, c := range coef {
		mag[k] = cmplx.Abs(c) / float64(factor)
	}
	return mag
}

func TestDesignSymmetricNyquist(t *testing.T) {
	t.Parallel()
	for _, f := range factors {
		t.Run(fmt.Sprint(f), func(t *testing.T) {
			h := Design(f)
			k := ZeroCrossings()
			if len(h) != 2*k*f+1 {
				t.Fatalf("len = %d, want 2·%d·%d+1", len(h), k, f)
			}
			// Linear phase: h[n] == h[N−1−n] exactly (the design is
			// computed from |n−c| symmetric expressions).
			for n := range h {
				if h[n] != h[len(h)-1-n] {
					t.Fatalf("h[%d] = %g, h[%d] = %g: not symmetric", n, h[n], len(h)-1-n, h[len(h)-1-n])
				}
			}
			// Nyquist filter: zero on every factor-th tap but the centre.
			for n := 0; n < len(h); n += f {
				want := 0.0
				if n == k*f {
					want = 1
				}
				if h[n] != want {
					t.Errorf("h[%d] = %g, want %g", n, h[n], want)
				}
			}
		})
	}
}

func TestDesignFrequencyResponse(t *testing.T) {
	t.Parallel()
	// Requirements: passband to 20 kHz at 44.1 kHz flat within
	// 0.01 dB; stopband from the image of 20 kHz at least 100 dB down.
	const (
		maxRippleDB   = 0.01
		minStopbandDB = 100.0
		n             = 1 << 16
	)
	for _, f := range factors {
		t.Run(fmt.Sprint(f), func(t *testing.T) {
			mag := response(Design(f), f, n)
			var ripple, stop float64
			worstStop := math.Inf(-1)
			for k, m := range mag {
				fb := float64(f) * float64(k) / n // frequency as a fraction of the base rate
				db := audio.DB(m)
				switch {
				case fb <= PassbandEdge:
					ripple = math.Max(ripple, math.Abs(db))
				case fb >= StopbandEdge:
					if db > worstStop {
						worstStop, stop = db, fb
					}
				}
			}
			t.Logf("factor %d: passband ripple %.6f dB, worst stopband %.1f dB at %.4f·fs", f, ripple, worstStop, stop)
			if ripple > maxRippleDB {
				t.Errorf("passband ripple %.5f dB > %.2f dB", ripple, maxRippleDB)
			}
			if -worstStop < minStopbandDB {
				t.Errorf("stopband %.1f dB at %.4f·fs, want ≤ −%.0f dB", worstStop, stop, minStopbandDB)
			}
			// −6 dB at fs/2, the defining property of a Nyquist filter.
			if db := audio.DB(mag[n/(2*f)]); math.Abs(db+6.0206) > 0.01 {
				t.Errorf("at fs/2: %.3f dB, want −6.02 dB", db)
			}
		})
	}
}

// bandLimited is a sum of sines well inside the passband (≤ 18 kHz at
// 44.1 kHz) with a peak below full scale.
func bandLimited(channels, frames int) *audio.Buffer {
	const rate = 44100
	b := audio.NewBuffer(channels, frames)
	for _, p := range []struct{ f, db, ph float64 }{{997, -9, 0.3}, {5111, -12, 1.1}, {12345, -15, 2.0}, {18000, -18, 0.7}} {
		audiotest.Add(b, audiotest.Sine(rate, channels, frames, p.f, p.db, p.ph))
	}
	return b
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	// Up then down recovers a band-limited signal, delayed by exactly
	// Latency() of each, within −100 dB; the
	// residual is the passband ripple of two passes plus float32 rounding.
	const (
		maxResidualDB = -100.0
		frames        = 1 << 14
		skip          = 200 // start-up transient of both filters (2K frames)
	)
	for _, f := range factors {
		for _, block := range []int{1, 37, 4096} {
			t.Run(fmt.Sprintf("x%d/block%d", f, block), func(t *testing.T) {
				x := bandLimited(2, frames)
				up := NewUpsampler(f, 2)
				down := NewDownsampler(f, 2)
				delay := up.Latency() + down.Latency()
				if delay != 2*ZeroCrossings() {
					t.Fatalf("latency %d, want 2K = %d", delay, 2*ZeroCrossings())
				}
				y := audio.NewBuffer(2, frames)
				hi := audio.NewBuffer(2, block*f)
				lo := audio.NewBuffer(2, block)
				for at := 0; at < frames; at += block {
					n := min(block, frames-at)
					in := &audio.Buffer{Data: [][]float32{x.Data[0][at : at+n], x.Data[1][at : at+n]}}
					lo.SetFrames(n)
					down.Downsample(lo, up.Upsample(hi, in))
					copy(y.Data[0][at:], lo.Data[0])
					copy(y.Data[1][at:], lo.Data[1])
				}
				for c := range 2 {
					var e, s float64
					for i := skip + delay; i < frames; i++ {
						d := float64(y.Data[c][i]) - float64(x.Data[c][i-delay])
						e += d * d
						s += float64(x.Data[c][i-delay]) * float64(x.Data[c][i-delay])
					}
					if db := 10 * math.Log10(e/s); db > maxResidualDB {
						t.Errorf("channel %d: residual %.1f dB, want ≤ %.0f dB", c, db, maxResidualDB)
					} else {
						t.Logf("channel %d: residual %.1f dB", c, db)
					}
				}
			})
		}
	}
}

func TestUpsamplePhaseZeroIsInput(t *testing.T) {
	t.Parallel()
	// A Nyquist prototype passes the input through on phase 0, delayed by
	// Latency() base frames: bit-exact in float32.
	x := audiotest.WhiteNoise(7, 1, 1000, -1)
	for _, f := range factors {
		up := NewUpsampler(f, 1)
		y := up.Upsample(nil, x)
		for n := up.Latency(); n < 1000; n++ {
			if y.Data[0][n*f] != x.Data[0][n-up.Latency()] {
				t.Fatalf("x%d: y[%d] = %g, want x[%d] = %g", f, n*f, y.Data[0][n*f], n-up.Latency(), x.Data[0][n-up.Latency()])
			}
		}
	}
}

func TestUpsampleInterpolatesSine(t *testing.T) {
	t.Parallel()
	// The upsampled sine matches the analytic sine at the high-rate instants
	// (time n − K + p/factor) within the passband ripple (0.0001 dB ≈ 1.2e-5
	// relative) plus float32 rounding.
	const (
		rate = 48000.0
		freq = 19000.0
		tol  = 3e-5
	)
	for _, f := range factors {
		x := audiotest.Sine(rate, 1, 4000, freq, -1, 0)
		up := NewUpsampler(f, 1)
		y := up.Upsample(nil, x)
		a := audio.Amplitude(-1)
		var worst float64
		for m := 4 * ZeroCrossings() * f; m < len(y.Data[0]); m++ {
			tm := float64(m)/float64(f) - float64(up.Latency())
			want := a * math.Sin(2*math.Pi*freq/rate*tm)
			worst = math.Max(worst, math.Abs(float64(y.Data[0][m])-want))
		}
		if worst > tol {
			t.Errorf("x%d: worst error %.3g > %.3g", f, worst, tol)
		}
	}
}

func TestResetRepeats(t *testing.T) {
	t.Parallel()
	x := audiotest.WhiteNoise(3, 2, 500, -3)
	up := NewUpsampler(4, 2)
	a := up.Upsample(nil, x)
	up.Reset()
	b := up.Upsample(nil, x)
	audiotest.SameSamples(t, b, a, "the run before Reset")
}

func TestNoAllocation(t *testing.T) {
	for _, f := range factors {
		x := audiotest.WhiteNoise(1, 2, 512, -3)
		up, down := NewUpsampler(f, 2), NewDownsampler(f, 2)
		hi, lo := audio.NewBuffer(2, 512*f), audio.NewBuffer(2, 512)
		if n := testing.AllocsPerRun(20, func() { down.Downsample(lo, up.Upsample(hi, x)) }); n != 0 {
			t.Errorf("x%d: %.1f allocations per block", f, n)
		}
	}
}

func TestMisusePanics(t *testing.T) {
	t.Parallel()
	dsptest.CheckPanics(t,
		dsptest.PanicCase{Name: "factor 3", F: func() { Design(3) }},
		dsptest.PanicCase{Name: "zero channels", F: func() { NewUpsampler(2, 0) }},
		dsptest.PanicCase{Name: "not 2KL+1 taps", F: func() { NewUpsamplerFilter(make([]float64, 8), 2, 1) }},
		dsptest.PanicCase{Name: "end taps", F: func() { NewUpsamplerFilter([]float64{1, 0, 0, 0, 1}, 2, 1) }},
		dsptest.PanicCase{Name: "not a Nyquist prototype", F: func() { NewDownsamplerFilter([]float64{0, 0.5, 0.9, 0.5, 0}, 2, 1) }},
		dsptest.PanicCase{Name: "odd frames", F: func() { NewDownsampler(4, 1).Downsample(nil, audio.NewBuffer(1, 6)) }},
		dsptest.PanicCase{Name: "channel mismatch", F: func() { NewUpsampler(2, 2).Upsample(nil, audio.NewBuffer(1, 4)) }},
	)
}

func BenchmarkUpsample(b *testing.B) {
	for _, f := range factors {
		for _, block := range []int{64, 512, 4096} {
			b.Run(fmt.Sprintf("x%d/block%d", f, block), func(b *testing.B) {
				x := audiotest.WhiteNoise(1, 2, block, -3)
				up := NewUpsampler(f, 2)
				y := audio.NewBuffer(2, block*f)
				for b.Loop() {
					up.Upsample(y, x)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*block*2), "ns/sample/ch")
			})
		}
	}
}

func BenchmarkDownsample(b *testing.B) {
	for _, f := range factors {
		for _, block := range []int{64, 512, 4096} {
			b.Run(fmt.Sprintf("x%d/block%d", f, block), func(b *testing.B) {
				x := audiotest.WhiteNoise(1, 2, block*f, -3)
				down := NewDownsampler(f, 2)
				y := audio.NewBuffer(2, block)
				for b.Loop() {
					down.Downsample(y, x)
				}
				// per base-rate output sample and channel
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*block*2), "ns/sample/ch")
			})
		}
	}
}

func TestUpsampleChannelMatchesUpsample(t *testing.T) {
	t.Parallel()
	// The float64 per-channel form gives the float32 buffer form's values
	// before rounding.
	x := audiotest.WhiteNoise(11, 2, 700, -2)
	for _, f := range factors {
		want := NewUpsampler(f, 2).Upsample(nil, x)
		u := NewUpsampler(f, 2)
		for c := range 2 {
			in := make([]float64, 700)
			for i, v := range x.Data[c] {
				in[i] = float64(v)
			}
			got := make([]float64, f*700)
			u.UpsampleChannel(c, got, in)
			for i, v := range got {
				if float32(v) != want.Data[c][i] {
					t.Fatalf("x%d channel %d sample %d: %g, want %g", f, c, i, float32(v), want.Data[c][i])
				}
			}
		}
	}
}
