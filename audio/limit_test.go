package audio

import (
	"errors"
	"io"
	"testing"
)

// TestLimitFrames: a stream longer than its limit ends at it with io.EOF,
// in whatever blocks it is read; one ending exactly there ends with its
// own end (an error a decoder reports at its end stays seen); a shorter
// one ends where it does.
func TestLimitFrames(t *testing.T) {
	t.Parallel()
	late := errors.New("found at the end")
	for _, tc := range []struct {
		name                  string
		frames, most, max, bl int
		end, want             error
		wantFrames            int
	}{
		{"longer than the limit", 5000, 1000, 300, 512, late, io.EOF, 1000},
		{"longer, blocks larger than the limit", 5000, 1000, 4096, 4096, late, io.EOF, 1000},
		{"exactly the limit", 1000, 1000, 300, 512, late, late, 1000},
		{"shorter than the limit", 700, 1000, 300, 512, late, late, 700},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := LimitFrames(&countReader{frames: tc.frames, max: tc.max, end: tc.end}, int64(tc.most))
			next := 0
			got, err := ReadBlocks(l, tc.bl, func(b *Buffer) {
				for i, v := range b.Data[0] {
					if v != float32(next+i) {
						t.Fatalf("frame %d reads %g", next+i, v)
					}
				}
				next += b.Frames()
			})
			want := tc.want
			if want == io.EOF {
				want = nil
			}
			if got != int64(tc.wantFrames) || !errors.Is(err, want) || (want == nil) != (err == nil) {
				t.Errorf("read %d frames, %v; want %d, %v", got, err, tc.wantFrames, want)
			}
		})
	}
}
