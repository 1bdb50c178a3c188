package service

import (
	"bytes"
	"io"
	"os"
	"unicode/utf8"
)

// notAudioHint says in plain words what a file that does not decode is
// and what to send instead, from its first bytes; "" when it cannot tell
// (the decoder's own message is shown then).
func notAudioHint(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	const export = "export WAV (24-bit, or 32-bit float) from the session instead"
	switch {
	case bytes.HasPrefix(head, []byte("ID3")) || (len(head) > 1 && head[0] == 0xFF && head[1]&0xE0 == 0xE0 && head[1]&0x06 != 0):
		return "an MP3 file: lossy, it has lost detail mastering would bring forward; " + export
	case len(head) > 8 && string(head[4:8]) == "ftyp":
		return "an AAC/M4A (or video) file: lossy; " + export
	case bytes.HasPrefix(head, []byte("OggS")):
		return "an Ogg (Vorbis/Opus) file: lossy; " + export
	case len(head) > 1 && head[0] == 0xFF && head[1]&0xF6 == 0xF0:
		return "an AAC file: lossy; " + export
	case bytes.HasPrefix(head, []byte("RIFF")) || bytes.HasPrefix(head, []byte("FORM")) || bytes.HasPrefix(head, []byte("fLaC")):
		return "" // the decoder says what is wrong with it
	case len(head) > 0 && utf8.Valid(head) && bytes.IndexByte(head, 0) < 0:
		return "a text file, not audio (renamed?); export the stem as WAV from the session"
	}
	return ""
}
