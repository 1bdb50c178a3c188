package biquad_test

import (
	"fmt"
	"math/cmplx"

	"stemmaster/dsp"
	"stemmaster/dsp/biquad"
	"stemmaster/internal/audiotest"
)

// An EQ from session-file bands: validate at the sample rate, prepare,
// process blocks in place, and read the response for a picture.
func ExampleEQ() {
	eq := biquad.NewEQ(
		biquad.Band{Type: biquad.TypeHighPass, FreqHz: 30, Slope: 24},
		biquad.Band{Type: biquad.TypePeak, FreqHz: 3000, GainDB: 1.5, Q: 1},
	)
	if err := eq.Validate(48000); err != nil {
		fmt.Println(err)
		return
	}
	eq.Prepare(dsp.Spec{SampleRate: 48000, MaxBlockSize: 4096, Channels: 2})
	eq.Process(audiotest.PinkNoise(1, 2, 4096, -6))

	for _, f := range []float64{15, 30, 1000, 3000} {
		fmt.Printf("%5.0f Hz %+6.2f dB\n", f, eq.Sections().MagnitudeDB(f, 48000))
	}
	// Output:
	//    15 Hz -24.10 dB
	//    30 Hz  -3.01 dB
	//  1000 Hz  +0.18 dB
	//  3000 Hz  +1.50 dB
}

// Validation errors name the band and the parameter.
func ExampleBand_Validate() {
	b := biquad.Band{Type: biquad.TypeLowPass, FreqHz: 30000, Q: 0.7071}
	fmt.Println(b.Validate(44100))
	// Output:
	// eq: freq_hz = 30000: at or above the Nyquist frequency 22050 Hz
}

// A Linkwitz-Riley crossover: the low and high outputs of LR4 sum to unity
// gain as they are (an LR2 pair sums flat as LP − HP; see the package doc).
func ExampleLinkwitzRileyLowPass() {
	const fs, fc = 48000.0, 120.0
	lp := biquad.LinkwitzRileyLowPass(nil, fs, fc, 4)
	hp := biquad.LinkwitzRileyHighPass(nil, fs, fc, 4)
	for _, f := range []float64{60, 120, 240} {
		sum := lp.Response(f, fs) + hp.Response(f, fs)
		fmt.Printf("%3.0f Hz: LP %+.2f dB, HP %+.2f dB, |sum| %.4f\n",
			f, lp.MagnitudeDB(f, fs), hp.MagnitudeDB(f, fs), cmplx.Abs(sum))
	}
	// Output:
	//  60 Hz: LP -0.53 dB, HP -24.61 dB, |sum| 1.0000
	// 120 Hz: LP -6.02 dB, HP -6.02 dB, |sum| 1.0000
	// 240 Hz: LP -24.61 dB, HP -0.53 dB, |sum| 1.0000
}
