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
