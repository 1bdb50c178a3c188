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
			readCount(t, LimitFrames(&countReader{frames: tc.frames, max: tc.max, end: tc.end}, int64(tc.most)), tc.bl, tc.wantFrames, tc.want)
		})
	}
}
