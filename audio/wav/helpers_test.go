package wav

import (
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"runtime"
	"testing"

	"stemmaster/audio"
)

// memFile is an in-memory io.WriteSeeker (and, through reader(), a source).
type memFile struct {
	b   []byte
	off int64
}

func (m *memFile) Write(p []byte) (int, error) {
	end := m.off + int64(len(p))
	if end > int64(len(m.b)) {
		m.b = append(m.b, make([]byte, end-int64(len(m.b)))...)
	}
	copy(m.b[m.off:], p)
	m.off = end
	return len(p), nil
}

func (m *memFile) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		off += m.off
	case io.SeekEnd:
		off += int64(len(m.b))
	}
	if off < 0 {
		return 0, errors.New("negative seek")
	}
	m.off = off
	return off, nil
}

// onlyReader hides Seek, as a pipe or network stream would.
type onlyReader struct{ io.Reader }

// chunk is one RIFF chunk for hand-built test files.
type chunk struct {
	id   string
	body []byte
	size uint32 // declared size; 0 means len(body)
}

// riff assembles a file: id ("RIFF", "RF64", …), "WAVE", then the chunks
// with pad bytes after odd bodies.
func riff(id string, chunks ...chunk) []byte {
	var b []byte
	b = append(b, id...)
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = append(b, "WAVE"...)
	for _, c := range chunks {
		size := c.size
		if size == 0 {
			size = uint32(len(c.body))
		}
		b = append(b, c.id...)
		b = binary.LittleEndian.AppendUint32(b, size)
		b = append(b, c.body...)
		if len(c.body)%2 == 1 {
			b = append(b, 0)
		}
	}
	binary.LittleEndian.PutUint32(b[4:], uint32(len(b)-8))
	return b
}

// fmtChunk builds a 16-byte fmt chunk.
func fmtChunk(tag uint16, channels, rate, blockAlign, bits int) chunk {
	le := binary.LittleEndian
	b := le.AppendUint16(nil, tag)
	b = le.AppendUint16(b, uint16(channels))
	b = le.AppendUint32(b, uint32(rate))
	b = le.AppendUint32(b, uint32(rate*blockAlign))
	b = le.AppendUint16(b, uint16(blockAlign))
	b = le.AppendUint16(b, uint16(bits))
	return chunk{id: "fmt ", body: b}
}

// extFmtChunk builds a WAVE_FORMAT_EXTENSIBLE fmt chunk whose sub-format
// GUID carries subTag.
func extFmtChunk(subTag uint16, channels, rate, containerBits, validBits int) chunk {
	c := fmtChunk(tagExtensible, channels, rate, channels*containerBits/8, containerBits)
	le := binary.LittleEndian
	b := le.AppendUint16(c.body, 22)
	b = le.AppendUint16(b, uint16(validBits))
	b = le.AppendUint32(b, 3)
	b = le.AppendUint16(b, subTag)
	b = append(b, guidTail[:]...)
	return chunk{id: "fmt ", body: b}
}

// bextChunk builds a minimal BWF bext chunk (version 1, 602 bytes).
func bextChunk(timeRef uint64) chunk {
	b := make([]byte, 602)
	binary.LittleEndian.PutUint64(b[bextTimeRef:], timeRef)
	binary.LittleEndian.PutUint16(b[bextTimeRef+8:], 1)
	return chunk{id: "bext", body: b}
}

// ds64Chunk builds an RF64 ds64 chunk.
func ds64Chunk(riffSize, dataSize, frames uint64) chunk {
	le := binary.LittleEndian
	b := le.AppendUint64(nil, riffSize)
	b = le.AppendUint64(b, dataSize)
	b = le.AppendUint64(b, frames)
	b = le.AppendUint32(b, 0)
	return chunk{id: "ds64", body: b}
}

// readAll decodes a whole stream in blocks of the given size.
func readAll(t testing.TB, r audio.Reader, block int) (*audio.Buffer, error) {
	t.Helper()
	ch := r.Info().Format.Channels
	out := audio.NewBuffer(ch, 0)
	buf := audio.NewBuffer(ch, block)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			for c := range out.Data {
				out.Data[c] = append(out.Data[c], buf.Data[c][:n]...)
			}
		}
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		if n == 0 {
			t.Fatalf("Read returned 0 frames and no error")
		}
	}
}

// gridSignal returns a seeded random signal whose samples lie on the grid of
// the given format, so an encode→decode round trip must be exact.
func gridSignal(seed uint64, f audio.Format, frames int) *audio.Buffer {
	rng := rand.New(rand.NewPCG(seed, 0))
	b := audio.NewBuffer(f.Channels, frames)
	for _, ch := range b.Data {
		for i := range ch {
			switch {
			case f.SampleFormat == audio.Float:
				// Any float32, including beyond ±1: float files keep overs.
				ch[i] = float32(rng.NormFloat64() * 0.7)
			case f.BitDepth == 32:
				// float32 holds 24 significant bits: use 32-bit values whose
				// low byte is zero (everything else cannot survive float32).
				v := int32(rng.Uint32()) >> 8 << 8
				ch[i] = float32(float64(v) / (1 << 31))
			default:
				full := int64(1) << (f.BitDepth - 1)
				v := rng.Int64N(2*full) - full
				ch[i] = float32(float64(v) / float64(full))
			}
		}
	}
	// Exercise both ends of the integer range.
	if f.SampleFormat == audio.Int && frames > 1 {
		b.Data[0][0] = -1
		full := float64(int64(1) << (f.BitDepth - 1))
		b.Data[0][1] = float32((full - 1) / full)
	}
	return b
}

// encode writes b in format f with blocks of the given size.
func encode(t testing.TB, f audio.Format, b *audio.Buffer, block int) []byte {
	t.Helper()
	m := &memFile{}
	e, err := NewEncoder(m, f)
	if err != nil {
		t.Fatal(err)
	}
	for off := 0; off < b.Frames(); off += block {
		end := min(off+block, b.Frames())
		part := &audio.Buffer{Data: make([][]float32, b.Channels())}
		for c := range part.Data {
			part.Data[c] = b.Data[c][off:end]
		}
		if err := e.Write(part); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	return m.b
}

func equalBuffers(t testing.TB, got, want *audio.Buffer) {
	t.Helper()
	if got.Channels() != want.Channels() || got.Frames() != want.Frames() {
		t.Fatalf("shape %d ch × %d frames, want %d × %d", got.Channels(), got.Frames(), want.Channels(), want.Frames())
	}
	for c := range want.Data {
		for i, w := range want.Data[c] {
			if g := got.Data[c][i]; g != w {
				t.Fatalf("channel %d frame %d = %v, want %v", c, i, g, w)
			}
		}
	}
}

// runtimeMem samples the allocator after a GC.
type runtimeMem struct{ total, heap uint64 }

func (m *runtimeMem) read() {
	runtime.GC()
	var s runtime.MemStats
	runtime.ReadMemStats(&s)
	m.total, m.heap = s.TotalAlloc, s.HeapAlloc
}
