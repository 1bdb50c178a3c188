package loudness

import (
	"fmt"
	"math"
	"testing"

	"stemmaster/audio"
	"stemmaster/dsp/fir"
	"stemmaster/internal/audiotest"
)

// faded returns a stereo sine of amplitude amp at freq with a starting phase
// (degrees) and 10 ms linear fades, as Tech 3341 cases 15–19 specify.
func faded(fs float64, sec, freq, phaseDeg, amp float64) *audio.Buffer {
	n := int(sec * fs)
	fade := int(0.01 * fs)
	b := audio.NewBuffer(2, n)
	for i := range n {
		env := min(1, float64(i)/float64(fade), float64(n-1-i)/float64(fade))
		v := float32(amp * env * math.Sin(2*math.Pi*freq*float64(i)/fs+phaseDeg*math.Pi/180))
		b.Data[0][i], b.Data[1][i] = v, v
	}
	return b
}

func TestTech3341TruePeak(t *testing.T) {
	t.Parallel()
	const fs = 48000
	cases := []struct {
		name string
		sig  *audio.Buffer
		want float64 // dBTP, the spec's expected value
	}{
		{"3341-15", faded(fs, 1, fs/4, 0, 0.5), -6},
		{"3341-16", faded(fs, 1, fs/4, 45, 0.5), -6},
		{"3341-17", faded(fs, 1, fs/6, 60, 0.5), -6},
		{"3341-18", faded(fs, 1, fs/8, 67.5, 0.5), -6},
		{"3341-19", faded(fs, 1, fs/4, 45, 1.41), 3},
	}
	for o := range 4 {
		cases = append(cases, struct {
			name string
			sig  *audio.Buffer
			want float64
		}{fmt.Sprintf("3341-%d", 20+o), burstAt4x(fs, o), 0})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Measure(c.sig, fs, Options{TruePeak: true})
			got := r.TruePeakDBTP
			if got > c.want+tolTPOver || got < c.want-tolTPUnder {
				t.Errorf("true peak = %.3f dBTP, want %.1f +%.1f/-%.1f", got, c.want, tolTPOver, tolTPUnder)
			}
			t.Logf("true peak %.3f dBTP (sample peak %.3f dBFS), want %.1f", got, r.SamplePeakDBFS, c.want)
		})
	}
}

// burstAt4x builds Tech 3341 cases 20–23: at 4·fs, an fs/6 sine at 0.50
// containing one period of fs/4 at 1.00; low-passed below fs/2 (a long
// Kaiser-windowed sinc, -6 dB at 0.475·fs, stop band from about 0.49·fs),
// scaled so that the continuous signal peaks at exactly 1.0 (0 dBTP), and
// decimated by 4 starting at offset samples.
func burstAt4x(fs float64, offset int) *audio.Buffer {
	const (
		up     = 4
		n4     = 4 * 9600 // 200 ms at 4·fs
		burstP = n4 / 2 / 24 * 24
		half   = 400
	)
	x := make([]float64, n4)
	for n := range x {
		switch {
		case n < burstP:
			x[n] = 0.5 * math.Sin(2*math.Pi*float64(n)/(6*up))
		case n < burstP+4*up:
			x[n] = math.Sin(2 * math.Pi * float64(n-burstP) / (4 * up))
		default:
			x[n] = 0.5 * math.Sin(2*math.Pi*float64(n-burstP-4*up)/(6*up))
		}
	}
	// Low-pass at 4·fs: cutoff 0.475·fs = 0.11875 of the 4·fs rate.
	const fc = 0.475 / up
	h := make([]float64, 2*half+1)
	win := fir.NewKaiser(9)
	for j := range h {
		tt := float64(j - half)
		h[j] = 2 * fc * fir.Sinc(2*fc*tt) * win.At(tt/half)
	}
	y := make([]float64, n4)
	for n := range y {
		var s float64
		for j, c := range h {
			if k := n + j - half; k >= 0 && k < n4 {
				s += c * x[k]
			}
		}
		y[n] = s
	}
	// Oracle: the continuous peak, from 64× sinc interpolation of the 4·fs
	// signal (band-limited far below its Nyquist, so this is accurate to
	// well under 0.001 dB) around its largest sample.
	top := 0
	for n := range y {
		if math.Abs(y[n]) > math.Abs(y[top]) {
			top = n
		}
	}
	peak := 0.0
	for s := -64 * 2; s <= 64*2; s++ {
		tt := float64(top) + float64(s)/64
		var v float64
		for k := max(0, int(tt)-300); k < min(n4, int(tt)+300); k++ {
			d := tt - float64(k)
			v += y[k] * fir.Sinc(d) * win.At(d/300)
		}
		peak = max(peak, math.Abs(v))
	}
	b := audio.NewBuffer(2, n4/up)
	for i := range n4 / up {
		k := i*up + offset
		var v float32
		if k < n4 {
			v = float32(y[k] / peak)
		}
		b.Data[0][i], b.Data[1][i] = v, v
	}
	return b
}

// TestTruePeakSkipIsExact compares the meter's true peak, which skips runs
// whose bound cannot raise the peak, with every interpolated point computed.
func TestTruePeakSkipIsExact(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		fs   float64
		sig  *audio.Buffer
	}{
		{"pink noise 48k", 48000, audiotest.PinkNoise(1, 2, 48000, -1)},
		{"white noise 44.1k", 44100, audiotest.WhiteNoise(2, 1, 44100, -3)},
		{"pink noise 96k", 96000, audiotest.PinkNoise(3, 2, 96000, -1)},
		{"sweep 48k", 48000, audiotest.LogSweep(48000, 1, 48000, 20, 23000, -0.5)},
		{"rising noise 48k", 48000, rising(audiotest.WhiteNoise(4, 1, 48000, 0))},
	}
	// Inter-sample overs at every position around a chunk boundary, where
	// the bookkeeping of the skip bound changes blocks.
	for at := tpChunk - 48; at < tpChunk+48; at++ {
		b := audiotest.WhiteNoise(uint64(at), 1, tpChunk+200, -40)
		for k, v := range []float32{0.5, 0.9, -0.9, 0.9, -0.5} {
			b.Data[0][at+k] = v
		}
		cases = append(cases, struct {
			name string
			fs   float64
			sig  *audio.Buffer
		}{fmt.Sprintf("over at %d", at), 48000, b})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Measure(c.sig, c.fs, Options{TruePeak: true})
			// The same fed in odd blocks: chunks end anywhere in a run.
			m := NewMeter(c.fs, c.sig.Channels(), Options{TruePeak: true})
			view := &audio.Buffer{Data: make([][]float32, c.sig.Channels())}
			for off, n := 0, c.sig.Frames(); off < n; off += 777 {
				for ch, x := range c.sig.Data {
					view.Data[ch] = x[off:min(off+777, n)]
				}
				m.Process(view)
			}
			odd := m.Result()
			ip := newInterpolator(OversamplingFactor(c.fs))
			for ch, x := range c.sig.Data {
				want := audio.DB(bruteTruePeak(ip, x))
				if got := r.ChannelTruePeakDBTP[ch]; got != want {
					t.Errorf("channel %d: true peak %.12f dBTP, every point computed gives %.12f", ch, got, want)
				}
				if got := odd.ChannelTruePeakDBTP[ch]; got != want {
					t.Errorf("channel %d, 777-frame blocks: true peak %.12f dBTP, every point computed gives %.12f", ch, got, want)
				}
			}
		})
	}
}

// rising fades x in over its whole length, so the peak found so far keeps
// rising and the skip bound is tested where it matters.
func rising(b *audio.Buffer) *audio.Buffer {
	for _, x := range b.Data {
		for i := range x {
			x[i] *= float32(i) / float32(len(x))
		}
	}
	return b
}

// bruteTruePeak interpolates every point of x (zero before and after).
func bruteTruePeak(ip *interpolator, x []float32) float64 {
	pad := make([]float64, len(x)+2*tpTaps)
	for i, v := range x {
		pad[tpTaps+i] = float64(v)
	}
	var peak float64
	for _, v := range pad {
		peak = max(peak, math.Abs(v))
	}
	for i := tpHalf - 1; i+tpHalf < len(pad); i++ {
		for p := range ip.phase {
			var a0, a1, a2, a3 float64
			c := &ip.phase[p]
			for j := 0; j < tpTaps; j += 4 {
				w := pad[i-tpHalf+1:]
				a0 += c[j] * w[j]
				a1 += c[j+1] * w[j+1]
				a2 += c[j+2] * w[j+2]
				a3 += c[j+3] * w[j+3]
			}
			peak = max(peak, math.Abs((a0+a1)+(a2+a3)))
		}
	}
	return peak
}

// TestTruePeakFrequencyResponse reads sines of known amplitude across the
// band at many phases (faded in and out, since a sine that starts abruptly
// overshoots its amplitude between samples), at BS.1770's oversampling
// and at 8× (Options.TruePeakOversampling). Sampling at 4× (2× at 96 kHz)
// itself misses the crest by up to 1-cos(π·f/(factor·fs)) — 0.43 dB at
// 0.4·fs, which the spec tolerates — so the reference is the largest value
// of the exact sine on the oversampled grid; the interpolator must match it
// within tolFilterDB up to 0.45·fs.
func TestTruePeakFrequencyResponse(t *testing.T) {
	t.Parallel()
	const tolFilterDB = 0.05
	for _, c := range []struct {
		fs   float64
		over int // Options.TruePeakOversampling
	}{{44100, 0}, {48000, 0}, {96000, 0}, {44100, 8}, {48000, 8}} {
		fs, factor := c.fs, c.over
		if factor == 0 {
			factor = OversamplingFactor(fs)
		}
		worst := 0.0
		for _, rel := range []float64{0.01, 0.1, 0.2, 0.25, 0.3, 0.35, 0.4, 0.42, 0.45} {
			for ph := 0.0; ph < 1; ph += 0.125 {
				f := rel * fs
				sig := faded(fs, 0.1, f, ph*360, 1)
				r := Measure(sig, fs, Options{TruePeak: true, TruePeakOversampling: c.over})
				grid := 0.0
				for n := int(0.02 * fs); n < int(0.08*fs); n++ {
					for k := range factor {
						tt := float64(n) + float64(k)/float64(factor)
						grid = max(grid, math.Abs(math.Sin(2*math.Pi*f*tt/fs+ph*2*math.Pi)))
					}
				}
				want := audio.DB(grid)
				d := r.TruePeakDBTP - want
				if math.Abs(d) > tolFilterDB {
					t.Errorf("fs %g: %g Hz sine at 0 dBFS, phase %.3f: true peak %.3f dBTP, exact sine on the %d× grid %.3f",
						fs, f, ph, r.TruePeakDBTP, factor, want)
				}
				if math.Abs(d) > math.Abs(worst) {
					worst = d
				}
			}
		}
		t.Logf("fs %g Hz: largest deviation from the exact %d× grid up to 0.45·fs: %+.4f dB", fs, factor, worst)
	}
}

// TestSecondDifferenceSplit checks the decomposition behind the smooth-signal
// skip bound: at every centre of white noise (the least smooth signal),
// every phase stays within
// max(|x[n]|, |x[n+1]|) + curve·max|D2| + rest·max|x| over its window.
func TestSecondDifferenceSplit(t *testing.T) {
	t.Parallel()
	for _, factor := range []int{2, 4} {
		ip := newInterpolator(factor)
		t.Logf("%d×: gain %.4f, curve %.4f, rest %.2e", factor, ip.gain, ip.curve, ip.rest)
		x := audiotest.WhiteNoise(9, 1, 4000, 0).Data[0]
		ws := make([]float64, len(x))
		for i, v := range x {
			ws[i] = float64(v)
		}
		for i := tpHalf - 1; i+tpHalf < len(ws); i++ {
			w := ws[i-tpHalf+1 : i+tpHalf+1]
			var m, d2 float64
			for k, v := range w {
				m = max(m, math.Abs(v))
				if k > 0 && k+1 < len(w) {
					d2 = max(d2, math.Abs(w[k-1]-2*w[k]+w[k+1]))
				}
			}
			b := max(math.Abs(ws[i]), math.Abs(ws[i+1])) + ip.curve*d2 + ip.rest*m
			tp := &truePeak{ip: ip}
			tp.interpolate(ws, i, i)
			if tp.peak > b {
				t.Fatalf("%d×, centre %d: interpolated %.9f above the bound %.9f", factor, i, tp.peak, b)
			}
		}
	}
}

// TestTruePeakLoadKernel checks the kernels that convert runs of frames and
// take their peaks, and that take the second differences' peak, against the
// plain loops of truePeak.process and secondDifferenceMax, bit for bit, on
// noise with NaN, infinities and negative zero in it.
func TestTruePeakLoadKernel(t *testing.T) {
	t.Parallel()
	if !peakAccelerated {
		t.Skip("no accelerated true-peak load on this machine")
	}
	x := audiotest.WhiteNoise(11, 1, 20*tpRun, -3).Data[0]
	for i, v := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.Copysign(0, -1)), -0.999} {
		x[i*37+5] = v
	}
	clear(x[16*tpRun : 17*tpRun]) // a silent run
	x[18*tpRun+3] = float32(math.NaN())
	ws := make([]float64, len(x))
	bmax := make([]float64, len(x)/tpRun)
	tpLoad(x, ws, bmax)
	for r := range bmax {
		var m float64
		for i, v := range x[r*tpRun : (r+1)*tpRun] {
			f := float64(v)
			if math.Float64bits(ws[r*tpRun+i]) != math.Float64bits(f) {
				t.Fatalf("frame %d: %v, want %v", r*tpRun+i, ws[r*tpRun+i], f)
			}
			m = max2(m, math.Abs(f))
		}
		if math.Float64bits(bmax[r]) != math.Float64bits(m) {
			t.Fatalf("run %d: peak %v, want %v", r, bmax[r], m)
		}
	}
	// The second differences' kernel, on every window of the same frames.
	for lo := 1; lo+tpRun < len(ws); lo++ {
		var d float64
		for k := lo; k < lo+tpRun; k++ {
			d = max2(d, math.Abs(ws[k-1]-2*ws[k]+ws[k+1]))
		}
		if got := d2Max((*[tpRun + 2]float64)(ws[lo-1 : lo+tpRun+1])); math.Float64bits(got) != math.Float64bits(d) {
			t.Fatalf("second differences from frame %d: %v, want %v", lo, got, d)
		}
	}
	// The same blocks in one call, from every start.
	for lo := 1; lo+tpRun < len(ws); lo++ {
		dmax := make([]float64, (len(ws)-lo-1)/tpRun)
		d2Blocks(ws[lo-1:], dmax)
		for i, got := range dmax {
			if want := d2Max((*[tpRun + 2]float64)(ws[lo-1+i*tpRun:])); math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("blocks from frame %d, block %d: %v, want %v", lo, i, got, want)
			}
		}
	}
}

// TestSecondDifferencesPerBlock holds the one-pass second differences of
// scan to secondDifferenceMax of each block, for workspaces of every
// length around a few runs (whole blocks, a partial last block, none).
func TestSecondDifferencesPerBlock(t *testing.T) {
	t.Parallel()
	x := audiotest.WhiteNoise(5, 1, 8*tpRun, -3).Data[0]
	for i := range x {
		x[i] *= float32(i%13) / 13 // a different largest difference in every block
	}
	for n := 1; n <= len(x); n++ {
		ws := make([]float64, n)
		for i := range ws {
			ws[i] = float64(x[i])
		}
		nb := max(0, (n-tpHalf-(tpHalf-1)+tpRun-1)/tpRun) + 2
		dmax := make([]float64, nb)
		secondDifferences(ws, dmax)
		for b, got := range dmax {
			if want := secondDifferenceMax(ws, b); math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("%d frames, block %d: %v, want %v", n, b, got, want)
			}
		}
	}
}
