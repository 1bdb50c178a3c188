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
