package assist

import (
	"math"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"stemmaster/audio"
	"stemmaster/internal/audiotest"
)

// TestReadTrackAllocatesOnce: a track is read into slices sized from the
// header, not grown by appending (which allocated about five times the
// track and held up to twice it while copying: on eight 4-minute stems,
// 0.4 GB more at the peak).
func TestReadTrackAllocatesOnce(t *testing.T) {
	const frames = 10 * 48000
	path := audiotest.WriteWAV(t, t.TempDir(), "s.wav", audiotest.Sine(48000, 2, frames, 440, -12, 0), 48000, 24)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	tr, err := ReadTrack(path)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	track := uint64(2 * 4 * tr.Buf.Frames())
	// The two channels, the decoder's block and buffers: well under 1.5×.
	if got := after.TotalAlloc - before.TotalAlloc; got > track*3/2 {
		t.Errorf("ReadTrack allocated %d bytes for a track of %d (%.1f×), want under 1.5×", got, track, float64(got)/float64(track))
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

// TestReadTrackStopsAtTheDeclaredLength: a FLAC's frames may go on past the
// length its STREAMINFO declares, an RF64's past its ds64 data size; the
// track ends there, as the service counted the upload. 18 MB of FLAC
// frames of silence declaring one second were read for 1200 s (1.1 GB of
// RSS for one suggestion) before being refused as too long. A streamed WAV
// (data size 0 or 0xFFFFFFFF) declares none: it is read to its end. A span
// (the excerpt) seeks into the file and ends at the same length.
func TestReadTrackStopsAtTheDeclaredLength(t *testing.T) {
	dir := t.TempDir()
	const declared, whole, start = 12000, 96000, 4800
	sig := audiotest.Sine(48000, 2, whole, 440, -12, 0)
	for _, c := range audiotest.DeclaredLengthFiles(t, dir, sig, 48000, declared) {
		tr, err := ReadTrack(c.Path)
		if err != nil {
			t.Fatal(err)
		}
		if n := tr.Buf.Frames(); n != c.Frames {
			t.Errorf("%s: read %d frames, want %d", filepath.Base(c.Path), n, c.Frames)
		}
		// An excerpt asked past the end is padded with silence to its
		// length: what it holds of the file ends where the file does.
		ex, err := ReadTrackSpan(c.Path, start/48000.0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if n := lastSound(ex.Buf.Data[0]); n != c.Frames-start {
			t.Errorf("%s: excerpt from frame %d holds %d frames of the file, want %d", filepath.Base(c.Path), start, n, c.Frames-start)
		}
	}
}

// lastSound is the length of x up to its last non-zero sample.
func lastSound(x []float32) int {
	for i := len(x) - 1; i >= 0; i-- {
		if x[i] != 0 {
			return i + 1
		}
	}
	return 0
}

// The onsets of a full mix are its drums' : the
// demo song at 120 BPM, hi-hats in eighths, reads 3 onsets a second or
// more summed (it read 0.4 on the broadband level, which its bass and
// pad hold between hits), while its sustained pad alone reads none.
func TestOnsetsOfAFullMix(t *testing.T) {
	t.Parallel()
	var sum *audio.Buffer
	var pad float64
	for _, s := range demoStems(rate) {
		sum = mixInto(sum, s.Buf)
		if s.Name == "chords.wav" {
			_, pad = dynamicsOf(s.Buf, rate)
		}
	}
	_, got := dynamicsOf(sum, rate)
	t.Logf("the demo song summed: %.2f onsets a second; its pad alone %.2f", got, pad)
	if got < 3 || pad > 0.5 {
		t.Errorf("the demo song summed reads %.2f onsets a second (want 3 or more: eighths at 120 BPM), its pad %.2f (want under 0.5)", got, pad)
	}
}
