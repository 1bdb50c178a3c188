package check

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/audio"
)

// TestLevelStatsClips counts full-scale runs, float overs and the peak of
// blocks built to hold them, in integer and float stems, mono and stereo.
func TestLevelStatsClips(t *testing.T) {
	t.Parallel()
	const n = 64
	full24 := float32((1<<23 - 1) / float64(1<<23))
	cases := []struct {
		name      string
		format    audio.Format
		fill      func(c, i int) float32
		runs, ovr int
		peak      float64
	}{
		{"quiet", pcm24(48000, 2), func(c, i int) float32 { return 0.25 }, 0, 0, 0.25},
		// −clipLevel reaches the peak test but is no clip.
		{"negative code", pcm24(48000, 2), func(c, i int) float32 { return -full24 }, 0, 0, float64(full24)},
		{"positive run", pcm24(48000, 1), func(c, i int) float32 {
			if i >= 10 && i < 10+ClipRunSamples {
				return full24
			}
			return 0.1
		}, 1, 0, float64(full24)},
		{"negative runs", pcm24(48000, 2), func(c, i int) float32 {
			if i >= 40 && i < 40+ClipRunSamples+2 {
				return -1
			}
			return 0.1
		}, 2, 0, 1},
		{"float over", audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 32, SampleFormat: audio.Float}, func(c, i int) float32 {
			if c == 1 && i < 5 {
				return -1.5
			}
			return 0.5
		}, 0, 5, 1.5},
		{"float flat", audio.Format{SampleRate: 48000, Channels: 1, BitDepth: 32, SampleFormat: audio.Float}, func(c, i int) float32 {
			if i < ClipRunSamples {
				return 1
			}
			return 0.5
		}, 1, 0, 1},
	}
	for _, tc := range cases {
		b := audio.NewBuffer(tc.format.Channels, n)
		for c := range b.Data {
			for i := range b.Data[c] {
				b.Data[c][i] = tc.fill(c, i)
			}
		}
		s := newLevelStats(tc.format)
		s.add(b, n)
		if s.clipRuns != tc.runs || s.floatOver != tc.ovr || s.peak != tc.peak {
			t.Errorf("%s: runs %d, overs %d, peak %v; want %d, %d, %v", tc.name, s.clipRuns, s.floatOver, s.peak, tc.runs, tc.ovr, tc.peak)
		}
	}
}

// TestLevelStatsNaN: a float block holding NaN has a NaN peak, and its
// other samples are still counted.
func TestLevelStatsNaN(t *testing.T) {
	t.Parallel()
	b := audio.NewBuffer(1, 8)
	copy(b.Data[0], []float32{0.1, float32(math.NaN()), 1.5, 1, 0, -2, 0, 0})
	s := newLevelStats(audio.Format{SampleRate: 48000, Channels: 1, BitDepth: 32, SampleFormat: audio.Float})
	s.add(b, 8)
	if !math.IsNaN(s.peak) || s.floatOver != 2 {
		t.Errorf("peak %v, overs %d; want NaN, 2", s.peak, s.floatOver)
	}
}

// TestStereoSumsBitExact pins the fused stereo sums to the plain ones:
// the kernel (where there is one) to stereoLanesGo bit for bit, and each
// channel's sums to channelSums, for even and odd lengths.
func TestStereoSumsBitExact(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 3, 7, 64, 4095, 4096} {
		l, r := make([]float32, n), make([]float32, n)
		for i := range l {
			l[i] = float32(rng.NormFloat64() * 0.3)
			r[i] = float32(rng.NormFloat64()*0.3 + 0.01)
		}
		k := n &^ 1
		var got, want [5][2]float64
		stereoLanes(l[:k], r[:k], &got)
		stereoLanesGo(l[:k], r[:k], &want)
		if got != want {
			t.Errorf("n=%d: stereoLanes %v, stereoLanesGo %v", n, got, want)
		}
		// Two blocks at once: each the bits of its sums alone.
		l1, r1 := make([]float32, n), make([]float32, n)
		for i := range l1 {
			l1[i] = float32(rng.NormFloat64() * 0.01)
			r1[i] = -l1[i] + float32(rng.NormFloat64()*1e-4)
		}
		var got2 [2][5][2]float64
		got2[1][2][1] = 0.5 // the lanes are added to, not set
		want1 := [5][2]float64{2: {0, 0.5}}
		stereoLanesGo(l1[:k], r1[:k], &want1)
		stereoLanes2(l[:k], r[:k], l1[:k], r1[:k], &got2)
		if got2[0] != want || got2[1] != want1 {
			t.Errorf("n=%d: stereoLanes2 %v, stereoLanesGo %v %v", n, got2, want, want1)
		}
		if a, b := stereoSums2(l, r, l1, r1); a != stereoSums(l, r) || b != stereoSums(l1, r1) {
			t.Errorf("n=%d: stereoSums2 %v %v, stereoSums %v %v", n, a, b, stereoSums(l, r), stereoSums(l1, r1))
		}
		st := stereoSums(l, r)
		sl, el := channelSums(l)
		sr, er := channelSums(r)
		var d0, d1 float64
		for i, a := range l {
			d := float64(a) - float64(r[i])
			if i%2 == 1 && i < k {
				d1 += float64(d * d)
			} else {
				d0 += float64(d * d)
			}
		}
		if want := [5]float64{sl, el, sr, er, d0 + d1}; st != want {
			t.Errorf("n=%d: stereoSums %v, per channel %v", n, st, want)
		}
	}
}

// TestExtremeScanIsAdd: extreme.scan gives the state add of each sample
// does, block after block, for both signs: blocks quantised to a few
// levels so that samples sit exactly at the extreme in runs, entered
// sharply and smoothly, with NaN and ±0 among them and blocks of one
// sample. The counts reach every branch (checked below).
func TestExtremeScanIsAdd(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 11))
	levels := []float32{-1, -0.75, -0.5, -0.25, float32(math.Copysign(0, -1)), 0, 0.25, 0.5, 0.74, 0.75, 1, float32(math.NaN())}
	for trial := range 200 {
		for _, sign := range []float32{1, -1} {
			var scanned, added extreme
			top := 4 + rng.IntN(len(levels)-4) // levels this trial uses: the extreme moves up in steps
			for range 20 {
				ch := make([]float32, 1+rng.IntN(64))
				for i := range ch {
					ch[i] = levels[rng.IntN(top)]
					if i > 0 && rng.IntN(3) == 0 {
						ch[i] = ch[i-1] // runs
					}
				}
				scanned.scan(ch, sign)
				for _, v := range ch {
					added.add(sign * v)
				}
				if !sameExtreme(scanned, added) {
					t.Fatalf("trial %d, sign %v: scan %+v, add %+v", trial, sign, scanned, added)
				}
			}
			if trial == 0 && sign == 1 && (added.runs == 0 || added.n < 2) {
				t.Fatalf("the blocks reach no run at the extreme: %+v", added)
			}
		}
	}
}

// sameExtreme compares two extremes, a NaN prev or entry equal to NaN.
func sameExtreme(a, b extreme) bool {
	same := func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) || x != x && y != y }
	return a.v == b.v && a.n == b.n && a.inRuns == b.inRuns && a.runs == b.runs && a.sharp == b.sharp &&
		a.run == b.run && same(a.prev, b.prev) && same(a.entry, b.entry)
}

// BenchmarkExtremeScan: both sides of a channel's block of a steady tone,
// every block of which reaches the extremes (the level stats' worst case).
func BenchmarkExtremeScan(b *testing.B) {
	ch := make([]float32, 4096)
	for i := range ch {
		ch[i] = float32(0.5 * math.Sin(2*math.Pi*float64(i)*441/48000))
	}
	var hi, lo extreme
	b.SetBytes(int64(4 * len(ch)))
	for b.Loop() {
		hi.scan(ch, 1)
		lo.scan(ch, -1)
	}
}

// TestNoStemTruePeakSamePeaks: without the stems' true peaks the stem
// meters measure the integrated loudness only and the sample peak comes
// from levelStats; every stem's figures but its true peak are the same
// bits as the full check's, for integer and float stems, mono and stereo.
func TestNoStemTruePeakSamePeaks(t *testing.T) {
	t.Parallel()
	const rate = 48000
	names, stems := song(rate, 3, 7)
	var files []stemFile
	for i, s := range stems {
		f := pcm24(rate, s.Channels())
		if i == 1 {
			f = audio.Format{SampleRate: rate, Channels: s.Channels(), BitDepth: 32, SampleFormat: audio.Float}
		}
		files = append(files, stemFile{name: names[i] + ".wav", buf: s, format: f})
	}
	paths := writeFiles(t, t.TempDir(), files)
	full, err := Run(context.Background(), FileSources(paths), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	lean, err := Run(context.Background(), FileSources(paths), nil, Options{NoStemTruePeak: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range full.Stems {
		a, b := full.Stems[i], lean.Stems[i]
		if math.Float64bits(float64(a.SamplePeakDBFS)) != math.Float64bits(float64(b.SamplePeakDBFS)) ||
			math.Float64bits(float64(a.IntegratedLUFS)) != math.Float64bits(float64(b.IntegratedLUFS)) {
			t.Errorf("%s: sample peak %v, integrated %v; full check %v, %v", a.File, b.SamplePeakDBFS, b.IntegratedLUFS, a.SamplePeakDBFS, a.IntegratedLUFS)
		}
		if !math.IsNaN(float64(b.TruePeakDBTP)) {
			t.Errorf("%s: true peak %v without true peaks", a.File, b.TruePeakDBTP)
		}
	}
}

// TestIsolatedClips: a stem pushed into the ceiling by a gain (as sox's
// "vol +9dB" does) holds full-scale samples one or two at a time, no run
// of ClipRunSamples, and is still reported as clipping; clean material
// that reaches full scale once, or a limiter's ceiling below it, is not.
func TestIsolatedClips(t *testing.T) {
	t.Parallel()
	const rate, seconds = 48000, 10
	top := float32((1<<23 - 1) / float64(1<<23))
	// Noise with a drum's crest factor: independent samples, so a gain
	// that clips a few hundred of them leaves no run of three.
	rng := rand.New(rand.NewPCG(7, 11))
	noise := audio.NewBuffer(2, rate*seconds)
	for c := range noise.Data {
		for i := range noise.Data[c] {
			noise.Data[c][i] = float32(0.1 * rng.NormFloat64())
		}
	}
	peak := 0.0
	for _, ch := range noise.Data {
		for _, v := range ch {
			peak = max(peak, math.Abs(float64(v)))
		}
	}
	// render scales the noise by g, clips it at ±ceiling (the positive
	// side at most the top 24-bit code) and quantises it to 24 bits.
	render := func(g, ceiling float64) (*audio.Buffer, int) {
		b := noise.Clone()
		hi := min(float32(ceiling), top)
		at := 0
		for _, ch := range b.Data {
			for i, v := range ch {
				q := float32(math.Round(float64(v)*g*(1<<23)) / (1 << 23))
				q = min(max(q, -float32(ceiling)), hi)
				if q >= top || q <= -1 {
					at++
				}
				ch[i] = q
			}
		}
		return b, at
	}
	cases := []struct {
		name    string
		g, ceil float64
		clipped bool
	}{
		// 1/peak puts the loudest sample exactly at full scale.
		{"normalised to full scale", 1 / peak, 1, false},
		{"limited at -0.1 dBFS", 0.99 / peak * math.Pow(10, 3.0/20), math.Pow(10, -0.1/20), false},
		{"pushed +3 dB into the ceiling", 1 / peak * math.Pow(10, 3.0/20), 1, true},
	}
	for _, tc := range cases {
		b, at := render(tc.g, tc.ceil)
		st := newLevelStats(pcm24(rate, 2))
		st.add(b, b.Frames())
		if tc.clipped && (st.clipRuns != 0 || at < 2*ClipSamplesMin) {
			t.Fatalf("%s: %d runs, %d full-scale samples: the case does not build isolated clips", tc.name, st.clipRuns, at)
		}
		if st.fullScale != int64(at) {
			t.Errorf("%s: %d full-scale samples counted, %d put in", tc.name, st.fullScale, at)
		}
		rep := run(t, []Source{memSource("drums.wav", b, pcm24(rate, 2))}, nil)
		var got []stemmaster.Finding
		for _, f := range rep.Findings {
			if f.Code == stemmaster.CodeClipping {
				got = append(got, f)
			}
		}
		switch {
		case !tc.clipped && len(got) > 0:
			t.Errorf("%s (%d full-scale samples): clipping reported: %s", tc.name, at, got[0].Message)
		case tc.clipped && (len(got) != 1 || got[0].Value == nil || *got[0].Value != float64(at)):
			t.Errorf("%s: want one clipping finding of %d samples, got %v", tc.name, at, describe(got))
		}
	}
}

// TestClippedThenTurnedDown: a stem clipped and then turned down keeps its
// flattened peaks, all at one level under full scale, several of them
// wider than a sample, as does a clipper well under the peak, however many
// samples it flattens; a hard limiter's ceiling, met by single samples, a
// look-ahead limiter's, a steady tone, whose crest repeats every period, a
// square wave (raw or filtered) and a DC switched on and off are no clip.
func TestClippedThenTurnedDown(t *testing.T) {
	t.Parallel()
	const rate, seconds = 48000, 10
	q24 := func(v float64) float32 { return float32(math.Round(v*(1<<23)) / (1 << 23)) }
	// Smooth noise (a moving average of eight samples), so a clip holds
	// the ceiling over neighbouring samples as music's waveforms do.
	rng := rand.New(rand.NewPCG(3, 5))
	smooth := make([][]float64, 2)
	peak := 0.0
	for c := range smooth {
		smooth[c] = make([]float64, rate*seconds)
		var win [8]float64
		var sum float64
		for i := range smooth[c] {
			v := 0.1 * rng.NormFloat64()
			sum += v - win[i%8]
			win[i%8] = v
			smooth[c][i] = sum / 8
			peak = max(peak, math.Abs(sum/8))
		}
	}
	build := func(f func(c, i int) float32) *audio.Buffer {
		b := audio.NewBuffer(2, rate*seconds)
		for c := range b.Data {
			for i := range b.Data[c] {
				b.Data[c][i] = f(c, i)
			}
		}
		return b
	}
	clipDown := func(db float64) *audio.Buffer {
		g, ceil := math.Pow(10, db/20)/peak, math.Pow(10, -db/20)
		return build(func(c, i int) float32 { return q24(min(max(smooth[c][i]*g, -1), 1) * ceil) })
	}
	// A limiter's output: bursts of a 1 kHz tone whose crests it holds at
	// exactly -1 dBFS, one sample each (the crest falls on a sample).
	ceil := math.Pow(10, -1.0/20)
	limited := build(func(c, i int) float32 {
		burst := i / (rate / 4)
		a := ceil
		if burst%3 != 0 {
			a *= 0.5 + 0.1*float64(burst%5)
		}
		return q24(a * math.Sin(2*math.Pi*1000*float64(i)/rate))
	})
	tone := build(func(c, i int) float32 { return q24(0.5 * math.Sin(2*math.Pi*1000*float64(i)/rate)) })
	// A clipper 10 dB under the stem's peak, nothing turned down after:
	// the flat tops are 10 % of its samples and more.
	clipDeep := build(func(c, i int) float32 {
		ceil := math.Pow(10, -10.0/20)
		return q24(min(max(smooth[c][i]/peak, -ceil), ceil))
	})
	// A square-wave synth, notes of 0.25 s at two levels and a rest: its
	// flat half-periods start with a jump from the other side or silence.
	square := func(i int) float64 {
		note := i / (rate / 4)
		if note%4 == 3 {
			return 0
		}
		a := 0.5
		if note%2 == 1 {
			a = 0.3
		}
		if (i/(rate/220))%2 == 1 {
			a = -a
		}
		return a
	}
	naive := build(func(c, i int) float32 { return q24(square(i)) })
	// The same square through a one-pole low-pass at 2 kHz: its tops
	// settle on the top code.
	filtered := audio.NewBuffer(2, rate*seconds)
	for c := range filtered.Data {
		a, y := 1-math.Exp(-2*math.Pi*2000/rate), 0.0
		for i := range filtered.Data[c] {
			y += a * (square(i) - y)
			filtered.Data[c][i] = q24(y)
		}
	}
	// Quiet music (the smooth noise 30 dB down), digital silence, and a DC
	// of −12 dBFS switched on and off over the last 4 s.
	dc := build(func(c, i int) float32 {
		switch t := i * 4 / rate; {
		case t < 20:
			return q24(smooth[c][i] / peak * 0.03)
		case t < 24:
			return 0
		case t%2 == 0:
			return q24(0.25)
		}
		return 0
	})
	// A master-style look-ahead limiter driven 10 dB into a −1 dBFS
	// ceiling: the gain each sample needs, its minimum over ±16 samples
	// (the look-ahead and hold) and that averaged over 33 samples, so it
	// never exceeds the need and moves smoothly.
	lim := audio.NewBuffer(2, rate*seconds)
	for c := range lim.Data {
		drive := math.Pow(10, 10.0/20) / peak
		x := make([]float64, len(smooth[c]))
		need := make([]float64, len(x))
		for i, v := range smooth[c] {
			x[i] = v * drive
			need[i] = min(1, ceil/math.Abs(x[i]))
		}
		held := make([]float64, len(x))
		for i := range held {
			held[i] = 1
			for j := max(0, i-16); j <= min(len(x)-1, i+16); j++ {
				held[i] = min(held[i], need[j])
			}
		}
		for i := range x {
			var g float64
			for j := i - 16; j <= i+16; j++ {
				g += held[min(max(j, 0), len(x)-1)]
			}
			lim.Data[c][i] = q24(x[i] * g / 33)
		}
	}
	for _, tc := range []struct {
		name string
		b    *audio.Buffer
		want string // "" for no clipping finding
	}{
		{"clipped +4.5 dB, then down 4.5 dB", clipDown(4.5), "peaks flattened under full scale: "},
		{"clipped +3 dB, then down 3 dB", clipDown(3), "sit at exactly -3.0 dBFS, its peak"},
		{"limited at -1 dBFS", limited, ""},
		{"a steady tone at -6 dBFS", tone, ""},
		{"a clipper 10 dB under the peak", clipDeep, "sit at exactly -10.0 dBFS, its peak"},
		{"a square-wave synth", naive, ""},
		{"a square-wave synth through a low-pass", filtered, ""},
		{"quiet music, digital silence and a DC switched on and off", dc, ""},
		{"a look-ahead limiter 10 dB into -1 dBFS", lim, ""},
	} {
		rep := run(t, []Source{memSource("drums.wav", tc.b, pcm24(rate, 2))}, nil)
		var got []stemmaster.Finding
		for _, f := range rep.Findings {
			if f.Code == stemmaster.CodeClipping {
				got = append(got, f)
			}
		}
		switch {
		case tc.want == "" && len(got) > 0:
			t.Errorf("%s: clipping reported: %s", tc.name, got[0].Message)
		case tc.want != "" && (len(got) != 1 || !strings.Contains(got[0].Message, tc.want)):
			t.Errorf("%s: want one clipping finding saying %q, got %s", tc.name, tc.want, describe(got))
		}
	}
}
