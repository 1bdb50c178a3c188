package loudness_test

import (
	"fmt"

	"stemmaster/internal/audiotest"
	"stemmaster/loudness"
)

// Meter a stereo 1 kHz sine at −23 dBFS (EBU Tech 3341 case 1, shortened):
// BS.1770-4 reads it at −23.0 LUFS, and its true peak is its sample peak.
// Feed the meter blocks of any size as they arrive; Result can be read at
// any time.
func Example() {
	const rate = 48000.0
	m := loudness.NewMeter(rate, 2, loudness.Options{TruePeak: true})
	tone := audiotest.Sine(rate, 2, 5*48000, 1000, -23, 0)
	m.Process(tone)
	r := m.Result()
	fmt.Printf("integrated %.1f LUFS, momentary max %.1f LUFS, true peak %.1f dBTP\n",
		r.IntegratedLUFS, r.MomentaryMaxLUFS, r.TruePeakDBTP)
	// Output:
	// integrated -23.0 LUFS, momentary max -23.0 LUFS, true peak -23.0 dBTP
}
