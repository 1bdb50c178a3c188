package limiter

import (
	"fmt"
	"math"
	"testing"

	"stemmaster/audio"
	"stemmaster/internal/audiotest"
)

// TestSmoothBound holds the smooth-signal bound to every frame peak the
// detector finds, chunk by chunk, on signals from smooth to the harshest
// (sines up to near Nyquist, noise, square waves, impulses, the Nyquist
// tone, steps, silence then full scale): no frame peak may exceed it. It
// also wants the bound to be tight where it matters: on a 997 Hz sine it
// is within 0.3 dB of the sample peak.
func TestSmoothBound(t *testing.T) {
	t.Parallel()
	const fs, frames = 48000, 40 * chunkFrames
	square := audio.NewBuffer(1, frames)
	nyq := audio.NewBuffer(1, frames)
	steps := audio.NewBuffer(1, frames)
	for i := range frames {
		square.Data[0][i] = float32(0.9 * math.Copysign(1, math.Sin(2*math.Pi*1000*float64(i)/fs)))
		nyq.Data[0][i] = float32(0.9 * float64(1-2*(i%2)))
		if i/300%2 == 1 {
			steps.Data[0][i] = 0.9
		}
	}
	cases := []struct {
		name string
		x    *audio.Buffer
	}{
		{"sine 997 Hz", audiotest.Sine(fs, 1, frames, 997, -1, 0.2)},
		{"sine 12 kHz", audiotest.Sine(fs, 1, frames, 12000, -1, 0.7)},
		{"sine 19.9 kHz", audiotest.Sine(fs, 1, frames, 19900, -1, 0.3)},
		{"sine 23.9 kHz", audiotest.Sine(fs, 1, frames, 23900, -1, 1.1)},
		{"white noise", audiotest.WhiteNoise(5, 1, frames, -1)},
		{"pink noise", audiotest.PinkNoise(6, 1, frames, -1)},
		{"square 1 kHz", square},
		{"Nyquist tone", nyq},
		{"steps", steps},
		{"impulses", audiotest.Concat(audiotest.Impulse(1, 1000, 500, -1), audiotest.Silence(1, 3000), audiotest.Impulse(1, frames-4000, 77, 0))},
		{"silence, then noise", audiotest.Concat(audiotest.Silence(1, 5*chunkFrames+3), audiotest.WhiteNoise(7, 1, frames, 0))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := newLimiter(DefaultParams(), fs, 1)
			hf := make([]float64, chunkFrames)
			out := make([]float64, chunkFrames)
			x := c.x.Data[0]
			finite := 0
			for at := 0; at+chunkFrames <= len(x); at += chunkFrames {
				n := chunkFrames
				in := l.det.input(0, n)
				for i, v := range x[at : at+n] {
					in[i] = float64(v)
				}
				b := l.det.smoothBound(0, n, &l.smooth)
				carried := max(parabolaGain*max(l.z1, l.z2), l.framePeak)
				l.det.run(0, n, l.z, true)
				l.framePeaks(l.zm[:2+4*n], hf[:n], out[:n])
				if !math.IsInf(b, 1) {
					finite++
				}
				for i, p := range out[:n] {
					if p > max(b, carried) {
						t.Fatalf("frame %d: peak %.9g over the bound %.9g (carried %.9g)", at+i, p, b, carried)
					}
				}
			}
			if finite == 0 {
				t.Fatal("the bound never applied")
			}
		})
	}
	t.Run("tight on a sine", func(t *testing.T) {
		l := newLimiter(DefaultParams(), fs, 1)
		x := audiotest.Sine(fs, 1, 4*chunkFrames, 997, -1, 0.2).Data[0]
		var b float64
		for at := 0; at < len(x); at += chunkFrames {
			in := l.det.input(0, chunkFrames)
			for i, v := range x[at : at+chunkFrames] {
				in[i] = float64(v)
			}
			b = l.det.smoothBound(0, chunkFrames, &l.smooth)
			l.det.run(0, chunkFrames, l.z, true)
		}
		if got := audio.DB(b) - (-1); got > 0.3 {
			t.Errorf("bound %s over the sample peak, want at most 0.3 dB", fmt.Sprintf("%.3f dB", got))
		}
	})
}

// TestCascadeWeights: the measured weights give every value the detector
// computes (signed, before the magnitudes) on noise, chunk after chunk,
// from the inputs no further back than reach: the bound's maxima cover
// all a value reads. And splitSecond's parts add up to the weights again.
func TestCascadeWeights(t *testing.T) {
	t.Parallel()
	resp, reach := cascadeWeights()
	if k := newSmoothCoefs(); k.reach < reach+1 {
		t.Fatalf("the bound covers %d frames back, the values and their steps read %d", k.reach, reach+1)
	}
	const n = chunkFrames
	x := audiotest.WhiteNoise(11, 1, 4*n, -1).Data[0]
	d := newDetector4x(1, n)
	y := make([]float64, 4*n)
	for ch := range 4 {
		in := d.input(0, n)
		for i, v := range x[ch*n : (ch+1)*n] {
			in[i] = float64(v)
		}
		d.signed(0, n, y)
		for i := range n {
			f := ch*n + i // the value's frame
			for p := range 4 {
				var want float64
				for j := range reach {
					if f-j >= 0 {
						want += resp[p][j] * float64(x[f-j])
					}
				}
				if math.Abs(y[4*i+p]-want) > 1e-12 {
					t.Fatalf("frame %d phase %d: detector %.15g, weights %.15g", f, p, y[4*i+p], want)
				}
			}
		}
	}
	for p := range 4 {
		w := timeOrder(resp, p, 0, reach+1)
		e, r := splitSecond(w)
		back := append([]float64(nil), r...)
		for j, v := range e {
			back[j] += v
			back[j+1] -= 2 * v
			back[j+2] += v
		}
		var s, m float64
		for i, v := range w {
			s += v
			m += float64(i) * v
		}
		a := int(math.Floor(m / s))
		f := m/s - float64(a)
		back[a] += 1 - f
		back[a+1] += f
		for i := range w {
			if math.Abs(back[i]-w[i]) > 1e-13 {
				t.Fatalf("phase %d, weight %d: the parts add up to %g, want %g", p, i, back[i], w[i])
			}
		}
	}
}

// TestSmoothBoundWorstCase feeds each phase's worst input, the signs of
// its weights (the value then reaches Σ|w| times the amplitude, far over
// the sample peak): the bound must hold there too, and be within 2 dB of
// the largest such value, so that a term of the bound taken too small
// (the curve's at half, say) would fail here.
func TestSmoothBoundWorstCase(t *testing.T) {
	t.Parallel()
	resp, reach := cascadeWeights()
	k := newSmoothCoefs()
	const a = 0.25
	var worst, bound float64
	for p := range 4 {
		w := timeOrder(resp, p, 0, reach+1)
		x := make([]float64, len(w))
		var y float64
		for i, v := range w {
			x[i] = math.Copysign(a, v)
			y += v * x[i]
		}
		s := statsOf(append([]float64{0, 0}, x...))
		b := k.bound(s)
		if y > b {
			t.Errorf("phase %d: value %.6g over the bound %.6g", p, y, b)
		}
		worst, bound = max(worst, y), max(bound, b)
		t.Logf("phase %d: value %.4g (Σ|w| %.3f), bound %.4g", p, y, y/a, b)
	}
	if db := audio.DB(bound / worst); db > 2 {
		t.Errorf("bound %.6g is %.1f dB over the worst value %.6g", bound, db, worst)
	}
}

// TestStatsKernel holds statsOf (its kernel where there is one) to the
// plain loop, at lengths around the kernel's step, with infinities.
func TestStatsKernel(t *testing.T) {
	t.Parallel()
	noise := audiotest.WhiteNoise(12, 1, 300, 0).Data[0]
	for n := 2; n < len(noise); n++ {
		for _, special := range []float64{0, math.Inf(1), -1e300} {
			x := make([]float64, n)
			for i := range x {
				x[i] = float64(noise[i])
			}
			x[n/2] += special
			var want inputStats
			for i := 2; i < n; i++ {
				want.x = max(want.x, math.Abs(x[i]))
				want.d1 = max(want.d1, math.Abs(x[i]-x[i-1]))
				want.d2 = max(want.d2, math.Abs(x[i-2]-2*x[i-1]+x[i]))
			}
			if got := statsOf(x); got != want {
				t.Fatalf("n=%d, %g added: %+v, want %+v", n, special, got, want)
			}
		}
	}
}
