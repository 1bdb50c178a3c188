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
			r := &countReader{frames: tc.frames, max: tc.max, end: tc.end}
			next := 0
			got, err := ReadBlocks(r, tc.blk, func(b *Buffer) {
				if b.Frames() == 0 || b.Frames() > tc.blk || b.Channels() != 2 {
					t.Fatalf("block of %d frames, %d channels", b.Frames(), b.Channels())
				}
				for i, v := range b.Data[1] {
					if v != float32(next+i) {
						t.Fatalf("frame %d reads %g", next+i, v)
					}
				}
				next += b.Frames()
			})
			wantErr := tc.end
			if wantErr == io.EOF {
				wantErr = nil
			}
			if got != int64(tc.frames) || next != tc.frames || !errors.Is(err, wantErr) || (wantErr == nil) != (err == nil) {
				t.Errorf("ReadBlocks = %d, %v (handed %d frames); want %d, %v", got, err, next, tc.frames, wantErr)
			}
		})
	}
}
