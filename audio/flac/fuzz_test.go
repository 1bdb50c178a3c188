package flac

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"stemmaster/audio"
	"stemmaster/audio/internal/codectest"
	"stemmaster/internal/audiotest"
)

// fuzzMaxFrames bounds how much of a fuzzed stream is decoded.
const fuzzMaxFrames = 1 << 16

// FuzzDecode feeds arbitrary bytes to the decoder (and so to mewkiz/flac):
// it must never panic, errors must be *FormatError, and whatever decodes
// in a format we write must survive an encode→decode round trip exactly.
func FuzzDecode(f *testing.F) {
	for _, bits := range []int{16, 24} {
		for _, ch := range []int{1, 2} {
			fm := audio.Format{SampleRate: 44100, Channels: ch, BitDepth: bits, SampleFormat: audio.Int}
			f.Add(encode(f, fm, codectest.Grid(uint64(ch), fm, 40), 40))
		}
	}
	// Silence compresses to constant subframes; a sweep to fixed predictors.
	fm := audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 16, SampleFormat: audio.Int}
	f.Add(encode(f, fm, audio.NewBuffer(2, 100), 100))

	f.Fuzz(func(t *testing.T, file []byte) {
		d, err := Decode(bytes.NewReader(file))
		if err != nil {
			checkTyped(t, err)
			return
		}
		info := d.Info()
		got := audio.NewBuffer(info.Format.Channels, 0)
		buf := audio.NewBuffer(info.Format.Channels, 1000)
		for got.Frames() < fuzzMaxFrames {
			n, err := d.Read(buf)
			for c := range got.Data {
				got.Data[c] = append(got.Data[c], buf.Data[c][:n]...)
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				checkTyped(t, err)
				return
			}
		}
		f := info.Format
		if f.BitDepth != 16 && f.BitDepth != 24 || f.SampleRate > 655350 || got.Frames() == 0 {
			return // not a format the encoder writes
		}
		again, err := audiotest.ReadAll(t, mustDecode(t, encode(t, f, got, 1000)), 1000)
		if err != nil {
			t.Fatal(err)
		}
		audiotest.SameSamples(t, again, got, "the first decode")
	})
}

func mustDecode(t *testing.T, file []byte) *Decoder {
	t.Helper()
	d, err := Decode(bytes.NewReader(file))
	if err != nil {
		t.Fatalf("re-encoded file: %v", err)
	}
	return d
}

func checkTyped(t *testing.T, err error) {
	t.Helper()
	var fe *FormatError
	if !errors.As(err, &fe) {
		t.Fatalf("untyped error %T: %v", err, err)
	}
}
