package check

import (
	"math"
	"slices"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/audio"
)

// TestAdviceCorrected: the advice on the stems measured again with the
// corrections the findings name is the advice on the delivery as it
// should have been: a stem 12 dB hot (a warning, set gain_db) takes the
// balance off what the clean delivery measures, a stem late and inverted
// (errors: offset_samples and polarity) adds the errors; corrected, the
// second pass gives the clean delivery's advice, figure for figure, after
// one reason naming the corrections. A clean delivery names no correction
// and gets no second pass.
func TestAdviceCorrected(t *testing.T) {
	t.Parallel()
	const rate = 48000
	names, bufs := song(rate, 6, 1)
	mix := mixOf(bufs...)
	clean := run(t, memSet(names, bufs, rate), mix)
	if clean.AdviceCorrected != nil {
		t.Errorf("clean delivery: advice_corrected %+v, want none", clean.AdviceCorrected)
	}
	for _, tc := range []struct {
		name  string
		spoil func(srcs []Source)
		want  []string // in the first reason: the corrections' labels
		codes []string
	}{
		{"hot", func(srcs []Source) {
			srcs[2] = memSource(names[2], scaled(bufs[2], math.Pow(10, 12.0/20)), audio.Format{SampleRate: rate, Channels: 2, BitDepth: 32, SampleFormat: audio.Float})
		}, []string{"set " + names[2] + " to -12.0 dB"}, []string{stemmaster.CodeGainMismatch}},
		{"late and inverted", func(srcs []Source) {
			srcs[0] = memSource(names[0], scaled(delayed(bufs[0], 480), -1), pcm24(rate, 2))
		}, []string{"move " + names[0] + " 480 samples earlier", "invert the polarity of " + names[0]}, []string{stemmaster.CodeOffset, stemmaster.CodePolarityInverted}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srcs := memSet(names, bufs, rate)
			tc.spoil(srcs)
			rep := run(t, srcs, mix)
			for _, code := range tc.codes {
				if !slices.ContainsFunc(rep.Findings, func(f stemmaster.Finding) bool { return f.Code == code }) {
					t.Fatalf("findings %+v, want %s", rep.Findings, code)
				}
			}
			if slices.Equal(rep.Advice.Reasons, clean.Advice.Reasons) {
				t.Fatalf("fixture: the broken delivery's advice is the clean one's: %q", rep.Advice.Reasons)
			}
			a := rep.AdviceCorrected
			if a == nil || len(a.Reasons) == 0 {
				t.Fatalf("advice_corrected %+v, want one", a)
			}
			for _, w := range tc.want {
				if !strings.Contains(a.Reasons[0], w) {
					t.Errorf("first reason %q, want %q in it", a.Reasons[0], w)
				}
			}
			if a.Service != clean.Advice.Service || !slices.Equal(a.Reasons[1:], clean.Advice.Reasons) {
				t.Errorf("corrected advice %s %q\nwant the clean delivery's %s %q", a.Service, a.Reasons[1:], clean.Advice.Service, clean.Advice.Reasons)
			}
		})
	}
}
