package audio

import (
	"errors"
	"io"
	"testing"
)

// countReader delivers frames frames of ramp samples, at most max a Read,
// then ends with end.
type countReader struct {
	frames, max, pos int
	end              error
}

func (r *countReader) Info() Info {
	return Info{Format: Format{SampleRate: 48000, Channels: 2, BitDepth: 24, SampleFormat: Int}, Frames: int64(r.frames)}
}

func (r *countReader) Read(dst *Buffer) (int, error) {
	n := min(dst.Frames(), r.max, r.frames-r.pos)
	if n == 0 {
		return 0, r.end
	}
	for c := range dst.Data {
		for i := range n {
			dst.Data[c][i] = float32(r.pos + i)
		}
	}
	r.pos += n
	return n, nil
}

func TestReadBlocks(t *testing.T) {
	t.Parallel()
	stop := errors.New("cut")
	for _, tc := range []struct {
		name             string
		frames, max, blk int
		end              error
	}{
		{"blocks larger than reads", 1000, 300, 512, io.EOF},
		{"reads larger than blocks", 1000, 4096, 64, io.EOF},
		{"empty", 0, 64, 64, io.EOF},
		{"error after the audio", 700, 256, 128, stop},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			readCount(t, &countReader{frames: tc.frames, max: tc.max, end: tc.end}, tc.blk, tc.frames, tc.end)
		})
	}
}

// readCount reads r, a countReader or a reader over one, with ReadBlocks
// in blocks of blk, and checks that every block holds 1 to blk frames of
// two channels, each going on with the count. It fails the test unless
// ReadBlocks reports wantFrames frames, handed all of them out and ended
// with end (nil for io.EOF, the end of a stream, which it does not pass
// on).
func readCount(t *testing.T, r Reader, blk, wantFrames int, end error) {
	t.Helper()
	next := 0
	got, err := ReadBlocks(r, blk, func(b *Buffer) {
		if b.Frames() == 0 || b.Frames() > blk || b.Channels() != 2 {
			t.Fatalf("block of %d frames, %d channels", b.Frames(), b.Channels())
		}
		for c := range b.Data {
			for i, v := range b.Data[c] {
				if v != float32(next+i) {
					t.Fatalf("channel %d, frame %d reads %g", c, next+i, v)
				}
			}
		}
		next += b.Frames()
	})
	if end == io.EOF {
		end = nil
	}
	if got != int64(wantFrames) || next != wantFrames || !errors.Is(err, end) || (end == nil) != (err == nil) {
		t.Errorf("ReadBlocks = %d, %v (handed %d frames); want %d, %v", got, err, next, wantFrames, end)
	}
}
