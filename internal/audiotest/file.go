package audiotest

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"testing"

	"stemmaster/audio"
)

// The file helpers go through audio.Open and audio.Create, so the codec of
// the file must be registered by the test's imports (as
// _ "stemmaster/audio/wav").

// ReadFile decodes the whole audio file at path and returns its samples and
// Info. It fails the test on any error.
func ReadFile(t testing.TB, path string) (*audio.Buffer, audio.Info) {
	t.Helper()
	f, err := audio.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out, err := ReadAll(t, f, 8192)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return out, f.Info()
}

// Decode decodes a whole audio file held in memory (a response body, a
// blob) and returns its samples and Info. It fails the test on any error.
func Decode(t testing.TB, data []byte) (*audio.Buffer, audio.Info) {
	t.Helper()
	r, err := audio.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	out, err := ReadAll(t, r, 8192)
	if err != nil {
		t.Fatal(err)
	}
	return out, r.Info()
}

// ReadAll decodes a whole stream in blocks of the given size. It returns
// what was read and the first error other than io.EOF; a Read of 0 frames
// without an error fails the test (the audio.Reader contract forbids it).
func ReadAll(t testing.TB, r audio.Reader, block int) (*audio.Buffer, error) {
	t.Helper()
	return ReadBlocks(t, r, r.Info().Format.Channels, block)
}

// FrameReader is the reading half of audio.Reader, for streams with no
// Info of their own (a resampler's output).
type FrameReader interface {
	Read(dst *audio.Buffer) (int, error)
}

// ReadBlocks is ReadAll for a stream of ch channels, with the block sizes
// taken in turn, so that a reader is tried with reads of odd and changing
// lengths.
func ReadBlocks(t testing.TB, r FrameReader, ch int, sizes ...int) (*audio.Buffer, error) {
	t.Helper()
	out := audio.NewBuffer(ch, 0)
	bufs := make([]*audio.Buffer, len(sizes))
	for i, n := range sizes {
		bufs[i] = audio.NewBuffer(ch, n)
	}
	for i := 0; ; i++ {
		buf := bufs[i%len(bufs)]
		n, err := r.Read(buf)
		for c := range out.Data {
			out.Data[c] = append(out.Data[c], buf.Data[c][:n]...)
		}
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		if n == 0 {
			t.Fatal("Read returned 0 frames and no error")
		}
	}
}

// WriteFile writes b to path in the given container and format with
// audio.Create (atomically: an aborted file leaves nothing behind). It
// fails the test on any error.
func WriteFile(t testing.TB, path, container string, f audio.Format, b *audio.Buffer) {
	t.Helper()
	if err := Write(path, container, f, b); err != nil {
		t.Fatal(err)
	}
}

// WriteWAV writes b to dir/name as an integer PCM WAV file of the given
// rate and bit depth, and returns the path: the stem or mix a test hands
// to the code under test.
func WriteWAV(t testing.TB, dir, name string, b *audio.Buffer, rate, bits int) string {
	t.Helper()
	path := filepath.Join(dir, name)
	WriteFile(t, path, "wav", audio.Format{SampleRate: rate, Channels: b.Channels(), BitDepth: bits, SampleFormat: audio.Int}, b)
	return path
}

// WriteFloatWAV is WriteWAV with 32-bit float samples, which hold b's
// samples exactly.
func WriteFloatWAV(t testing.TB, dir, name string, b *audio.Buffer, rate int) string {
	t.Helper()
	path := filepath.Join(dir, name)
	WriteFile(t, path, "wav", audio.Format{SampleRate: rate, Channels: b.Channels(), BitDepth: 32, SampleFormat: audio.Float}, b)
	return path
}

// WriteStreamedFLAC writes b to dir/name as a 16-bit FLAC file whose
// STREAMINFO does not give the length (its total of samples 0), as an
// encoder writing to a pipe leaves it, and returns the path. The encoder
// must be registered (import stemmaster/audio/flac).
func WriteStreamedFLAC(t testing.TB, dir, name string, b *audio.Buffer, rate int) string {
	t.Helper()
	return WriteFLACDeclaring(t, dir, name, b, rate, 0)
}

// WriteFLACDeclaring writes b to dir/name as a 16-bit FLAC file whose
// STREAMINFO declares frames as its length (0: none), whatever b's length,
// and returns the path: a header that lies, as a hostile upload's does.
func WriteFLACDeclaring(t testing.TB, dir, name string, b *audio.Buffer, rate int, frames int64) string {
	t.Helper()
	path := filepath.Join(dir, name)
	WriteFile(t, path, "flac", audio.Format{SampleRate: rate, Channels: b.Channels(), BitDepth: 16, SampleFormat: audio.Int}, b)
	rewrite(t, path, func(data []byte) { DeclareFLAC(data, frames) })
	return path
}

// DeclareFLAC sets the length STREAMINFO declares in the FLAC file data
// (0: none), in place.
func DeclareFLAC(data []byte, frames int64) {
	// STREAMINFO follows "fLaC" and its block header; the 36-bit total
	// of samples is the low nibble of its byte 13 and bytes 14…17.
	data[8+13] = data[8+13]&0xF0 | byte(frames>>32)&0x0F
	binary.BigEndian.PutUint32(data[8+14:], uint32(frames))
}

// WriteStreamedWAV writes b to dir/name as a 16-bit WAV file whose data
// chunk gives size as its length (0 or 0xFFFFFFFF, as a writer streaming
// to a pipe leaves it) and returns the path.
func WriteStreamedWAV(t testing.TB, dir, name string, b *audio.Buffer, rate int, size uint32) string {
	t.Helper()
	path := WriteWAV(t, dir, name, b, rate, 16)
	rewrite(t, path, func(data []byte) {
		binary.LittleEndian.PutUint32(data[bytes.Index(data, []byte("data"))+4:], size)
	})
	return path
}

// WriteRF64Declaring writes b to dir/name as a 16-bit RF64 file (EBU Tech
// 3306) whose ds64 chunk declares frames as its length, whatever b's
// length, and returns the path: its RIFF and data sizes are 0xFFFFFFFF,
// "see ds64", as they are in every RF64 file.
func WriteRF64Declaring(t testing.TB, dir, name string, b *audio.Buffer, rate int, frames int64) string {
	t.Helper()
	path := WriteWAV(t, dir, name, b, rate, 16)
	rewrite(t, path, func(data []byte) {
		// stemmaster's encoder reserves the ds64 chunk's place as a JUNK
		// chunk of 28 bytes right after the RIFF header.
		le := binary.LittleEndian
		at := bytes.Index(data, []byte("data"))
		dataBytes := frames * int64(2*b.Channels())
		head := le.AppendUint32([]byte("RF64"), 0xFFFFFFFF)
		head = append(head, "WAVEds64"...)
		head = le.AppendUint32(head, 28)
		head = le.AppendUint64(head, uint64(len(data)-8))
		head = le.AppendUint64(head, uint64(dataBytes))
		head = le.AppendUint64(head, uint64(frames))
		head = le.AppendUint32(head, 0)
		copy(data, head)
		le.PutUint32(data[at+4:], 0xFFFFFFFF)
	})
	return path
}

// DeclaredLengthFile is a file of DeclaredLengthFiles and the frames a
// reader that believes its header reads from it.
type DeclaredLengthFile struct {
	Path   string
	Frames int
}

// DeclaredLengthFiles writes b (at rate, longer than declared frames) to
// dir as the headers that bound a reader's length differently: a FLAC
// and an RF64 declaring declared frames (read to there), and WAVs with a
// streamed data size of 0 and of 0xFFFFFFFF (read to their end). The
// FLAC encoder must be registered (import stemmaster/audio/flac).
func DeclaredLengthFiles(t testing.TB, dir string, b *audio.Buffer, rate int, declared int64) []DeclaredLengthFile {
	t.Helper()
	return []DeclaredLengthFile{
		{WriteFLACDeclaring(t, dir, "lie.flac", b, rate, declared), int(declared)},
		{WriteRF64Declaring(t, dir, "lie.wav", b, rate, declared), int(declared)},
		{WriteStreamedWAV(t, dir, "zero.wav", b, rate, 0), b.Frames()},
		{WriteStreamedWAV(t, dir, "unknown.wav", b, rate, 0xFFFFFFFF), b.Frames()},
	}
}

// rewrite edits the file at path in place.
func rewrite(t testing.TB, path string, edit func([]byte)) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edit(data)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Write is WriteFile for code without a testing.TB (examples, tools): it
// returns the error.
func Write(path, container string, f audio.Format, b *audio.Buffer) error {
	w, err := audio.Create(path, container, f)
	if err != nil {
		return err
	}
	if err := w.Write(b); err != nil {
		w.Abort()
		return err
	}
	return w.Close()
}
