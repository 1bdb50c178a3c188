package flac

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	mflac "github.com/mewkiz/flac"
	"github.com/mewkiz/flac/frame"
	"github.com/mewkiz/pkg/errutil"

	"stemmaster/audio"
	"stemmaster/audio/internal/pcm"
)

func init() {
	audio.Register(audio.Codec{
		Name:       "flac",
		Match:      match,
		Tagged:     true,
		Decode:     pcm.AdaptDecode(Decode),
		DecodeInfo: pcm.AdaptInfo(DecodeConfig),
		Encode:     pcm.AdaptEncode(NewEncoder),
	})
}

// match recognises the FLAC signature (behind an ID3v2 tag: Tagged).
func match(b []byte) bool { return bytes.HasPrefix(b, []byte("fLaC")) }

// codec names the package to the glue in package pcm.
type codec struct{}

func (codec) Name() string { return "flac" }

// A FormatError reports that the input is not a valid FLAC stream: Msg says
// what is wrong, Err (nil or not) is the underlying cause, e.g.
// io.ErrUnexpectedEOF. Its text is "flac: invalid format: " and the two
// ("flac: " and the cause alone for a file cut short: audio.TruncatedError).
type FormatError = pcm.FormatError[codec]

// goName matches the "pkg.Type.method: " prefixes the library puts in its
// error text.
var goName = regexp.MustCompile(`^([A-Za-z0-9_]+\.)+[A-Za-z0-9_]+: `)

// libError turns an error of the library into a *FormatError: position
// wrappers removed, Go function names stripped, ends of input mapped to
// io.ErrUnexpectedEOF.
func libError(what string, err error) error {
	err = unwrapLib(err)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return &FormatError{Msg: "file ends inside " + what, Err: io.ErrUnexpectedEOF}
	}
	return &FormatError{Msg: what + ": " + err.Error()}
}

// unwrapLib drops the library's position wrapper and the Go function names
// it puts in front of its messages. Errors without such names (I/O errors
// of the underlying file) are returned as they are.
func unwrapLib(err error) error {
	var ei *errutil.ErrInfo
	if errors.As(err, &ei) && ei.Err != nil {
		err = ei.Err
	}
	msg := err.Error()
	stripped := msg
	for {
		loc := goName.FindStringIndex(stripped)
		if loc == nil {
			break
		}
		stripped = stripped[loc[1]:]
	}
	if stripped == msg {
		return err
	}
	return errors.New(stripped)
}

// safely runs a library call, turning a panic on malformed input into a
// FormatError.
func safely(what string, f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &FormatError{Msg: fmt.Sprintf("corrupt %s", what)}
		}
	}()
	return f()
}

// DecodeConfig reads the STREAMINFO block of a FLAC stream.
func DecodeConfig(r io.Reader) (audio.Info, error) {
	d, err := Decode(r)
	if err != nil {
		return audio.Info{}, err
	}
	return d.info, nil
}

// Decoder streams the samples of a FLAC file as float32 blocks. It
// implements audio.Reader.
type Decoder struct {
	stream *mflac.Stream
	info   audio.Info
	cur    *frame.Frame // frame being served; nil when none
	pos    int          // next sample in cur
	scale  float32      // 2^-(bits-1)
	err    error
	frames int64 // frames delivered
}

var _ audio.Reader = (*Decoder)(nil)

// Decode reads the metadata of a FLAC stream and returns a Decoder
// positioned at the first frame.
func Decode(r io.Reader) (*Decoder, error) {
	r, err := withoutTrailingTags(r)
	if err != nil {
		return nil, fmt.Errorf("flac: %w", err)
	}
	if r, err = withoutLeadingTag(r); err != nil {
		return nil, err
	}
	var s *mflac.Stream
	err = safely("metadata", func() (err error) {
		s, err = mflac.New(r)
		return err
	})
	if err != nil {
		var fe *FormatError
		if errors.As(err, &fe) {
			return nil, err
		}
		if strings.Contains(err.Error(), "invalid FLAC signature") {
			return nil, &FormatError{Msg: "not a FLAC file"}
		}
		return nil, libError("metadata", err)
	}
	si := s.Info
	switch {
	case si == nil:
		return nil, &FormatError{Msg: "no STREAMINFO block"}
	case si.NChannels == 0:
		return nil, &FormatError{Msg: "zero channels"}
	case si.SampleRate == 0:
		return nil, &FormatError{Msg: "zero sample rate"}
	case si.BitsPerSample < 4 || si.BitsPerSample > 32:
		return nil, &FormatError{Msg: fmt.Sprintf("%d-bit samples", si.BitsPerSample)}
	}
	frames := int64(si.NSamples)
	if si.NSamples == 0 || si.NSamples > 1<<62 {
		frames = -1
	}
	d := &Decoder{
		stream: s,
		info: audio.Info{
			Container: "flac",
			Frames:    frames,
			Format: audio.Format{
				SampleRate:   int(si.SampleRate),
				Channels:     int(si.NChannels),
				BitDepth:     int(si.BitsPerSample),
				SampleFormat: audio.Int,
			},
		},
		scale: 1 / float32(int64(1)<<(si.BitsPerSample-1)),
	}
	return d, nil
}

// withoutLeadingTag is r past the ID3v2 tag a tagger put in front of the
// stream, which the library would skip too, but not its footer (a tag with
// one it takes for "not a FLAC file"); r itself, its first bytes given back,
// when no tag opens it.
func withoutLeadingTag(r io.Reader) (io.Reader, error) {
	var b [10]byte
	n, err := io.ReadFull(r, b[:])
	size, ok := audio.ID3v2Size(b[:n])
	if !ok {
		if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
			return nil, fmt.Errorf("flac: %w", err)
		}
		return io.MultiReader(bytes.NewReader(b[:n:n]), r), nil
	}
	if _, err := io.CopyN(io.Discard, r, size-10); err != nil {
		return nil, libError("the ID3v2 tag before the stream", err)
	}
	return r, nil
}

// withoutTrailingTags is r, when it can seek, up to the tags that end
// it (pcm.TrailingTags: ID3v1, APE, ID3v2 with a footer): a FLAC whose
// STREAMINFO gives no length is read to its end, where a tag read as a
// frame failed the stream after all its audio.
func withoutTrailingTags(r io.Reader) (io.Reader, error) {
	s, ok := r.(io.ReadSeeker)
	if !ok {
		return r, nil
	}
	cur, err := s.Seek(0, io.SeekCurrent)
	if err != nil {
		return r, nil // a pipe behind the interface: read as a stream
	}
	end, err := s.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, err
	}
	tail := pcm.TrailingTags(func(p []byte, off int64) error {
		if _, err := s.Seek(off, io.SeekStart); err != nil {
			return err
		}
		_, err := io.ReadFull(s, p)
		return err
	}, cur, end)
	if _, err := s.Seek(cur, io.SeekStart); err != nil {
		return nil, err
	}
	if tail == 0 {
		return r, nil
	}
	return io.LimitReader(s, end-cur-tail), nil
}

// Info returns the STREAMINFO figures.
func (d *Decoder) Info() audio.Info { return d.info }

// Read fills dst with the next frames; see audio.Reader. It panics when dst
// does not have the stream's channel count.
func (d *Decoder) Read(dst *audio.Buffer) (int, error) {
	pcm.CheckChannels("flac", len(dst.Data), d.info.Format.Channels)
	want := dst.Frames()
	if d.info.Frames >= 0 && d.err == nil {
		// STREAMINFO's length is the stream's, as a WAV or AIFF header's
		// is theirs: frames past it are counted, never delivered.
		left := d.info.Frames - d.frames
		if left <= 0 && want > 0 {
			d.countPast()
			return 0, d.err
		}
		want = int(min(int64(want), left))
	}
	n := 0
	for n < want {
		if d.cur == nil || d.pos == int(d.cur.BlockSize) {
			if d.err != nil || !d.next() {
				break
			}
		}
		k := min(want-n, int(d.cur.BlockSize)-d.pos)
		for c, sf := range d.cur.Subframes {
			src := sf.Samples[d.pos : d.pos+k]
			out := dst.Data[c][n : n+k]
			for i, v := range src {
				out[i] = float32(v) * d.scale
			}
		}
		d.pos += k
		n += k
		d.frames += int64(k)
	}
	if n > 0 || d.err == nil {
		return n, nil
	}
	return 0, d.err
}

// countPast ends the stream at STREAMINFO's length: it counts the frames
// that follow (what is left of the frame being served, then whole frames,
// decoded up to audio.PastCountSeconds of them) into Info, and sets d.err
// to io.EOF. A damaged frame past the declared end ends the count: it is
// not audio of the file.
func (d *Decoder) countPast() {
	var past int64
	if d.cur != nil {
		past = int64(int(d.cur.BlockSize) - d.pos)
	}
	most := int64(audio.PastCountSeconds) * int64(d.info.Format.SampleRate)
	for past <= most && d.next() {
		past += int64(d.cur.BlockSize)
	}
	d.info.PastFrames = min(past, most)
	d.info.PastMore = past > most
	d.cur, d.err = nil, io.EOF
}

// next parses the following frame; false means the stream ended (d.err set).
func (d *Decoder) next() bool {
	var f *frame.Frame
	err := safely("frame", func() (err error) {
		f, err = d.stream.ParseNext()
		return err
	})
	d.cur, d.pos = nil, 0
	switch {
	case err == io.EOF && d.info.Frames > d.frames:
		d.err = d.truncated()
		return false
	case err == io.EOF:
		d.err = io.EOF
		return false
	case errors.Is(err, io.ErrUnexpectedEOF):
		d.err = d.truncated()
		return false
	case err != nil:
		var fe *FormatError
		if !errors.As(err, &fe) {
			// Where the damage lies, to listen there and to know
			// whether the rest of the file is worth a new copy.
			err = libError(fmt.Sprintf("the frame at %.3f s (frame %d)", float64(d.frames)/float64(d.info.Format.SampleRate), d.frames), err)
		}
		d.err = err
		return false
	}
	if err := d.check(f); err != nil {
		d.err = err
		return false
	}
	if f.BlockSize == 0 {
		d.err = &FormatError{Msg: "empty frame"}
		return false
	}
	d.cur = f
	return true
}

// truncated is the error of a stream that ends before STREAMINFO's sample
// count, or inside a frame.
func (d *Decoder) truncated() error {
	return &FormatError{Msg: "truncated", Err: &audio.TruncatedError{DeclaredFrames: d.info.Frames, Frames: d.frames, SampleRate: d.info.Format.SampleRate}}
}

// check verifies a frame agrees with STREAMINFO, so Read can index it.
func (d *Decoder) check(f *frame.Frame) error {
	if len(f.Subframes) != d.info.Format.Channels {
		return &FormatError{Msg: fmt.Sprintf("frame of %d channels in a %d-channel stream", len(f.Subframes), d.info.Format.Channels)}
	}
	if f.BitsPerSample != 0 && int(f.BitsPerSample) != d.info.Format.BitDepth {
		return &FormatError{Msg: fmt.Sprintf("frame of %d-bit samples in a %d-bit stream", f.BitsPerSample, d.info.Format.BitDepth)}
	}
	for _, sf := range f.Subframes {
		if len(sf.Samples) != int(f.BlockSize) {
			return &FormatError{Msg: fmt.Sprintf("subframe of %d samples in a block of %d", len(sf.Samples), f.BlockSize)}
		}
	}
	return nil
}
