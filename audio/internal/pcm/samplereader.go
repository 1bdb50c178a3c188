package pcm

import (
	"errors"
	"fmt"
	"io"

	"stemmaster/audio"
)

// Header is what a PCM container's header parser finds before the
// samples: the format, the sample layout and where the audio lies.
type Header struct {
	Info     audio.Info
	Layout   Layout
	DataOff  int64 // offset of the first sample byte from the container's start
	DataLen  int64 // bytes of audio to read; -1 = until the end of the input
	Truncate bool  // the input ends before the audio does
	Declared int64 // frames the header declares; -1 when it does not say
	// Guard, when set, sees the audio bytes as they are read (b, from
	// off bytes after the first) and says how many of them are audio: a
	// count short of len(b) ends the stream after those frames with err.
	Guard func(b []byte, off int64) (n int, err error)
}

// Measure sets the frame count from DataLen and Declared, trusting the
// input's size (size ≥ 0: known) over the header: audio the header claims
// beyond the input's end is cut (Truncate, and Info.DeclaredFrames says
// what was claimed), and audio of unknown length (DataLen −1) runs to the
// end. With neither a length nor a size, Info.Frames is −1 (unknown).
func (h *Header) Measure(size int64) {
	if size >= 0 {
		avail := max(size-h.DataOff, 0)
		if h.DataLen > avail {
			h.Truncate = true
		}
		if h.DataLen < 0 || h.DataLen > avail {
			h.DataLen = avail
		}
	}
	if h.DataLen < 0 {
		h.Info.Frames = -1
		return
	}
	h.Info.Frames = h.DataLen / int64(h.Layout.FrameBytes())
	if h.Truncate && h.Declared > h.Info.Frames {
		h.Info.DeclaredFrames = h.Declared
	}
}

// SampleReader streams the samples of a PCM container (WAV, AIFF) after its
// header as float32 blocks. The codecs' Decoder types embed it: it
// implements audio.Reader and audio.FrameSeeker for them, with errors and
// panics prefixed by the codec's name.
type SampleReader struct {
	codec   string
	info    audio.Info
	s       *Stream
	seeker  io.Seeker // nil when the input cannot seek
	dataOff int64     // the first sample byte, in seeker's offsets
	dataLen int64
}

var (
	_ audio.Reader      = (*SampleReader)(nil)
	_ audio.FrameSeeker = (*SampleReader)(nil)
)

// NewSampleReader returns a SampleReader reading the samples h describes from r,
// which is positioned at the first sample. seeker is r when it can seek
// (nil otherwise) and base the container's offset in it; cut wraps the
// error of an input that ends in the middle of a frame in the codec's
// error type.
func NewSampleReader(codec string, r io.Reader, h Header, seeker io.Seeker, base int64, cut func(error) error) SampleReader {
	wrap := func(err error) error { return fmt.Errorf("%s: read samples: %w", codec, err) }
	s := NewStream(r, h.Layout, h.DataLen, h.Truncate, cut, wrap)
	s.Describe(h.Declared, h.Info.Format.SampleRate)
	s.guard = h.Guard
	return SampleReader{codec: codec, info: h.Info, s: s, seeker: seeker, dataOff: base + h.DataOff, dataLen: h.DataLen}
}

// Info returns the header information.
func (d *SampleReader) Info() audio.Info { return d.info }

// Read fills dst with the next frames; see audio.Reader. It returns fewer
// frames than dst holds only at the end of the stream. It panics when dst
// does not have the stream's channel count.
func (d *SampleReader) Read(dst *audio.Buffer) (int, error) {
	CheckChannels(d.codec, len(dst.Data), d.info.Format.Channels)
	return d.s.Read(dst.Data)
}

// SeekFrame moves to frame n (from the start of the audio), so that the
// next Read returns it; it implements audio.FrameSeeker. It fails when the
// input cannot seek. A frame beyond the end leaves the stream at its end.
func (d *SampleReader) SeekFrame(n int64) error {
	if d.seeker == nil {
		return errors.ErrUnsupported
	}
	if n < 0 {
		return fmt.Errorf("%s: seek to frame %d", d.codec, n)
	}
	return d.s.SeekFrame(d.seeker, d.dataOff, d.dataLen, n)
}
