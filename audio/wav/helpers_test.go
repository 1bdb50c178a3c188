package wav

import (
	"encoding/binary"
	"runtime"
	"testing"

	"stemmaster/audio"
	"stemmaster/audio/internal/codectest"
)

// readLayouts are the layouts Read is held to its speed and to no
// allocation on: the usual exports (24-bit stereo has a kernel of its own),
// mono, float and surround.
var readLayouts = []audio.Format{
	{SampleRate: 48000, Channels: 2, BitDepth: 24, SampleFormat: audio.Int},
	{SampleRate: 48000, Channels: 2, BitDepth: 16, SampleFormat: audio.Int},
	{SampleRate: 48000, Channels: 2, BitDepth: 32, SampleFormat: audio.Float},
	{SampleRate: 48000, Channels: 1, BitDepth: 24, SampleFormat: audio.Int},
	{SampleRate: 48000, Channels: 1, BitDepth: 32, SampleFormat: audio.Float},
	{SampleRate: 48000, Channels: 6, BitDepth: 24, SampleFormat: audio.Int},
}

// chunk is one RIFF chunk for hand-built test files.
type chunk = codectest.Chunk

// riff assembles a file: id ("RIFF", "RF64", …), "WAVE", then the chunks
// with pad bytes after odd bodies.
func riff(id string, chunks ...chunk) []byte {
	return codectest.Container(binary.LittleEndian, id, "WAVE", chunks...)
}

// Sample bytes and expected values for hand-built data chunks.
var (
	le16, le24, le32, f32 = codectest.LE16, codectest.LE24, codectest.LE32, codectest.F32LE
	q                     = codectest.Q
)

// fmtChunk builds a 16-byte fmt chunk.
func fmtChunk(tag uint16, channels, rate, blockAlign, bits int) chunk {
	le := binary.LittleEndian
	b := le.AppendUint16(nil, tag)
	b = le.AppendUint16(b, uint16(channels))
	b = le.AppendUint32(b, uint32(rate))
	b = le.AppendUint32(b, uint32(rate*blockAlign))
	b = le.AppendUint16(b, uint16(blockAlign))
	b = le.AppendUint16(b, uint16(bits))
	return chunk{ID: "fmt ", Body: b}
}

// extFmtChunk builds a WAVE_FORMAT_EXTENSIBLE fmt chunk whose sub-format
// GUID carries subTag.
func extFmtChunk(subTag uint16, channels, rate, containerBits, validBits int) chunk {
	c := fmtChunk(tagExtensible, channels, rate, channels*containerBits/8, containerBits)
	le := binary.LittleEndian
	b := le.AppendUint16(c.Body, 22)
	b = le.AppendUint16(b, uint16(validBits))
	b = le.AppendUint32(b, 3)
	b = le.AppendUint16(b, subTag)
	b = append(b, guidTail[:]...)
	return chunk{ID: "fmt ", Body: b}
}

// bextChunk builds a minimal BWF bext chunk (version 1, 602 bytes).
func bextChunk(timeRef uint64) chunk {
	b := make([]byte, 602)
	binary.LittleEndian.PutUint64(b[bextTimeRef:], timeRef)
	binary.LittleEndian.PutUint16(b[bextTimeRef+8:], 1)
	return chunk{ID: "bext", Body: b}
}

// ds64Chunk builds an RF64 ds64 chunk.
func ds64Chunk(riffSize, dataSize, frames uint64) chunk {
	le := binary.LittleEndian
	b := le.AppendUint64(nil, riffSize)
	b = le.AppendUint64(b, dataSize)
	b = le.AppendUint64(b, frames)
	b = le.AppendUint32(b, 0)
	return chunk{ID: "ds64", Body: b}
}

// encode writes b in format f with blocks of the given size.
func encode(t testing.TB, f audio.Format, b *audio.Buffer, block int) []byte {
	t.Helper()
	return codectest.Encode(t, NewEncoder, f, b, block)
}

// runtimeMem samples the allocator after a GC.
type runtimeMem struct{ total, heap uint64 }

func (m *runtimeMem) read() {
	runtime.GC()
	var s runtime.MemStats
	runtime.ReadMemStats(&s)
	m.total, m.heap = s.TotalAlloc, s.HeapAlloc
}
