package resample

import (
	"io"

	"stemmaster/audio"
)

// Source is a stream of frames read in blocks: Read fills dst up to its
// length and returns the frames read, and (0, io.EOF) at the end. An
// *audio.File is one.
type Source interface {
	Read(dst *audio.Buffer) (int, error)
}

// Reader is a Source converted to another rate as it is read: exactly
// OutputFrames(n) frames for a source of n, with one source block and one
// converted block in memory (stems read this way at another rate than the
// song's, and the delivery's sum preview).
type Reader struct {
	src  Source
	rs   *Resampler
	in   *audio.Buffer
	out  *audio.Buffer // converted frames, from pos on not yet returned
	pos  int
	done bool // the source ended and the converter is flushed
}

// readerBlock is the number of source frames read at a time.
const readerBlock = 4096

// NewReader returns src converted from inRate to outRate Hz.
func NewReader(src Source, inRate, outRate, channels int) (*Reader, error) {
	rs, err := New(inRate, outRate, channels)
	if err != nil {
		return nil, err
	}
	return &Reader{src: src, rs: rs, in: audio.NewBuffer(channels, readerBlock)}, nil
}

// OutputFrames returns the frames a source of n frames converts to.
func (r *Reader) OutputFrames(n int64) int64 { return r.rs.OutputFrames(n) }

// Read fills dst (of the converter's channel count) with the next
// converted frames and returns how many; (0, io.EOF) once all are read. A
// source error is returned as it is.
func (r *Reader) Read(dst *audio.Buffer) (int, error) {
	n, want := 0, dst.Frames()
	for n < want {
		if r.out != nil && r.pos < r.out.Frames() {
			k := min(want-n, r.out.Frames()-r.pos)
			for c := range dst.Data {
				copy(dst.Data[c][n:n+k], r.out.Data[c][r.pos:r.pos+k])
			}
			n += k
			r.pos += k
			continue
		}
		if r.done {
			break
		}
		r.in.SetFrames(readerBlock)
		got, err := r.src.Read(r.in)
		r.pos = 0
		switch {
		case err == io.EOF || (err == nil && got == 0):
			r.out = r.rs.Flush(r.out)
			r.done = true
		case err != nil:
			return n, err
		default:
			r.in.SetFrames(got)
			r.out = r.rs.Process(r.out, r.in)
		}
	}
	if n == 0 && want > 0 {
		return 0, io.EOF
	}
	return n, nil
}
