package resample

import (
	"testing"

	"stemmaster/internal/audiotest"
)

// TestReaderMatchesProcess: the Reader, read in odd block sizes, gives
// the same frames as Process and Flush over the whole signal.
func TestReaderMatchesProcess(t *testing.T) {
	t.Parallel()
	src := audiotest.WhiteNoise(7, 2, 10007, -6)
	rs, err := New(44100, 48000, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := audiotest.Concat(rs.Process(nil, src).Clone(), rs.Flush(nil).Clone())
	r, err := NewReader(audiotest.NewReader(src, 44100), 44100, 48000, 2)
	if err != nil {
		t.Fatal(err)
	}
	got, err := audiotest.ReadBlocks(t, r, 2, 1, 333, 4096, 5000)
	if err != nil {
		t.Fatal(err)
	}
	if got.Frames() != want.Frames() || int64(got.Frames()) != r.OutputFrames(10007) {
		t.Fatalf("frames %d, Process+Flush %d, OutputFrames %d", got.Frames(), want.Frames(), r.OutputFrames(10007))
	}
	audiotest.SameSamples(t, got, want, "Process and Flush")
}
