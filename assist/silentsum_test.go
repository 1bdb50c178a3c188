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

// TestExtremeReferenceWeights: a weight the blends cannot carry (a
// denormal such as 1e-320, which the API took as "over 0") is an error
// naming the reference, never a proposal with NaN in it (the API answered
// 500: "json: unsupported value: NaN").
func TestExtremeReferenceWeights(t *testing.T) {
	t.Parallel()
	// Two seconds of one stem and of the reference: the weights are what
	// is tried.
	stem := &Track{Name: "mix.wav", Rate: rate, Buf: audiotest.PinkNoise(3, 2, 2*rate, -12)}
	ref := &Track{Name: "ref.wav", Rate: rate, Buf: audiotest.PinkNoise(5, 2, 2*rate, -6)}
	propose := func(w float64) error {
		_, err := Propose([]*Track{stem}, Options{Amount: 1, References: []Reference{{Track: ref, Weight: w}}})
		return err
	}
	for _, w := range []float64{1e-320, 1e-12, 1e12, math.Inf(1)} {
		if err := propose(w); err == nil || !strings.Contains(err.Error(), "ref.wav") || !strings.Contains(err.Error(), "weight") {
			t.Errorf("weight %g: %v, want an error naming the reference and its weight", w, err)
		}
	}
	if err := propose(1e-6); err != nil {
		t.Errorf("weight 1e-6: %v", err)
	}
}
