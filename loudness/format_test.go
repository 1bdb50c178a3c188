package loudness

import (
	"strings"
	"testing"
)

// TestFormatErrorRate: the refused rate reads as people write it.
func TestFormatErrorRate(t *testing.T) {
	t.Parallel()
	for rate, want := range map[float64]string{1048575: "1048575 Hz", 1000.5: "1000.5 Hz", 4e14: "400000000000000 Hz", 1e300: "1e+300 Hz"} {
		msg := (&FormatError{SampleRate: rate, Channels: 2}).Error()
		if !strings.Contains(msg, "rate of "+want) {
			t.Errorf("%g: %q does not say %q", rate, msg, want)
		}
	}
}
