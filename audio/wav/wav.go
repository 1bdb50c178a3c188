package wav

import (
	"bytes"
	"io"

	"stemmaster/audio"
)

func init() {
	audio.Register(audio.Codec{
		Name:  "wav",
		Match: match,
		Decode: func(r io.ReadSeeker) (audio.Reader, error) {
			d, err := Decode(r)
			if err != nil {
				return nil, err
			}
			return d, nil
		},
		DecodeInfo: func(r io.ReadSeeker) (audio.Info, error) { return DecodeConfig(r) },
		Encode: func(w io.WriteSeeker, f audio.Format) (audio.Writer, error) {
			e, err := NewEncoder(w, f)
			if err != nil {
				return nil, err
			}
			return e, nil
		},
	})
}

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
