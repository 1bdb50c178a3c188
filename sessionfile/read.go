package sessionfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// MaxBytes bounds what Load reads: the largest session there can be
// (MaxStems stems, every processor, every list at its bound) is 1.1 MB as
// indented JSON, and reading stops at four times that rather than filling
// memory from a device or a runaway generator. Parsing holds a few copies
// of the document; the values it may write are bounded by MaxValues.
const MaxBytes = 4 << 20

// readSession reads the session file at path. A directory, device or
// socket is refused before it is read (a device such as /dev/zero never
// ends); a named pipe is read, since `-s <(generate)` hands one over; a
// file or stream longer than MaxBytes is refused. Errors are
// *os.PathError naming path.
func readSession(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if kind := NotAFile(fi); kind != "" && fi.Mode()&os.ModeNamedPipe == 0 {
		return nil, &os.PathError{Op: "read", Path: path, Err: fmt.Errorf("%s, not a session file", kind)}
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxBytes {
		return nil, &os.PathError{Op: "read", Path: path, Err: fmt.Errorf("longer than %d MiB: not a session file", MaxBytes>>20)}
	}
	if audioFile(data) {
		return nil, &os.PathError{Op: "read", Path: path, Err: errors.New("an audio file, not a session file: give the stems on the command line without -s, or the session that names them")}
	}
	return data, nil
}

// audioFile reports whether data opens as one of the audio files the
// stems are (WAV, RF64/BW64, AIFF, FLAC, an ID3 tag before FLAC):
// `master -s drums.wav` was refused as "syntax error: control characters
// are not allowed".
func audioFile(data []byte) bool {
	for _, magic := range []string{"RIFF", "RF64", "BW64", "FORM", "fLaC", "ID3"} {
		if bytes.HasPrefix(data, []byte(magic)) {
			return true
		}
	}
	return false
}
