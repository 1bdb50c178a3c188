package dynamics_test

import (
	"fmt"

	"stemmaster/dsp"
	"stemmaster/dsp/dynamics"
	"stemmaster/internal/audiotest"
)

// A master-bus glue compressor keyed from a drum stem: the bus is reduced
// by the gain reduction the drums' level calls for. With a 10 ms attack the
// smoothed reduction rides a little under the static curve's value for the
// key's peak level, since it releases between the peaks of each cycle.
func ExampleCompressor_ProcessSidechain() {
	p := dynamics.CompressorParams{
		ThresholdDB: -20, Ratio: 2, KneeDB: 6, AttackMS: 10, ReleaseMS: 150,
		SidechainHPFHz: 100,
	}
	if err := p.Validate(48000); err != nil {
		fmt.Println(err)
		return
	}
	c := dynamics.NewCompressor(p)
	c.Prepare(dsp.Spec{SampleRate: 48000, MaxBlockSize: 4800, Channels: 2})

	bus := audiotest.Sine(48000, 2, 48000, 440, -12, 0)
	drums := audiotest.Sine(48000, 2, 48000, 1000, -6, 0)
	for start := 0; start < 48000; start += 4800 {
		c.ProcessSidechain(audiotest.View(bus, start, start+4800), audiotest.View(drums, start, start+4800))
	}
	fmt.Printf("gain reduction %.1f dB (static curve at the peak level: %.1f dB)\n",
		c.GainReductionDB(), -6-dynamics.StaticCurve(-6, -20, 2, 6))
	// Output:
	// gain reduction 6.4 dB (static curve at the peak level: 7.0 dB)
}
