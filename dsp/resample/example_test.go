package resample_test

import (
	"fmt"

	"stemmaster/audio"
	"stemmaster/dsp/resample"
	"stemmaster/internal/audiotest"
)

// A stream converted block by block, then drained with Flush: one second at
// 48 kHz gives exactly one second at 44.1 kHz.
func Example() {
	rs, err := resample.New(48000, 44100, 2)
	if err != nil {
		panic(err)
	}
	src := audiotest.Sine(48000, 2, 48000, 997, -1, 0)
	var out *audio.Buffer // reused from block to block once big enough
	total := 0
	for off := 0; off < src.Frames(); off += 4096 {
		end := min(off+4096, src.Frames())
		block := &audio.Buffer{Data: [][]float32{src.Data[0][off:end], src.Data[1][off:end]}}
		out = rs.Process(out, block)
		total += out.Frames() // write out.Data here
	}
	out = rs.Flush(out)
	total += out.Frames()
	fmt.Println(total, rs.OutputFrames(48000))
	// Output: 44100 44100
}
