package audiotest

import (
	"slices"
	"testing"
)

func TestF32LERoundTrip(t *testing.T) {
	t.Parallel()
	b := WhiteNoise(1, 2, 100, -6)
	raw := F32LE(b)
	if len(raw) != 2*100*4 {
		t.Fatalf("%d bytes, want 800", len(raw))
	}
	got := FromF32LE(append(raw, 1, 2, 3), 2) // a partial frame at the end is dropped
	for c := range b.Data {
		if !slices.Equal(got.Data[c], b.Data[c]) {
			t.Fatalf("channel %d differs after the round trip", c)
		}
	}
	if got.Frames() != 100 {
		t.Fatalf("%d frames, want 100", got.Frames())
	}
}
