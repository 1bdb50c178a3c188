package check

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/internal/audiotest"
)

// cutTo returns the first n frames of b: a stem exported over a shorter
// range.
func cutTo(b *audio.Buffer, n int) *audio.Buffer {
	return audiotest.View(b, 0, n).Clone()
}

// withTail returns b followed by tail.
func withTail(b, tail *audio.Buffer) *audio.Buffer {
	return audiotest.Concat(b, tail)
}

// TestExportRange: stems exported over a shorter range than the mix (one
// stem, or all of them), or a mix exported with a tail the stems lack,
// leave their residual in the mix's last seconds, where a stem has no
// samples. The check fits over the span every file covers and says where
// the difference lies and whose export range is short — never "master-bus
// processing" or "a stem is missing", which a fit over the whole mix read
// from the gains that leaned on the uncovered part. A mix that only has
// silence appended leaves no residual: its length finding alone.
func TestExportRange(t *testing.T) {
	t.Parallel()
	const rate = testRate
	names, _ := shortSong()
	short := 3 * rate // of 4 s
	decay := audiotest.PinkNoise(11, 2, rate/2, -30)
	for c := range decay.Data {
		for i := range decay.Data[c] {
			decay.Data[c][i] *= float32(math.Exp(-float64(i) / float64(rate) * 6))
		}
	}
	tests := []struct {
		name  string
		build func(b []*audio.Buffer) ([]Source, *Source)
		want  []want
		// fixSays and says are substrings of the length finding's fix
		// and message on the mix: one story with the sum_mismatch's
		fixSays, says string
	}{
		{
			name: "the lead vocal exported 1 s short",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				m := mixOf(b...)
				b[3] = cutTo(b[3], short)
				return memSet(names, b, rate), m
			},
			want: []want{
				{code: stemmaster.CodeLengthMismatch, file: names[3], value: v(-1000)},
				{code: stemmaster.CodeSumMismatch, file: "mix.wav", text: "in the mix's last 1.00 s (3.00 s to 4.00 s), after lead_vox.wav ends, where the mix still holds its part"},
			},
		},
		{
			name: "every stem exported 1 s short",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				m := mixOf(b...)
				for k := range b {
					b[k] = cutTo(b[k], short)
				}
				return memSet(names, b, rate), m
			},
			want: []want{
				{code: stemmaster.CodeLengthMismatch, file: "mix.wav", value: v(1000)},
				{code: stemmaster.CodeSumMismatch, file: "mix.wav", text: "after every stem ends: the mix holds audio there"},
			},
			fixSays: "export every stem again over the mix's whole range",
			says:    "than the stems (48000 samples): it holds audio past the stems' end (a tail their export range cut, as the sum finding says), so it is the stems that are short",
		},
		{
			name: "the mix with a reverb tail the stems lack",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				return memSet(names, b, rate), asMix(withTail(audiotest.Sum(b...), decay))
			},
			want: []want{
				{code: stemmaster.CodeLengthMismatch, file: "mix.wav", value: v(500)},
				{code: stemmaster.CodeSumMismatch, file: "mix.wav", text: "lies in the mix's last 0.50 s (4.00 s to 4.50 s), after every stem ends"},
			},
			fixSays: "export every stem again over the mix's whole range",
			says:    "than the stems (24000 samples): it holds audio past the stems' end",
		},
		{
			name: "the mix with silence appended",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				return memSet(names, b, rate), asMix(withTail(audiotest.Sum(b...), audio.NewBuffer(2, rate/2)))
			},
			want:    []want{{code: stemmaster.CodeLengthMismatch, file: "mix.wav", value: v(500)}},
			fixSays: "export the mix over the same range as the stems",
			says:    "than the stems (24000 samples): usually a different start or end point",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep := checkShortSong(t, tc.build)
			failWith(t, rep, findingProblems(rep, tc.want))
			for _, f := range rep.Findings {
				if f.Code == stemmaster.CodeSumMismatch && (strings.Contains(f.Message, "master-bus") || strings.Contains(f.Message, "missing")) {
					t.Errorf("the residual past a stem's end is read as something else: %s", f.Message)
				}
				if f.Code == stemmaster.CodeLengthMismatch && f.File == "mix.wav" && !strings.Contains(f.Fix, tc.fixSays) {
					t.Errorf("the mix's length finding's fix %q does not say %q", f.Fix, tc.fixSays)
				}
				if f.Code == stemmaster.CodeLengthMismatch && f.File == "mix.wav" && !strings.Contains(f.Message, tc.says) {
					t.Errorf("the mix's length finding %q does not say %q", f.Message, tc.says)
				}
			}
		})
	}
}

// rounded returns b rounded to an integer depth, as an export without
// dither stores it.
func rounded(b *audio.Buffer, bits int) *audio.Buffer {
	out := b.Clone()
	q := math.Ldexp(1, bits-1)
	for _, ch := range out.Data {
		for i, x := range ch {
			ch[i] = float32(math.Round(float64(x)*q) / q)
		}
	}
	return out
}

// TestShallowStems: stems exported at 8 bits against a 24-bit mix leave
// their rounding noise, about −30 dB of the short song, which no gain or
// offset removes. sum_mismatch says that is all the residual is (their
// bit_depth_low findings say what to do) instead of a compressor on every
// stem or a missing one; at 16 bits the noise is under the threshold.
func TestShallowStems(t *testing.T) {
	t.Parallel()
	names, _ := shortSong()
	for _, bits := range []int{8, 16} {
		t.Run(fmt.Sprintf("%d-bit", bits), func(t *testing.T) {
			t.Parallel()
			var wants []want
			for _, n := range names {
				wants = append(wants, want{code: stemmaster.CodeBitDepthLow, file: n, value: v(float64(bits))})
			}
			if bits == 8 {
				wants = append(wants, want{code: stemmaster.CodeSumMismatch, file: "mix.wav", text: "the residual is the rounding noise of the 8-bit files"})
			}
			rep := checkShortSong(t, func(b []*audio.Buffer) ([]Source, *Source) {
				m := mixOf(b...)
				stems := make([]Source, len(b))
				for k := range b {
					f := pcm24(testRate, 2)
					f.BitDepth = bits
					stems[k] = memSource(names[k], rounded(b[k], bits), f)
				}
				return stems, m
			})
			failWith(t, rep, findingProblems(rep, wants))
		})
	}
}

// TestNormalisedOnExport: a stem hot against the mix whose peak sits at
// full scale was normalised on export: the gain finding says so and asks
// for normalisation off (its gain_db fix stays, for the session). A stem
// hot by a fader, its peak well under full scale, reads as before.
func TestNormalisedOnExport(t *testing.T) {
	t.Parallel()
	rep := checkShortSong(t, func(b []*audio.Buffer) ([]Source, *Source) {
		m := mixOf(b...)
		audiotest.Normalize(b[2], 0)
		b[3] = scaled(b[3], audio.Amplitude(3))
		return memSet(shortSongNames(), b, testRate), m
	})
	var normalised, fader int
	for _, f := range rep.Findings {
		if f.Code != stemmaster.CodeGainMismatch {
			continue
		}
		says := strings.Contains(f.Message, "it peaks at 0.0 dBFS, as a stem normalised on export does") && strings.Contains(f.Fix, "turn off normalisation") && strings.Contains(f.Fix, "set gain_db: -")
		switch f.File {
		case "keys.wav":
			if !says {
				t.Errorf("the normalised stem's finding does not say so: %s (%s)", f.Message, f.Fix)
			}
			normalised++
		case "lead_vox.wav":
			if strings.Contains(f.Message, "normalised") {
				t.Errorf("a stem 3 dB hot by its fader reads as normalised: %s", f.Message)
			}
			fader++
		}
	}
	if normalised != 1 || fader != 1 {
		t.Errorf("%d gain findings on keys.wav and %d on lead_vox.wav, want one each: %s", normalised, fader, describe(rep.Findings))
	}
}

// shortSongNames is the short song's stem names.
func shortSongNames() []string { n, _ := shortSong(); return n }
