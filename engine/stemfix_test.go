package engine

import (
	"bytes"
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/internal/audiotest"
	"stemmaster/internal/testkit"
)

// fixSession is a session with a real strip on every stem (gain, balance,
// EQ, compressor) and the default streaming target with its limiter, so a
// correction applied anywhere but before the strip shows in the output.
func fixSession(dir string, fix func(*stemmaster.StemSpec)) *stemmaster.Session {
	s := &stemmaster.Session{Dir: dir,
		Outputs: []stemmaster.Output{{Format: "wav", BitDepth: 32, SampleFormat: "float"}}}
	for _, f := range []string{"drums.wav", "keys.wav"} {
		st := stemmaster.StemSpec{File: f, GainDB: -2, Pan: 0.4,
			EQ:         []stemmaster.EQBand{{Type: stemmaster.EQPeak, FreqHz: 2000, GainDB: 4, Q: 1.5}},
			Compressor: &stemmaster.CompressorParams{ThresholdDB: -18, Ratio: 3}}
		if f == "keys.wav" && fix != nil {
			fix(&st)
		}
		s.Stems = append(s.Stems, st)
	}
	return s
}

// renderFix writes drums.wav and keys.wav (keys as given, at keysRate)
// into a new directory, renders the session and returns main.wav's bytes.
func renderFix(t *testing.T, drums, keys *audio.Buffer, keysRate int, fix func(*stemmaster.StemSpec)) []byte {
	t.Helper()
	dir := t.TempDir()
	audiotest.WriteFloatWAV(t, dir, "drums.wav", drums, rate)
	audiotest.WriteFloatWAV(t, dir, "keys.wav", keys, keysRate)
	out := t.TempDir()
	if _, err := Render(context.Background(), fixSession(dir, fix), Options{OutDir: out, SkipCheck: true}); err != nil {
		t.Fatal(err)
	}
	return testkit.ReadFile(t, filepath.Join(out, "main.wav"))
}

// TestChannelCorrectionsNull: a stem delivered with its channels
// exchanged, or one channel inverted, or both, rendered with the
// session's correction gives the clean render's bytes (swapping and sign
// flips are exact in float).
func TestChannelCorrectionsNull(t *testing.T) {
	t.Parallel()
	const n = rate / 2
	drums := audiotest.PinkNoise(3, 2, n, -8)
	keys := audiotest.WhiteNoise(4, 2, n, -10)
	// Make the channels tell apart: the right carries a tone too.
	tone := audiotest.Sine(rate, 1, n, 440, -12, 0)
	for i := range keys.Data[1] {
		keys.Data[1][i] += tone.Data[0][i]
	}
	clean := renderFix(t, drums, keys, rate, nil)
	neg := func(x []float32) []float32 {
		y := make([]float32, len(x))
		for i, v := range x {
			y[i] = -v
		}
		return y
	}
	L, R := keys.Data[0], keys.Data[1]
	for _, tc := range []struct {
		name       string
		fileL, fil []float32
		fix        func(*stemmaster.StemSpec)
	}{
		{"swapped", R, L, func(s *stemmaster.StemSpec) { s.SwapChannels = true }},
		{"left inverted", neg(L), R, func(s *stemmaster.StemSpec) { s.Polarity = stemmaster.PolarityLeftInverted }},
		{"right inverted", L, neg(R), func(s *stemmaster.StemSpec) { s.Polarity = stemmaster.PolarityRightInverted }},
		// The polarity names the file's channel, before the swap.
		{"swapped, file left inverted", neg(R), L, func(s *stemmaster.StemSpec) {
			s.SwapChannels, s.Polarity = true, stemmaster.PolarityLeftInverted
		}},
	} {
		broken := &audio.Buffer{Data: [][]float32{tc.fileL, tc.fil}}
		if got := renderFix(t, drums, broken, rate, nil); bytes.Equal(got, clean) {
			t.Fatalf("%s: the broken stem renders like the clean one; the test cannot tell", tc.name)
		}
		if got := renderFix(t, drums, broken, rate, tc.fix); !bytes.Equal(got, clean) {
			t.Errorf("%s: the corrected render differs from the clean render", tc.name)
		}
	}
}

// band renders a band-limited test signal (tones from 60 Hz to 15 kHz
// under 50 ms raised-cosine fades) at sr for dur seconds: the same
// continuous signal at any rate.
func band(sr, ch int, dur float64) *audio.Buffer {
	n := int(math.Round(dur * float64(sr)))
	b := audio.NewBuffer(ch, n)
	fade := 0.05 * float64(sr)
	for i := range n {
		t := float64(i) / float64(sr)
		v := 0.0
		for k, f := range []float64{60, 440, 1000, 3150, 7000, 12000, 15000} {
			v += 0.08 * math.Sin(2*math.Pi*f*t+float64(k))
		}
		w := 1.0
		if x := math.Min(float64(i), float64(n-1-i)); x < fade {
			w = 0.5 - 0.5*math.Cos(math.Pi*x/fade)
		}
		for c := range b.Data {
			b.Data[c][i] = float32(v * w * (1 - 0.3*float64(c)))
		}
	}
	return b
}

// TestResampledStemNulls renders a stem delivered at 44.1 kHz among
// 48 kHz stems with resample: true and compares it with the render of the
// same signal delivered at 48 kHz. The converter's passband is flat to
// 1e-7 below its 20 kHz edge and rejects images by 140 dB, so for tones up
// to 15 kHz the difference is the converter's rounding, the tails of the
// fades' spectra and the compressor's and limiter's reaction to them
// (−88 dB measured). The bound, −75 dB against the output's peak, leaves
// room for those; a passband droop of the design's 0.01 dB allowance
// would reach −59 dB, a sample of misalignment −38 dB at 60 Hz and near
// 0 dB at 15 kHz, a missing or doubled filter delay far more.
func TestResampledStemNulls(t *testing.T) {
	t.Parallel()
	const dur = 1.0
	drums := audiotest.PinkNoise(5, 2, int(dur*rate), -10)
	clean := renderFix(t, drums, band(rate, 2, dur), rate, nil)
	dir := t.TempDir()
	audiotest.WriteFloatWAV(t, dir, "drums.wav", drums, rate)
	audiotest.WriteFloatWAV(t, dir, "keys.wav", band(44100, 2, dur), 44100)
	out := t.TempDir()
	_, err := Render(context.Background(), fixSession(dir, nil), Options{OutDir: out, SkipCheck: true})
	if err == nil || !strings.Contains(err.Error(), "keys.wav 44100 Hz") || !strings.Contains(err.Error(), "drums.wav 48000 Hz") || !strings.Contains(err.Error(), "resample: true") {
		t.Fatalf("without resample: %v; want the rates refused, naming the files", err)
	}
	fixed := renderFix(t, drums, band(44100, 2, dur), 44100, func(s *stemmaster.StemSpec) { s.Resample = true })
	a, b := decodeWAV(t, clean), decodeWAV(t, fixed)
	if a.Frames() != b.Frames() {
		t.Fatalf("frames %d, clean %d", b.Frames(), a.Frames())
	}
	var peak, diff float64
	for c := range a.Data {
		for i := range a.Data[c] {
			peak = math.Max(peak, math.Abs(float64(a.Data[c][i])))
			diff = math.Max(diff, math.Abs(float64(a.Data[c][i]-b.Data[c][i])))
		}
	}
	const boundDB = -75.0
	db := audio.DB(diff / peak)
	if db > boundDB {
		t.Errorf("resampled render differs from the clean 48 kHz render by %.1f dB (peak to peak), want ≤ %.0f", db, boundDB)
	}
	t.Logf("resampled against clean: %.1f dB relative to the peak", db)
}

func decodeWAV(t *testing.T, data []byte) *audio.Buffer {
	t.Helper()
	b, _ := readAll(t, testkit.WriteFile(t, t.TempDir(), "x.wav", data))
	return b
}

// TestChannelFixNeedsStereo: swap_channels or a one-channel polarity on a
// mono stem refuses the render, naming the field.
func TestChannelFixNeedsStereo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	audiotest.WriteFloatWAV(t, dir, "drums.wav", audiotest.PinkNoise(1, 2, 4800, -10), rate)
	audiotest.WriteFloatWAV(t, dir, "keys.wav", audiotest.PinkNoise(2, 1, 4800, -10), rate)
	s := fixSession(dir, func(s *stemmaster.StemSpec) { s.SwapChannels = true })
	_, err := Render(context.Background(), s, Options{OutDir: t.TempDir(), SkipCheck: true})
	if errs := stemmaster.SessionErrors(err); len(errs) != 1 || errs[0].Field != "stems[1].swap_channels" {
		t.Fatalf("err = %v; want stems[1].swap_channels refused", err)
	}
}

// TestResampledStemCut: a stem cut short after its export, converted,
// refuses the render naming the file, as an unconverted one does.
func TestResampledStemCut(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	audiotest.WriteFloatWAV(t, dir, "drums.wav", audiotest.PinkNoise(1, 2, rate/2, -10), rate)
	keys := audiotest.WriteFloatWAV(t, dir, "keys.wav", band(44100, 2, 0.5), 44100)
	data := testkit.ReadFile(t, keys)
	testkit.WriteFile(t, dir, "keys.wav", data[:len(data)-8000])
	s := fixSession(dir, func(s *stemmaster.StemSpec) { s.Resample = true })
	_, err := Render(context.Background(), s, Options{OutDir: t.TempDir(), SkipCheck: true})
	if err == nil || !strings.Contains(err.Error(), "keys.wav") {
		t.Fatalf("err = %v; want the cut keys.wav named", err)
	}
	t.Logf("cut stem: %v", err)
}

// TestFloatStemOutOfRange: with the check left out, a finite float stem
// far above full scale (+769 dBFS from 0.25 s, which overflows the chain's
// arithmetic) refuses the render with the file, the level and the time
// named, at its own rate or converted, and leaves no output; one just under
// the bound (+199 dBFS) is not refused.
func TestFloatStemOutOfRange(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		keysRate int
		peakDBFS float64
		want     string // in the error; "" for none
	}{
		{"own rate", rate, 769, "+769.0 dBFS (first at 0.250 s)"},
		{"converted", 44100, 769, "+769.0 dBFS (first at 0.250 s)"},
		{"under the bound", rate, 199, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir, out := t.TempDir(), t.TempDir()
			audiotest.WriteFloatWAV(t, dir, "drums.wav", audiotest.PinkNoise(1, 2, rate/2, -10), rate)
			keys := band(tc.keysRate, 2, 0.5)
			g := float32(math.Pow(10, tc.peakDBFS/20))
			for _, ch := range keys.Data {
				for i := tc.keysRate / 4; i < len(ch); i++ {
					ch[i] *= g
				}
				ch[tc.keysRate/4] = g
			}
			audiotest.WriteFloatWAV(t, dir, "keys.wav", keys, tc.keysRate)
			s := fixSession(dir, func(s *stemmaster.StemSpec) { s.Resample = tc.keysRate != rate })
			_, err := Render(context.Background(), s, Options{OutDir: out, SkipCheck: true})
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "keys.wav") || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v; want keys.wav and %q named", err, tc.want)
			}
			testkit.DirHolds(t, out)
		})
	}
}
