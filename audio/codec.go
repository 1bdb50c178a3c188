package audio

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"stemmaster/internal/atomicfile"
)

// Codec describes one container format. Codec packages call Register from init.
type Codec struct {
	// Name is the container name used by Create and reported in Info.Container
	// (a codec may report a variant, as "rf64" for the wav codec).
	Name string
	// Match reports whether the first bytes of a file (up to 64) belong to
	// this codec: for a Tagged codec, of a file that opens with an ID3v2
	// tag, the first bytes behind the tag.
	Match func(header []byte) bool
	// Tagged: Decode reads a file that opens with an ID3v2 tag, as taggers
	// leave a FLAC (the tag can be megabytes of cover art).
	Tagged bool
	// Decode opens a stream positioned at the start of the file.
	Decode func(r io.ReadSeeker) (Reader, error)
	// DecodeInfo reads only the header.
	DecodeInfo func(r io.ReadSeeker) (Info, error)
	// Encode starts a stream of the given format on w; nil when the codec
	// cannot write.
	Encode func(w io.WriteSeeker, f Format) (Writer, error)
}

var (
	codecsMu sync.RWMutex
	codecs   []Codec
)

// Register makes a codec known to Open, OpenReader and Create.
func Register(c Codec) {
	codecsMu.Lock()
	defer codecsMu.Unlock()
	codecs = append(codecs, c)
}

// ErrUnknownFormat is returned when no registered codec recognises the content.
var ErrUnknownFormat = errors.New("not a supported audio file (WAV, RF64, AIFF or FLAC)")

// ErrUnsupported is wrapped by codec errors for valid files stemmaster does not
// decode (ADPCM, µ-law, MP3-in-WAV, …).
var ErrUnsupported = errors.New("unsupported encoding")

// FileError names the file an error is about.
type FileError struct {
	Path string
	Err  error
}

func (e *FileError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *FileError) Unwrap() error { return e.Err }

func sniff(r io.ReadSeeker) (Codec, error) {
	var hdr [64]byte
	n, err := io.ReadFull(r, hdr[:])
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return Codec{}, err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return Codec{}, err
	}
	tagged := false
	if size, ok := ID3v2Size(hdr[:n]); ok {
		// Behind the tag: what opens the file for a Tagged codec.
		if _, err := r.Seek(size, io.SeekStart); err != nil {
			return Codec{}, err
		}
		n, err = io.ReadFull(r, hdr[:])
		if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
			return Codec{}, err
		}
		if _, err := r.Seek(0, io.SeekStart); err != nil {
			return Codec{}, err
		}
		tagged = true
	}
	codecsMu.RLock()
	defer codecsMu.RUnlock()
	for _, c := range codecs {
		if (c.Tagged || !tagged) && c.Match(hdr[:n]) {
			return c, nil
		}
	}
	if n == 0 {
		return Codec{}, fmt.Errorf("empty file: %w", ErrUnknownFormat)
	}
	return Codec{}, ErrUnknownFormat
}

// ID3v2Size is the length of the ID3v2 tag (ID3v2.2 to 2.4, its footer
// included) whose header opens b; ok is false unless b holds such a header
// (its size syncsafe).
func ID3v2Size(b []byte) (size int64, ok bool) {
	if len(b) < 10 || string(b[:3]) != "ID3" || b[3] < 2 || b[3] > 4 || b[4] == 0xFF {
		return 0, false
	}
	for _, v := range b[6:10] {
		if v&0x80 != 0 {
			return 0, false // not syncsafe
		}
		size = size<<7 | int64(v)
	}
	if b[5]&0x10 != 0 {
		size += 10
	}
	return size + 10, true
}

// OpenReader chooses a decoder by content and returns a stream positioned at
// the first sample.
func OpenReader(r io.ReadSeeker) (Reader, error) {
	c, err := sniff(r)
	if err != nil {
		return nil, err
	}
	return c.Decode(r)
}

// ReadInfo reads only the header of a stream, choosing the codec by content.
func ReadInfo(r io.ReadSeeker) (Info, error) {
	c, err := sniff(r)
	if err != nil {
		return Info{}, err
	}
	return c.DecodeInfo(r)
}

// File is an open audio file: a Reader that also closes the file.
// Errors from Read are wrapped in a *FileError naming the path.
type File struct {
	Path string
	r    Reader
	f    io.Closer
}

// Open opens path read-only and chooses the decoder by the file's content.
func Open(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &FileError{Path: path, Err: errors.Unwrap(err)}
	}
	return openStream(path, f)
}

// OpenFrom is Open reading the file through open (a stored object read
// in place by ranges), or the file system when open is nil; path names the
// file in errors. The File owns what open returned: Close closes it.
func OpenFrom(path string, open func(path string) (io.ReadSeekCloser, error)) (*File, error) {
	if open == nil {
		return Open(path)
	}
	rs, err := open(path)
	if err != nil {
		return nil, &FileError{Path: path, Err: err}
	}
	return openStream(path, rs)
}

func openStream(path string, rs io.ReadSeekCloser) (*File, error) {
	r, err := OpenReader(rs)
	if err != nil {
		rs.Close()
		return nil, &FileError{Path: path, Err: err}
	}
	return &File{Path: path, r: r, f: rs}, nil
}

// Stat reads only the header of the file at path.
func Stat(path string) (Info, error) {
	f, err := os.Open(path)
	if err != nil {
		return Info{}, &FileError{Path: path, Err: errors.Unwrap(err)}
	}
	defer f.Close()
	info, err := ReadInfo(f)
	if err != nil {
		return Info{}, &FileError{Path: path, Err: err}
	}
	return info, nil
}

// Info returns the header information.
func (f *File) Info() Info { return f.r.Info() }

// Read reads the next block; see Reader.
func (f *File) Read(dst *Buffer) (int, error) {
	n, err := f.r.Read(dst)
	if err != nil && err != io.EOF {
		err = &FileError{Path: f.Path, Err: err}
	}
	return n, err
}

// SeekFrame moves to a frame when the decoder can (see FrameSeeker); it
// returns errors.ErrUnsupported otherwise.
func (f *File) SeekFrame(frame int64) error {
	s, ok := f.r.(FrameSeeker)
	if !ok {
		return errors.ErrUnsupported
	}
	if err := s.SeekFrame(frame); err != nil {
		return &FileError{Path: f.Path, Err: err}
	}
	return nil
}

// Close closes the file.
func (f *File) Close() error { return f.f.Close() }

// FileWriter writes an audio file atomically: samples go to a temporary file
// in the destination directory, which Close renames to the final path once
// the encoder has finalised it. Abort (or a failed Close) removes the
// temporary file, so a crash never leaves a partial file under the final name.
//
// A caller writing several files that must appear together (a render's
// deliverables) uses the two phases of Close separately: Finish finalises
// and syncs each file under its temporary name, Commit renames it once all
// are finished; Abort after Finish still removes the temporary file.
type FileWriter struct {
	Path string
	w    Writer
	tmp  *atomicfile.File // its Finish closes w first
}

// OutputFileMode is the permission of files written by Create under the
// usual umask 022: they are created 0666 and the process umask applies, as
// with os.Create.
const OutputFileMode os.FileMode = 0o644

// Create starts writing path in the named container ("wav", "flac", …).
func Create(path, container string, f Format) (*FileWriter, error) {
	codec, err := encoderCodec(container)
	if err != nil {
		return nil, &FileError{Path: path, Err: err}
	}
	tmp, err := atomicfile.Create(path)
	if err != nil {
		return nil, &FileError{Path: path, Err: err}
	}
	w, err := codec.Encode(tmp, f)
	if err != nil {
		tmp.Abort()
		return nil, &FileError{Path: path, Err: err}
	}
	tmp.BeforeSync = w.Close
	return &FileWriter{Path: path, w: w, tmp: tmp}, nil
}

// TempPath is the temporary file being written (until Commit renames it).
func (fw *FileWriter) TempPath() string { return fw.tmp.TempPath() }

// Write encodes a block.
func (fw *FileWriter) Write(src *Buffer) error {
	if err := fw.w.Write(src); err != nil {
		return &FileError{Path: fw.Path, Err: err}
	}
	return nil
}

// Finish finalises the stream and syncs it, keeping it under its temporary
// name (TempPath) for Commit. On error the temporary file is removed.
// Calling it again after success does nothing.
func (fw *FileWriter) Finish() error { return fw.fileError(fw.tmp.Finish()) }

// Commit renames the finished temporary file to Path. On error the
// temporary file is removed and nothing appears under Path.
func (fw *FileWriter) Commit() error { return fw.fileError(fw.tmp.Commit()) }

// Close finalises the stream, syncs it and renames it to Path (Finish then
// Commit). On any error the temporary file is removed and nothing appears
// under Path.
func (fw *FileWriter) Close() error { return fw.fileError(fw.tmp.Close()) }

// Abort discards what was written, also after Finish. It is safe after
// Close or Commit (it does nothing).
func (fw *FileWriter) Abort() { fw.tmp.Abort() }

// fileError names Path in err; nil stays nil.
func (fw *FileWriter) fileError(err error) error {
	if err == nil {
		return nil
	}
	return &FileError{Path: fw.Path, Err: err}
}
