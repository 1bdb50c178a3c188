package check

import (
	"context"
	"strings"
	"testing"

	"stemmaster"
	_ "stemmaster/audio/flac"
	"stemmaster/internal/audiotest"
)

// TestFramesPastHeader: a FLAC stem whose STREAMINFO declares 2 s of its
// 3 s is read as 2 s (no length_mismatch against a 2 s stem), and the
// second past its declared end is one frames_past_header finding naming
// both lengths.
func TestFramesPastHeader(t *testing.T) {
	t.Parallel()
	const rate = 48000
	dir := t.TempDir()
	lie := audiotest.WriteFLACDeclaring(t, dir, "lie.flac", audiotest.PinkNoise(1, 2, 3*rate, -12), rate, 2*rate)
	other := audiotest.WriteWAV(t, dir, "other.wav", audiotest.PinkNoise(2, 2, 2*rate, -12), rate, 24)
	rep, err := Run(context.Background(), FileSources([]string{lie, other}), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var past []stemmaster.Finding
	for _, f := range rep.Findings {
		switch f.Code {
		case stemmaster.CodeFramesPastHeader:
			past = append(past, f)
		case stemmaster.CodeLengthMismatch, stemmaster.CodeTruncated:
			t.Errorf("unexpected %s", f.Line())
		}
	}
	if len(past) != 1 {
		t.Fatalf("%d frames_past_header findings, want 1: %+v", len(past), rep.Findings)
	}
	f := past[0]
	if f.File != "lie.flac" || f.Value == nil || *f.Value != rate || f.Severity != stemmaster.SeverityWarning ||
		!strings.Contains(f.Message, "declares 96000 frames (2.000 s) but 48000 more frames (1.000 s) follow them") {
		t.Errorf("finding %+v (value %v)", f, f.Value)
	}
	if got := rep.Stems[0].Frames; got != 2*rate {
		t.Errorf("lie.flac reported with %d frames, want the %d declared", got, 2*rate)
	}
}
