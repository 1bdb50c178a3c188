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

// untimed clears a report's timings (wall and CPU time, the stage table),
// the only figures that differ between two renders of the same session.
func untimed(rep *stemmaster.Report) {
	rep.WallTimeS, rep.XRealTime, rep.CPUTimeS, rep.Stages = 0, 0, 0, nil
}
