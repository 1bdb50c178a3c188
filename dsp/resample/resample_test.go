package resample

import (
	"errors"
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"strconv"
	"testing"

	"stemmaster/audio"
	"stemmaster/internal/audiotest"
)

// convert runs src through a fresh converter in blocks of the given size
// (0: one block) and returns the whole output, Flush included.
func convert(t testing.TB, in, out int, src *audio.Buffer, block int) *audio.Buffer {
	t.Helper()
	rs, err := New(in, out, src.Channels())
	if err != nil {
		t.Fatal(err)
	}
	return run(rs, src, block)
}

func run(rs *Resampler, src *audio.Buffer, block int) *audio.Buffer {
	n := src.Frames()
	if block <= 0 {
		block = max(n, 1)
	}
	var parts []*audio.Buffer
	for off := 0; off < n; off += block {
		end := min(off+block, n)
		parts = append(parts, rs.Process(nil, audiotest.View(src, off, end)))
	}
	parts = append(parts, rs.Flush(nil))
	return audiotest.Concat(parts...)
}

func rms(y []float32) float64 {
	var s float64
	for _, v := range y {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s / float64(len(y)))
}

func TestNewRejectsBadInput(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name          string
		in, out, chns int
		rate          bool // a RateError, else a ChannelsError
	}{
		{"input too low", 7999, 44100, 2, true},
		{"output too high", 48000, 384001, 2, true},
		{"zero rate", 0, 48000, 1, true},
		{"no channels", 48000, 44100, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.in, tc.out, tc.chns)
			var re *RateError
			var ce *ChannelsError
			if tc.rate && !errors.As(err, &re) || !tc.rate && !errors.As(err, &ce) {
				t.Fatalf("New(%d, %d, %d) error = %v", tc.in, tc.out, tc.chns, err)
			}
		})
	}
}

func TestRatioReducedByGCD(t *testing.T) {
	t.Parallel()
	// Expected ratios: out/in divided by gcd(in, out), worked by hand.
	cases := []struct{ in, out, l, m int }{
		{48000, 44100, 147, 160},
		{44100, 48000, 160, 147},
		{96000, 44100, 147, 320},
		{44100, 88200, 2, 1},
		{192000, 48000, 1, 4},
		{11025, 384000, 5120, 147},
	}
	for _, tc := range cases {
		rs, err := New(tc.in, tc.out, 1)
		if err != nil {
			t.Fatal(err)
		}
		if l, m := int(rs.l), int(rs.m); l != tc.l || m != tc.m {
			t.Errorf("%d→%d: ratio %d/%d, want %d/%d", tc.in, tc.out, l, m, tc.l, tc.m)
		}
	}
}

// Every phase of the polyphase filter is a fractional-delay filter; its
// magnitude response over the passband is what a signal sees, so the ripple
// requirement (≤ 0.01 dB to 20 kHz) applies to each of them.
func TestPassbandRippleOfEveryPhase(t *testing.T) {
	t.Parallel()
	const tolDB = 0.01 // passband ripple ≤ 0.01 dB up to 20 kHz
	cases := []struct{ in, out int }{
		{48000, 44100}, {44100, 48000}, {96000, 44100}, {44100, 96000}, {88200, 48000}, {192000, 44100},
	}
	for _, tc := range cases {
		rs, err := New(tc.in, tc.out, 1)
		if err != nil {
			t.Fatal(err)
		}
		worst := 0.0
		k := rs.k
		step := max(1, int(rs.phases)/16) // 16 phases per ratio keeps the test quick
		for p := 0; p < int(rs.phases); p += step {
			row := rs.row(p)
			for f := 0.0; f <= 20000; f += 250 {
				w := -2 * math.Pi * f / float64(tc.in)
				var h complex128
				for j, c := range row {
					h += complex(c, 0) * cmplx.Exp(complex(0, w*float64(j)))
				}
				worst = max(worst, math.Abs(audio.DB(cmplx.Abs(h))))
			}
		}
		if worst > tolDB {
			t.Errorf("%d→%d: passband deviation %.4g dB > %g dB", tc.in, tc.out, worst, tolDB)
		}
		t.Logf("%d→%d: %d taps/phase, worst passband deviation %.2g dB", tc.in, tc.out, k, worst)
	}
}

// The prototype filter (all phases interleaved) is the continuous response
// a signal sees: from the lower Nyquist frequency up it must reject by
// 140 dB, so nothing aliases or images above −140 dB.
func TestStopbandOfPrototype(t *testing.T) {
	t.Parallel()
	const limitDB = -140.0
	cases := []struct{ in, out int }{{48000, 44100}, {44100, 48000}, {96000, 44100}, {88200, 96000}}
	for _, tc := range cases {
		rs, err := New(tc.in, tc.out, 1)
		if err != nil {
			t.Fatal(err)
		}
		stop := float64(min(tc.in, tc.out)) / 2
		var freqs []float64
		for f := stop; f < stop*1.1; f += stop / 1000 {
			freqs = append(freqs, f)
		}
		for f := stop * 1.1; f < 4*float64(tc.in); f += stop / 20 {
			freqs = append(freqs, f)
		}
		worst, at := math.Inf(-1), 0.0
		for _, f := range freqs {
			if db := audio.DB(prototypeGain(rs, f)); db > worst {
				worst, at = db, f
			}
		}
		t.Logf("%d→%d: worst stopband %.1f dB at %.0f Hz", tc.in, tc.out, worst, at)
		if worst > limitDB {
			t.Errorf("%d→%d: stopband %.1f dB at %.0f Hz, above %.0f dB", tc.in, tc.out, worst, at, limitDB)
		}
	}
}

// prototypeGain is |G(f)|, G the Fourier transform of the filter's impulse
// response sampled at 1/l of an input sample (the table rows interleaved),
// normalised so G(0) ≈ 1.
func prototypeGain(rs *Resampler, f float64) float64 {
	k := rs.k
	var re, im float64
	for p := range int(rs.phases) {
		row := rs.row(p)
		for j, c := range row {
			tt := float64(k/2-1-j) + float64(p)/float64(rs.phases)
			s, co := math.Sincos(2 * math.Pi * f / float64(rs.inRate) * tt)
			re += c * co
			im -= c * s
		}
	}
	return math.Hypot(re, im) / float64(rs.phases)
}

// Sines through the whole converter keep their level: the fitted amplitude
// of the output equals the input's to 0.01 dB (the ripple requirement).
func TestSineLevelThroughConverter(t *testing.T) {
	t.Parallel()
	const tolDB = 0.01
	for _, f := range []float64{40, 997, 5000, 12000, 18000, 20000} {
		in, out := 48000, 44100
		src := audiotest.Sine(float64(in), 1, in/4, f, -6, 0)
		y := convert(t, in, out, src, 0).Data[0]
		amp, _, _ := audiotest.FitSine(y, 2*math.Pi*f/float64(out), 2000, len(y)-2000)
		if d := audio.DB(amp) - -6; math.Abs(d) > tolDB {
			t.Errorf("%g Hz: level off by %.4f dB", f, d)
		}
	}
}

// A full-scale tone that the output rate cannot carry must vanish: what is
// left after removing the tone the output can carry (if any) is the alias
// and imaging residue, required below −140 dBFS.
func TestAliasAndImageRejection(t *testing.T) {
	t.Parallel()
	const limitDBFS = -140.0
	cases := []struct {
		name    string
		in, out int
		f       float64
		passes  bool // the tone itself lies below the output's Nyquist frequency
	}{
		{"23k at 48k→44.1k", 48000, 44100, 23000, false},
		{"30k at 96k→44.1k", 96000, 44100, 30000, false},
		{"22.3k at 48k→44.1k", 48000, 44100, 22300, false},
		{"40k at 192k→48k", 192000, 48000, 40000, false},
		{"21k at 44.1k→48k (image at 23.1k)", 44100, 48000, 21000, true},
		{"20k at 44.1k→96k (image at 24.1k)", 44100, 96000, 20000, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := audiotest.Sine(float64(tc.in), 1, tc.in/2, tc.f, 0, 0)
			y := convert(t, tc.in, tc.out, src, 0).Data[0]
			// Skip the filter's response to the tone's abrupt start and end.
			skip := 3000 * tc.out / 44100
			var resid float64
			if tc.passes {
				_, _, resid = audiotest.FitSine(y, 2*math.Pi*tc.f/float64(tc.out), skip, len(y)-skip)
			} else {
				resid = rms(y[skip : len(y)-skip])
			}
			// As a sine's peak level (RMS·√2), the stricter reading.
			level := audio.DB(resid * math.Sqrt2)
			t.Logf("residue %.1f dBFS", level)
			if level > limitDBFS {
				t.Errorf("residue %.1f dBFS above %.0f dBFS", level, limitDBFS)
			}
		})
	}
}

// THD+N of a 997 Hz sine: everything that is not the fitted sine, relative
// to it, must stay below −130 dB. Float32 input and output alone
// limit it near −150 dB.
func TestTHDPlusN997Hz(t *testing.T) {
	t.Parallel()
	const limitDB = -130.0
	cases := []struct{ in, out int }{{48000, 44100}, {44100, 48000}, {96000, 44100}, {44100, 192000}}
	for _, tc := range cases {
		src := audiotest.Sine(float64(tc.in), 1, tc.in/2, 997, -1, 0)
		y := convert(t, tc.in, tc.out, src, 0).Data[0]
		skip := tc.out / 10
		amp, _, resid := audiotest.FitSine(y, 2*math.Pi*997/float64(tc.out), skip, len(y)-skip)
		thdn := audio.DB(resid / (amp / math.Sqrt2))
		t.Logf("%d→%d: THD+N %.1f dB", tc.in, tc.out, thdn)
		if thdn > limitDB {
			t.Errorf("%d→%d: THD+N %.1f dB above %.0f dB", tc.in, tc.out, thdn, limitDB)
		}
	}
}

// The stream has exactly round(n·out/in) frames however it is cut in blocks.
func TestOutputLength(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	ratios := []struct{ in, out int }{
		{48000, 44100}, {44100, 48000}, {96000, 44100}, {8000, 384000}, {384000, 8000}, {44100, 44100}, {22050, 32000},
	}
	for _, r := range ratios {
		rs, err := New(r.in, r.out, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{0, 1, 2, 3, 7, 100, 147, 160, 4095, 4096, 4097, 9999, 48000} {
			rs.Reset()
			src := audiotest.WhiteNoise(uint64(n), 2, n, -6)
			got := run(rs, src, 1+rng.IntN(5000)).Frames()
			// Expected: round half up of n·out/in, in exact integer arithmetic.
			want := (2*int64(n)*int64(r.out) + int64(r.in)) / (2 * int64(r.in))
			if int64(got) != want || rs.OutputFrames(int64(n)) != want {
				t.Errorf("%d→%d, n=%d: %d frames (OutputFrames %d), want %d", r.in, r.out, n, got, rs.OutputFrames(int64(n)), want)
			}
		}
	}
}

// The filter delay is removed and the filter is linear phase: an impulse at
// input frame i (where i·out/in is whole) comes out centred on frame
// i·out/in, symmetric about it; a 100 Hz sine keeps its phase.
func TestTimeAlignment(t *testing.T) {
	t.Parallel()
	const symTol = 1e-6 // float32 output of a symmetric response
	const phaseTol = 1e-5
	cases := []struct{ in, out, at int }{
		{48000, 44100, 4800}, {44100, 48000, 4410}, {96000, 44100, 9600}, {44100, 88200, 1000}, {192000, 48000, 800},
	}
	for _, tc := range cases {
		src := audiotest.Impulse(1, tc.in/5, tc.at, 0)
		y := convert(t, tc.in, tc.out, src, 0).Data[0]
		want := tc.at * tc.out / tc.in // exact by choice of tc.at
		peak := 0
		for i := range y {
			if math.Abs(float64(y[i])) > math.Abs(float64(y[peak])) {
				peak = i
			}
		}
		if peak != want {
			t.Errorf("%d→%d: impulse at %d came out at %d, want %d", tc.in, tc.out, tc.at, peak, want)
		}
		for j := 1; j < 200; j++ {
			if d := math.Abs(float64(y[want-j] - y[want+j])); d > symTol {
				t.Errorf("%d→%d: response not symmetric at ±%d: %g", tc.in, tc.out, j, d)
				break
			}
		}

		const phase = 0.3
		s := audiotest.Sine(float64(tc.in), 1, tc.in/4, 100, -6, phase)
		ys := convert(t, tc.in, tc.out, s, 0).Data[0]
		_, ph, _ := audiotest.FitSine(ys, 2*math.Pi*100/float64(tc.out), tc.out/50, len(ys)-tc.out/50)
		if math.Abs(ph-phase) > phaseTol {
			t.Errorf("%d→%d: 100 Hz phase %.7f rad, want %.7f", tc.in, tc.out, ph, phase)
		}
	}
}

// Cutting the stream into random blocks changes nothing, bit for bit.
func TestStreamingEqualsOneShot(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	for _, r := range []struct{ in, out, ch int }{{48000, 44100, 2}, {44100, 96000, 1}, {96000, 44100, 3}} {
		src := audiotest.WhiteNoise(7, r.ch, 30000, -3)
		want := convert(t, r.in, r.out, src, 0)
		rs, _ := New(r.in, r.out, r.ch)
		var parts []*audio.Buffer
		for off := 0; off < src.Frames(); {
			end := min(off+1+rng.IntN(3000), src.Frames())
			parts = append(parts, rs.Process(nil, audiotest.View(src, off, end)).Clone())
			off = end
		}
		got := audiotest.Concat(append(parts, rs.Flush(nil))...)
		if got.Frames() != want.Frames() {
			t.Fatalf("%d→%d: %d frames streamed, %d one-shot", r.in, r.out, got.Frames(), want.Frames())
		}
		audiotest.SameSamples(t, got, want, fmt.Sprintf("%d→%d one-shot", r.in, r.out))
	}
}

// 44.1 k → 48 k → 44.1 k gives back a signal band-limited below 20 kHz to
// within −100 dB; the ends, where the test signal starts and stops
// abruptly (not band-limited), are left out.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	const limitDB = -100.0
	rng := rand.New(rand.NewPCG(5, 6))
	n := 44100
	src := audio.NewBuffer(1, n)
	for range 12 {
		f, ph := 20+rng.Float64()*18980, rng.Float64()*2*math.Pi
		for i := range src.Data[0] {
			src.Data[0][i] += float32(0.05 * math.Sin(2*math.Pi*f/44100*float64(i)+ph))
		}
	}
	mid := convert(t, 44100, 48000, src, 0)
	back := convert(t, 48000, 44100, mid, 0)
	if back.Frames() != n {
		t.Fatalf("round trip gave %d frames, want %d", back.Frames(), n)
	}
	var se, ss float64
	for i := 5000; i < n-5000; i++ {
		e := float64(back.Data[0][i] - src.Data[0][i])
		se += e * e
		ss += float64(src.Data[0][i]) * float64(src.Data[0][i])
	}
	d := 10 * math.Log10(se/ss)
	t.Logf("round-trip error %.1f dB", d)
	if d > limitDB {
		t.Errorf("round-trip error %.1f dB above %.0f dB", d, limitDB)
	}
}

// A ratio whose exact table would be too large (44100 → 44101: 44101
// phases) interpolates between table rows; it must still be clean.
func TestInterpolatedTable(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds a 16 MB table")
	}
	const limitDB = -130.0 // the THD+N requirement
	rs, err := New(44100, 44101, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !rs.interp {
		t.Fatal("expected the interpolated table for 44100 → 44101")
	}
	src := audiotest.Sine(44100, 1, 22050, 997, -1, 0)
	y := run(rs, src, 0).Data[0]
	amp, _, resid := audiotest.FitSine(y, 2*math.Pi*997/44101, 2000, len(y)-2000)
	thdn := audio.DB(resid / (amp / math.Sqrt2))
	t.Logf("THD+N %.1f dB", thdn)
	if thdn > limitDB {
		t.Errorf("THD+N %.1f dB above %.0f dB", thdn, limitDB)
	}

	// Imaging: a full-scale 21 kHz tone images at 44101 − 21000 Hz; what
	// is left besides the tone must stay below −140 dBFS, as for exact tables.
	const imageLimitDBFS = -140.0
	rs.Reset()
	src = audiotest.Sine(44100, 1, 22050, 21000, 0, 0)
	y = run(rs, src, 0).Data[0]
	_, _, resid = audiotest.FitSine(y, 2*math.Pi*21000/44101, 3000, len(y)-3000)
	level := audio.DB(resid * math.Sqrt2)
	t.Logf("image residue %.1f dBFS", level)
	if level > imageLimitDBFS {
		t.Errorf("image residue %.1f dBFS above %.0f dBFS", level, imageLimitDBFS)
	}
}

func TestProcessDoesNotAllocate(t *testing.T) {
	rs, _ := New(48000, 44100, 2)
	src := audiotest.WhiteNoise(1, 2, 512, -6)
	dst := audio.NewBuffer(2, 1024)
	allocs := testing.AllocsPerRun(100, func() { dst = rs.Process(dst, src) })
	if allocs != 0 {
		t.Errorf("Process allocates %.1f times per block", allocs)
	}
}

func BenchmarkResample(b *testing.B) {
	benchResample(b, func(b *testing.B, rs *Resampler, src, dst *audio.Buffer) {
		for b.Loop() {
			dst = rs.Process(dst, src)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*src.Frames()*2), "ns/sample/ch")
	})
}

// benchResample runs body for each conversion and block size of the
// resampler benchmarks, with a stereo resampler, a block of white noise and
// an output buffer that holds any block's output.
func benchResample(b *testing.B, body func(b *testing.B, rs *Resampler, src, dst *audio.Buffer)) {
	for _, r := range []struct {
		name    string
		in, out int
	}{{"48k-44.1k", 48000, 44100}, {"44.1k-48k", 44100, 48000}, {"96k-44.1k", 96000, 44100}} {
		for _, block := range []int{64, 512, 4096} {
			b.Run(r.name+"/block="+strconv.Itoa(block), func(b *testing.B) {
				rs, _ := New(r.in, r.out, 2)
				body(b, rs, audiotest.WhiteNoise(1, 2, block, -6), audio.NewBuffer(2, 2*block+64))
			})
		}
	}
}
