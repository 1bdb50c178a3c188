package loudness

import (
	"math"
	"strings"
	"testing"

	"stemmaster/audio"
	"stemmaster/internal/audiotest"
)

// levelOf returns the loudness of a stereo 1 kHz tone at a per-channel peak
// level: its mean square, K-weighted by the 48 kHz filter's gain at 1 kHz,
// summed over two channels (BS.1770-4 eq. 2), worked out here rather than
// measured by the meter.
func levelOf(peakDBFS float64) float64 {
	s, h := KWeighting(48000)
	g := s.Magnitude(1000, 48000) * h.Magnitude(1000, 48000)
	ms := math.Pow(audio.Amplitude(peakDBFS)*g, 2) / 2
	return -0.691 + 10*math.Log10(2*ms)
}

// meanLevel is the loudness of the energy mean of equal-length segments.
func meanLevel(levels ...float64) float64 {
	var e float64
	for _, l := range levels {
		e += math.Pow(10, l/10)
	}
	return 10 * math.Log10(e/float64(len(levels)))
}

// TestGating follows ITU-R BS.2217's gating checks: content below the
// -70 LUFS absolute gate does not count (and alone has no integrated
// loudness), the relative gate drops what lies more than 10 LU under the
// level of the rest, and keeps what lies less. Expected values are worked
// out from the signal levels with levelOf/meanLevel.
func TestGating(t *testing.T) {
	t.Parallel()
	const fs = 48000
	cases := []struct {
		name string
		segs []audiotest.Segment
		want float64 // NaN: no integrated loudness
	}{
		{"all below -70 LUFS", []audiotest.Segment{tone(20, -75)}, math.NaN()},
		{"silence", []audiotest.Segment{quiet(20)}, math.NaN()},
		{"absolute gate drops -80", []audiotest.Segment{tone(20, -23), tone(20, -80)}, levelOf(-23)},
		{"absolute gate drops silence", []audiotest.Segment{quiet(10), tone(20, -23), quiet(10)}, levelOf(-23)},
		{"just above the absolute gate", []audiotest.Segment{tone(20, -68)}, levelOf(-68)},
		{"relative gate drops 13 LU below", []audiotest.Segment{tone(20, -23), tone(20, -36)}, levelOf(-23)},
		{"relative gate keeps 8 LU below", []audiotest.Segment{tone(20, -23), tone(20, -31)},
			meanLevel(levelOf(-23), levelOf(-31))},
		{"quiet programme, relative gate under -70", []audiotest.Segment{tone(20, -62), tone(20, -68)},
			meanLevel(levelOf(-62), levelOf(-68))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Measure(audiotest.Sequence(fs, 2, c.segs...), fs, Options{})
			if math.IsNaN(c.want) {
				if !math.IsNaN(r.IntegratedLUFS) {
					t.Errorf("integrated = %.3f LUFS, want undefined (NaN)", r.IntegratedLUFS)
				}
				return
			}
			if !near(r.IntegratedLUFS, c.want, tolLU) {
				t.Errorf("integrated = %.3f LUFS, want %.3f ± %.1f", r.IntegratedLUFS, c.want, tolLU)
			}
		})
	}
}

// TestEdgeCases checks that degenerate programmes give the defined results
// of the package documentation and never panic.
func TestEdgeCases(t *testing.T) {
	t.Parallel()
	const fs = 48000
	inf := math.Inf(-1)
	nan := math.NaN()
	square := audio.NewBuffer(2, fs*5)
	for c := range square.Data {
		for i := range square.Data[c] {
			square.Data[c][i] = 1
			if (i/24)%2 == 1 { // 1 kHz
				square.Data[c][i] = -1
			}
		}
	}
	dc := audio.NewBuffer(1, fs*5)
	for i := range dc.Data[0] {
		dc.Data[0][i] = 0.5
	}
	type want struct{ i, lra, tp, sp, m, s float64 } // NaN: undefined; 0 in tp: any finite ≥ sp
	cases := []struct {
		name string
		buf  *audio.Buffer
		want want
	}{
		{"no frames", audio.NewBuffer(2, 0), want{nan, nan, inf, inf, nan, nan}},
		{"one sample", audiotest.Impulse(2, 1, 0, -6), want{nan, nan, 0, -6, nan, nan}},
		{"100 ms tone", audiotest.Sequence(fs, 2, tone(0.1, -23)), want{nan, nan, 0, -23, nan, nan}},
		{"1 s silence", audiotest.Silence(2, fs), want{nan, nan, inf, inf, inf, nan}},
		{"5 s silence", audiotest.Silence(2, 5*fs), want{nan, nan, inf, inf, inf, inf}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Measure(c.buf, fs, Options{TruePeak: true, Series: true})
			check := func(what string, got, want float64) {
				t.Helper()
				switch {
				case math.IsNaN(want) && !math.IsNaN(got),
					math.IsInf(want, -1) && !math.IsInf(got, -1),
					!math.IsNaN(want) && !math.IsInf(want, 0) && want != 0 && !near(got, want, 0.01):
					t.Errorf("%s = %v, want %v", what, got, want)
				}
			}
			check("integrated", r.IntegratedLUFS, c.want.i)
			check("LRA", r.LoudnessRangeLU, c.want.lra)
			check("sample peak", r.SamplePeakDBFS, c.want.sp)
			check("max M", r.MomentaryMaxLUFS, c.want.m)
			check("max S", r.ShortTermMaxLUFS, c.want.s)
			if c.want.tp == 0 {
				if math.IsNaN(r.TruePeakDBTP) || r.TruePeakDBTP < r.SamplePeakDBFS {
					t.Errorf("true peak %v below sample peak %v", r.TruePeakDBTP, r.SamplePeakDBFS)
				}
			} else {
				check("true peak", r.TruePeakDBTP, c.want.tp)
			}
		})
	}
	t.Run("DC", func(t *testing.T) {
		// K-weighting blocks DC: only the onset passes, so the meter reads
		// a short transient and then silence; the peaks are the DC level.
		r := Measure(dc, fs, Options{TruePeak: true})
		if !near(r.SamplePeakDBFS, audio.DB(0.5), 1e-6) || r.TruePeakDBTP < r.SamplePeakDBFS {
			t.Errorf("sample peak %.3f, true peak %.3f, want %.3f and at least that", r.SamplePeakDBFS, r.TruePeakDBTP, audio.DB(0.5))
		}
		if !(r.ShortTermMaxLUFS < -40) {
			t.Errorf("max S = %.2f LUFS for DC, want far down", r.ShortTermMaxLUFS)
		}
	})
	t.Run("full-scale square", func(t *testing.T) {
		// A full-scale 1 kHz square overshoots between samples (its edges are
		// steps): the true peak is above 0 dBTP, the sample peak exactly 0.
		r := Measure(square, fs, Options{TruePeak: true})
		if r.SamplePeakDBFS != 0 || !(r.TruePeakDBTP > 0 && r.TruePeakDBTP < 3) {
			t.Errorf("sample peak %.3f dBFS, true peak %.3f dBTP, want 0 and a little above 0", r.SamplePeakDBFS, r.TruePeakDBTP)
		}
		// Its mean square is 1 per channel: about +3 LUFS plus K-weighting.
		if !(r.IntegratedLUFS > 2 && r.IntegratedLUFS < 6) {
			t.Errorf("integrated %.2f LUFS, want about +3…+5", r.IntegratedLUFS)
		}
	})
}

// TestBlockSizeIndependence feeds the same programme in blocks of different
// sizes: the result must not depend on how it is cut.
func TestBlockSizeIndependence(t *testing.T) {
	t.Parallel()
	const fs = 44100
	sig := audiotest.PinkNoise(5, 2, 7*fs+123, -2)
	ref := Measure(sig, fs, Options{TruePeak: true, Series: true})
	for _, block := range []int{1, 7, 441, 4096, 10000} {
		m := NewMeter(fs, 2, Options{TruePeak: true, Series: true})
		for off := 0; off < sig.Frames(); off += block {
			m.Process(audiotest.View(sig, off, min(off+block, sig.Frames())))
		}
		r := m.Result()
		const tol = 1e-9 // sums of squares are added in a different order
		if !near(r.IntegratedLUFS, ref.IntegratedLUFS, tol) || !near(r.LoudnessRangeLU, ref.LoudnessRangeLU, tol) ||
			!near(r.MomentaryMaxLUFS, ref.MomentaryMaxLUFS, tol) || r.TruePeakDBTP != ref.TruePeakDBTP ||
			len(r.MomentaryLUFS) != len(ref.MomentaryLUFS) {
			t.Errorf("block %d: %+v\nwhole: %+v", block, r, ref)
		}
	}
	if want := 7 * 100; len(ref.MomentaryLUFS) != want || len(ref.ShortTermLUFS) != want {
		t.Errorf("series lengths %d, %d, want %d (one per whole 10 ms)", len(ref.MomentaryLUFS), len(ref.ShortTermLUFS), want)
	}
}

// TestReset checks that a reset meter measures like a new one.
func TestReset(t *testing.T) {
	t.Parallel()
	const fs = 48000
	a := audiotest.PinkNoise(1, 2, 5*fs, -1)
	b := audiotest.Sequence(fs, 2, tone(5, -30))
	m := NewMeter(fs, 2, Options{TruePeak: true})
	m.Process(a)
	m.Reset()
	m.Process(b)
	got, want := m.Result(), Measure(b, fs, Options{TruePeak: true})
	if got.IntegratedLUFS != want.IntegratedLUFS || got.TruePeakDBTP != want.TruePeakDBTP || got.SamplePeakDBFS != want.SamplePeakDBFS {
		t.Errorf("after Reset: %+v, fresh meter: %+v", got, want)
	}
}

// TestFormats checks CheckFormat and the rates at the ends of the range.
func TestFormats(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		rate     float64
		channels int
		ok       bool
	}{
		{"8 kHz mono", 8000, 1, true},
		{"384 kHz 5.1", 384000, 6, true},
		{"7.1 weighs 1.0 each", 48000, 8, true},
		{"4 kHz", 4000, 2, false},
		{"768 kHz", 768000, 2, false},
		{"no channels", 48000, 0, false},
		{"NaN rate", math.NaN(), 2, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := CheckFormat(c.rate, c.channels)
			if (err == nil) != c.ok {
				t.Fatalf("CheckFormat(%g, %d) = %v, want ok %v", c.rate, c.channels, err, c.ok)
			}
			if !c.ok {
				return
			}
			// A -23 dBFS 1 kHz tone in L and R reads -23 LUFS at every rate.
			buf := audio.NewBuffer(c.channels, 0)
			tn := audiotest.Sequence(c.rate, 1, tone(5, -23)).Data[0]
			for ch := range buf.Data {
				buf.Data[ch] = make([]float32, len(tn))
			}
			copy(buf.Data[0], tn)
			if c.channels > 1 {
				copy(buf.Data[1], tn)
			}
			r := Measure(buf, c.rate, Options{TruePeak: true})
			want := -23.0
			if c.channels == 1 {
				want = -23 - 10*math.Log10(2) // one channel of the pair
			}
			tolRate := tolLU
			if c.rate < 16000 {
				tolRate = 0.25 // bilinear warping of the shelf (see KWeighting)
			}
			if !near(r.IntegratedLUFS, want, tolRate) {
				t.Errorf("integrated = %.3f LUFS, want %.2f ± %.2f", r.IntegratedLUFS, want, tolRate)
			}
		})
	}
}

// TestProcessAllocations checks that Process does not allocate per block:
// the only allocations are the amortised growth of the gating-block and
// short-term lists (8 bytes per 100 ms and per 10 ms).
func TestProcessAllocations(t *testing.T) {
	const fs = 48000
	sig := audiotest.PinkNoise(3, 2, 4096, -3)
	m := NewMeter(fs, 2, Options{TruePeak: true})
	m.Process(sig)
	allocs := testing.AllocsPerRun(1000, func() { m.Process(sig) })
	if allocs > 0.05 {
		t.Errorf("%.3f allocations per 4096-frame block, want amortised growth only (< 0.05)", allocs)
	}
}

// TestNonFiniteSamples: NaN or infinite samples (a damaged float file) must
// not panic; the figures they poison are NaN, which prints as null.
func TestNonFiniteSamples(t *testing.T) {
	t.Parallel()
	const fs = 48000
	for _, v := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
		sig := audiotest.PinkNoise(3, 2, 5*fs, -3)
		sig.Data[1][fs] = v
		r := Measure(sig, fs, Options{TruePeak: true, Series: true})
		if !math.IsNaN(r.IntegratedLUFS) && !math.IsInf(r.SamplePeakDBFS, 1) {
			t.Errorf("sample %v: integrated %v, sample peak %v; want the damage to show", v, r.IntegratedLUFS, r.SamplePeakDBFS)
		}
	}
}

// TestFormatErrorRate: the refused rate reads as people write it.
func TestFormatErrorRate(t *testing.T) {
	t.Parallel()
	for rate, want := range map[float64]string{1048575: "1048575 Hz", 1000.5: "1000.5 Hz", 4e14: "400000000000000 Hz", 1e300: "1e+300 Hz"} {
		msg := (&FormatError{SampleRate: rate, Channels: 2}).Error()
		if !strings.Contains(msg, "rate of "+want) {
			t.Errorf("%g: %q does not say %q", rate, msg, want)
		}
	}
}

// TestExtremes holds Extremes (its kernel where there is one) to the
// builtin min and max, bit for bit (−0 below +0), at lengths around the
// kernel's step, with zeros of both signs, infinities, denormals and a
// NaN (ok false) at every position of a short block.
func TestExtremes(t *testing.T) {
	t.Parallel()
	noise := audiotest.WhiteNoise(9, 1, 100, -6).Data[0]
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	negZero := float32(math.Copysign(0, -1))
	for n := 0; n <= len(noise); n++ {
		for _, special := range []float32{0, negZero, inf, -inf, 1e-45, -1e-45, nan, 2, -2} {
			for _, at := range []int{0, n / 2, n - 1} {
				if at < 0 || at >= n && n > 0 {
					continue
				}
				x := append([]float32(nil), noise[:n]...)
				if n > 0 {
					x[at] = special
				}
				lo, hi, ok := Extremes(x)
				wlo, whi := float32(math.Inf(1)), float32(math.Inf(-1))
				hasNaN := false
				for _, v := range x {
					wlo, whi = min(wlo, v), max(whi, v)
					hasNaN = hasNaN || v != v
				}
				if ok != (n > 0 && !hasNaN) {
					t.Fatalf("n=%d, %v at %d: ok %v", n, special, at, ok)
				}
				if ok && (math.Float32bits(lo) != math.Float32bits(wlo) || math.Float32bits(hi) != math.Float32bits(whi)) {
					t.Fatalf("n=%d, %v at %d: %v %v, want %v %v", n, special, at, lo, hi, wlo, whi)
				}
			}
		}
	}
	// All zeros of mixed signs: −0 is the smallest.
	x := make([]float32, 40)
	x[17] = negZero
	if lo, hi, _ := Extremes(x); math.Float32bits(lo) != math.Float32bits(negZero) || math.Float32bits(hi) != 0 {
		t.Fatalf("zeros: %v %v, want −0 +0", lo, hi)
	}
}

// GatedLoudnessWhere gates the first blocks as GatedLoudness does and
// averages the other's over the blocks that pass: a silent block and one
// under the relative gate (10 LU under the mean of those above −70 LUFS)
// are not where the part plays; an index past the other's end is silence;
// no block passing is NaN for both. Blocks is what the meter gates.
func TestGatedLoudnessWhere(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name          string
		blocks, other []float64
		own, over     float64 // mean squares; NaN: undefined
	}{
		{"gated twice", []float64{0, 1e-2, 1e-2, 1e-4}, []float64{5e-3, 2e-2, 4e-2, 1}, 1e-2, 3e-2},
		{"the other shorter", []float64{1e-2, 1e-2}, []float64{4e-2}, 1e-2, 2e-2},
		{"silent", []float64{0, 0}, []float64{1, 1}, math.NaN(), math.NaN()},
	} {
		own, over := GatedLoudnessWhere(tc.blocks, tc.other)
		for _, v := range [][2]float64{{own, tc.own}, {over, tc.over}} {
			if want := LUFS(v[1]); math.IsNaN(want) != math.IsNaN(v[0]) || math.Abs(v[0]-want) > 1e-12 {
				t.Errorf("%s: %.4f, %.4f LUFS; want %.4f, %.4f", tc.name, own, over, LUFS(tc.own), LUFS(tc.over))
			}
		}
		if own != GatedLoudness(tc.blocks) && !math.IsNaN(own) {
			t.Errorf("%s: %.4f LUFS, GatedLoudness %.4f", tc.name, own, GatedLoudness(tc.blocks))
		}
	}
	m := NewMeter(48000, 2, Options{IntegratedOnly: true})
	m.Process(audiotest.PinkNoise(1, 2, 48000, -20))
	if b := m.Blocks(); len(b) != 7 || GatedLoudness(b) != m.Result().IntegratedLUFS {
		t.Errorf("1 s: %d blocks gating to %.3f LUFS, want 7 (400 ms, then every 100 ms) gating to the meter's %.3f", len(b), GatedLoudness(b), m.Result().IntegratedLUFS)
	}
}
