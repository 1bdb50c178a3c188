package limiter

import (
	"fmt"
	"testing"

	"stemmaster/audio"
	"stemmaster/dsp/internal/dsptest"
	"stemmaster/internal/audiotest"
)

// TestPeakReading: a limiter that keeps its largest reading
// (TrackReading) gives the same output and statistics as one that does
// not; its reading is at least the exact one (every chunk detected, none
// skipped), and on either side of the margin under the ceiling the two
// agree, since only chunks whose bound lies under it skip; at or under the
// ceiling no frame is reduced, over it some are.
func TestPeakReading(t *testing.T) {
	t.Parallel()
	const margin = 1e-3
	x := audiotest.Concat(audiotest.PinkNoise(1, 2, 30000, -20), audiotest.Sine(48000, 2, 20000, 220, -8, 0.1),
		audiotest.PinkNoise(2, 2, 30000, -12), audiotest.Sine(48000, 2, 6000, 4000, -10, 0.4))
	exact := func(x *audio.Buffer) float64 {
		ref := newLimiter(DefaultParams(), 48000, 2)
		ref.noSkip = true
		ref.TrackReading(0)
		process(ref, x, 4096)
		r, _ := ref.PeakReading()
		return r
	}
	r1 := exact(x)
	_, ceiling := newLimiter(DefaultParams(), 48000, 2).PeakReading()
	// Gains that put the exact reading just under and over the margin's
	// line and the ceiling, and well under.
	for _, at := range []float64{0.5, (1 - margin) * (1 - 1e-5), (1 - margin) * (1 + 1e-5), 1 - 1e-5, 1 + 1e-5, 1.5} {
		t.Run(fmt.Sprint(at), func(t *testing.T) {
			y := x.Clone()
			g := float32(at * ceiling / r1)
			for _, ch := range y.Data {
				for i := range ch {
					ch[i] *= g
				}
			}
			want := exact(y)
			plain := newLimiter(DefaultParams(), 48000, 2)
			l := newLimiter(DefaultParams(), 48000, 2)
			l.TrackReading(margin)
			a, b := process(plain, y, 1000), process(l, y, 1000)
			dsptest.CheckSameBits(t, b, a, "keeping the reading")
			if s, p := l.Stats(), plain.Stats(); s != p {
				t.Errorf("stats %+v, want %+v", s, p)
			}
			got, _ := l.PeakReading()
			t.Logf("exact reading %.6f of the ceiling, kept %.6f, %d chunks skipped", want/ceiling, got/ceiling, l.skipped)
			if got < want {
				t.Errorf("reading %g under the exact one %g", got, want)
			}
			line := ceiling * (1 - margin)
			if (got <= line) != (want <= line) {
				t.Errorf("reading %g and exact %g on either side of %g", got, want, line)
			}
			if reduced := l.Stats().MaxGRDB > 0; reduced != (want > ceiling) {
				t.Errorf("exact reading %g against the ceiling %g, yet reduced %v", want, ceiling, reduced)
			}
		})
	}
}
