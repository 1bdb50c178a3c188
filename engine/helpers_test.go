package engine

import (
	"testing"

	"stemmaster"

	"stemmaster/audio"
	_ "stemmaster/audio/flac"
	_ "stemmaster/audio/wav"
	"stemmaster/internal/audiotest"
)

// readAll decodes a whole file with audiotest.ReadFile and fails the test
// unless it holds exactly the frames its header announces.
func readAll(t testing.TB, path string) (*audio.Buffer, audio.Info) {
	t.Helper()
	out, info := audiotest.ReadFile(t, path)
	if int64(out.Frames()) != info.Frames {
		t.Fatalf("%s: read %d of %d frames", path, out.Frames(), info.Frames)
	}
	return out, info
}

// writeWAV writes b as a WAV file of the given format with
// audiotest.WriteFile.
func writeWAV(t testing.TB, path string, b *audio.Buffer, rate, bits int, float bool) {
	t.Helper()
	f := audio.Format{SampleRate: rate, Channels: b.Channels(), BitDepth: bits, SampleFormat: audio.Int}
	if float {
		f.SampleFormat = audio.Float
	}
	audiotest.WriteFile(t, path, "wav", f, b)
}

// untimed clears a report's timings (wall and CPU time, the stage table),
// the only figures that differ between two renders of the same session.
func untimed(rep *stemmaster.Report) {
	rep.WallTimeS, rep.XRealTime, rep.CPUTimeS, rep.Stages = 0, 0, 0, nil
}
