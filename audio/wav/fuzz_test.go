package wav

import (
	"bytes"
	"encoding/binary"
	"io"
	"testing"

	"stemmaster/audio"
	"stemmaster/audio/internal/codectest"
)

// fuzzMaxFrames bounds how much of a fuzzed stream is decoded.
const fuzzMaxFrames = 1 << 16

// FuzzDecode feeds arbitrary bytes to the decoder: it must never panic,
// DecodeConfig must agree with Decode, errors must be typed, and whatever
// decodes must survive an encode→decode round trip exactly.
func FuzzDecode(f *testing.F) {
	for _, rf := range roundTripFormats {
		for _, ch := range []int{1, 2, 3} {
			fm := audio.Format{SampleRate: 48000, Channels: ch, BitDepth: rf.bits, SampleFormat: rf.sf}
			f.Add(encode(f, fm, codectest.Grid(uint64(ch), fm, 7), 7))
		}
	}
	data := chunk{ID: "data", Body: le24(1, -2, 3, -4)}
	f.Add(riff("RIFF", extFmtChunk(tagPCM, 2, 48000, 24, 20), bextChunk(12345), data))
	f.Add(riff("RIFF", extFmtChunk(tagFloat, 1, 96000, 32, 32), chunk{ID: "data", Body: f32(0.5, -0.5)}))
	f.Add(riff("RF64", ds64Chunk(0, 12, 2), fmtChunk(tagPCM, 2, 48000, 6, 24), chunk{ID: "data", Body: le24(1, 2, 3, 4), Size: unknownSize}))
	f.Add(riff("RIFF", chunk{ID: "LIST", Body: []byte("odd")}, fmtChunk(tagPCM, 1, 8000, 1, 8), chunk{ID: "data", Body: []byte{1, 2, 3}}, bextChunk(7)))
	f.Add(riff("RIFF", fmtChunk(0x0002, 1, 8000, 256, 4), data))
	// Audio of unknown length, and zeros after the data, then tags.
	f.Add(append(sizeZero(riff("RIFF", fmtChunk(tagPCM, 1, 48000, 2, 16), chunk{ID: "data", Body: le16(7, 8)})), append(taggedID3(40, 16), apeTag(true)...)...))
	f.Add(append(riff("RIFF", fmtChunk(tagPCM, 1, 48000, 2, 16), chunk{ID: "data", Body: le16(7, 8)}), append(make([]byte, 600), taggedID3(900, 0)...)...))
	f.Add(append(riff("RIFF", fmtChunk(tagPCM, 1, 48000, 2, 16), chunk{ID: "data", Body: le16(7, 8)}), append(make([]byte, 600), codectest.TaggedID3Zeros(900, 300, 0)...)...))
	// A pad byte left out.
	f.Add(codectest.Unpadded(binary.LittleEndian, riff("RIFF", fmtChunk(tagPCM, 1, 8000, 1, 8), chunk{ID: "LIST", Body: []byte("odd")}, chunk{ID: "data", Body: []byte{1, 2}}), "LIST"))

	f.Fuzz(func(t *testing.T, file []byte) {
		dec := codectest.DecodeBoth(t, file, DecodeConfig, func(r io.Reader) (audio.Reader, error) { return Decode(r) }, codectest.Typed[*FormatError])
		if dec == nil {
			return
		}
		d, info := dec.(*Decoder), dec.Info()
		got, err := readSome(d, fuzzMaxFrames)
		if err != nil {
			codectest.CheckTyped[*FormatError](t, err)
			return
		}
		if int64(got.Frames()) != min(info.Frames, fuzzMaxFrames) {
			t.Fatalf("read %d frames, Info says %d", got.Frames(), info.Frames)
		}
		f := info.Format
		if f.SampleFormat == audio.Int && f.BitDepth%8 != 0 {
			return // 20-bit and the like: the encoder writes whole bytes only
		}
		file2 := encode(t, f, got, 1000)
		d2, err := Decode(bytes.NewReader(file2))
		if err != nil {
			t.Fatalf("re-encoded file: %v", err)
		}
		again, err := readSome(d2, fuzzMaxFrames)
		if err != nil {
			t.Fatal(err)
		}
		if again.Frames() != got.Frames() {
			t.Fatalf("round trip: %d frames, want %d", again.Frames(), got.Frames())
		}
		for c := range got.Data {
			for i, v := range got.Data[c] {
				if w := again.Data[c][i]; w != v && !(v != v && w != w) { // NaN stays NaN
					t.Fatalf("round trip ch %d frame %d: %v, want %v", c, i, w, v)
				}
			}
		}
	})
}

// readSome decodes up to max frames.
func readSome(r audio.Reader, max int) (*audio.Buffer, error) {
	ch := r.Info().Format.Channels
	out := audio.NewBuffer(ch, 0)
	buf := audio.NewBuffer(ch, 1024)
	for out.Frames() < max {
		n, err := r.Read(buf)
		n = min(n, max-out.Frames())
		for c := range out.Data {
			out.Data[c] = append(out.Data[c], buf.Data[c][:n]...)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// FuzzFarChunks feeds the guard of audio of unknown length (farChunks)
// arbitrary audio bytes in blocks of arbitrary sizes: it must never
// panic, and whatever the blocks, it finds the chunk it finds read whole
// (the same error) and no later than the frame the chunk opens, nor ever
// before it. The header's length (> 16 MiB) keeps FuzzDecode's files from
// reaching it.
func FuzzFarChunks(f *testing.F) {
	list := chunkBytes(chunk{ID: "LIST", Body: []byte("INFOISFT\x03\x00\x00\x00abc")})
	f.Add(append(noise(40), list...), uint8(4), uint8(3), false)
	f.Add(append(noise(39), append([]byte{0}, list...)...), uint8(3), uint8(1), true)
	f.Add(noise(100), uint8(6), uint8(7), false)
	f.Fuzz(func(t *testing.T, data []byte, fb, block uint8, oddStart bool) {
		if fb == 0 || block == 0 {
			return
		}
		dataOff := int64(44)
		if oddStart {
			dataOff++
		}
		end := dataOff + int64(len(data))
		reach := map[int64]bool{end: true}
		run := func(size int) (int64, string) {
			g := newFarChunks(int(fb), dataOff, int64(len(data)), reach)
			for off := 0; off < len(data); off += size {
				b := data[off:min(off+size, len(data))]
				n, err := g.check(b, int64(off))
				if n < 0 || n > len(b) {
					t.Fatalf("blocks of %d: %d of %d bytes at %d are audio", size, n, len(b), off)
				}
				if err != nil {
					codectest.CheckTyped[*FormatError](t, err)
					return int64(off + n), err.Error()
				}
			}
			return int64(len(data)), ""
		}
		whole, werr := run(len(data) + 1)
		got, err := run(int(block))
		if err != werr {
			t.Fatalf("blocks of %d: %q, read whole: %q", block, err, werr)
		}
		if got < whole || got > whole+8+int64(fb) {
			t.Fatalf("blocks of %d: audio ends at %d, read whole at %d", block, got, whole)
		}
	})
}
