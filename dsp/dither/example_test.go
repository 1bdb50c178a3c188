package dither_test

import (
	"fmt"

	"stemmaster/dsp"
	"stemmaster/dsp/dither"
	"stemmaster/internal/audiotest"
)

// Quantising a master to 16 bits for CD: the samples come out on the 16-bit
// grid, so the WAV encoder's own rounding changes nothing.
func Example() {
	d, err := dither.New(16, 0x5eed, true)
	if err != nil {
		panic(err)
	}
	d.Prepare(dsp.Spec{SampleRate: 44100, MaxBlockSize: 4096, Channels: 2})
	buf := audiotest.Sine(44100, 2, 4096, 997, -20, 0)
	d.Process(buf)
	onGrid := true
	for _, ch := range buf.Data {
		for _, v := range ch {
			k := float64(v) * 32768
			onGrid = onGrid && k == float64(int64(k))
		}
	}
	fmt.Println(onGrid)
	// Output: true
}
