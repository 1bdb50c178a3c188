package engine

import (
	"context"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/audio"
)

// TestNoAudioNamesFiles: stems with no frames are refused naming each file,
// its length and its offset.
func TestNoAudioNamesFiles(t *testing.T) {
	t.Parallel()
	err := noAudio([]stemInput{
		{path: "/up/drums.wav", info: audio.Info{Frames: 0}},
		{path: "/up/bass.wav", info: audio.Info{Frames: 100}, spec: stemmaster.StemSpec{OffsetSamples: -100}},
	})
	for _, s := range []string{"drums.wav (0 frames)", "bass.wav (100 frames, offset_samples -100)"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("%q does not say %q", err, s)
		}
	}
}

// TestOffsetOutWarns: a stem whose offset_samples moves all its frames
// before the song's start, beside a stem that plays, renders with a
// warning naming it (not dropped without a word); an offset that leaves
// a frame in does not warn.
func TestOffsetOutWarns(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	versionStems(t, dir) // vox.wav and keys.wav, 5 s each
	for _, tc := range []struct {
		offset int64
		warn   bool
	}{{-5 * rate, true}, {-5*rate + 1, false}} {
		s := &stemmaster.Session{Dir: dir, Stems: []stemmaster.StemSpec{{File: "vox.wav", OffsetSamples: tc.offset}, {File: "keys.wav"}}}
		rep, err := Render(context.Background(), s, Options{OutDir: t.TempDir(), SkipCheck: true})
		if err != nil {
			t.Fatal(err)
		}
		w := strings.Join(rep.Warnings, "\n")
		if got := strings.Contains(w, "vox.wav: offset_samples") && strings.Contains(w, "silent in every version"); got != tc.warn {
			t.Errorf("offset %d: warned %v, want %v:\n%s", tc.offset, got, tc.warn, w)
		}
	}
}
