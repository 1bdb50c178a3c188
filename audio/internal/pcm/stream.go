package pcm

import (
	"errors"
	"io"

	"stemmaster/audio"
)

// maxReadBytes bounds a Stream's byte buffer whatever block size is asked.
const maxReadBytes = 1 << 18

// Stream reads interleaved PCM from r and converts it block by block into a
// reused byte buffer: no allocation after the first Read.
type Stream struct {
	r        io.Reader
	conv     DecodeFunc
	fb       int
	left     int64             // bytes not yet read; -1 = until EOF
	truncate bool              // the input ends before the declared data does
	cutErr   func(error) error // wraps the *audio.TruncatedError of a cut input
	wrap     func(error) error
	buf      []byte
	err      error // sticky: io.EOF or the error that ended the stream

	float    bool // float samples: NaN and ±Inf are counted and silenced
	nonFin   audio.NonFiniteCounter
	declared int64 // frames the header declares (-1: it does not say)
	frames   int64 // whole frames delivered
	rate     int
	guard    func(b []byte, off int64) (int, error) // Header.Guard
}

// Describe gives the stream what its errors name: the frames the header
// declares (-1 when it does not say) and the sample rate.
func (s *Stream) Describe(declaredFrames int64, sampleRate int) {
	s.declared, s.rate = declaredFrames, sampleRate
}

// NewStream returns a Stream over the audio bytes of r in layout l. dataLen
// is the number of bytes to read (-1: until EOF); truncated says the file is
// known to be shorter than its header claims. When the input ends inside a
// frame (and the data is truncated or of unknown length), Read returns
// cutErr(truncatedError) after the last whole frame, and so does an input
// known to be truncated; any other read error is passed through wrap.
// Float samples that are NaN or ±Inf read as 0, and the stream then ends
// with a *audio.NonFiniteError (joined with a truncation) instead of
// io.EOF.
func NewStream(r io.Reader, l Layout, dataLen int64, truncated bool, cutErr func(error) error, wrap func(error) error) *Stream {
	return &Stream{r: r, conv: Decoder(l), fb: l.FrameBytes(), left: dataLen, truncate: truncated, cutErr: cutErr, wrap: wrap,
		float: l.Kind == Float, declared: -1}
}

// Read fills dst[c][:n] for every channel with the next n frames, n =
// len(dst[0]) unless the stream ends first, and follows the audio.Reader
// contract: 0, io.EOF after the last frame.
func (s *Stream) Read(dst [][]float32) (int, error) {
	want := len(dst[0])
	n := 0
	for n < want && s.err == nil {
		n += s.fill(dst, n, want-n)
	}
	if n > 0 || s.err == nil {
		return n, nil
	}
	return 0, s.err
}

func (s *Stream) fill(dst [][]float32, off, frames int) int {
	chunk := min(frames, max(maxReadBytes/s.fb, 1))
	nb := int64(chunk * s.fb)
	if s.left >= 0 && nb > s.left {
		nb = s.left - s.left%int64(s.fb)
		if nb == 0 {
			s.end(s.left)
			return 0
		}
	}
	if cap(s.buf) < int(nb) {
		s.buf = make([]byte, nb)
	}
	got, err := io.ReadFull(s.r, s.buf[:nb])
	if s.left >= 0 {
		s.left -= int64(got)
	}
	var stop error
	if s.guard != nil && got > 0 {
		var n int
		if n, stop = s.guard(s.buf[:got], s.frames*int64(s.fb)); stop != nil {
			got = n - n%s.fb
		}
	}
	whole := got / s.fb
	if whole > 0 {
		s.conv(dst, off, s.buf, whole)
		if s.float {
			s.nonFin.Scan(dst, off, whole)
		}
		s.frames += int64(whole)
	}
	switch {
	case stop != nil:
		s.err = stop
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		// The input ended before the data did (or, for data of unknown
		// length, ended at all): a partial frame here means a cut file.
		if s.left != 0 {
			s.truncate = true
		}
		s.end(int64(got % s.fb))
	case err != nil:
		s.err = s.wrap(err)
	}
	return whole
}

// end records the end of the stream; partial counts the bytes of an
// incomplete last frame.
func (s *Stream) end(partial int64) {
	var trunc error
	if s.truncate && (partial > 0 || s.declared > s.frames) {
		declared := s.declared
		if declared <= s.frames {
			declared = -1
		}
		trunc = s.cutErr(&audio.TruncatedError{DeclaredFrames: declared, Frames: s.frames, SampleRate: s.rate})
	}
	nf := s.nonFin.Err(s.rate)
	switch {
	case trunc != nil && nf != nil:
		s.err = errors.Join(trunc, nf)
	case trunc != nil:
		s.err = trunc
	case nf != nil:
		s.err = nf
	default:
		s.err = io.EOF
	}
}

// SeekFrame repositions the stream at frame n of the audio, whose first
// byte is at dataStart of seeker's stream; dataLen is the byte length the
// stream was made with (-1: until EOF). A frame beyond the end leaves the
// stream at its end.
func (s *Stream) SeekFrame(seeker io.Seeker, dataStart, dataLen, n int64) error {
	off := n * int64(s.fb)
	if dataLen >= 0 {
		off = min(off, dataLen-dataLen%int64(s.fb))
	}
	if _, err := seeker.Seek(dataStart+off, io.SeekStart); err != nil {
		return err
	}
	s.left = dataLen
	if dataLen >= 0 {
		s.left = dataLen - off
	}
	s.err = nil
	s.frames = off / int64(s.fb)
	s.nonFin = audio.NonFiniteCounter{}
	s.nonFin.Skip(s.frames)
	return nil
}
