package wav

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"stemmaster/audio"
	"stemmaster/audio/internal/codectest"
	"stemmaster/internal/audiotest"
)

// TestHeaderLength holds WAV to the rule every codec keeps: the data
// chunk's size is the file's length. Audio behind a size that lies short
// is counted in PastFrames and not read; chunks, tags and zero padding
// behind it are no audio; a size of 0 with samples behind it is a
// streaming writer's placeholder, read to the end as 0xFFFFFFFF is.
func TestHeaderLength(t *testing.T) {
	t.Parallel()
	decode := func(r io.Reader) (audio.Reader, error) { return Decode(r) }
	pcm16 := fmtChunk(tagPCM, 1, 48000, 2, 16)
	first := []float32{q(7, 16), q(8, 16)}
	list := chunk{ID: "LIST", Body: []byte("INFOISFT\x04\x00\x00\x00test")}
	cases := []struct {
		name string
		file []byte
		past int64
	}{
		{"audio past the data size", riff("RIFF", pcm16, chunk{ID: "data", Body: le16(7, 8, 9, -10, 11), Size: 4}), 3},
		{"a chunk after the data", riff("RIFF", pcm16, chunk{ID: "data", Body: le16(7, 8)}, list), 0},
		{"zeros after the data", append(riff("RIFF", pcm16, chunk{ID: "data", Body: le16(7, 8)}), make([]byte, 100)...), 0},
		{"an ID3 tag after the data", append(riff("RIFF", pcm16, chunk{ID: "data", Body: le16(7, 8)}), "ID3\x04\x00\x00\x00\x00\x00\x7Fabc"...), 0},
		{"an ID3v1 tag after the data", append(riff("RIFF", pcm16, chunk{ID: "data", Body: le16(7, 8)}), "TAGtitle\xFF\xFF\xFF\xFF"...), 0},
		{"zeros, then audio, past the data size", append(riff("RIFF", pcm16, chunk{ID: "data", Body: le16(7, 8)}), append(make([]byte, 3000), 1, 0)...), 1501},
		{"a second of silence, then audio, past the data size", append(riff("RIFF", pcm16, chunk{ID: "data", Body: le16(7, 8)}), append(make([]byte, 96000), noise(96000)...)...), 96000},
		{"zeros to the end but for a tag", append(riff("RIFF", pcm16, chunk{ID: "data", Body: le16(7, 8)}), append(make([]byte, 96000), "TAGtitle"...)...), 0},
		{"zeros, then an ID3v1 tag in the last 128 bytes", append(riff("RIFF", pcm16, chunk{ID: "data", Body: le16(7, 8)}), append(make([]byte, 1000), id3v1()...)...), 0},
		{"zeros, then an ID3v2 tag with a footer (cover art)", append(riff("RIFF", pcm16, chunk{ID: "data", Body: le16(7, 8)}), append(make([]byte, 1000), id3v2(3000, true)...)...), 0},
		{"zeros, then an ID3v2 tag with a footer and an ID3v1 tag", append(riff("RIFF", pcm16, chunk{ID: "data", Body: le16(7, 8)}), append(append(make([]byte, 1000), id3v2(3000, true)...), id3v1()...)...), 0},
		{"zeros, then a small ID3v2 tag", append(riff("RIFF", pcm16, chunk{ID: "data", Body: le16(7, 8)}), append(make([]byte, 1000), id3v2(20, false)...)...), 0},
		{"zeros, then an id3 chunk", append(riff("RIFF", pcm16, chunk{ID: "data", Body: le16(7, 8)}), append(make([]byte, 1000), "id3 \x0C\x00\x00\x00"+string(id3v2(2, false))...)...), 0},
		{"audio, then an ID3v2 tag with a footer, past the data size", append(riff("RIFF", pcm16, chunk{ID: "data", Body: le16(7, 8)}), append(noise(4000), id3v2(3000, true)...)...), 2000},
		{"a chunk id whose size overruns the file", append(riff("RIFF", pcm16, chunk{ID: "data", Body: le16(7, 8)}), "ABCD\xFF\x00\x00\x00xx"...), 5},
		{"less than a chunk header of audio", append(riff("RIFF", pcm16, chunk{ID: "data", Body: le16(7, 8)}), 1, 2, 3, 4), 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			codectest.ReadsPast(t, c.file, first, c.past, decode)
			info, err := DecodeConfig(bytes.NewReader(c.file))
			if err != nil || info.Frames != 2 || info.PastFrames != c.past {
				t.Errorf("DecodeConfig = %+v, %v; want 2 frames, %d past", info, err, c.past)
			}
		})
	}
	t.Run("odd data, its pad byte, then a chunk", func(t *testing.T) {
		file := riff("RIFF", fmtChunk(tagPCM, 1, 48000, 1, 8), chunk{ID: "data", Body: []byte{0x80, 0xC0, 0x40}}, list)
		codectest.ReadsPast(t, file, []float32{0, 0.5, -0.5}, 0, decode)
	})
	t.Run("sox's data size for a pipe (MS_UNSPEC) with samples behind it", func(t *testing.T) {
		// Read as streamed, as sox reads it: it was a file of 12 hours
		// cut short.
		file := riff("RIFF", pcm16, chunk{ID: "data", Body: le16(7, 8, 9), Size: soxUnknownSize})
		codectest.ReadsPast(t, file, []float32{q(7, 16), q(8, 16), q(9, 16)}, 0, decode)
		// In whole frames of 24-bit stereo: 0x7fffeffc, beside a fact
		// chunk of as many frames.
		file = riff("RIFF", fmtChunk(tagPCM, 2, 48000, 6, 24), chunk{ID: "fact", Body: le32(soxUnknownSize / 6)}, chunk{ID: "data", Body: le24(7, -7, 8, -8), Size: soxUnknownSize / 6 * 6})
		d, err := Decode(bytes.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		got, err := audiotest.ReadAll(t, d, 4096)
		if err != nil || got.Frames() != 2 || d.Info().Frames != 2 {
			t.Errorf("24-bit stereo: read %d frames (Info %d), then %v; want 2 and no error", got.Frames(), d.Info().Frames, err)
		}
	})
	t.Run("data size 0 with samples behind it", func(t *testing.T) {
		file := sizeZero(riff("RIFF", pcm16, chunk{ID: "data", Body: le16(7, 8, 9)}))
		codectest.ReadsPast(t, file, []float32{q(7, 16), q(8, 16), q(9, 16)}, 0, decode)
	})
	t.Run("data size 0, then a chunk", func(t *testing.T) {
		file := riff("RIFF", pcm16, chunk{ID: "data", Body: le16(7)}, list)
		i := bytes.Index(file, []byte("data"))
		file = append(file[:i+4:i+4], append([]byte{0, 0, 0, 0}, file[i+10:]...)...)
		codectest.ReadsPast(t, file, nil, 0, decode)
	})
	// From a stream, which cannot look behind the samples, a size of 0
	// opening audio reads to the end (Frames unknown), as 0xFFFFFFFF
	// does; it read as no frames (a float export with only its fact chunk
	// filled in, an RF64 whose ds64 was never).
	for _, c := range []struct {
		name string
		file []byte
		want []float32
	}{
		{"a stream: data size 0 with samples behind it", sizeZero(riff("RIFF", pcm16, chunk{ID: "data", Body: le16(7, 8, 9)})), []float32{q(7, 16), q(8, 16), q(9, 16)}},
		{"a stream: float, data size 0, the length in the fact chunk", sizeZero(riff("RIFF", fmtChunk(tagFloat, 1, 48000, 4, 32), chunk{ID: "fact", Body: le32(2)}, chunk{ID: "data", Body: f32(0.5, -0.5)})), []float32{0.5, -0.5}},
		{"a stream: RF64, ds64 data size 0", riff("RF64", ds64Chunk(0, 0, 0), pcm16, chunk{ID: "data", Body: le16(3, -3), Size: unknownSize}), []float32{q(3, 16), q(-3, 16)}},
		{"a stream: data size 0, then a chunk", sizeZero(riff("RIFF", pcm16, chunk{ID: "data"}, list)), nil},
		{"a stream: data size 0 at the end", sizeZero(riff("RIFF", pcm16, chunk{ID: "data"})), nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, err := Decode(codectest.Stream(bytes.NewReader(c.file)))
			if err != nil {
				t.Fatal(err)
			}
			got, err := audiotest.ReadAll(t, d, 4096)
			if err != nil {
				t.Fatal(err)
			}
			audiotest.SameSamples(t, got, &audio.Buffer{Data: [][]float32{c.want}}, "the samples behind the header")
		})
	}
	t.Run("data size beyond the file", func(t *testing.T) {
		file := riff("RIFF", pcm16, chunk{ID: "data", Body: le16(7, 8), Size: 8})
		d, err := Decode(bytes.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		got, err := audiotest.ReadAll(t, d, 4096)
		var te *audio.TruncatedError
		if !errors.As(err, &te) || te.DeclaredFrames != 4 || te.Frames != 2 || got.Frames() != 2 || d.Info().PastFrames != 0 {
			t.Errorf("read %d frames, err %v, PastFrames %d; want 2, a truncation from 4 declared, none past", got.Frames(), err, d.Info().PastFrames)
		}
	})
}

// trailers are what taggers and writers append to a WAV file, each as it
// ends one: tags (an ID3v2 tag without a footer says nothing at its end)
// and chunks.
var trailers = []struct {
	name string
	tail []byte
}{
	{"an ID3v2 tag without a footer (cover art, padding)", taggedID3(40000, 2048)},
	{"a small ID3v2 tag without a footer", taggedID3(10, 0)},
	{"an ID3v2 tag with a footer", id3v2(3000, true)},
	{"an ID3v1 tag", id3v1()},
	{"an APEv2 tag", apeTag(true)},
	{"an APEv1 tag", apeTag(false)},
	{"an APEv2 tag and an ID3v1 tag", append(apeTag(true), id3v1()...)},
	{"an ID3v2 tag without a footer and an ID3v1 tag", append(taggedID3(40000, 2048), id3v1()...)},
	{"a LIST chunk", chunkBytes(chunk{ID: "LIST", Body: []byte("INFOISFT\x04\x00\x00\x00test")})},
	{"an id3 chunk", chunkBytes(chunk{ID: "id3 ", Body: taggedID3(3000, 100)})},
	{"a bext chunk and an odd-sized LIST chunk", append(chunkBytes(bextChunk(7)), chunkBytes(chunk{ID: "LIST", Body: []byte("INFOISFT\x03\x00\x00\x00abc")})...)},
	// What starts further from the end than the 64 KiB that was searched
	// for it read as audio where the data chunk was streamed.
	{"an id3 chunk of cover art (200 kB)", chunkBytes(chunk{ID: "id3 ", Body: taggedID3(200_000, 100)})},
	{"a LIST chunk of 100 kB, then a bext chunk", append(chunkBytes(chunk{ID: "LIST", Body: append([]byte("INFOICMT\xA0\x86\x01\x00"), noise(100_000)...)}), chunkBytes(bextChunk(7))...)},
	// A probe that landed in the tag and a bisection that landed in the
	// zeros of its frames went past its header and read it as audio.
	{"an ID3v2 tag without a footer whose picture opens with 2000 zeros", codectest.TaggedID3Zeros(20_000, 2000, 0)},
	{"an ID3v2 tag without a footer whose picture opens with 512 zeros", codectest.TaggedID3Zeros(150_000, 512, 2048)},
	{"an ID3v2 tag without a footer whose picture opens with 70 kB of zeros", codectest.TaggedID3Zeros(150_000, 70_000, 2048)},
}

// chunkBytes is c as a file holds it: header, body, pad byte.
func chunkBytes(c chunk) []byte { return riff("RIFF", c)[12:] }

// TestTrailers: what is appended to the file is no audio wherever zero
// padding puts it (a probe that lands inside an ID3v2 tag without a
// footer, past its header, read it as audio), nor after audio past the
// data size; and a streamed data chunk (size 0 or 0xFFFFFFFF) is read up
// to it, where it read it as samples.
func TestTrailers(t *testing.T) {
	t.Parallel()
	decode := func(r io.Reader) (audio.Reader, error) { return Decode(r) }
	pcm16 := fmtChunk(tagPCM, 1, 48000, 2, 16)
	data := chunk{ID: "data", Body: le16(7, 8, -9)}
	first := []float32{q(7, 16), q(8, 16), q(-9, 16)}
	for _, tr := range trailers {
		for _, pad := range []int{0, 1, 1000, 9999, 100_000, 1<<20 + 1} {
			t.Run(fmt.Sprintf("%s after %d zeros", tr.name, pad), func(t *testing.T) {
				file := append(riff("RIFF", pcm16, data), append(make([]byte, pad), tr.tail...)...)
				codectest.ReadsPast(t, file, first, 0, decode)
			})
		}
		t.Run(tr.name+" after audio past the data size", func(t *testing.T) {
			file := append(riff("RIFF", pcm16, data), append(noise(4000), tr.tail...)...)
			codectest.ReadsPast(t, file, first, 2000, decode)
		})
		for _, size := range []uint32{0, unknownSize} {
			t.Run(fmt.Sprintf("%s after a data size of %#x", tr.name, size), func(t *testing.T) {
				file := append(riff("RIFF", pcm16, data), tr.tail...)
				binary.LittleEndian.PutUint32(file[bytes.Index(file, []byte("data"))+4:], size)
				codectest.ReadsPast(t, file, first, 0, decode)
			})
		}
	}
	t.Run("odd 8-bit data, its pad byte, then a chunk, after a data size of 0", func(t *testing.T) {
		file := sizeZero(riff("RIFF", fmtChunk(tagPCM, 1, 48000, 1, 8), chunk{ID: "data", Body: []byte{0x80, 0xC0, 0x40}}, chunk{ID: "LIST", Body: []byte("INFO")}))
		codectest.ReadsPast(t, file, []float32{0, 0.5, -0.5}, 0, decode)
	})
}

// TestFarTrailingChunk: behind audio of unknown length (a data size of
// 0xFFFFFFFF or 0), a chunk that starts further from the end than the
// tailScan bytes the header reads was read as audio, 17 MB of a LIST
// chunk heard as noise at the end of the stem. The read stops where it
// starts with a format error naming it, the frames before it delivered
// (and those a header across two reads opens);
// a streamed file as long with nothing behind its audio reads whole.
func TestFarTrailingChunk(t *testing.T) {
	t.Parallel()
	pcm16 := fmtChunk(tagPCM, 2, 48000, 4, 16)
	big := chunkBytes(chunk{ID: "LIST", Body: append([]byte("INFOICMT"), noise(tailScan+1<<20)...)})
	for _, c := range []struct {
		name  string
		fmt   chunk
		audio []byte
		tail  []byte
	}{
		{"a LIST chunk of 17 MB", pcm16, noise(1 << 16), big},
		{"a LIST chunk of 17 MB, then a bext chunk", pcm16, noise(1 << 16), append(slices.Clip(big), chunkBytes(bextChunk(7))...)},
		// Its header across the end of a block read (16 KiB).
		{"a LIST chunk of 17 MB across two blocks", pcm16, noise(1<<16 - 4), big},
		// Behind the pad byte of 24-bit mono audio of an odd length.
		{"a LIST chunk of 17 MB after a pad byte", fmtChunk(tagPCM, 1, 48000, 3, 24), noise(3 * 21845), big},
	} {
		fb := int(binary.LittleEndian.Uint16(c.fmt.Body[12:14]))
		for _, size := range []uint32{0, unknownSize} {
			t.Run(fmt.Sprintf("%s after a data size of %#x", c.name, size), func(t *testing.T) {
				file := append(riff("RIFF", c.fmt, chunk{ID: "data", Body: c.audio}), c.tail...)
				binary.LittleEndian.PutUint32(file[bytes.Index(file, []byte("data"))+4:], size)
				for _, block := range []int{1, 4096} {
					d, err := Decode(bytes.NewReader(file))
					if err != nil {
						t.Fatal(err)
					}
					got, err := audiotest.ReadAll(t, d, block)
					// A header across two reads is seen with the second:
					// the frames it opens may have been delivered.
					want, most := len(c.audio)/fb, (len(c.audio)+8)/fb+1
					if !codectest.As[*FormatError](err) || !strings.Contains(err.Error(), `"LIST" chunk`) || got.Frames() < want || got.Frames() > most {
						t.Errorf("blocks of %d: read %d frames, then %v; want the %d of the audio (%d at most), then a format error naming the LIST chunk", block, got.Frames(), err, want, most)
					}
				}
			})
		}
	}
	t.Run("audio as long, nothing behind it", func(t *testing.T) {
		file := riff("RIFF", pcm16, chunk{ID: "data", Body: noise(tailScan + 1<<20), Size: unknownSize})
		d, err := Decode(bytes.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		got, err := audiotest.ReadAll(t, d, 4096)
		if err != nil || int64(got.Frames()) != d.Info().Frames {
			t.Errorf("read %d frames of %d, then %v", got.Frames(), d.Info().Frames, err)
		}
	})
}

// The tags of codectest, and bytes none of which is zero.
var (
	id3v1, id3v2, taggedID3, apeTag = codectest.ID3v1, codectest.ID3v2, codectest.TaggedID3, codectest.APETag
	noise                           = codectest.Noise
)

// TestTailReadsLittle: telling audio past the data chunk's size from what
// else follows reads the bytes that decide, not the whole tail: a header
// read from a store by ranges fetched 64 KiB more than it needed. Where
// audio runs past the data size or to the end (streamed), where it ends
// is read from the end back, the last tailScan bytes and no more.
func TestTailReadsLittle(t *testing.T) {
	t.Parallel()
	pcm16 := fmtChunk(tagPCM, 1, 48000, 2, 16)
	big, huge := noise(1<<20), noise(tailScan+1<<20)
	for _, c := range []struct {
		name string
		file []byte
		past int64
		most int // bytes read
	}{
		{"a long chunk after the data", riff("RIFF", pcm16, chunk{ID: "data", Body: le16(7, 8)}, chunk{ID: "LIST", Body: big}), 0, 256},
		{"audio past the data size", riff("RIFF", pcm16, chunk{ID: "data", Body: append(le16(7, 8), huge...), Size: 4}), int64(len(huge)) / 2, tailScan + 16<<10},
		{"a data size of 0 with audio behind it", sizeZero(riff("RIFF", pcm16, chunk{ID: "data", Body: huge})), 0, tailScan + 16<<10},
		{"a megabyte of zeros after the data", append(riff("RIFF", pcm16, chunk{ID: "data", Body: le16(7, 8)}), make([]byte, 1<<20)...), 0, 10 << 10},
		{"a megabyte of zeros, then a tag no probe opens", append(riff("RIFF", pcm16, chunk{ID: "data", Body: le16(7, 8)}), append(make([]byte, 1<<20), taggedID3(1<<20, 0)...)...), 0, 20 << 10},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := &countingReader{r: bytes.NewReader(c.file)}
			info, err := DecodeConfig(r)
			if err != nil || info.PastFrames != c.past {
				t.Fatalf("DecodeConfig = %+v, %v; want %d frames past", info, err, c.past)
			}
			if r.n > c.most {
				t.Errorf("read %d bytes of a header of %d", r.n, bytes.Index(c.file, []byte("data"))+8)
			}
		})
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r *bytes.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func (c *countingReader) Seek(off int64, whence int) (int64, error) { return c.r.Seek(off, whence) }

// sizeZero sets the size of file's data chunk to 0, as a streaming writer
// leaves it, in place, and returns file.
func sizeZero(file []byte) []byte {
	i := bytes.Index(file, []byte("data"))
	binary.LittleEndian.PutUint32(file[i+4:], 0)
	return file
}
