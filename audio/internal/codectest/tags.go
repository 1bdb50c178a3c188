package codectest

import (
	"bytes"
	"encoding/binary"
)

// The tags taggers append to audio files, for the readers' tests: each
// reader must take them for no audio.

// ID3v1 is an ID3v1 tag: "TAG" and 125 bytes of text.
func ID3v1() []byte {
	return append([]byte("TAG"), bytes.Repeat([]byte("x"), 125)...)
}

// ID3v2 is an ID3v2.4 tag of n bytes of frames (none zero: cover art),
// with its footer when footer is set.
func ID3v2(n int, footer bool) []byte { return id3Wrap(Noise(n), footer) }

// id3Wrap is an ID3v2.4 tag of the frames (and padding) body.
func id3Wrap(body []byte, footer bool) []byte {
	size := syncsafe(len(body))
	flags := byte(0)
	if footer {
		flags = 0x10
	}
	t := append(append([]byte("ID3\x04\x00"), flags), size...)
	t = append(t, body...)
	if footer {
		t = append(append(t, "3DI\x04\x00"...), flags)
		t = append(t, size...)
	}
	return t
}

// syncsafe is n as an ID3v2 size: four bytes of seven bits each.
func syncsafe(n int) []byte {
	return []byte{byte(n >> 21 & 0x7F), byte(n >> 14 & 0x7F), byte(n >> 7 & 0x7F), byte(n & 0x7F)}
}

// TaggedID3 is an ID3v2.4 tag as a tagger writes it, without a footer: a
// title frame (its header and text encoding mostly zeros), a picture frame
// of art bytes, then pad bytes of padding.
func TaggedID3(art, pad int) []byte { return TaggedID3Zeros(art, 0, pad) }

// TaggedID3Zeros is TaggedID3 with a run of zeros opening the picture's
// bytes (a bitmap's black rows): frame bytes, near the tag's header, that
// look like the padding before the tag.
func TaggedID3Zeros(art, zeros, pad int) []byte {
	frame := func(id string, body []byte) []byte {
		return append(append(append([]byte(id), syncsafe(len(body))...), 0, 0), body...)
	}
	pic := append(make([]byte, zeros), Noise(art)...)
	b := frame("TIT2", []byte("\x00Song"))
	b = append(b, frame("APIC", append([]byte("\x00image/png\x00\x03\x00"), pic...))...)
	return id3Wrap(append(b, make([]byte, pad)...), false)
}

// APETag is an APEv2 tag of one item, with its header when header is set
// (APEv1 has none), as taggers append it: items, then the 32-byte footer.
func APETag(header bool) []byte {
	le := binary.LittleEndian
	item := le.AppendUint32(nil, 4)
	item = append(le.AppendUint32(item, 0), "Title\x00Song"...)
	mark := func(flags uint32) []byte {
		b := le.AppendUint32([]byte("APETAGEX"), 2000)
		b = le.AppendUint32(b, uint32(len(item)+32))
		b = le.AppendUint32(b, 1)
		return append(le.AppendUint32(b, flags), make([]byte, 8)...)
	}
	if !header {
		return append(item, mark(0)...)
	}
	return append(append(mark(1<<31|1<<29), item...), mark(1<<31)...)
}

// Noise is n bytes none of which is zero.
func Noise(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i%251 + 1)
	}
	return b
}
