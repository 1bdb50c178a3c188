package check

import "testing"

// TestSamplesText: a count agrees with its noun, and a duration under a
// millisecond never reads as zero.
func TestSamplesText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		n    int64
		rate int
		want string
	}{
		{1, 48000, "1 sample (0.02 ms)"},
		{-1, 44100, "1 sample (0.02 ms)"},
		{1, 192000, "1 sample (0.005 ms)"},
		{1, 384000, "1 sample (0.003 ms)"},
		{2, 48000, "2 samples (0.04 ms)"},
		{5, 48000, "5 samples (0.1 ms)"},
		{37, 48000, "37 samples (0.8 ms)"},
		{480, 48000, "480 samples (10.0 ms)"},
		{0, 48000, "0 samples (0.0 ms)"},
	}
	for _, tc := range tests {
		if got := samplesText(tc.n, tc.rate); got != tc.want {
			t.Errorf("samplesText(%d, %d) = %q, want %q", tc.n, tc.rate, got, tc.want)
		}
	}
}
