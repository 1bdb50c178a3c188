package engine

import (
	"fmt"
	"path/filepath"
	"strings"
)

// noAudio is the error for stems that hold no frames once their
// offset_samples apply: it names each file with its length and offset, so
// the client knows which export is empty.
func noAudio(inputs []stemInput) error {
	parts := make([]string, len(inputs))
	for i, in := range inputs {
		parts[i] = fmt.Sprintf("%s (%d frames", filepath.Base(in.path), in.info.Frames)
		if in.spec.OffsetSamples != 0 {
			parts[i] += fmt.Sprintf(", offset_samples %d", in.spec.OffsetSamples)
		}
		parts[i] += ")"
	}
	return fmt.Errorf("the stems hold no audio: %s; export them again, or check offset_samples", strings.Join(parts, ", "))
}

// offsetOut warns of each stem whose offset_samples leaves none of its
// frames in the song while other stems play: it is silent in every
// version, which nothing else in the render says.
func offsetOut(inputs []stemInput) []string {
	var w []string
	for _, in := range inputs {
		if n := in.info.Frames; n > 0 && n+in.spec.OffsetSamples <= 0 {
			w = append(w, fmt.Sprintf("%s: offset_samples %d moves all its %d frames before the song's start: it is silent in every version; check offset_samples",
				filepath.Base(in.path), in.spec.OffsetSamples, n))
		}
	}
	return w
}
