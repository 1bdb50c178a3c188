package loudness

import (
	"math"
	"testing"

	"stemmaster/audio"
	"stemmaster/internal/audiotest"
)

// TestKWeighting48k checks the derived coefficients against the 48 kHz table
// of ITU-R BS.1770-4 (Tables 1 and 2).
func TestKWeighting48k(t *testing.T) {
	t.Parallel()
	const tol = 1e-13 // the table gives 14 decimals
	shelf, hp := KWeighting(48000)
	cases := []struct {
		name      string
		got, want float64
	}{
		{"stage1 b0", shelf.B0, 1.53512485958697},
		{"stage1 b1", shelf.B1, -2.69169618940638},
		{"stage1 b2", shelf.B2, 1.19839281085285},
		{"stage1 a1", shelf.A1, -1.69065929318241},
		{"stage1 a2", shelf.A2, 0.73248077421585},
		{"stage2 b0", hp.B0, 1},
		{"stage2 b1", hp.B1, -2},
		{"stage2 b2", hp.B2, 1},
		{"stage2 a1", hp.A1, -1.99004745483398},
		{"stage2 a2", hp.A2, 0.99007225036621},
	}
	for _, c := range cases {
		if math.Abs(c.got-c.want) > tol {
			t.Errorf("%s = %.15f, want %.14f", c.name, c.got, c.want)
		}
	}
}

// TestKWeightingResponse checks that the response of the derived filter is
// the same analog curve at every rate: at frequencies well below Nyquist the
// bilinear transform's warping is small, so the gain must match the 48 kHz
// filter's (up to fs/20). The reference gains are the 48 kHz filter's own (whose
// coefficients are the standard's table, above); 1 kHz reads about +0.69 dB,
// which is why BS.1770 subtracts 0.691.
func TestKWeightingResponse(t *testing.T) {
	t.Parallel()
	const tolDB = 0.025
	rates := []float64{8000, 11025, 16000, 22050, 32000, 44100, 88200, 96000, 176400, 192000, 352800, 384000}
	ref := func(f float64) float64 {
		s, h := KWeighting(48000)
		return 20 * math.Log10(s.Magnitude(f, 48000)*h.Magnitude(f, 48000))
	}
	if g := ref(1000); math.Abs(g-0.691) > 0.01 {
		t.Fatalf("48 kHz K-weighting at 1 kHz = %.3f dB, want about +0.691", g)
	}
	for _, fs := range rates {
		s, h := KWeighting(fs)
		for _, f := range []float64{20, 38, 100, 500, 1000, 1500} {
			// Closer to Nyquist the bilinear transform warps the shelf
			// (documented at KWeighting), so compare only well below it.
			if f > fs/20 {
				continue
			}
			got := 20 * math.Log10(s.Magnitude(f, fs)*h.Magnitude(f, fs))
			if want := ref(f); math.Abs(got-want) > tolDB {
				t.Errorf("fs %g Hz: gain at %g Hz = %.4f dB, 48 kHz filter has %.4f dB", fs, f, got, want)
			}
		}
		// The shelf's plateau: +4 dB well above 1.7 kHz (where the rate allows).
		if fs >= 44100 {
			got := 20 * math.Log10(s.Magnitude(10000, fs)*h.Magnitude(10000, fs))
			if math.Abs(got-ref(10000)) > 0.1 {
				t.Errorf("fs %g Hz: gain at 10 kHz = %.3f dB, 48 kHz filter has %.3f dB", fs, got, ref(10000))
			}
		}
	}
}

// TestSubBlockGrid checks that the 10 ms grid is round(k·fs/100) and never
// drifts, also where 10 ms is not a whole number of frames.
func TestSubBlockGrid(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		rate float64
		k    int64
		want int64
	}{
		{"48k 1", 48000, 1, 480},
		{"44.1k 1", 44100, 1, 441},
		{"22.05k 1 (220.5 rounds up)", 22050, 1, 221},
		{"22.05k 2", 22050, 2, 441},
		{"22.05k 3 (661.5 rounds up)", 22050, 3, 662},
		{"11.025k 1 (110.25)", 11025, 1, 110},
		{"11.025k 1 hour", 11025, 360000, 39690000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := NewMeter(c.rate, 1, Options{})
			if got := m.frameAt(c.k); got != c.want {
				t.Errorf("frameAt(%d) = %d, want %d", c.k, got, c.want)
			}
		})
	}
}

// TestKWeightKernelExact checks that the meter with the two-channel
// K-weighting kernel gives, bit for bit, the filter state and sub-block
// sums of the plain Go loop, on noise with a long silence (the states
// decay and are flushed) fed in blocks of several lengths including 0 to 3.
func TestKWeightKernelExact(t *testing.T) {
	t.Parallel()
	if !kAccelerated {
		t.Skip("no accelerated K-weighting kernel on this machine")
	}
	for _, rate := range []float64{44100, 48000, 96000} {
		noise := audiotest.PinkNoise(3, 2, 40000, -6)
		for _, ch := range noise.Data {
			clear(ch[10000:30000])
		}
		fast := NewMeter(rate, 2, Options{Series: true})
		slow := NewMeter(rate, 2, Options{Series: true})
		slow.kwide = nil
		pos := 0
		for _, size := range []int{0, 1, 2, 3, 479, 480, 481, 4096, 20000, 30000} {
			size = min(size, noise.Frames()-pos)
			b := audio.NewBuffer(2, size)
			for c := range b.Data {
				copy(b.Data[c], noise.Data[c][pos:pos+size])
			}
			fast.Process(b)
			slow.Process(b)
			pos += size
			for c := range fast.filters {
				if fast.filters[c] != slow.filters[c] || math.Float64bits(fast.acc[c]) != math.Float64bits(slow.acc[c]) {
					t.Fatalf("%g Hz, after %d frames: channel %d: kernel %+v %v, Go %+v %v", rate, pos, c, fast.filters[c], fast.acc[c], slow.filters[c], slow.acc[c])
				}
			}
		}
		a, b := fast.Result(), slow.Result()
		if math.Float64bits(a.IntegratedLUFS) != math.Float64bits(b.IntegratedLUFS) || len(a.ShortTermLUFS) != len(b.ShortTermLUFS) {
			t.Fatalf("%g Hz: integrated %v, Go %v", rate, a.IntegratedLUFS, b.IntegratedLUFS)
		}
		for i := range a.MomentaryLUFS {
			if x, y := a.MomentaryLUFS[i], b.MomentaryLUFS[i]; math.Float64bits(x) != math.Float64bits(y) {
				t.Fatalf("%g Hz: momentary %d: %v, Go %v", rate, i, x, y)
			}
		}
	}
}

// TestPeakAbsKernel checks PeakAbs (the kernel on 32-sample runs, the loop
// on the rest) against the plain loop on noise with the peak at every
// position, on negative peaks, NaN, infinity and lengths 0 to 100.
func TestPeakAbsKernel(t *testing.T) {
	t.Parallel()
	plain := func(x []float32) uint32 {
		var p uint32
		for _, v := range x {
			p = max(p, math.Float32bits(v)&^(1<<31))
		}
		return p
	}
	noise := audiotest.WhiteNoise(4, 1, 100, -12).Data[0]
	for n := 0; n <= len(noise); n++ {
		for _, special := range []float32{0, 0.9, -0.95, float32(math.Inf(-1)), float32(math.NaN())} {
			x := append([]float32(nil), noise[:n]...)
			if n > 0 && special != 0 {
				x[(n*7+3)%n] = special
			}
			if got, want := math.Float32bits(PeakAbs(x)), plain(x); got != want {
				t.Fatalf("n=%d, special %v: PeakAbs bits %#x, loop %#x", n, special, got, want)
			}
		}
	}
}

// TestIntegratedOnly checks that a meter with Options.IntegratedOnly gives
// exactly the full meter's integrated loudness and momentary maximum, and
// NaN for what it leaves out.
func TestIntegratedOnly(t *testing.T) {
	t.Parallel()
	noise := audiotest.PinkNoise(9, 2, 48000*5, -20)
	full := NewMeter(48000, 2, Options{})
	lean := NewMeter(48000, 2, Options{IntegratedOnly: true})
	for pos := 0; pos < noise.Frames(); pos += 3000 {
		b := &audio.Buffer{Data: [][]float32{noise.Data[0][pos:min(pos+3000, noise.Frames())], noise.Data[1][pos:min(pos+3000, noise.Frames())]}}
		full.Process(b)
		lean.Process(b)
	}
	f, l := full.Result(), lean.Result()
	if math.Float64bits(f.IntegratedLUFS) != math.Float64bits(l.IntegratedLUFS) || f.MomentaryMaxLUFS != l.MomentaryMaxLUFS || math.IsNaN(f.IntegratedLUFS) {
		t.Errorf("integrated %v / momentary max %v, full meter %v / %v", l.IntegratedLUFS, l.MomentaryMaxLUFS, f.IntegratedLUFS, f.MomentaryMaxLUFS)
	}
	if !math.IsNaN(l.LoudnessRangeLU) || !math.IsNaN(l.ShortTermMaxLUFS) || !math.IsNaN(l.SamplePeakDBFS) || !math.IsNaN(l.ChannelSamplePeakDBFS[1]) || len(lean.shortTerm) != 0 {
		t.Errorf("range %v, short-term max %v, sample peak %v %v, %d short-term values kept: want NaN and none",
			l.LoudnessRangeLU, l.ShortTermMaxLUFS, l.SamplePeakDBFS, l.ChannelSamplePeakDBFS, len(lean.shortTerm))
	}
}

// TestStereoKWeightingBitExact runs EnergyPeak (the kernel where there is
// one) beside the meter's filter (kFilter.run) and peakEstimate, one
// channel at a time, over stretches of uneven lengths of frequency-modulated
// tones, silence decaying to subnormal numbers and a stretch holding NaN and
// infinity, and wants the same bits everywhere: sums, peaks and the state
// carried to the next stretch.
func TestStereoKWeightingBitExact(t *testing.T) {
	t.Parallel()
	const n = 48000
	xa, xb := make([]float32, n), make([]float32, n)
	for i := range xa {
		// Two tones frequency-modulated fast enough to fill the band.
		a, t := 0.2*(1+math.Sin(float64(i)/3000)), float64(i)
		xa[i] = float32(a * math.Sin(0.731*t+5*math.Sin(0.013*t)))
		xb[i] = float32(a * math.Sin(1.917*t+7*math.Sin(0.0071*t)))
	}
	clear(xa[20000:30000])
	clear(xb[20000:30000])
	xb[40000] = float32(math.NaN())
	xa[40100] = float32(math.Inf(1))
	same := func(x, y float64) bool {
		return math.Float64bits(x) == math.Float64bits(y) || math.IsNaN(x) && math.IsNaN(y)
	}
	for _, rate := range []float64{48000, 44100} {
		s := NewStereoKWeighting(rate)
		k := newKCoefs(rate)
		var f [2]kFilter
		var last [2][3]float64
		for off, seg := 0, 1; off < n; off, seg = off+seg, seg%97+1 {
			end := min(off+seg, n)
			ea, eb, pa, pb := s.EnergyPeak(xa[off:end], xb[off:end])
			got := [2][2]float64{{ea, pa}, {eb, pb}}
			for c, x := range [2][]float32{xa[off:end], xb[off:end]} {
				e := f[c].run(&k, x)
				p := peakEstimate(x, &last[c])
				if !same(got[c][0], e) || !same(got[c][1], p) {
					t.Fatalf("%g Hz, frame %d, channel %d: EnergyPeak %v, %v; run %v, %v", rate, off, c, got[c][0], got[c][1], e, p)
				}
				st := s.st
				want := [9]float64{f[c].x1, f[c].x2, f[c].y1, f[c].y2, f[c].o1, f[c].o2, last[c][0], last[c][1], last[c][2]}
				have := [9]float64{st[c], st[2+c], st[4+c], st[6+c], st[8+c], st[10+c], st[14+c], st[16+c], st[18+c]}
				for i := range want {
					if !same(have[i], want[i]) {
						t.Fatalf("%g Hz, frame %d, channel %d: state %v, want %v", rate, off, c, have, want)
					}
				}
			}
		}
	}
}
