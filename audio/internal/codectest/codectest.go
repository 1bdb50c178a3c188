// Package codectest holds the test helpers the container codecs (wav, aiff,
// flac) share: hand-built RIFF/IFF files and sample bytes, an in-memory
// io.WriteSeeker, whole-stream decoding and encoding, and exact buffer
// comparison. It is imported by tests only.
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package codectest

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"stemmaster/audio"
	"stemmaster/internal/audiotest"
)

// MemFile is an in-memory io.WriteSeeker.
type MemFile struct {
	b   []byte
	off int64
}

// Bytes returns what has been written.
func (m *MemFile) Bytes() []byte { return m.b }

func (m *MemFile) Write(p []byte) (int, error) {
	end := m.off + int64(len(p))
	if end > int64(len(m.b)) {
		m.b = append(m.b, make([]byte, end-int64(len(m.b)))...)
	}
	copy(m.b[m.off:], p)
	m.off = end
	return len(p), nil
}

func (m *MemFile) Seek(off int64, whence int) (int64, error) {
	off, err := seekTo(off, whence, m.off, int64(len(m.b)))
	if err != nil {
		return 0, err
	}
	m.off = off
	return off, nil
}

// seekTo is the io.Seeker arithmetic over a stream at pos of size bytes.
func seekTo(off int64, whence int, pos, size int64) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		off += pos
	case io.SeekEnd:
		off += size
	}
	if off < 0 {
		return 0, errors.New("negative seek")
	}
	return off, nil
}

// Discard is an io.WriteSeeker that keeps nothing: encoders write to it in
// benchmarks and allocation tests.
type Discard struct{ pos, size int64 }

func (d *Discard) Write(p []byte) (int, error) {
	d.pos += int64(len(p))
	d.size = max(d.size, d.pos)
	return len(p), nil
}

func (d *Discard) Seek(off int64, whence int) (int64, error) {
	off, err := seekTo(off, whence, d.pos, d.size)
	if err != nil {
		return 0, err
	}
	d.pos = off
	return off, nil
}

// Encode writes b in format f with the encoder newEncoder makes, in Writes
// of the given number of frames, and returns the file.
func Encode[E audio.Writer](t testing.TB, newEncoder func(io.WriteSeeker, audio.Format) (E, error), f audio.Format, b *audio.Buffer, block int) []byte {
	t.Helper()
	m := &MemFile{}
	e, err := newEncoder(m, f)
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

// ReadEqual reads r to its end in blocks of the given size and fails the
// test unless that gives exactly want.
func ReadEqual(t testing.TB, r audio.Reader, block int, want *audio.Buffer) {
	t.Helper()
	got, err := audiotest.ReadAll(t, r, block)
	if err != nil {
		t.Fatal(err)
	}
	audiotest.SameSamples(t, got, want, "written")
}

// Rejects fails the test unless newEncoder refuses every one of formats
// with an error wrapping audio.ErrUnsupported.
func Rejects[E audio.Writer](t testing.TB, newEncoder func(io.WriteSeeker, audio.Format) (E, error), formats ...audio.Format) {
	t.Helper()
	for _, f := range formats {
		if _, err := newEncoder(&MemFile{}, f); !errors.Is(err, audio.ErrUnsupported) {
			t.Errorf("NewEncoder(%v) = %v, want ErrUnsupported", f, err)
		}
	}
}

// As reports whether err wraps an E (errors.As).
func As[E error](err error) bool {
	var e E
	return errors.As(err, &e)
}

// Stream hides every method of r but Read: a decoder sees an input it
// cannot seek.
func Stream(r io.Reader) io.Reader { return onlyReader{r} }

type onlyReader struct{ io.Reader }

// Bad is an input a codec must refuse: not valid in its format, or valid
// (Unsupported) but in an encoding it does not decode.
type Bad struct {
	Name        string
	File        []byte
	Unsupported bool
	Says        string // what the error's text must hold, when set
}

// Refuses runs decodeConfig on each bad input, and on an empty and a text
// file, from a seekable reader and from a stream, in a subtest named after
// it: each must fail with an error isFormat accepts, or one wrapping
// audio.ErrUnsupported when the input is Unsupported, and the error's text
// starts with the codec's name and holds what the input Says.
func Refuses(t *testing.T, codec string, bad []Bad, decodeConfig func(io.Reader) (audio.Info, error), isFormat func(error) bool) {
	t.Helper()
	bad = append([]Bad{{Name: "empty"}, {Name: "text", File: []byte("just some text, not an audio file at all\n")}}, bad...)
	for _, b := range bad {
		t.Run(b.Name, func(t *testing.T) {
			for kind, r := range map[string]io.Reader{"seekable": bytes.NewReader(b.File), "stream": Stream(bytes.NewReader(b.File))} {
				_, err := decodeConfig(r)
				if !b.Unsupported && !isFormat(err) {
					t.Errorf("%s: err = %v (%T), want a format error", kind, err, err)
				}
				if b.Unsupported && !errors.Is(err, audio.ErrUnsupported) {
					t.Errorf("%s: err = %v, want audio.ErrUnsupported", kind, err)
				}
				if err != nil && !strings.HasPrefix(err.Error(), codec+": ") {
					t.Errorf("%s: error %q lacks the %s: prefix", kind, err, codec)
				}
				if err != nil && !strings.Contains(err.Error(), b.Says) {
					t.Errorf("%s: error %q does not say %q", kind, err, b.Says)
				}
			}
		})
	}
}

// Streamed says what a decoder makes of a file read from a stream, an
// input that cannot seek.
type Streamed int

const (
	StreamSame      Streamed = iota // the same Info and samples as from a seekable input
	StreamOtherInfo                 // the same samples; the Info needs a seek (a frame count, a chunk behind the audio)
	StreamNone                      // the file needs a seek to decode at all; not tried
)

// Decodes checks that file decodes to info and to the planar samples want,
// read in blocks of 1 and of 4096 frames, from a seekable input and, as
// streamed says, from a stream.
func Decodes(t *testing.T, file []byte, info audio.Info, want [][]float32, streamed Streamed,
	decodeConfig func(io.Reader) (audio.Info, error), decode func(io.Reader) (audio.Reader, error)) {
	t.Helper()
	inputs := map[string]func() io.Reader{"seekable": func() io.Reader { return bytes.NewReader(file) }}
	if streamed != StreamNone {
		inputs["stream"] = func() io.Reader { return Stream(bytes.NewReader(file)) }
	}
	for kind, open := range inputs {
		got, err := decodeConfig(open())
		if err != nil {
			t.Fatalf("%s: DecodeConfig: %v", kind, err)
		}
		if (kind == "seekable" || streamed == StreamSame) && got != info {
			t.Errorf("%s: DecodeConfig = %+v, want %+v", kind, got, info)
		}
		for _, block := range []int{1, 4096} {
			d, err := decode(open())
			if err != nil {
				t.Fatalf("%s: Decode: %v", kind, err)
			}
			b, err := audiotest.ReadAll(t, d, block)
			if err != nil {
				t.Fatalf("%s block %d: %v", kind, block, err)
			}
			audiotest.SameSamples(t, b, &audio.Buffer{Data: want}, "the layout's samples")
		}
	}
}

// ReadsWithoutAllocating fails the test when a Read of block frames from
// r allocates, over runs Reads after a first one that may size r's
// buffers; r must hold that many blocks.
func ReadsWithoutAllocating(t *testing.T, r audio.Reader, block, runs int) {
	t.Helper()
	buf := audio.NewBuffer(r.Info().Format.Channels, block)
	if _, err := r.Read(buf); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(runs, func() {
		if _, err := r.Read(buf); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per %d-frame Read, want 0", allocs, block)
	}
}

// WritesWithoutAllocating fails the test when a Write of block frames of
// format f, to an encoder newEncoder makes over a sink, allocates (over 50
// Writes): a deliverable is written block by block with no allocation per
// block.
func WritesWithoutAllocating[E audio.Writer](t *testing.T, newEncoder func(io.WriteSeeker, audio.Format) (E, error), f audio.Format, block int) {
	t.Helper()
	e, err := newEncoder(&Discard{}, f)
	if err != nil {
		t.Fatal(err)
	}
	buf := Grid(1, f, block)
	allocs := testing.AllocsPerRun(50, func() {
		if err := e.Write(buf); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per %d-frame Write, want 0", allocs, block)
	}
}

// Truncates checks a decoder on full, a file whose audio ends it (frames
// of frameBytes bytes; first is the first channel's samples), cut short on
// a frame boundary, in the middle of the last frame and inside the first
// frame. From a seekable input and from a stream, Info (when the input can
// seek) counts the whole frames left, Read returns them and then ends with
// an error isFormat accepts that wraps io.ErrUnexpectedEOF and an
// *audio.TruncatedError naming the frames present and declared (or -1 when
// the stream does not say): a cut file is never read as a short one.
func Truncates(t *testing.T, full []byte, frameBytes int, first []float32, decode func(io.Reader) (audio.Reader, error), isFormat func(error) bool) {
	t.Helper()
	frames := len(first)
	cuts := []struct {
		name string
		cut  int // bytes removed from the end
		left int // whole frames left
	}{
		{"on a frame boundary", frameBytes, frames - 1},
		{"mid-frame", frameBytes - 1, frames - 1},
		{"inside the first frame", frames*frameBytes - 1, 0},
	}
	for _, c := range cuts {
		t.Run(c.name, func(t *testing.T) {
			file := full[:len(full)-c.cut]
			for kind, r := range map[string]io.Reader{"seekable": bytes.NewReader(file), "stream": Stream(bytes.NewReader(file))} {
				d, err := decode(r)
				if err != nil {
					t.Fatalf("%s: %v", kind, err)
				}
				if kind == "seekable" && d.Info().Frames != int64(c.left) {
					t.Errorf("Frames = %d, want %d", d.Info().Frames, c.left)
				}
				got, err := audiotest.ReadAll(t, d, 3)
				var te *audio.TruncatedError
				if !isFormat(err) || !errors.Is(err, io.ErrUnexpectedEOF) || !errors.As(err, &te) {
					t.Errorf("%s: err = %v, want a format error wrapping io.ErrUnexpectedEOF and a TruncatedError", kind, err)
				}
				if te != nil && (te.Frames != int64(c.left) || te.DeclaredFrames != int64(frames) && te.DeclaredFrames != -1) {
					t.Errorf("%s: %+v, want %d frames declared (or unknown), %d present", kind, te, frames, c.left)
				}
				if got.Frames() != c.left {
					t.Fatalf("%s: read %d frames, want %d", kind, got.Frames(), c.left)
				}
				for i, w := range first[:c.left] {
					if got.Data[0][i] != w {
						t.Errorf("%s: frame %d = %v, want %v", kind, i, got.Data[0][i], w)
					}
				}
			}
		})
	}
}

// DecodeBoth is the start of every codec's fuzz target: it runs
// DecodeConfig and Decode on file and checks that they agree — both fail or
// neither, with the same Info — and that a failure is one of the codec's
// typed errors (typed reports whether it is). It returns the decoder
// positioned at the first sample, or nil when decoding failed as it should.
func DecodeBoth(t *testing.T, file []byte, decodeConfig func(io.Reader) (audio.Info, error),
	decode func(io.Reader) (audio.Reader, error), typed func(error) bool) audio.Reader {
	t.Helper()
	streamed(t, file, decode, typed)
	info, cerr := decodeConfig(bytes.NewReader(file))
	d, err := decode(bytes.NewReader(file))
	if (cerr == nil) != (err == nil) {
		t.Fatalf("DecodeConfig error %v, Decode error %v", cerr, err)
	}
	if err != nil {
		if !typed(err) {
			t.Fatalf("untyped error %T: %v", err, err)
		}
		return nil
	}
	if d.Info() != info {
		t.Fatalf("Decode Info %+v, DecodeConfig %+v", d.Info(), info)
	}
	if info.Frames < 0 || info.Frames > int64(len(file)) {
		t.Fatalf("%d frames claimed from %d bytes", info.Frames, len(file))
	}
	return d
}

// streamed decodes file from a stream, as an upload or a pipe gives it, up
// to 1<<16 frames: what the header parser does without a seek (a pad byte
// kept and given back) must not panic, and a failure is a typed error.
func streamed(t *testing.T, file []byte, decode func(io.Reader) (audio.Reader, error), typed func(error) bool) {
	t.Helper()
	d, err := decode(Stream(bytes.NewReader(file)))
	if err != nil {
		if !typed(err) {
			t.Fatalf("stream: untyped error %T: %v", err, err)
		}
		return
	}
	buf := audio.NewBuffer(d.Info().Format.Channels, 1024)
	for n := 0; n < 1<<16; n += 1024 {
		if _, err := d.Read(buf); err == io.EOF {
			return
		} else if err != nil {
			if !typed(err) {
				t.Fatalf("stream: Read: untyped error %T: %v", err, err)
			}
			return
		}
	}
}

// Typed reports whether err is one of a codec's documented errors: its
// format error type E, audio.ErrUnsupported, or an *audio.NonFiniteError.
func Typed[E error](err error) bool {
	var fe E
	var nf *audio.NonFiniteError
	return errors.As(err, &fe) || errors.Is(err, audio.ErrUnsupported) || errors.As(err, &nf)
}

// CheckTyped fails the test unless Typed[E](err).
func CheckTyped[E error](t *testing.T, err error) {
	t.Helper()
	if !Typed[E](err) {
		t.Fatalf("untyped error %T: %v", err, err)
	}
}

// ReadsPast decodes file, whose header declares len(first) frames (first
// is the first channel's samples) and which holds past frames more, from
// a seekable input: Info.Frames is the declared length, Read returns the
// declared frames and ends with io.EOF, in blocks of 1 and of 4096, and
// Info.PastFrames counts the rest once the stream is read. The header's
// length is the file's: nothing past it is read.
func ReadsPast(t *testing.T, file []byte, first []float32, past int64, decode func(io.Reader) (audio.Reader, error)) {
	t.Helper()
	for _, block := range []int{1, 4096} {
		d, err := decode(bytes.NewReader(file))
		if err != nil {
			t.Fatalf("Decode: %v", err)
		}
		if d.Info().Frames != int64(len(first)) {
			t.Errorf("Frames = %d, want the %d declared", d.Info().Frames, len(first))
		}
		got, err := audiotest.ReadAll(t, d, block)
		if err != nil {
			t.Fatalf("block %d: %v, want the declared frames and io.EOF", block, err)
		}
		if got.Frames() != len(first) {
			t.Fatalf("block %d: read %d frames, want the %d declared", block, got.Frames(), len(first))
		}
		for i, w := range first {
			if got.Data[0][i] != w {
				t.Errorf("block %d: frame %d = %v, want %v", block, i, got.Data[0][i], w)
			}
		}
		if info := d.Info(); info.PastFrames != past || info.PastMore {
			t.Errorf("block %d: PastFrames %d (more: %v), want %d", block, info.PastFrames, info.PastMore, past)
		}
	}
}

// Grid is seeded noise whose samples lie on the grid of format f, so an
// encode→decode round trip must give it back exactly: any float32 for
// float (beyond ±1 too: float files keep overs), 32-bit values with a zero
// low byte for 32-bit integers (float32 holds 24 significant bits), and
// for integers both ends of the range in channel 0's first two frames.
func Grid(seed uint64, f audio.Format, frames int) *audio.Buffer {
	rng := rand.New(rand.NewPCG(seed, 0))
	b := audio.NewBuffer(f.Channels, frames)
	for _, ch := range b.Data {
		for i := range ch {
			switch {
			case f.SampleFormat == audio.Float:
				ch[i] = float32(rng.NormFloat64() * 0.7)
			case f.BitDepth == 32:
				v := int32(rng.Uint32()) >> 8 << 8
				ch[i] = float32(float64(v) / (1 << 31))
			default:
				full := int64(1) << (f.BitDepth - 1)
				v := rng.Int64N(2*full) - full
				ch[i] = float32(float64(v) / float64(full))
			}
		}
	}
	if f.SampleFormat == audio.Int && frames > 1 {
		full := float64(int64(1) << (f.BitDepth - 1))
		b.Data[0][0], b.Data[0][1] = -1, float32((full-1)/full)
	}
	return b
}
