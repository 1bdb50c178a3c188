package aiff

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"math/bits"
	"strings"
	"testing"

	"stemmaster/audio"
	"stemmaster/audio/internal/codectest"
	"stemmaster/internal/audiotest"
)

type chunk = codectest.Chunk

// form assembles a FORM file of the given type with pad bytes after odd
// chunks.
func form(typ string, chunks ...chunk) []byte {
	return codectest.Container(binary.BigEndian, "FORM", typ, chunks...)
}

// ext80 encodes a positive integer rate as an 80-bit extended float.
func ext80(rate uint64) []byte {
	e := 63 - bits.LeadingZeros64(rate)
	b := binary.BigEndian.AppendUint16(nil, uint16(e+16383))
	return binary.BigEndian.AppendUint64(b, rate<<(63-e))
}

// comm builds a COMM chunk; comp "" gives the plain AIFF form.
func comm(channels int, frames uint32, bits int, rate uint64, comp string) chunk {
	be := binary.BigEndian
	b := be.AppendUint16(nil, uint16(channels))
	b = be.AppendUint32(b, frames)
	b = be.AppendUint16(b, uint16(bits))
	b = append(b, ext80(rate)...)
	if comp != "" {
		b = append(b, comp...)
		b = append(b, 4, 'n', 'a', 'm', 'e') // pascal string, odd total: pad
		b = append(b, 0)
	}
	return chunk{ID: "COMM", Body: b}
}

func ssnd(offset int, data []byte) chunk {
	b := binary.BigEndian.AppendUint32(nil, uint32(offset))
	b = binary.BigEndian.AppendUint32(b, 0)
	b = append(b, make([]byte, offset)...)
	return chunk{ID: "SSND", Body: append(b, data...)}
}

// Sample bytes and expected values for hand-built SSND chunks.
var (
	be16, be24, be32, le16, le24 = codectest.BE16, codectest.BE24, codectest.BE32, codectest.LE16, codectest.LE24
	q                            = codectest.Q
)

func TestDecodeLayouts(t *testing.T) {
	t.Parallel()
	fmtOf := func(rate, ch, bits int, sf audio.SampleFormat) audio.Format {
		return audio.Format{SampleRate: rate, Channels: ch, BitDepth: bits, SampleFormat: sf}
	}
	tests := []struct {
		name     string
		file     []byte
		format   audio.Format
		want     [][]float32
		seekOnly bool
	}{
		{"AIFF 16-bit stereo", form("AIFF", comm(2, 2, 16, 44100, ""), ssnd(0, be16(-32768, 32767, 1, -1))),
			fmtOf(44100, 2, 16, audio.Int), [][]float32{{-1, q(1, 16)}, {q(32767, 16), q(-1, 16)}}, false},
		{"AIFF 24-bit mono", form("AIFF", comm(1, 3, 24, 48000, ""), ssnd(0, be24(-0x800000, 1, 0x7FFFFF))),
			fmtOf(48000, 1, 24, audio.Int), [][]float32{{-1, q(1, 24), q(0x7FFFFF, 24)}}, false},
		{"AIFF 32-bit", form("AIFF", comm(1, 2, 32, 96000, ""), ssnd(0, be32(math.MinInt32, 256))),
			fmtOf(96000, 1, 32, audio.Int), [][]float32{{-1, q(256, 32)}}, false},
		{"AIFF 8-bit is signed", form("AIFF", comm(1, 3, 8, 22050, ""), ssnd(0, []byte{0x80, 0x00, 0x7F})),
			fmtOf(22050, 1, 8, audio.Int), [][]float32{{-1, 0, q(127, 8)}}, false},
		{"AIFF 20-bit, junk below the sample", form("AIFF", comm(1, 1, 20, 48000, ""), ssnd(0, be24(0x000010|0xF))),
			fmtOf(48000, 1, 20, audio.Int), [][]float32{{q(1, 20)}}, false},
		{"AIFF SSND offset and odd chunks", form("AIFF", chunk{ID: "NAME", Body: []byte("odd")}, comm(1, 1, 16, 48000, ""), ssnd(5, be16(42)), chunk{ID: "ANNO", Body: []byte("x")}),
			fmtOf(48000, 1, 16, audio.Int), [][]float32{{q(42, 16)}}, false},
		{"AIFF odd chunk without its pad byte (a careless writer)", codectest.Unpadded(binary.BigEndian, form("AIFF", chunk{ID: "NAME", Body: []byte("odd")}, comm(1, 1, 16, 48000, ""), ssnd(0, be16(42))), "NAME"),
			fmtOf(48000, 1, 16, audio.Int), [][]float32{{q(42, 16)}}, false},
		{"AIFF COMM after SSND", form("AIFF", ssnd(0, be16(7, 8)), comm(1, 2, 16, 48000, "")),
			fmtOf(48000, 1, 16, audio.Int), [][]float32{{q(7, 16), q(8, 16)}}, true},
		{"AIFC NONE", form("AIFC", chunk{ID: "FVER", Body: be32(0xA2805140)}, comm(2, 1, 16, 48000, "NONE"), ssnd(0, be16(3, -3))),
			fmtOf(48000, 2, 16, audio.Int), [][]float32{{q(3, 16)}, {q(-3, 16)}}, false},
		{"AIFC twos", form("AIFC", comm(1, 1, 16, 48000, "twos"), ssnd(0, be16(-5))),
			fmtOf(48000, 1, 16, audio.Int), [][]float32{{q(-5, 16)}}, false},
		{"AIFC sowt 16-bit stereo", form("AIFC", comm(2, 2, 16, 44100, "sowt"), ssnd(0, le16(1, -1, -32768, 32767))),
			fmtOf(44100, 2, 16, audio.Int), [][]float32{{q(1, 16), -1}, {q(-1, 16), q(32767, 16)}}, false},
		{"AIFC sowt 24-bit", form("AIFC", comm(1, 2, 24, 48000, "sowt"), ssnd(0, le24(0x123456, -2))),
			fmtOf(48000, 1, 24, audio.Int), [][]float32{{q(0x123456, 24), q(-2, 24)}}, false},
		{"AIFC in24", form("AIFC", comm(1, 1, 24, 48000, "in24"), ssnd(0, be24(-7))),
			fmtOf(48000, 1, 24, audio.Int), [][]float32{{q(-7, 24)}}, false},
		{"AIFC fl32", form("AIFC", comm(2, 1, 32, 48000, "fl32"), ssnd(0, be32(int64(math.Float32bits(0.5)), int64(math.Float32bits(-1.5))))),
			fmtOf(48000, 2, 32, audio.Float), [][]float32{{0.5}, {-1.5}}, false},
		{"AIFC FL32 with sample size 0", form("AIFC", comm(1, 1, 0, 48000, "FL32"), ssnd(0, be32(int64(math.Float32bits(0.25))))),
			fmtOf(48000, 1, 32, audio.Float), [][]float32{{0.25}}, false},
		{"AIFC fl64", form("AIFC", comm(1, 1, 64, 384000, "fl64"), ssnd(0, binary.BigEndian.AppendUint64(nil, math.Float64bits(-0.125)))),
			fmtOf(384000, 1, 64, audio.Float), [][]float32{{-0.125}}, false},
		{"AIFC raw 8-bit offset binary", form("AIFC", comm(1, 2, 8, 8000, "raw "), ssnd(0, []byte{0x00, 0xFF})),
			fmtOf(8000, 1, 8, audio.Int), [][]float32{{-1, q(127, 8)}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			streamed := codectest.StreamSame
			if tc.seekOnly {
				// SSND before COMM: a stream is refused with the reason.
				streamed = codectest.StreamNone
				if _, err := Decode(codectest.Stream(bytes.NewReader(tc.file))); !codectest.As[*FormatError](err) || !strings.Contains(err.Error(), "SSND before COMM") {
					t.Errorf("stream: Decode: %v; want the format error SSND before COMM", err)
				}
			}
			info := audio.Info{Container: "aiff", Format: tc.format, Frames: int64(len(tc.want[0]))}
			codectest.Decodes(t, tc.file, info, tc.want, streamed, DecodeConfig, func(r io.Reader) (audio.Reader, error) { return Decode(r) })
		})
	}
}

// TestHeaderLength holds AIFF to the rule every codec keeps: COMM's
// numSampleFrames is the file's length. SSND holding more is read to it,
// the rest counted in PastFrames; SSND holding fewer is a truncation.
func TestHeaderLength(t *testing.T) {
	t.Parallel()
	decode := func(r io.Reader) (audio.Reader, error) { return Decode(r) }
	t.Run("SSND holds more than COMM declares", func(t *testing.T) {
		file := form("AIFF", comm(1, 2, 16, 48000, ""), ssnd(0, be16(7, 8, 9, 10, 11)))
		codectest.ReadsPast(t, file, []float32{q(7, 16), q(8, 16)}, 3, decode)
		info, err := DecodeConfig(bytes.NewReader(file))
		if err != nil || info.Frames != 2 || info.PastFrames != 3 {
			t.Errorf("DecodeConfig = %+v, %v; want 2 frames, 3 past", info, err)
		}
	})
	t.Run("SSND holds more, and the file ends inside it", func(t *testing.T) {
		file := form("AIFF", comm(1, 2, 16, 48000, ""), ssnd(0, be16(7, 8, 9, 10, 11)))
		codectest.ReadsPast(t, file[:len(file)-4], []float32{q(7, 16), q(8, 16)}, 1, decode)
	})
	// Headers a writer to a pipe cannot come back to, which sox reads to
	// the end of the file: ffmpeg leaves every size 0 (refused as "SSND
	// chunk of 0 bytes"), sox declares soxUnknown bytes (read as a file
	// of 3 hours cut short).
	pipe := []struct {
		name string
		file []byte
	}{
		{"ffmpeg's, every size 0", func() []byte {
			f := form("AIFF", comm(2, 0, 16, 48000, ""), ssnd(0, be16(7, -7, 8, -8, 9, -9)))
			binary.BigEndian.PutUint32(f[4:], 0)
			binary.BigEndian.PutUint32(f[bytes.Index(f, []byte("SSND"))+4:], 0)
			return f
		}()},
		{"sox's, soxUnknown bytes", func() []byte {
			f := form("AIFF", comm(2, soxUnknown/4, 16, 48000, ""), ssnd(0, be16(7, -7, 8, -8, 9, -9)))
			binary.BigEndian.PutUint32(f[4:], soxUnknown+0x50)
			binary.BigEndian.PutUint32(f[bytes.Index(f, []byte("SSND"))+4:], soxUnknown+8)
			return f
		}()},
	}
	for _, p := range pipe {
		t.Run("a pipe's header: "+p.name, func(t *testing.T) {
			want := [][]float32{{q(7, 16), q(8, 16), q(9, 16)}, {q(-7, 16), q(-8, 16), q(-9, 16)}}
			info := audio.Info{Container: "aiff", Frames: 3, Format: audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 16, SampleFormat: audio.Int}}
			codectest.Decodes(t, p.file, info, want, codectest.StreamOtherInfo, DecodeConfig, decode)
		})
	}
	t.Run("SSND holds fewer than COMM declares", func(t *testing.T) {
		file := form("AIFF", comm(1, 4, 16, 48000, ""), ssnd(0, be16(7, 8)), chunk{ID: "ANNO", Body: []byte("text")})
		d, err := Decode(bytes.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		got, err := audiotest.ReadAll(t, d, 4096)
		var te *audio.TruncatedError
		if !errors.As(err, &te) || te.DeclaredFrames != 4 || te.Frames != 2 || got.Frames() != 2 {
			t.Errorf("read %d frames, err %v; want 2 and a truncation from 4 declared", got.Frames(), err)
		}
		if d.Info().PastFrames != 0 {
			t.Errorf("PastFrames %d in a truncated file", d.Info().PastFrames)
		}
	})
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	c16 := comm(2, 2, 16, 48000, "")
	bad := []codectest.Bad{
		{Name: "FORM but not AIFF", File: form("8SVX")},
		{Name: "no COMM", File: form("AIFF", ssnd(0, be16(1, 2)))},
		{Name: "no SSND", File: form("AIFF", c16)},
		{Name: "zero channels", File: form("AIFF", comm(0, 1, 16, 48000, ""), ssnd(0, nil))},
		{Name: "zero rate", File: form("AIFF", chunk{ID: "COMM", Body: append(be16(1, 0, 1, 16), make([]byte, 10)...)}, ssnd(0, nil))},
		{Name: "0-bit samples", File: form("AIFF", comm(1, 1, 0, 48000, ""), ssnd(0, nil))},
		{Name: "40-bit samples", File: form("AIFF", comm(1, 1, 40, 48000, ""), ssnd(0, nil))},
		{Name: "short COMM", File: form("AIFF", chunk{ID: "COMM", Body: make([]byte, 10)}, ssnd(0, nil))},
		{Name: "AIFC COMM without compression type", File: form("AIFC", c16, ssnd(0, nil))},
		{Name: "SSND offset beyond chunk", File: form("AIFF", c16, chunk{ID: "SSND", Body: be32(100, 0)})},
		{Name: "cut in COMM", File: form("AIFF", c16)[:20]},
		{Name: "chunk size beyond the file", File: form("AIFF", chunk{ID: "NAME", Body: []byte("song"), Size: 3 << 30}, c16, ssnd(0, be16(1, 2))), Says: `inside chunk "NAME"`},
		{Name: "µ-law", File: form("AIFC", comm(1, 1, 16, 8000, "ulaw"), ssnd(0, nil)), Unsupported: true},
		{Name: "IMA4", File: form("AIFC", comm(1, 1, 16, 8000, "ima4"), ssnd(0, nil)), Unsupported: true},
		{Name: "unknown compression", File: form("AIFC", comm(1, 1, 16, 8000, "zzzz"), ssnd(0, nil)), Unsupported: true},
	}
	codectest.Refuses(t, "aiff", bad, DecodeConfig, codectest.As[*FormatError])
}

func TestTruncated(t *testing.T) {
	t.Parallel()
	full := form("AIFF", comm(2, 3, 16, 48000, ""), ssnd(0, be16(1, 2, 3, 4, 5, 6)))
	decode := func(r io.Reader) (audio.Reader, error) { return Decode(r) }
	codectest.Truncates(t, full, 4, []float32{q(1, 16), q(3, 16), q(5, 16)}, decode, codectest.As[*FormatError])
}

// TestHugeClaim: a COMM chunk claiming 2^32-1 frames over a tiny SSND must
// not allocate by the claim.
func TestHugeClaim(t *testing.T) {
	// Not parallel: AllocsPerRun counts the process's allocations.
	file := form("AIFF", comm(2, math.MaxUint32, 16, 48000, ""), chunk{ID: "SSND", Body: append(be32(0, 0), be16(1, 2)...), Size: math.MaxUint32 - 1})
	d, err := Decode(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if d.Info().Frames != 1 {
		t.Errorf("Frames = %d, want 1", d.Info().Frames)
	}
	allocs := testing.AllocsPerRun(1, func() {
		d, _ := Decode(bytes.NewReader(file))
		audiotest.ReadAll(t, d, 4096)
	})
	if allocs > 50 {
		t.Errorf("%v allocations", allocs)
	}
}

// TestReadAllocs: Read is a hot path (every stem is decoded block by block
// by check and engine); after the first Read it must not allocate.
func TestReadAllocs(t *testing.T) {
	const frames, block = 8 * 4096, 1024
	data := make([]byte, frames*2*3) // 24-bit stereo silence
	file := form("AIFF", comm(2, frames, 24, 48000, ""), ssnd(0, data))
	d, err := Decode(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	codectest.ReadsWithoutAllocating(t, d, block, 20)
}

// TestNonFiniteRate: a COMM chunk whose rate is the infinite or NaN 80-bit
// float says so, not "zero sample rate".
func TestNonFiniteRate(t *testing.T) {
	t.Parallel()
	for name, mant := range map[string]uint64{"infinite": 1 << 63, "NaN": 3 << 62} {
		b := binary.BigEndian.AppendUint16(nil, 1)   // channels
		b = binary.BigEndian.AppendUint32(b, 1)      // frames
		b = binary.BigEndian.AppendUint16(b, 16)     // bits
		b = binary.BigEndian.AppendUint16(b, 0x7FFF) // exponent: infinity or NaN
		b = binary.BigEndian.AppendUint64(b, mant)
		_, err := DecodeConfig(bytes.NewReader(form("AIFF", chunk{ID: "COMM", Body: b}, ssnd(0, be16(1)))))
		if err == nil || !strings.Contains(err.Error(), "infinite or not a number") {
			t.Errorf("%s rate: %v", name, err)
		}
	}
}
