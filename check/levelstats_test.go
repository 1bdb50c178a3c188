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
// wider than a sample; a hard limiter's ceiling, met by single samples,
// and a steady tone, whose crest repeats every period, are no clip.
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
	for _, tc := range []struct {
		name string
		b    *audio.Buffer
		want string // "" for no clipping finding
	}{
		{"clipped +4.5 dB, then down 4.5 dB", clipDown(4.5), "peaks flattened under full scale: "},
		{"clipped +3 dB, then down 3 dB", clipDown(3), "sit at exactly -3.0 dBFS, its peak"},
		{"limited at -1 dBFS", limited, ""},
		{"a steady tone at -6 dBFS", tone, ""},
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
