package service

import (
	"bytes"
	"io"
	"os"
	"unicode/utf8"
)

// Upload roles: what a file was uploaded as, named in the messages that
// refuse it (store.KindStem and store.KindMix, and a reference track).
const (
	RoleStem      = "stem"
	RoleMix       = "mix"
	RoleReference = "reference"
)

// roleWords is how a message names what a file was uploaded as.
func roleWords(role string) string {
	switch role {
	case RoleMix:
		return "the mix"
	case RoleReference:
		return "a reference track"
	case RoleStem:
		return "a stem"
	}
	return ""
}

// exportAdvice says what to send instead of a file that is not usable
// audio, for what it was uploaded as.
func exportAdvice(role string) string {
	switch role {
	case RoleMix:
		return "bounce the mix from your session as WAV (24-bit, or 32-bit float) and upload that as the mix"
	case RoleReference:
		return "use a WAV or FLAC copy of the reference track"
	}
	return "export the stem from your session as WAV (24-bit, or 32-bit float) and upload that as a stem"
}

// notAudioHint says in plain words what a file that does not decode is
// and what to send instead (for role, what it was uploaded as), from its
// first bytes; "" when it cannot tell (the decoder's own message is shown
// then).
func notAudioHint(path, role string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	export := exportAdvice(role)
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
		return "a text file, not audio (renamed?); " + export
	}
	return ""
}
