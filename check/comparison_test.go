package check

import (
	"context"
	"math"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/internal/audiotest"
)

// TestUnrelatedMix: against a mix that holds none of the stems (here
// their own mix played backwards: the same instruments and levels, none
// of the same audio), the one finding is that the mix is not these
// stems' mix; no stem is called absent, hot, quiet or inverted against it.
func TestUnrelatedMix(t *testing.T) {
	t.Parallel()
	names, b := shortSong()
	back := audiotest.Sum(b...)
	for _, ch := range back.Data {
		slices.Reverse(ch)
	}
	m := asMix(back)
	rep := run(t, memSet(names, b, testRate), m)
	assertFindings(t, rep, []want{{code: stemmaster.CodeSumMismatch, file: "mix.wav", text: "the mix mix.wav is not the mix of these stems"}})
	for _, f := range rep.Findings {
		if strings.Contains(f.Message, "-0.0") || f.Value != nil && *f.Value == 0 && math.Signbit(*f.Value) {
			t.Errorf("%q (value %v) prints a negative zero", f.Message, fmtValue(f.Value))
		}
	}
	if r := float64(rep.Mix.FittedResidualDB); r == 0 && math.Signbit(r) {
		t.Error("the fitted residual is a negative zero")
	}
}

// TestMixAtAnotherSpeed: the stems' own mix played 0.5 % fast (shorter,
// as a render at another tempo or a sample-rate error leaves it) holds
// none of them at one lag; the finding says the mix is 0.50 % shorter,
// which the engineer can check, besides "another song".
func TestMixAtAnotherSpeed(t *testing.T) {
	t.Parallel()
	names, b := song(testRate, 8, 2)
	fast := resampleBuf(audiotest.Sum(b...), testRate, testRate*995/1000)
	m := asMix(fast)
	rep := run(t, memSet(names, b, testRate), m)
	assertFindings(t, rep, []want{
		{code: stemmaster.CodeSumMismatch, file: "mix.wav", text: "is 0.50 % shorter than the stems: the mix rendered at another tempo or speed"},
		{code: stemmaster.CodeLengthMismatch, file: "mix.wav"},
	})
}

// TestFewStemsOfALoudMix: two stems that are a small part of their mix
// (the rest missing, and louder) are found in it: the sum_mismatch is the
// missing content, not another song's mix (the fx noise's channel gains,
// fitted under that much missing content, are not what this tests).
func TestFewStemsOfALoudMix(t *testing.T) {
	t.Parallel()
	names, b := shortSong()
	rest := scaled(audiotest.Sum(b[:3]...), 4)
	m := mixOf(rest, b[3], b[4])
	rep := run(t, memSet(names[3:], b[3:], testRate), m)
	found := false
	for _, f := range rep.Findings {
		if f.Code == stemmaster.CodeSumMismatch {
			found = strings.Contains(f.Message, "a stem is probably missing")
		}
	}
	if !found {
		t.Errorf("no sum_mismatch says a stem is missing: %s", describe(rep.Findings))
	}
}

// TestOffsetCauses: an offset whose figure says its cause says it — an
// MP3's 1105-sample delay, a start trimmed by the export (exactly as much
// shorter as it is early, which its length finding then says too, not a
// guess of its own), a plug-in's latency (a short lateness, up to
// LatencyMaxSamples) — and an offset that is none of these says nothing
// more.
func TestOffsetCauses(t *testing.T) {
	t.Parallel()
	names, clean := shortSong()
	mix := mixOf(clean...)
	tests := []struct {
		name   string
		stem   *audio.Buffer
		want   []want
		absent []string
	}{
		{"an MP3's delay", delayed(clean[3], 1105),
			[]want{{code: stemmaster.CodeOffset, file: names[3], value: v(1105), text: "decoded from a lossy file"}},
			[]string{"start was cut"}},
		{"a trimmed start", audiotest.View(clean[3], 4800, clean[3].Frames()).Clone(),
			[]want{{code: stemmaster.CodeOffset, file: names[3], value: v(-4800), text: "its start was cut"}, {code: stemmaster.CodeLengthMismatch, file: names[3], text: "shorter than the other stems (4800 samples): its start was cut, as its offset finding says"}},
			[]string{"lossy", "usually a different start or end point"}},
		{"a plug-in's latency", delayed(clean[3], 64),
			[]want{{code: stemmaster.CodeOffset, file: names[3], value: v(64), text: "starts 64 samples (1.3 ms) late against the mix: a short delay, as a plug-in's latency leaves a track"}},
			[]string{"lossy", "start was cut"}},
		{"late by a bar's start, no latency", delayed(clean[3], 4800*2),
			[]want{{code: stemmaster.CodeOffset, file: names[3], value: v(9600)}},
			[]string{"lossy", "start was cut", "latency"}},
		{"early, same length", delayed(clean[3], -4800),
			[]want{{code: stemmaster.CodeOffset, file: names[3], value: v(-4800)}},
			[]string{"lossy", "start was cut"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := append([]*audio.Buffer(nil), clean...)
			b[3] = tc.stem
			rep := run(t, memSet(names, b, testRate), mix)
			assertFindings(t, rep, tc.want)
			for _, f := range rep.Findings {
				for _, p := range tc.absent {
					if strings.Contains(f.Message, p) || strings.Contains(f.Fix, p) {
						t.Errorf("%s says %q: %s", f.Code, p, f.Message)
					}
				}
			}
		})
	}
}

// TestLossyStems decodes every stem of a generated song from a 320 kb/s
// MP3 (ffmpeg, which removes the codec's delay): the stems keep the mix's
// energy in every octave but lose its waveform, most at the top. The
// residual (about −30 dB on francium) must not read "a stem is probably
// missing".
func TestLossyStems(t *testing.T) {
	t.Parallel()
	ff, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Skip("ffmpeg not found: the lossy round trip needs it")
	}
	names, b := song(testRate, 8, 1)
	dir := t.TempDir()
	files := make([]stemFile, len(names))
	for i, n := range names {
		files[i] = stemFile{name: n, buf: b[i], format: pcm24(testRate, b[i].Channels())}
	}
	wavs := writeFiles(t, dir, files)
	mix := writeFiles(t, dir, []stemFile{{name: "mix.wav", buf: audiotest.Sum(b...), format: pcm24(testRate, 2)}})[0]
	var decoded []string
	for _, w := range wavs {
		mp3 := strings.TrimSuffix(w, ".wav") + ".mp3"
		out := filepath.Join(dir, "decoded_"+filepath.Base(w))
		for _, args := range [][]string{
			{"-loglevel", "error", "-i", w, "-b:a", "320k", mp3},
			{"-loglevel", "error", "-i", mp3, "-c:a", "pcm_s24le", out},
		} {
			if msg, err := exec.Command(ff, args...).CombinedOutput(); err != nil {
				t.Fatalf("ffmpeg %v: %v: %s", args, err, msg)
			}
		}
		decoded = append(decoded, out)
	}
	rep, err := Run(context.Background(), FileSources(decoded), MixSource(mix), Options{NoStemTruePeak: true})
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, f := range rep.Findings {
		if f.Code == stemmaster.CodeSumMismatch {
			found = strings.Contains(f.Message, "decoded from a lossy file")
		}
		if strings.Contains(f.Message, "probably missing") {
			t.Errorf("%s says a stem is missing: %s", f.Code, f.Message)
		}
	}
	if !found {
		t.Errorf("no sum_mismatch names the lossy codec: %s", describe(rep.Findings))
	}
}

// TestMixShiftedAgainstEveryStem: when the mix is late against every stem
// by the same amount (a look-ahead limiter on the mix bus without delay
// compensation: 240 samples is 5 ms at 48 kHz), the check reports one
// offset on the mix, not one per stem: an offset error on each stem would
// carry an offset_samples fix that shifts a correct delivery.
func TestMixShiftedAgainstEveryStem(t *testing.T) {
	t.Parallel()
	const rate, late = testRate, 240
	names, bufs := shortSong()
	mix := asMix(delayed(audiotest.Sum(bufs...), late))
	rep := run(t, memSet(names, bufs, rate), mix)
	assertFindings(t, rep, []want{{code: stemmaster.CodeOffset, file: "mix.wav", value: v(late), text: "240 samples (5.0 ms) late against every stem"}})
	if rep.Mix == nil {
		t.Fatal("no mix report")
	}
}

// steady is a stereo pair of sines (one per channel) under a tremolo: a
// signal that repeats exactly every second when its frequencies are whole.
func steady(n int, fl, fr, trem, depth, amp float64) *audio.Buffer {
	b := audio.NewBuffer(2, n)
	for i := range n {
		t := float64(i) / testRate
		g := amp * (1 - depth/2 + depth/2*math.Sin(2*math.Pi*trem*t))
		b.Data[0][i] = float32(g * math.Sin(2*math.Pi*fl*t))
		b.Data[1][i] = float32(g * math.Sin(2*math.Pi*fr*t))
	}
	return b
}

// TestPeriodicStemNotMoved: a stem that repeats every second fits a
// whole number of periods away all but as well as where it is; beside a
// mix that is the stems' sum 6 dB down (so the alignment runs), it must
// stay at lag 0, not be reported 2 s late.
func TestPeriodicStemNotMoved(t *testing.T) {
	t.Parallel()
	n := testRate * 20
	names := []string{"pink.wav", "low.wav", "steady.wav", "high.wav", "air.wav"}
	b := []*audio.Buffer{
		audiotest.PinkNoise(1, 2, n, -12), steady(n, 55, 55.2, 4, 0.6, 0.3), steady(n, 440, 443, 5, 0.5, 0.2),
		steady(n, 660, 550, 3, 0.4, 0.1), audiotest.WhiteNoise(2, 2, n, -30),
	}
	mix := asMix(scaled(audiotest.Sum(b...), 0.5))
	rep := run(t, memSet(names, b, testRate), mix)
	assertFindings(t, rep, []want{{code: stemmaster.CodeGainMismatch, file: "mix.wav", value: v(-6.02)}})
	if rep.Mix.FittedResidualDB > ResidualFloorDB {
		t.Errorf("fitted residual %v, want the floor (every stem at lag 0)", rep.Mix.FittedResidualDB)
	}
}

// stretched plays b at the given speed (1.0001: 100 ppm fast, shorter),
// as a stem exported or converted at a slightly wrong rate: linear
// interpolation, which keeps the waveform the lag search needs.
func stretched(b *audio.Buffer, speed float64) *audio.Buffer {
	n := int(float64(b.Frames()) / speed)
	out := audio.NewBuffer(b.Channels(), n)
	for c, ch := range b.Data {
		for i := range n {
			p := float64(i) * speed
			k := int(p)
			f := p - float64(k)
			v := float64(ch[k])
			if k+1 < len(ch) {
				v += f * (float64(ch[k+1]) - v)
			}
			out.Data[c][i] = float32(v)
		}
	}
	return out
}

// TestDrift: a stem (or the mix) at a slightly wrong rate drifts against
// the mix; the drift is the one finding, with its rate in ppm, instead of
// an offset, a gain tens of dB off and a missing stem. A constant offset
// beside a missing stem stays an offset, and a region moved partway (lags
// that jump) is no drift.
func TestDrift(t *testing.T) {
	t.Parallel()
	names, clean := song(testRate, 10, 4)
	tests := []struct {
		name  string
		build func(b []*audio.Buffer) ([]Source, *Source)
		want  []want
		ppm   float64  // the drift's value, to 5 % (integer lags over 10 s)
		text  []string // in the drift's message or fix
		// any: only that no drift is reported (the case's other
		// findings are another test's)
		any bool
	}{
		{
			name: "a stem 100 ppm fast",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				m := mixOf(b...)
				b[2] = stretched(b[2], 1.0001)
				return memSet(names, b, testRate), m
			},
			want: []want{{code: stemmaster.CodeDrift, file: "keys.wav"}},
			ppm:  -100, text: []string{"keys.wav drifts against the mix: it runs ", " fast, from ", " early at its end"},
		},
		{
			name: "a stem 300 ppm slow",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				m := mixOf(b...)
				b[3] = stretched(b[3], 1/1.0003)
				return memSet(names, b, testRate), m
			},
			want: []want{{code: stemmaster.CodeDrift, file: "lead_vox.wav"}},
			ppm:  300, text: []string{" slow, from ", " late at its end"},
		},
		{
			name: "the mix 50 ppm slow",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				return memSet(names, b, testRate), asMix(stretched(audiotest.Sum(b...), 1/1.00005))
			},
			want: []want{{code: stemmaster.CodeDrift, file: "mix.wav"}},
			ppm:  50, text: []string{"the mix mix.wav drifts against every stem: it runs ", " slow", "the stems need no change"},
		},
		{
			name: "a constant offset beside a missing stem",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				m := mixOf(b...)
				b[2] = delayed(b[2], 70)
				return memSet(names[:4], b[:4], testRate), m
			},
			want: []want{
				{code: stemmaster.CodeOffset, file: "keys.wav", value: v(70)},
				{code: stemmaster.CodeSumMismatch, file: "mix.wav", text: "a stem is probably missing"},
			},
		},
		{
			name: "a region moved 200 samples late from 5 s",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				m := mixOf(b...)
				b[2] = audiotest.Shifted(b[2], 5*testRate+200, b[2].Frames(), 200)
				return memSet(names, b, testRate), m
			},
			any: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, m := tc.build(cloneAll(clean))
			rep := run(t, s, m)
			if !tc.any {
				assertFindings(t, rep, tc.want)
			}
			for _, f := range rep.Findings {
				if f.Code != stemmaster.CodeDrift {
					continue
				}
				if tc.any {
					t.Errorf("a drift: %s", f.Message)
					continue
				}
				if f.Value == nil || math.Abs(*f.Value-tc.ppm) > 0.05*math.Abs(tc.ppm) {
					t.Errorf("drift %s ppm, want %.0f ± 5 %%", fmtValue(f.Value), tc.ppm)
				}
				for _, p := range tc.text {
					if !strings.Contains(f.Message+" "+f.Fix, p) {
						t.Errorf("%q does not say %q", f.Message+" "+f.Fix, p)
					}
				}
			}
		})
	}
}

// TestLagSums: the channel-lag search's correlation at each of its 65
// lags is the plain sum of products (float64, in order) within 1e-12 of
// the correlation's scale (√(Σx²·Σy²)), added to what out held and times
// g, for a stretch whose length is no multiple of the kernel's blocks; the
// peak sits at the lag the reference was shifted by.
func TestLagSums(t *testing.T) {
	t.Parallel()
	const n, k, late = 10007, channelLagMax, 5
	x := audiotest.PinkNoise(5, 1, n+2*k, -6).Data[0]
	src := x[k : k+n]
	ref := make([]float32, n+2*k)
	copy(ref[late:], x) // ref[j+i] = x[j+i−late]: src matches ref at lag k+late
	out := make([]float64, 2*k+1)
	for j := range out {
		out[j] = float64(j)
	}
	const g = -0.5
	lagSums(src, ref, out, g)
	var xx, yy float64
	for i, v := range src {
		xx += float64(v) * float64(v)
		yy += float64(ref[k+i]) * float64(ref[k+i])
	}
	scale := math.Sqrt(xx * yy)
	best := 0
	for j := range out {
		var want float64
		for i, v := range src {
			want += float64(v) * float64(ref[j+i])
		}
		want = float64(j) + g*want
		if d := math.Abs(out[j] - want); d > 1e-12*scale {
			t.Errorf("lag %d: %v, want %v (off by %g of the scale)", j-k, out[j], want, d/scale)
		}
		if out[j] < out[best] {
			best = j // g < 0: the strongest correlation is the lowest
		}
	}
	if best != k+late {
		t.Errorf("the correlation peaks at lag %d, want %d", best-k, late)
	}
}

// BenchmarkLagSums: one stretch of a second through the 65 lags.
func BenchmarkLagSums(b *testing.B) {
	const n = 48000
	x := audiotest.PinkNoise(5, 1, n+2*channelLagMax, -6).Data[0]
	out := make([]float64, 2*channelLagMax+1)
	for b.Loop() {
		lagSums(x[:n], x, out, 1)
	}
}

// TestOneChannelLate: a stereo file with one channel a few samples late
// against the other is named in the sum_mismatch with the channel and the
// lag, with no gain finding read into it: the mix's right channel one
// sample late (it read "a lossy codec" and the drums' right channel 13 dB
// hot before), a dual-mono vocal (as the mix has it) with its right
// channel 7 samples late (it read "a stem is probably missing" and the
// vocal's level moving).
func TestOneChannelLate(t *testing.T) {
	t.Parallel()
	fs := franciumFiles(t)
	const vocal = "lead_vocal.wav"
	delay := func(ch []float32, n int) {
		copy(ch[n:], ch[:len(ch)-n])
		clear(ch[:n])
	}
	mono := func(b *audio.Buffer) *audio.Buffer {
		out := b.Clone()
		for i := range out.Data[0] {
			m := (b.Data[0][i] + b.Data[1][i]) / 2
			out.Data[0][i], out.Data[1][i] = m, m
		}
		return out
	}
	tests := []struct {
		name          string
		stem          string
		edit, editMix func(*audio.Buffer) *audio.Buffer
		text          string
	}{
		{name: "the mix's right channel a sample late",
			editMix: func(b *audio.Buffer) *audio.Buffer {
				out := b.Clone()
				delay(out.Data[1], 1)
				return out
			},
			text: "the mix mix.wav has its right channel 1 sample (0.021 ms) late against its left"},
		{name: "a dual-mono vocal's right channel 7 samples late", stem: vocal,
			edit: func(b *audio.Buffer) *audio.Buffer {
				out := mono(b)
				delay(out.Data[1], 7)
				return out
			},
			editMix: func(b *audio.Buffer) *audio.Buffer {
				// the mix holds the vocal dual-mono, in step
				out := b.Clone()
				v, m := fs.stems[vocal], mono(fs.stems[vocal])
				for c := range out.Data {
					for i := range out.Data[c] {
						out.Data[c][i] += m.Data[c][i] - v.Data[c][i]
					}
				}
				return out
			},
			text: "lead_vocal.wav has its right channel 7 samples (0.15 ms) late against its left, where the mix has them in step"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			stems, mix := fs.with(tc.stem, tc.edit, tc.editMix)
			var msg string
			for _, f := range run(t, stems, &mix).Findings {
				switch f.Code {
				case stemmaster.CodeSumMismatch:
					msg = f.Message
				case stemmaster.CodeGainMismatch:
					t.Errorf("%s read into it: %s", f.Code, f.Message)
				}
			}
			if !strings.Contains(msg, tc.text) {
				t.Errorf("sum_mismatch %q does not say %q", msg, tc.text)
			}
		})
	}
}
