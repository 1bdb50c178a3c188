package audio

import (
	"fmt"
	"io"
)

// encoderCodec finds the registered codec that writes container.
func encoderCodec(container string) (*Codec, error) {
	codecsMu.RLock()
	defer codecsMu.RUnlock()
	for i := range codecs {
		if codecs[i].Name == container && codecs[i].Encode != nil {
			return &codecs[i], nil
		}
	}
	return nil, fmt.Errorf("no encoder for container %q", container)
}

// NewWriter starts a stream in the named container ("wav", "flac", …) on
// w, which the caller owns: Close finalises the stream (the encoder may
// seek back to complete its header) and leaves w open. Unlike Create it
// neither syncs nor renames: it is for scratch files and streams whose
// durability lies elsewhere (a spool uploaded to a blob store).
func NewWriter(w io.WriteSeeker, container string, f Format) (Writer, error) {
	codec, err := encoderCodec(container)
	if err != nil {
		return nil, err
	}
	return codec.Encode(w, f)
}
