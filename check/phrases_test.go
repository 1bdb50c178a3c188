package check

import "testing"

// TestSamplesText: a count agrees with its noun, and a duration under a
// millisecond keeps two significant digits: it never reads as zero, and a
// lag of a few samples is not rounded by a third ("7 samples (0.1 ms)");
// one of a second or more reads in seconds, not "2000.0 ms".
func TestSamplesText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		n    int64
		rate int
		want string
	}{
		{1, 48000, "1 sample (0.021 ms)"},
		{-1, 44100, "1 sample (0.023 ms)"},
		{1, 192000, "1 sample (0.0052 ms)"},
		{1, 384000, "1 sample (0.0026 ms)"},
		{2, 48000, "2 samples (0.042 ms)"},
		{5, 48000, "5 samples (0.10 ms)"},
		{7, 48000, "7 samples (0.15 ms)"},
		{37, 48000, "37 samples (0.77 ms)"},
		{47, 48000, "47 samples (0.98 ms)"},
		{48, 48000, "48 samples (1.0 ms)"},
		{95, 96000, "95 samples (0.99 ms)"},
		{480, 48000, "480 samples (10.0 ms)"},
		{47997, 48000, "47997 samples (999.9 ms)"},
		{47998, 48000, "47998 samples (1.00 s)"},
		{96000, 48000, "96000 samples (2.00 s)"},
		{-144000, 44100, "144000 samples (3.27 s)"},
		{0, 48000, "0 samples (0.0 ms)"},
	}
	for _, tc := range tests {
		if got := samplesText(tc.n, tc.rate); got != tc.want {
			t.Errorf("samplesText(%d, %d) = %q, want %q", tc.n, tc.rate, got, tc.want)
		}
	}
}
