package pcm

import (
	"errors"
	"io"
	"testing"

	"stemmaster/audio"
)

// TestFormatErrorText checks the text every container package's FormatError
// prints (the form the wav, aiff and flac docs promise).
func TestFormatErrorText(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, codec, msg string
		err              error
		want             string
	}{
		{"no cause", "wav", "no data chunk", nil, "wav: invalid format: no data chunk"},
		{"with cause", "aiff", "file ends inside the COMM chunk", io.ErrUnexpectedEOF, "aiff: invalid format: file ends inside the COMM chunk: unexpected EOF"},
		{"cut short", "flac", "truncated", &audio.TruncatedError{DeclaredFrames: 96000, Frames: 48000, SampleRate: 48000},
			"flac: the file is cut short: its header declares 96000 frames (2.000 s) but it holds 48000 (1.000 s)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := FormatErrorText(c.codec, c.msg, c.err); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// TestCheckChannels checks that a Read into a buffer of the wrong channel
// count panics with the codec's name, and that the right count does not.
func TestCheckChannels(t *testing.T) {
	t.Parallel()
	CheckChannels("wav", 2, 2) // must not panic
	defer func() {
		const want = "flac: Read into a 1-channel buffer from a 2-channel stream"
		if r := recover(); r != want {
			t.Errorf("panic %v, want %q", r, want)
		}
	}()
	CheckChannels("flac", 1, 2)
}

type nopReader struct{}

func (*nopReader) Info() audio.Info                { return audio.Info{} }
func (*nopReader) Read(*audio.Buffer) (int, error) { return 0, io.EOF }

// TestAdaptDecodeNil checks that a failing typed Decode yields a nil
// audio.Reader (not an interface holding a nil pointer) and its error.
func TestAdaptDecodeNil(t *testing.T) {
	t.Parallel()
	bad := errors.New("bad header")
	dec := AdaptDecode(func(io.Reader) (*nopReader, error) { return nil, bad })
	r, err := dec(nil)
	if r != nil || !errors.Is(err, bad) {
		t.Errorf("got (%v, %v), want (nil, %v)", r, err, bad)
	}
	dec = AdaptDecode(func(io.Reader) (*nopReader, error) { return &nopReader{}, nil })
	if r, err := dec(nil); r == nil || err != nil {
		t.Errorf("got (%v, %v), want a reader", r, err)
	}
}

type nopWriter struct{}

func (*nopWriter) Write(*audio.Buffer) error { return nil }
func (*nopWriter) Close() error              { return nil }

// TestAdaptEncodeNil checks that a failing typed NewEncoder yields a nil
// audio.Writer (not an interface holding a nil pointer) and its error.
func TestAdaptEncodeNil(t *testing.T) {
	t.Parallel()
	bad := errors.New("bad format")
	enc := AdaptEncode(func(io.WriteSeeker, audio.Format) (*nopWriter, error) { return nil, bad })
	if w, err := enc(nil, audio.Format{}); w != nil || !errors.Is(err, bad) {
		t.Errorf("got (%v, %v), want (nil, %v)", w, err, bad)
	}
}

// TestHeaderMeasure: the frame count trusts the input's size over the
// header, and says what the header claimed when the audio is cut.
func TestHeaderMeasure(t *testing.T) {
	t.Parallel()
	const fb = 6 // 24-bit stereo
	for _, c := range []struct {
		name                string
		dataLen, declared   int64
		truncate            bool // set by the container before Measure
		size                int64
		wantLen, wantFrames int64
		wantTrunc           bool
		wantDeclared        int64
	}{
		{"as declared", 600, 100, false, 100 + 600, 600, 100, false, 0},
		{"size unknown", 600, 100, false, -1, 600, 100, false, 0},
		{"file cut", 600, 100, false, 100 + 300, 300, 50, true, 100},
		{"file cut mid-frame", 600, 100, false, 100 + 301, 301, 50, true, 100},
		{"length unknown, to the end", -1, -1, false, 100 + 300, 300, 50, false, 0},
		{"length and size unknown", -1, -1, false, -1, -1, -1, false, 0},
		{"cut by the container", 300, 100, true, -1, 300, 50, true, 100},
		{"data offset past the end", 600, 100, false, 50, 0, 0, true, 100},
	} {
		h := Header{DataOff: 100, DataLen: c.dataLen, Declared: c.declared, Truncate: c.truncate,
			Layout: Layout{Channels: 2, Bytes: 3, Kind: Signed}}
		h.Measure(c.size)
		if h.DataLen != c.wantLen || h.Info.Frames != c.wantFrames || h.Truncate != c.wantTrunc || h.Info.DeclaredFrames != c.wantDeclared {
			t.Errorf("%s: DataLen %d, Frames %d, Truncate %v, DeclaredFrames %d; want %d, %d, %v, %d", c.name,
				h.DataLen, h.Info.Frames, h.Truncate, h.Info.DeclaredFrames, c.wantLen, c.wantFrames, c.wantTrunc, c.wantDeclared)
		}
	}
	if fb != (Layout{Channels: 2, Bytes: 3}).FrameBytes() {
		t.Fatal("the cases assume 6-byte frames")
	}
}

type wavName struct{}

func (wavName) Name() string { return "wav" }

type aiffName struct{}

func (aiffName) Name() string { return "aiff" }

// TestCodecErrors: a codec's FormatError and UnsupportedError print its
// name and unwrap to their cause, and each codec's types stay its own
// (errors.As with a wav error type does not match an aiff error).
func TestCodecErrors(t *testing.T) {
	t.Parallel()
	var err error = &FormatError[aiffName]{Msg: "file ends inside the SSND chunk", Err: io.ErrUnexpectedEOF}
	if got, want := err.Error(), "aiff: invalid format: file ends inside the SSND chunk: unexpected EOF"; got != want || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("FormatError: %q, want %q wrapping io.ErrUnexpectedEOF", got, want)
	}
	var wavFE *FormatError[wavName]
	var aiffFE *FormatError[aiffName]
	if errors.As(err, &wavFE) || !errors.As(err, &aiffFE) {
		t.Errorf("errors.As: an aiff FormatError matched as wav's (%v) or not as aiff's (%v)", wavFE != nil, aiffFE != nil)
	}
	err = UnsupportedError[wavName]("µ-law")
	if got, want := err.Error(), "wav: unsupported encoding: µ-law"; got != want || !errors.Is(err, audio.ErrUnsupported) {
		t.Errorf("UnsupportedError: %q, want %q wrapping audio.ErrUnsupported", got, want)
	}
	var aiffUE UnsupportedError[aiffName]
	if errors.As(err, &aiffUE) {
		t.Error("errors.As: a wav UnsupportedError matched as aiff's")
	}
}

// TestWritable: an encoder's refusal names the codec and the first thing
// it cannot write (depth, then channels, then rate) and wraps
// audio.ErrUnsupported.
func TestWritable(t *testing.T) {
	t.Parallel()
	ok := audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 24, SampleFormat: audio.Int}
	for _, c := range []struct {
		name    string
		f       audio.Format
		depthOK bool
		want    string
	}{
		{"writable", ok, true, ""},
		{"depth first", audio.Format{SampleRate: 0, Channels: 0, BitDepth: 12, SampleFormat: audio.Int}, false, "flac: cannot write 12-bit int"},
		{"no channels", audio.Format{SampleRate: 48000, Channels: 0, BitDepth: 24, SampleFormat: audio.Int}, true, "flac: cannot write 0 channels"},
		{"too many channels", audio.Format{SampleRate: 48000, Channels: 9, BitDepth: 24, SampleFormat: audio.Int}, true, "flac: cannot write 9 channels"},
		{"rate zero", audio.Format{SampleRate: 0, Channels: 2, BitDepth: 24, SampleFormat: audio.Int}, true, "flac: cannot write a sample rate of 0 Hz"},
		{"rate too high", audio.Format{SampleRate: 655351, Channels: 2, BitDepth: 24, SampleFormat: audio.Int}, true, "flac: cannot write a sample rate of 655351 Hz"},
	} {
		err := Writable("flac", c.f, c.depthOK, 8, 655350)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (err == nil || err.Error() != c.want+": unsupported encoding" || !errors.Is(err, audio.ErrUnsupported)):
			t.Errorf("%s: %v, want %q wrapping audio.ErrUnsupported", c.name, err, c.want)
		}
	}
}
