package pcm

import (
	"errors"
	"fmt"
	"io"

	"stemmaster/audio"
)

// This file holds the glue the container packages (wav, aiff, flac) share
// around their typed API: their error types, the adapters that register it
// with audio.Register and the checks at the start of a Read and a Write.

// Codec is the type a container package names itself with. Its FormatError,
// UnsupportedError and Decoder are this package's generic types
// instantiated with it, so the code lives here once while each package's
// types stay its own: errors.As with a *wav.FormatError does not match an
// aiff error.
type Codec interface {
	// Name is the codec's name, the prefix of its errors ("wav").
	Name() string
}

// name is C's name.
func name[C Codec]() string {
	var c C
	return c.Name()
}

// A FormatError reports that the input is not a valid file of codec C.
type FormatError[C Codec] struct {
	Msg string
	Err error // underlying cause, e.g. io.ErrUnexpectedEOF; may be nil
}

func (e *FormatError[C]) Error() string { return FormatErrorText(name[C](), e.Msg, e.Err) }

func (e *FormatError[C]) Unwrap() error { return e.Err }

// An UnsupportedError reports a valid file of codec C in an encoding
// stemmaster does not decode. It wraps audio.ErrUnsupported.
type UnsupportedError[C Codec] string

func (e UnsupportedError[C]) Error() string {
	return name[C]() + ": unsupported encoding: " + string(e)
}

func (e UnsupportedError[C]) Unwrap() error { return audio.ErrUnsupported }

// AdaptDecode adapts a package's Decode to audio.Codec.Decode. On error it
// returns a nil audio.Reader, not an interface holding a nil *Decoder.
func AdaptDecode[D audio.Reader](decode func(io.Reader) (D, error)) func(io.ReadSeeker) (audio.Reader, error) {
	return func(r io.ReadSeeker) (audio.Reader, error) {
		d, err := decode(r)
		if err != nil {
			return nil, err
		}
		return d, nil
	}
}

// AdaptInfo adapts a package's DecodeConfig to audio.Codec.DecodeInfo.
func AdaptInfo(decodeConfig func(io.Reader) (audio.Info, error)) func(io.ReadSeeker) (audio.Info, error) {
	return func(r io.ReadSeeker) (audio.Info, error) { return decodeConfig(r) }
}

// AdaptEncode adapts a package's NewEncoder to audio.Codec.Encode. On error
// it returns a nil audio.Writer, not an interface holding a nil *Encoder.
func AdaptEncode[E audio.Writer](newEncoder func(io.WriteSeeker, audio.Format) (E, error)) func(io.WriteSeeker, audio.Format) (audio.Writer, error) {
	return func(w io.WriteSeeker, f audio.Format) (audio.Writer, error) {
		e, err := newEncoder(w, f)
		if err != nil {
			return nil, err
		}
		return e, nil
	}
}

// FormatErrorText is the text of a FormatError:
// "<codec>: invalid format: <msg>", followed by ": <cause>" when err is not
// nil. A file cut short reads "<codec>: <cause>": the TruncatedError says
// in full what is wrong ("the file is cut short: …"), and "invalid format:
// truncated:" before it only said it twice.
func FormatErrorText(codec, msg string, err error) string {
	if t := (*audio.TruncatedError)(nil); errors.As(err, &t) {
		return codec + ": " + err.Error()
	}
	if err != nil {
		return codec + ": invalid format: " + msg + ": " + err.Error()
	}
	return codec + ": invalid format: " + msg
}

// Writable is an encoder's check of the format it is asked to write, in
// this order: its sample formats and depths (depthOK), 1 to maxChannels
// channels, rates of 1 to maxRate Hz. The error names the codec and the
// first thing it cannot write, and wraps audio.ErrUnsupported.
func Writable(codec string, f audio.Format, depthOK bool, maxChannels int, maxRate int64) error {
	switch {
	case !depthOK:
		return fmt.Errorf("%s: cannot write %d-bit %s: %w", codec, f.BitDepth, f.SampleFormat, audio.ErrUnsupported)
	case f.Channels < 1 || f.Channels > maxChannels:
		return fmt.Errorf("%s: cannot write %d channels: %w", codec, f.Channels, audio.ErrUnsupported)
	case f.SampleRate < 1 || int64(f.SampleRate) > maxRate:
		return fmt.Errorf("%s: cannot write a sample rate of %d Hz: %w", codec, f.SampleRate, audio.ErrUnsupported)
	}
	return nil
}

// CheckChannels panics, naming the codec, when a Read is given a buffer of
// got channels for a stream of want channels: a programming error under the
// audio.Reader contract.
func CheckChannels(codec string, got, want int) {
	if got != want {
		panic(fmt.Sprintf("%s: Read into a %d-channel buffer from a %d-channel stream", codec, got, want))
	}
}
