package flac

import (
	"bytes"
	"io"
	"testing"

	"stemmaster/audio"
	"stemmaster/audio/internal/codectest"
	"stemmaster/internal/audiotest"
)

// declare is file declaring frames in STREAMINFO, a copy.
func declare(file []byte, frames int64) []byte {
	out := append([]byte(nil), file...)
	audiotest.DeclareFLAC(out, frames)
	return out
}

// TestHeaderLength holds FLAC to the rule every codec keeps: STREAMINFO's
// length is the file's. The frames past it are counted (within a frame
// and in the frames after it) and never delivered, whatever the block
// sizes read; past audio.PastCountSeconds the count stops.
func TestHeaderLength(t *testing.T) {
	t.Parallel()
	decode := func(r io.Reader) (audio.Reader, error) { return Decode(r) }
	f := audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 24, SampleFormat: audio.Int}
	sig := codectest.Grid(3, f, 10000)
	file := encode(t, f, sig, 1000)
	for _, declared := range []int{1000, 1500, 9999} {
		codectest.ReadsPast(t, declare(file, int64(declared)), sig.Data[0][:declared], int64(10000-declared), decode)
	}
	codectest.ReadsPast(t, file, sig.Data[0], 0, decode)

	// The tags taggers append (ID3v1, APE, ID3v2 with a footer) are no
	// frames: a stream whose STREAMINFO gives no length ends at them with
	// io.EOF, where it read the tag as a frame and failed after all its
	// audio ("invalid sync-code"), and one that declares its length reads
	// as without them.
	for _, c := range []struct {
		name string
		tail []byte
	}{
		{"an ID3v1 tag", codectest.ID3v1()},
		{"an APEv2 tag", codectest.APETag(true)},
		{"an APEv1 tag", codectest.APETag(false)},
		{"an ID3v2 tag with a footer", codectest.ID3v2(3000, true)},
		{"an APEv2 tag and an ID3v1 tag", append(codectest.APETag(true), codectest.ID3v1()...)},
	} {
		t.Run(c.name, func(t *testing.T) {
			codectest.ReadsPast(t, append(declare(file, 4000), c.tail...), sig.Data[0][:4000], 6000, decode)
			d, err := Decode(bytes.NewReader(append(declare(file, 0), c.tail...)))
			if err != nil {
				t.Fatal(err)
			}
			got, err := audiotest.ReadAll(t, d, 4096)
			if err != nil || got.Frames() != 10000 || d.Info().Frames != -1 {
				t.Errorf("streamed: read %d frames, %v (Frames %d); want all 10000, io.EOF, an unknown length", got.Frames(), err, d.Info().Frames)
			}
		})
	}

	t.Run("more than PastCountSeconds", func(t *testing.T) {
		f := audio.Format{SampleRate: 1000, Channels: 1, BitDepth: 16, SampleFormat: audio.Int}
		long := audio.NewBuffer(1, (audio.PastCountSeconds+5)*1000)
		d, err := Decode(bytes.NewReader(declare(encode(t, f, long, 4096), 10)))
		if err != nil {
			t.Fatal(err)
		}
		got, err := audiotest.ReadAll(t, d, 4096)
		if err != nil || got.Frames() != 10 {
			t.Fatalf("read %d frames, %v; want the 10 declared", got.Frames(), err)
		}
		if info := d.Info(); info.PastFrames != audio.PastCountSeconds*1000 || !info.PastMore {
			t.Errorf("PastFrames %d, more %v; want %d and more", info.PastFrames, info.PastMore, audio.PastCountSeconds*1000)
		}
	})
}
