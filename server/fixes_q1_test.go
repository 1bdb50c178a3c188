package server

import (
	"testing"

	"stemmaster"
)

// TestOffsetLabelCounts: the offset fix's button reads "1 sample", not
// "1 samples".
func TestOffsetLabelCounts(t *testing.T) {
	t.Parallel()
	stems := map[string]*stemmaster.StemSpec{"keys.wav": {File: "keys.wav"}}
	for fix, want := range map[string]string{
		"set offset_samples: -1 for keys.wav in the session":   "move keys.wav 1 sample earlier",
		"set offset_samples: 1 for keys.wav in the session":    "move keys.wav 1 sample later",
		"set offset_samples: -480 for keys.wav in the session": "move keys.wav 480 samples earlier",
	} {
		a := applyFor(stemmaster.Finding{Code: stemmaster.CodeOffset, File: "keys.wav", Fix: fix}, stems)
		if a == nil || a.Label != want {
			t.Errorf("%q: %+v, want the label %q", fix, a, want)
		}
	}
}
