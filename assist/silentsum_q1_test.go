package assist

import (
	"math"
	"strings"
	"testing"

	"stemmaster/audio"
	"stemmaster/internal/audiotest"
)

// TestNothingToMeasure: stems whose sum is silent, or too short for a
// loudness reading (under 400 ms), give an error naming the cause, never a
// proposal built on undefined figures ("low end NaN dB against the rest")
// or on ten samples.
func TestNothingToMeasure(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		buf  *audio.Buffer
	}{
		{"silent.wav", audio.NewBuffer(2, rate)},
		{"tiny.wav", audiotest.Sine(rate, 2, 10, 440, -6, 0)},
	} {
		p, err := Propose([]*Track{{Name: c.name, Rate: rate, Buf: c.buf}}, Options{Amount: 1})
		if err == nil {
			t.Errorf("%s: proposed %d decisions, family reason %q; want an error", c.name, len(p.Decisions), p.FamilyReason)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "silent or too short") || !strings.Contains(msg, c.name) {
			t.Errorf("%s: error %q does not name the file and the cause", c.name, msg)
		}
	}
}

// TestReadTrackNamesTheFileOnce: a file that fails mid-read (NaN samples)
// is named once in the error, as every other command names it.
func TestReadTrackNamesTheFileOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b := audiotest.Sine(rate, 2, rate, 440, -6, 0)
	b.Data[0][100] = float32(math.NaN())
	path := audiotest.WriteFloatWAV(t, dir, "nan.wav", b, rate)
	_, err := ReadTrack(path)
	if err == nil || strings.Count(err.Error(), "nan.wav") != 1 || !strings.Contains(err.Error(), "NaN") {
		t.Fatalf("error %v, want one naming nan.wav once and its NaN samples", err)
	}
}
