package engine

import (
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
