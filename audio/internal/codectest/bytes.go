package codectest

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"
)

// Codec files built byte by byte: chunks, containers, integers and floats in either order.

// Chunk is one chunk of a hand-built RIFF (WAV) or IFF (AIFF) file.
type Chunk struct {
	ID   string
	Body []byte
	Size uint32 // declared size; 0 means len(Body)
}

// Container assembles a RIFF or IFF file: id ("RIFF", "RF64", "FORM", …),
// its size, the form type ("WAVE", "AIFF", …), then the chunks, each
// followed by a pad byte when its body is odd. Sizes are written in order
// (little-endian for RIFF, big-endian for IFF).
func Container(order binary.ByteOrder, id, typ string, chunks ...Chunk) []byte {
	b := append([]byte(id), 0, 0, 0, 0)
	b = append(b, typ...)
	for _, c := range chunks {
		size := c.Size
		if size == 0 {
			size = uint32(len(c.Body))
		}
		b = append(b, c.ID...)
		b = append(b, 0, 0, 0, 0)
		order.PutUint32(b[len(b)-4:], size)
		b = append(b, c.Body...)
		if len(c.Body)%2 == 1 {
			b = append(b, 0)
		}
	}
	order.PutUint32(b[4:8], uint32(len(b)-8))
	return b
}

// Unpadded is a Container file with the pad byte after its first chunk
// id (of odd size) left out, as a careless writer leaves it, and the
// container's size told so.
func Unpadded(order binary.ByteOrder, file []byte, id string) []byte {
	i := bytes.Index(file[12:], []byte(id)) + 12
	end := i + 8 + int(order.Uint32(file[i+4:]))
	b := append(slices.Clip(file[:end]), file[end+1:]...)
	order.PutUint32(b[4:8], uint32(len(b)-8))
	return b
}

// LE16, LE24 and LE32 encode integer samples little-endian, BE16, BE24 and
// BE32 big-endian, and F32LE float32 samples little-endian, for hand-built
// audio data.
func LE16(vs ...int) []byte {
	return appendEach(vs, func(b []byte, v int) []byte { return binary.LittleEndian.AppendUint16(b, uint16(v)) })
}

// LE24: see LE16.
func LE24(vs ...int) []byte {
	return appendEach(vs, func(b []byte, v int) []byte { return append(b, byte(v), byte(v>>8), byte(v>>16)) })
}

// LE32: see LE16.
func LE32(vs ...int64) []byte {
	return appendEach(vs, func(b []byte, v int64) []byte { return binary.LittleEndian.AppendUint32(b, uint32(v)) })
}

// BE16: see LE16.
func BE16(vs ...int) []byte {
	return appendEach(vs, func(b []byte, v int) []byte { return binary.BigEndian.AppendUint16(b, uint16(v)) })
}

// BE24: see LE16.
func BE24(vs ...int) []byte {
	return appendEach(vs, func(b []byte, v int) []byte { return append(b, byte(v>>16), byte(v>>8), byte(v)) })
}

// BE32: see LE16.
func BE32(vs ...int64) []byte {
	return appendEach(vs, func(b []byte, v int64) []byte { return binary.BigEndian.AppendUint32(b, uint32(v)) })
}

// F32LE: see LE16.
func F32LE(vs ...float32) []byte {
	return appendEach(vs, func(b []byte, v float32) []byte { return binary.LittleEndian.AppendUint32(b, math.Float32bits(v)) })
}

// appendEach appends the encoding of every value.
func appendEach[T any](vs []T, enc func([]byte, T) []byte) []byte {
	var b []byte
	for _, v := range vs {
		b = enc(b, v)
	}
	return b
}

// Q is the value an n-bit integer sample v must decode to: v/2^(n-1), the
// scaling of ffmpeg and sox (and the one the encoders invert).
func Q(v int64, bits int) float32 { return float32(float64(v) / float64(int64(1)<<(bits-1))) }
