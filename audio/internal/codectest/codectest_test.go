package codectest

import (
	"bytes"
	"encoding/binary"
	"io"
	"testing"
)

// TestContainer checks the bytes of hand-built files against layouts
// written out by hand from the RIFF and IFF chunk rules: id, size (of what
// follows it), form type, then each chunk's id, size and body, padded to
// an even length (the pad not counted in the chunk's size).
func TestContainer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		order  binary.ByteOrder
		id     string
		typ    string
		chunks []Chunk
		want   []byte
	}{
		{"riff odd chunk padded", binary.LittleEndian, "RIFF", "WAVE",
			[]Chunk{{ID: "abcd", Body: []byte{1, 2, 3}}},
			[]byte("RIFF\x10\x00\x00\x00WAVEabcd\x03\x00\x00\x00\x01\x02\x03\x00")},
		{"iff declared size kept", binary.BigEndian, "FORM", "AIFF",
			[]Chunk{{ID: "SSND", Body: []byte{9, 9}, Size: 100}},
			[]byte("FORM\x00\x00\x00\x0eAIFFSSND\x00\x00\x00\x64\x09\x09")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Container(tc.order, tc.id, tc.typ, tc.chunks...); !bytes.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestMemFile checks that writes after a seek overwrite in place and that a
// seek before the start fails.
func TestMemFile(t *testing.T) {
	t.Parallel()
	var m MemFile
	m.Write([]byte("abcdef"))
	if _, err := m.Seek(2, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	m.Write([]byte("XY"))
	if _, err := m.Seek(0, io.SeekEnd); err != nil {
		t.Fatal(err)
	}
	m.Write([]byte("g"))
	if got, want := string(m.Bytes()), "abXYefg"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if _, err := m.Seek(-1, io.SeekStart); err == nil {
		t.Error("seek to -1 succeeded")
	}
}
