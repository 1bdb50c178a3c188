package wav

import (
	"bytes"

	"stemmaster/audio"
	"stemmaster/audio/internal/pcm"
)

func init() {
	audio.Register(audio.Codec{
		Name:       "wav",
		Match:      match,
		Decode:     pcm.AdaptDecode(Decode),
		DecodeInfo: pcm.AdaptInfo(DecodeConfig),
		Encode:     pcm.AdaptEncode(NewEncoder),
	})
}

// codec names the package to the container glue in package pcm.
type codec struct{}

func (codec) Name() string { return "wav" }

// match recognises RIFF, RF64, BW64 and (to report it as unsupported) RIFX
// WAVE headers.
func match(b []byte) bool {
	if len(b) < 12 || !bytes.Equal(b[8:12], []byte("WAVE")) {
		return false
	}
	switch string(b[0:4]) {
	case "RIFF", "RF64", "BW64", "RIFX":
		return true
	}
	return false
}
