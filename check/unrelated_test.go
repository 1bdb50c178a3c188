package check

import (
	"slices"
	"strings"
	"testing"

	"stemmaster"
)

// TestUnrelatedMix: against a mix that holds none of the stems (here
// their own mix played backwards: the same instruments and levels, none
// of the same audio), the one finding is that the mix is not these
// stems' mix; no stem is called absent, hot, quiet or inverted against it.
func TestUnrelatedMix(t *testing.T) {
	t.Parallel()
	names, b := shortSong()
	back := sumOf(b...)
	for _, ch := range back.Data {
		slices.Reverse(ch)
	}
	m := memSource("mix.wav", back, pcm24(testRate, 2))
	rep := run(t, memSet(names, b, testRate), &m)
	assertFindings(t, rep, []want{{code: stemmaster.CodeSumMismatch, file: "mix.wav", text: "the mix mix.wav is not the mix of these stems"}})
	for _, f := range rep.Findings {
		if strings.Contains(f.Message, "-0.0") {
			t.Errorf("%q prints a negative zero", f.Message)
		}
	}
}
