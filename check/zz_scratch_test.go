package check

import (
	"testing"
	"time"

	"stemmaster/internal/audiotest"
	"stemmaster/loudness"
)

func TestScratchMeterSpeed(t *testing.T) {
	b := audiotest.PinkNoise(1, 2, 48000*20, -6)
	for _, tp := range []bool{false, true} {
		m := loudness.NewMeter(48000, 2, loudness.Options{TruePeak: tp})
		blk := &audiotestBuf{}
		_ = blk
		start := time.Now()
		for off := 0; off+4096 <= b.Frames(); off += 4096 {
			sub := b.Clone()
			_ = sub
			break
		}
		m.Process(b)
		el := time.Since(start)
		t.Logf("tp=%v: 20 s in %v => %.0fx realtime", tp, el, 20/el.Seconds())
	}
}

type audiotestBuf struct{}
