package wav

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"slices"
	"testing"

	"stemmaster/audio"
	"stemmaster/audio/internal/codectest"
	"stemmaster/internal/audiotest"
	"stemmaster/internal/testkit"
)

func TestDecodeLayouts(t *testing.T) {
	t.Parallel()
	data := func(b []byte) chunk { return chunk{ID: "data", Body: b} }
	tests := []struct {
		name     string
		file     []byte
		info     audio.Info
		want     [][]float32
		seekOnly bool // the Info (frame count, late bext) needs a seekable input
	}{
		{
			name: "8-bit unsigned mono",
			file: riff("RIFF", fmtChunk(tagPCM, 1, 8000, 1, 8), data([]byte{0x00, 0x80, 0xFF})),
			info: audio.Info{Container: "wav", Frames: 3, Format: audio.Format{SampleRate: 8000, Channels: 1, BitDepth: 8, SampleFormat: audio.Int}},
			want: [][]float32{{-1, 0, q(127, 8)}},
		},
		{
			name: "16-bit stereo",
			file: riff("RIFF", fmtChunk(tagPCM, 2, 44100, 4, 16), data(le16(-32768, 32767, 1, -1))),
			info: audio.Info{Container: "wav", Frames: 2, Format: audio.Format{SampleRate: 44100, Channels: 2, BitDepth: 16, SampleFormat: audio.Int}},
			want: [][]float32{{-1, q(1, 16)}, {q(32767, 16), q(-1, 16)}},
		},
		{
			// 20-bit PCM without EXTENSIBLE: left-justified in 3 bytes; the
			// low nibble is not part of the sample and must be ignored.
			name: "20-bit in 24-bit container, junk in the low bits",
			file: riff("RIFF", fmtChunk(tagPCM, 1, 96000, 3, 20), data(le24(0x7FFFF0|0xF, -0x800000, 0x000010|0x5))),
			info: audio.Info{Container: "wav", Frames: 3, Format: audio.Format{SampleRate: 96000, Channels: 1, BitDepth: 20, SampleFormat: audio.Int}},
			want: [][]float32{{q(0x7FFFF, 20), -1, q(1, 20)}},
		},
		{
			name: "24-bit mono",
			file: riff("RIFF", fmtChunk(tagPCM, 1, 48000, 3, 24), data(le24(-0x800000, 1, 0x7FFFFF))),
			info: audio.Info{Container: "wav", Frames: 3, Format: audio.Format{SampleRate: 48000, Channels: 1, BitDepth: 24, SampleFormat: audio.Int}},
			want: [][]float32{{-1, q(1, 24), q(0x7FFFFF, 24)}},
		},
		{
			name: "24-bit stereo",
			file: riff("RIFF", fmtChunk(tagPCM, 2, 48000, 6, 24), data(le24(-0x800000, 1, 0x123456, -2))),
			info: audio.Info{Container: "wav", Frames: 2, Format: audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 24, SampleFormat: audio.Int}},
			want: [][]float32{{-1, q(0x123456, 24)}, {q(1, 24), q(-2, 24)}},
		},
		{
			name: "32-bit int mono",
			file: riff("RIFF", fmtChunk(tagPCM, 1, 192000, 4, 32), data(le32(math.MinInt32, 256, -256))),
			info: audio.Info{Container: "wav", Frames: 3, Format: audio.Format{SampleRate: 192000, Channels: 1, BitDepth: 32, SampleFormat: audio.Int}},
			want: [][]float32{{-1, q(256, 32), q(-256, 32)}},
		},
		{
			name: "32-bit float stereo keeps overs",
			file: riff("RIFF", fmtChunk(tagFloat, 2, 48000, 8, 32), chunk{ID: "fact", Body: le32(1)}, data(f32(0.5, -2))),
			info: audio.Info{Container: "wav", Frames: 1, Format: audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 32, SampleFormat: audio.Float}},
			want: [][]float32{{0.5}, {-2}},
		},
		{
			name: "64-bit float mono",
			file: riff("RIFF", fmtChunk(tagFloat, 1, 384000, 8, 64), data(binary.LittleEndian.AppendUint64(nil, math.Float64bits(0.25)))),
			info: audio.Info{Container: "wav", Frames: 1, Format: audio.Format{SampleRate: 384000, Channels: 1, BitDepth: 64, SampleFormat: audio.Float}},
			want: [][]float32{{0.25}},
		},
		{
			name: "EXTENSIBLE 24 valid bits in 32-bit container",
			file: riff("RIFF", extFmtChunk(tagPCM, 1, 48000, 32, 24), data(le32(0x7FFFFF<<8|0xAB, -1<<31))),
			info: audio.Info{Container: "wav", Frames: 2, Format: audio.Format{SampleRate: 48000, Channels: 1, BitDepth: 24, SampleFormat: audio.Int}},
			want: [][]float32{{q(0x7FFFFF, 24), -1}},
		},
		{
			name: "EXTENSIBLE 20 valid bits in 24-bit container",
			file: riff("RIFF", extFmtChunk(tagPCM, 1, 48000, 24, 20), data(le24(0x000010|0xF))),
			info: audio.Info{Container: "wav", Frames: 1, Format: audio.Format{SampleRate: 48000, Channels: 1, BitDepth: 20, SampleFormat: audio.Int}},
			want: [][]float32{{q(1, 20)}},
		},
		{
			name: "EXTENSIBLE float that says 24 valid bits",
			file: riff("RIFF", extFmtChunk(tagFloat, 1, 48000, 32, 24), data(f32(-0.125))),
			info: audio.Info{Container: "wav", Frames: 1, Format: audio.Format{SampleRate: 48000, Channels: 1, BitDepth: 32, SampleFormat: audio.Float}},
			want: [][]float32{{-0.125}},
		},
		{
			name: "EXTENSIBLE float sub-format",
			file: riff("RIFF", extFmtChunk(tagFloat, 1, 48000, 32, 32), data(f32(-0.125))),
			info: audio.Info{Container: "wav", Frames: 1, Format: audio.Format{SampleRate: 48000, Channels: 1, BitDepth: 32, SampleFormat: audio.Float}},
			want: [][]float32{{-0.125}},
		},
		{
			name: "EXTENSIBLE 3 channels 16-bit",
			file: riff("RIFF", extFmtChunk(tagPCM, 3, 48000, 16, 16), data(le16(1, 2, 3))),
			info: audio.Info{Container: "wav", Frames: 1, Format: audio.Format{SampleRate: 48000, Channels: 3, BitDepth: 16, SampleFormat: audio.Int}},
			want: [][]float32{{q(1, 16)}, {q(2, 16)}, {q(3, 16)}},
		},
		{
			name: "8 channels 24-bit",
			file: riff("RIFF", extFmtChunk(tagPCM, 8, 48000, 24, 24), data(le24(1, 2, 3, 4, 5, 6, 7, 8))),
			info: audio.Info{Container: "wav", Frames: 1, Format: audio.Format{SampleRate: 48000, Channels: 8, BitDepth: 24, SampleFormat: audio.Int}},
			want: [][]float32{{q(1, 24)}, {q(2, 24)}, {q(3, 24)}, {q(4, 24)}, {q(5, 24)}, {q(6, 24)}, {q(7, 24)}, {q(8, 24)}},
		},
		{
			name: "odd-sized chunks with pad bytes, bext before data",
			file: riff("RIFF",
				chunk{ID: "JUNK", Body: make([]byte, 3)},
				fmtChunk(tagPCM, 1, 48000, 2, 16),
				chunk{ID: "LIST", Body: []byte("INFOISFT\x05\x00\x00\x00test\x00")},
				bextChunk(172800000),
				chunk{ID: "iXML", Body: []byte("<x/>\n")},
				data(le16(7)),
				chunk{ID: "cue ", Body: []byte{1}}),
			info: audio.Info{Container: "wav", Frames: 1, TimeReference: 172800000, HasTimeReference: true, Format: audio.Format{SampleRate: 48000, Channels: 1, BitDepth: 16, SampleFormat: audio.Int}},
			want: [][]float32{{q(7, 16)}},
		},
		{
			name:     "odd data chunk followed by bext",
			file:     riff("RIFF", fmtChunk(tagPCM, 1, 48000, 3, 24), data(le24(5)), bextChunk(1<<33)),
			info:     audio.Info{Container: "wav", Frames: 1, TimeReference: 1 << 33, HasTimeReference: true, Format: audio.Format{SampleRate: 48000, Channels: 1, BitDepth: 24, SampleFormat: audio.Int}},
			want:     [][]float32{{q(5, 24)}},
			seekOnly: true,
		},
		{
			name: "RF64 with ds64",
			file: riff("RF64", ds64Chunk(0, 4, 2), fmtChunk(tagPCM, 1, 48000, 2, 16), chunk{ID: "data", Body: le16(3, -3), Size: unknownSize}),
			info: audio.Info{Container: "rf64", Frames: 2, Format: audio.Format{SampleRate: 48000, Channels: 1, BitDepth: 16, SampleFormat: audio.Int}},
			want: [][]float32{{q(3, 16), q(-3, 16)}},
		},
		{
			name: "BW64 with ds64",
			file: riff("BW64", ds64Chunk(0, 6, 1), fmtChunk(tagPCM, 2, 48000, 6, 24), chunk{ID: "data", Body: le24(9, -9), Size: unknownSize}),
			info: audio.Info{Container: "rf64", Frames: 1, Format: audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 24, SampleFormat: audio.Int}},
			want: [][]float32{{q(9, 24)}, {q(-9, 24)}},
		},
		{
			// A careless writer's last chunk: odd-sized, its pad byte
			// (and the RIFF size's) left out at the end of the file.
			name: "odd data chunk ending the file without its pad byte",
			file: func() []byte {
				f := riff("RIFF", fmtChunk(tagPCM, 1, 48000, 3, 24), data(le24(5, -5, 6)))
				return f[:len(f)-1]
			}(),
			info: audio.Info{Container: "wav", Frames: 3, Format: audio.Format{SampleRate: 48000, Channels: 1, BitDepth: 24, SampleFormat: audio.Int}},
			want: [][]float32{{q(5, 24), q(-5, 24), q(6, 24)}},
		},
		{
			name: "float with a fact chunk and an 18-byte fmt chunk",
			file: riff("RIFF", chunk{ID: "fmt ", Body: append(slices.Clip(fmtChunk(tagFloat, 1, 48000, 4, 32).Body), 0, 0)}, chunk{ID: "fact", Body: le32(2)}, data(f32(0.25, -0.75))),
			info: audio.Info{Container: "wav", Frames: 2, Format: audio.Format{SampleRate: 48000, Channels: 1, BitDepth: 32, SampleFormat: audio.Float}},
			want: [][]float32{{0.25, -0.75}},
		},
		{
			// The data chunk's size where it fits 32 bits, as ds64 gives
			// it: the two agree.
			name: "RF64 whose data size is given, not 0xFFFFFFFF",
			file: riff("RF64", ds64Chunk(0, 4, 2), fmtChunk(tagPCM, 1, 48000, 2, 16), data(le16(3, -3))),
			info: audio.Info{Container: "rf64", Frames: 2, Format: audio.Format{SampleRate: 48000, Channels: 1, BitDepth: 16, SampleFormat: audio.Int}},
			want: [][]float32{{q(3, 16), q(-3, 16)}},
		},
		{
			name:     "streamed WAV, data size unknown",
			file:     riff("RIFF", fmtChunk(tagPCM, 1, 48000, 2, 16), chunk{ID: "data", Body: le16(1, 2, 3), Size: unknownSize}),
			info:     audio.Info{Container: "wav", Frames: 3, Format: audio.Format{SampleRate: 48000, Channels: 1, BitDepth: 16, SampleFormat: audio.Int}},
			want:     [][]float32{{q(1, 16), q(2, 16), q(3, 16)}},
			seekOnly: true, // without Seek the frame count is -1
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			streamed := codectest.StreamSame
			if tc.seekOnly {
				streamed = codectest.StreamOtherInfo
			}
			codectest.Decodes(t, tc.file, tc.info, tc.want, streamed, DecodeConfig, func(r io.Reader) (audio.Reader, error) { return Decode(r) })
		})
	}
}

// TestPadBytes: a fmt chunk of odd size, read whole, is followed by its
// pad byte (not read as the next header); and a chunk of odd size whose
// pad byte a careless writer left out, the next header where the pad byte
// belongs, is read right from a file (not refused as a chunk of a garbled
// id running past the end).
func TestPadBytes(t *testing.T) {
	t.Parallel()
	pcm16 := fmtChunk(tagPCM, 1, 48000, 2, 16)
	fmt17 := chunk{ID: "fmt ", Body: append(slices.Clip(pcm16.Body), 0)}
	list := chunk{ID: "LIST", Body: []byte("INFOISFT\x03\x00\x00\x00abc")}
	data := chunk{ID: "data", Body: le16(7, -8)}
	unpadded := func(file []byte, id string) []byte { return codectest.Unpadded(binary.LittleEndian, file, id) }
	info := audio.Info{Container: "wav", Frames: 2, Format: audio.Format{SampleRate: 48000, Channels: 1, BitDepth: 16, SampleFormat: audio.Int}}
	for _, c := range []struct {
		name     string
		file     []byte
		streamed codectest.Streamed
	}{
		{"a fmt chunk of 17 bytes", riff("RIFF", fmt17, data), codectest.StreamSame},
		{"a fmt chunk of 17 bytes without its pad byte", unpadded(riff("RIFF", fmt17, data), "fmt "), codectest.StreamSame},
		{"a LIST chunk of odd size without its pad byte", unpadded(riff("RIFF", pcm16, list, data), "LIST"), codectest.StreamSame},
		{"a JUNK chunk of odd size first, without its pad byte", unpadded(riff("RIFF", chunk{ID: "JUNK", Body: make([]byte, 27)}, pcm16, data), "JUNK"), codectest.StreamSame},
	} {
		t.Run(c.name, func(t *testing.T) {
			codectest.Decodes(t, c.file, info, [][]float32{{q(7, 16), q(-8, 16)}}, c.streamed, DecodeConfig, func(r io.Reader) (audio.Reader, error) { return Decode(r) })
		})
	}
}

func TestDecodeStreamedWithoutSeekHasUnknownLength(t *testing.T) {
	t.Parallel()
	file := riff("RIFF", fmtChunk(tagPCM, 1, 48000, 2, 16), chunk{ID: "data", Body: le16(1, 2, 3), Size: unknownSize})
	info, err := DecodeConfig(codectest.Stream(bytes.NewReader(file)))
	if err != nil {
		t.Fatal(err)
	}
	if info.Frames != -1 {
		t.Errorf("Frames = %d, want -1 (unknown without Seek)", info.Frames)
	}
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	pcm16 := fmtChunk(tagPCM, 2, 48000, 4, 16)
	data := func(b []byte) chunk { return chunk{ID: "data", Body: b} }
	bad := []codectest.Bad{
		{Name: "RIFF but not WAVE", File: append([]byte("RIFF\x04\x00\x00\x00AVI "), make([]byte, 8)...)},
		{Name: "header only", File: riff("RIFF")[:12]},
		{Name: "cut inside chunk header", File: riff("RIFF", pcm16)[:16]},
		{Name: "cut inside fmt", File: riff("RIFF", pcm16)[:26]},
		{Name: "no data chunk", File: riff("RIFF", pcm16)},
		{Name: "no fmt chunk", File: riff("RIFF", data(le16(1, 2)))},
		{Name: "data before fmt", File: riff("RIFF", data(le16(1, 2)), pcm16)},
		{Name: "zero channels", File: riff("RIFF", fmtChunk(tagPCM, 0, 48000, 0, 16), data(nil))},
		{Name: "zero sample rate", File: riff("RIFF", fmtChunk(tagPCM, 2, 0, 4, 16), data(nil))},
		{Name: "short fmt", File: riff("RIFF", chunk{ID: "fmt ", Body: make([]byte, 14)}, data(nil))},
		{Name: "block align mismatch", File: riff("RIFF", fmtChunk(tagPCM, 2, 48000, 3, 16), data(nil))},
		{Name: "zero bits", File: riff("RIFF", fmtChunk(tagPCM, 1, 48000, 0, 0), data(nil))},
		{Name: "40-bit int", File: riff("RIFF", fmtChunk(tagPCM, 1, 48000, 5, 40), data(nil))},
		{Name: "16-bit float", File: riff("RIFF", fmtChunk(tagFloat, 1, 48000, 2, 16), data(nil))},
		{Name: "EXTENSIBLE valid bits above container", File: riff("RIFF", extFmtChunk(tagPCM, 1, 48000, 16, 24), data(nil))},
		{Name: "EXTENSIBLE fmt too short", File: riff("RIFF", chunk{ID: "fmt ", Body: fmtChunk(tagExtensible, 1, 48000, 2, 16).Body}, data(nil))},
		{Name: "RF64 without ds64", File: riff("RF64", pcm16, chunk{ID: "data", Body: le16(1, 2), Size: unknownSize})},
		{Name: "RF64 ds64 too short", File: riff("RF64", chunk{ID: "ds64", Body: make([]byte, 8)}, pcm16, data(nil))},
		{Name: "RF64 data size beyond int64", File: riff("RF64", ds64Chunk(0, 1<<63, 0), pcm16, chunk{ID: "data", Size: unknownSize})},
		{Name: "two fmt chunks", File: riff("RIFF", pcm16, pcm16, data(nil))},
		{Name: "chunk size beyond the file", File: riff("RIFF", pcm16, chunk{ID: "LIST", Body: []byte{1, 2}, Size: 1 << 30}), Says: `inside chunk "LIST"`},
		{Name: "chunk size beyond the file, before fmt", File: riff("RIFF", chunk{ID: "LIST", Body: []byte{1, 2}, Size: 3 << 30}, pcm16, data(le16(1, 2))), Says: `inside chunk "LIST"`},
		{Name: "Microsoft ADPCM", File: riff("RIFF", fmtChunk(0x0002, 1, 8000, 256, 4), data(nil)), Unsupported: true},
		{Name: "IMA ADPCM", File: riff("RIFF", fmtChunk(0x0011, 1, 8000, 256, 4), data(nil)), Unsupported: true},
		{Name: "µ-law", File: riff("RIFF", fmtChunk(0x0007, 1, 8000, 1, 8), data(nil)), Unsupported: true},
		{Name: "A-law", File: riff("RIFF", fmtChunk(0x0006, 1, 8000, 1, 8), data(nil)), Unsupported: true},
		{Name: "MP3 in WAV", File: riff("RIFF", fmtChunk(0x0055, 2, 44100, 1, 0), data(nil)), Unsupported: true},
		{Name: "unknown tag", File: riff("RIFF", fmtChunk(0x1234, 2, 44100, 4, 16), data(nil)), Unsupported: true},
		{Name: "EXTENSIBLE ADPCM sub-format", File: riff("RIFF", extFmtChunk(0x0002, 1, 48000, 16, 16), data(nil)), Unsupported: true},
		{Name: "RIFX big-endian", File: append([]byte("RIFX\x00\x00\x00\x04WAVE"), make([]byte, 4)...), Unsupported: true},
	}
	codectest.Refuses(t, "wav", bad, DecodeConfig, codectest.As[*FormatError])
}

// TestTruncated covers a data chunk that claims more than the file holds.
func TestTruncated(t *testing.T) {
	t.Parallel()
	full := riff("RIFF", fmtChunk(tagPCM, 2, 48000, 4, 16), chunk{ID: "data", Body: le16(1, 2, 3, 4, 5, 6)})
	decode := func(r io.Reader) (audio.Reader, error) { return Decode(r) }
	codectest.Truncates(t, full, 4, []float32{q(1, 16), q(3, 16), q(5, 16)}, decode, codectest.As[*FormatError])
}

// TestHugeClaim: an RF64 header claiming 2^40 frames must neither allocate
// by the header nor report more frames than the file holds. It measures the
// process's allocations, so it runs alone (not parallel): another test's
// allocations would count against it.
func TestHugeClaim(t *testing.T) {
	const claimed = 1 << 40
	file := riff("RF64", ds64Chunk(0, claimed*4, claimed), fmtChunk(tagPCM, 2, 48000, 4, 16), chunk{ID: "data", Body: le16(1, 2), Size: unknownSize})
	var before, after runtimeMem
	before.read()
	d, err := Decode(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Info().Frames; got != 1 {
		t.Errorf("Frames = %d, want 1 (the frames present)", got)
	}
	if got := d.Info().DeclaredFrames; got != claimed {
		t.Errorf("DeclaredFrames = %d, want %d", got, int64(claimed))
	}
	got, err := audiotest.ReadAll(t, d, 4096)
	var te *audio.TruncatedError
	if !errors.As(err, &te) || te.DeclaredFrames != claimed || te.Frames != 1 {
		t.Errorf("err = %v, want a TruncatedError naming %d frames declared and 1 present", err, int64(claimed))
	}
	after.read()
	if got.Frames() != 1 {
		t.Errorf("read %d frames, want 1", got.Frames())
	}
	if alloc := after.total - before.total; alloc > 1<<20 {
		t.Errorf("allocated %d bytes for a 1-frame file", alloc)
	}
	// Without Seek the claim is reported as is, and reading stops at the
	// end of the input with the truncation.
	s, err := Decode(codectest.Stream(bytes.NewReader(file)))
	if err != nil {
		t.Fatal(err)
	}
	if s.Info().Frames != claimed {
		t.Errorf("stream Frames = %d, want the claimed %d", s.Info().Frames, int64(claimed))
	}
	if got, err := audiotest.ReadAll(t, s, 4096); !errors.As(err, &te) || got.Frames() != 1 {
		t.Errorf("stream read %d frames, err %v; want 1, a TruncatedError", got.Frames(), err)
	}
}

func TestOpenNamesFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	text := testkit.WriteFile(t, dir, "notes.wav", []byte("hello, I am a text file\n"))
	_, err := audio.Open(text)
	var fe *audio.FileError
	if !errors.Is(err, audio.ErrUnknownFormat) || !errors.As(err, &fe) || fe.Path != text {
		t.Errorf("Open(text file) = %v, want a FileError naming %s wrapping ErrUnknownFormat", err, text)
	}

	adpcm := testkit.WriteFile(t, dir, "adpcm.wav", riff("RIFF", fmtChunk(0x0002, 1, 8000, 256, 4), chunk{ID: "data"}))
	_, err = audio.Open(adpcm)
	if !errors.Is(err, audio.ErrUnsupported) || !errors.As(err, &fe) || fe.Path != adpcm {
		t.Errorf("Open(ADPCM) = %v, want a FileError naming %s wrapping ErrUnsupported", err, adpcm)
	}

	cut := testkit.WriteFile(t, dir, "cut.wav", riff("RIFF", fmtChunk(tagPCM, 1, 48000, 2, 16), chunk{ID: "data", Body: le16(1, 2)})[:47])
	f, err := audio.Open(cut)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := audio.NewBuffer(1, 16)
	n, err := f.Read(buf)
	if n != 1 || err != nil {
		t.Fatalf("first Read = %d, %v; want 1 frame", n, err)
	}
	_, err = f.Read(buf)
	if !errors.Is(err, io.ErrUnexpectedEOF) || !errors.As(err, &fe) || fe.Path != cut {
		t.Errorf("Read past the cut = %v, want a FileError naming %s wrapping io.ErrUnexpectedEOF", err, cut)
	}
}

func TestReadDoesNotAllocate(t *testing.T) {
	for _, f := range readLayouts {
		t.Run(f.String(), func(t *testing.T) {
			file := encode(t, f, audio.NewBuffer(f.Channels, 1<<16), 4096)
			d, err := Decode(bytes.NewReader(file))
			if err != nil {
				t.Fatal(err)
			}
			codectest.ReadsWithoutAllocating(t, d, 256, 100)
		})
	}
}

// TestNonFinite: NaN and ±Inf samples of a float file read as 0, and the
// stream ends with a NonFiniteError counting them and naming the first.
func TestNonFinite(t *testing.T) {
	t.Parallel()
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	var body []byte
	for _, v := range []float32{0.5, 0.25, 0.5, nan, inf, -inf, 0.125, 0.5} {
		body = binary.LittleEndian.AppendUint32(body, math.Float32bits(v))
	}
	file := riff("RIFF", fmtChunk(tagFloat, 2, 48000, 8, 32), chunk{ID: "data", Body: body})
	d, err := Decode(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	got, err := audiotest.ReadAll(t, d, 3)
	var nf *audio.NonFiniteError
	if !errors.As(err, &nf) || nf.Count != 3 || nf.FirstFrame != 1 {
		t.Fatalf("err = %v, want a NonFiniteError of 3 samples from frame 1", err)
	}
	want := [][]float32{{0.5, 0.5, 0, 0.125}, {0.25, 0, 0, 0.5}}
	for c := range want {
		for i, w := range want[c] {
			if got.Data[c][i] != w {
				t.Errorf("ch %d frame %d = %v, want %v", c, i, got.Data[c][i], w)
			}
		}
	}
}

// TestSeekFrame: reading from a frame after SeekFrame gives the frames a
// full read gives there.
func TestSeekFrame(t *testing.T) {
	t.Parallel()
	body := le16(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
	file := riff("RIFF", chunk{ID: "JUNK", Body: []byte{0, 0, 0}}, fmtChunk(tagPCM, 2, 48000, 4, 16), chunk{ID: "data", Body: body})
	d, err := Decode(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range []int64{3, 0, 4, 5, 9} {
		if err := d.SeekFrame(at); err != nil {
			t.Fatal(err)
		}
		got, err := audiotest.ReadAll(t, d, 2)
		if err != nil {
			t.Fatal(err)
		}
		if want := 5 - min(at, 5); int64(got.Frames()) != want {
			t.Fatalf("from %d: %d frames, want %d", at, got.Frames(), want)
		}
		if at < 5 && got.Data[1][0] != q(2*at+2, 16) {
			t.Errorf("from %d: first right sample %v, want %v", at, got.Data[1][0], q(2*at+2, 16))
		}
	}
	if err := (&Decoder{}).SeekFrame(1); err == nil {
		t.Error("SeekFrame without a seekable input succeeded")
	}
}

// TestDamagedTimeReference: a BWF time reference with its top bit set is
// read as none, not with that bit dropped: 2^63 + 480 read as 480 would
// place the file 480 samples late against stems referenced at 0.
func TestDamagedTimeReference(t *testing.T) {
	t.Parallel()
	for ref, want := range map[uint64]bool{1<<63 + 480: false, 1<<64 - 1: false, 1<<63 - 1: true, 480: true} {
		file := riff("RIFF", fmtChunk(tagPCM, 1, 48000, 2, 16), bextChunk(ref), chunk{ID: "data", Body: le16(7)})
		info, err := DecodeConfig(bytes.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		if info.HasTimeReference != want || want && uint64(info.TimeReference) != ref {
			t.Errorf("reference %d: read %v %d", ref, info.HasTimeReference, info.TimeReference)
		}
	}
}
