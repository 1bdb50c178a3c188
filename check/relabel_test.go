package check

import (
	"testing"

	"stemmaster"
	"stemmaster/analysis"
	"stemmaster/audio"
)

// TestAudioAtAnotherRateThanItsHeader: a stem whose audio is at 44.1 kHz
// under a 48 kHz header (a session at 44.1 kHz exported with the wrong rate
// written, or a header rewritten without converting) plays 8.8 % fast. Its
// length is the mix's times 44100/48000: against the mix the check reads it
// at 44.1 kHz, finds that it then sums to the mix, and says so in one
// sample_rate_mismatch that names no session correction (resample trusts
// the header). Read at the header's rate it had an offset of seconds, no
// level in the mix and a "missing stem". Without a mix the length finding
// says what the ratio suggests. The other way round, audio at the mix's
// rate under a 44.1 kHz header lasts the mix's length to the frame: read
// as it is it sums to the mix (read at 44.1 kHz and converted it played
// 8.1 % slow, "not in the mix" and "a stem is probably missing").
func TestAudioAtAnotherRateThanItsHeader(t *testing.T) {
	t.Parallel()
	const rate = testRate
	names, _ := shortSong()
	tests := []struct {
		name    string
		withMix bool
		// cut: the stem is at the header's rate, cut short to the
		// ratio's length (no relabel to claim)
		cut bool
		// header44: the stem's audio is at the mix's rate, its header
		// says 44.1 kHz
		header44 bool
		want     []want
	}{
		{name: "with the mix", withMix: true, want: []want{
			{code: stemmaster.CodeSampleRateMismatch, file: names[2], value: v(44100),
				text: "keys.wav says 48000 Hz in its header, but its audio is at 44100 Hz: read at 48000 Hz it lasts 3.67 s where the mix lasts 4.00 s, exactly the ratio of the two rates, so it would play 8.8 % fast (1.5 semitones high)"},
		}},
		{name: "48 kHz audio under a 44.1 kHz header, with the mix", withMix: true, header44: true, want: []want{
			{code: stemmaster.CodeSampleRateMismatch, file: names[2], value: v(48000),
				text: "keys.wav says 44100 Hz in its header, but its audio is at 48000 Hz: read at 44100 Hz it lasts 4.35 s where the mix lasts 4.00 s, exactly the ratio of the two rates, so it would play 8.1 % slow (1.5 semitones low)"},
		}},
		{name: "cut short to the ratio, with the mix", withMix: true, cut: true, want: []want{
			{code: stemmaster.CodeLengthMismatch, file: names[2], value: v(-325),
				text: "exactly 44100/48000 of their length, yet read at 44100 Hz it does not null against the mix"},
		}},
		{name: "without a mix", want: []want{
			{code: stemmaster.CodeLengthMismatch, file: names[2], value: v(-325),
				text: "exactly 44100/48000 of their length, so its audio is probably at 44100 Hz under a header that says 48000 Hz"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep := checkShortSong(t, func(b []*audio.Buffer) ([]Source, *Source) {
				m := mixOf(b...)
				stems := memSet(names, b, rate)
				// The samples at 44.1 kHz, the header at 48 kHz.
				stems[2] = memSource(names[2], resampleBuf(b[2], rate, 44100), pcm24(rate, 2))
				if tc.cut {
					n := resampleBuf(b[2], rate, 44100).Frames()
					short := audio.NewBuffer(2, n)
					for c := range short.Data {
						copy(short.Data[c], b[2].Data[c][:n])
					}
					stems[2] = memSource(names[2], short, pcm24(rate, 2))
				}
				if tc.header44 {
					stems[2] = memSource(names[2], b[2], pcm24(44100, 2))
				}
				if !tc.withMix {
					m = nil
				}
				return stems, m
			})
			if tc.cut {
				// The rest of the stem is missing from the sum: the
				// residual is expected; a relabel is not.
				problems, _ := wantedProblems(rep, tc.want)
				failWith(t, rep, problems)
			} else {
				failWith(t, rep, findingProblems(rep, tc.want))
			}
			for _, f := range rep.Findings {
				if tc.cut && f.Code == stemmaster.CodeSampleRateMismatch {
					t.Errorf("a stem at its header's rate, cut short, is claimed at another rate: %s", f.Message)
				}
				if f.Code == stemmaster.CodeSampleRateMismatch && analysis.CorrectionFor(f) != nil {
					t.Errorf("%s names a session correction (%s), which would convert nothing", f.Code, analysis.CorrectionFor(f).Label)
				}
			}
			if tc.withMix && !tc.cut && rep.Mix != nil && float64(rep.Mix.FittedResidualDB) > -60 {
				t.Errorf("read at 44.1 kHz the stems leave %.1f dB of the mix, want under -60 dB", float64(rep.Mix.FittedResidualDB))
			}
		})
	}
}
