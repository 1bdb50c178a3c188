package check

import (
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/audio"
)

// TestMixLevel: one gain shared by every stem (or all but one) is one
// finding on the mix's level, not one per stem, also when what the mix
// holds beside the stems (an echo on one of them, a stem left out) leans
// the fitted gains apart by a few tenths; a stem off beside it is off by
// the difference. Two stems of five off alike are two faders.
func TestMixLevel(t *testing.T) {
	t.Parallel()
	names, _ := shortSong()
	echo := func(b *audio.Buffer) *audio.Buffer { return scaled(delayed(b, testRate/8), 0.5) }
	tests := []struct {
		name  string
		build func(b []*audio.Buffer) ([]Source, *Source)
		want  []want // the gain findings, exactly
	}{
		{
			name: "the mix 6 dB down, an echo on the keys in it only",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				m := scaled(sumOf(append([]*audio.Buffer{echo(b[2])}, b...)...), audio.Amplitude(-6))
				return memSet(names, b, testRate), asMix(m)
			},
			want: []want{{code: stemmaster.CodeGainMismatch, file: "mix.wav", text: "the mix mix.wav is 6.0 dB quieter than the stems' sum"}},
		},
		{
			name: "the mix 6 dB down, the bass 3 dB hot",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				m := scaled(sumOf(b...), audio.Amplitude(-6))
				b[1] = scaled(b[1], audio.Amplitude(3))
				return memSet(names, b, testRate), asMix(m)
			},
			want: []want{
				{code: stemmaster.CodeGainMismatch, file: "mix.wav", value: v(-6)},
				{code: stemmaster.CodeGainMismatch, file: "bass.wav", value: v(3), text: "bass.wav is 3.0 dB hot against the mix once the mix's own 6.0 dB is taken out"},
			},
		},
		{
			name: "the mix 3 dB up",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				return memSet(names, b, testRate), asMix(scaled(sumOf(b...), audio.Amplitude(3)))
			},
			want: []want{{code: stemmaster.CodeGainMismatch, file: "mix.wav", value: v(3), text: "3.0 dB louder"}},
		},
		{
			name: "the mix 6 dB down, the fx left out",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				return memSet(names[:4], b[:4], testRate), asMix(scaled(sumOf(b...), audio.Amplitude(-6)))
			},
			want: []want{{code: stemmaster.CodeGainMismatch, file: "mix.wav", text: "6.0 dB quieter"}},
		},
		{
			name: "two stems of five 3 dB hot",
			build: func(b []*audio.Buffer) ([]Source, *Source) {
				m := mixOf(b...)
				b[0], b[2] = scaled(b[0], audio.Amplitude(3)), scaled(b[2], audio.Amplitude(3))
				return memSet(names, b, testRate), m
			},
			want: []want{
				{code: stemmaster.CodeGainMismatch, file: "drums.wav", value: v(3)},
				{code: stemmaster.CodeGainMismatch, file: "keys.wav", value: v(3)},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, b := shortSong()
			s, m := tc.build(b)
			rep := run(t, s, m)
			var gains []stemmaster.Finding
			for _, f := range rep.Findings {
				if f.Code == stemmaster.CodeGainMismatch {
					gains = append(gains, f)
				}
			}
			failWith(t, rep, findingProblems(&stemmaster.CheckReport{Findings: gains}, tc.want))
			if len(gains) != len(tc.want) {
				t.Errorf("%d gain findings, want %d: %s", len(gains), len(tc.want), describe(gains))
			}
			for _, f := range gains {
				if f.File == "mix.wav" && !strings.Contains(f.Message, "master-fader or bus gain") {
					t.Errorf("%q does not say what a gain on the mix is", f.Message)
				}
			}
		})
	}
}
