// Command resample is the bench helper behind bench/resample.sh: it converts
// a WAV file's sample rate with stemmaster's dsp/resample, and measures a
// tone in a file, so the script can compare our converter with sox's.
//
//	resample [-bits N] [-float] IN.wav OUT.wav RATE   convert
//	resample -measure FREQ FILE.wav                   fit a sine at FREQ Hz
//	resample -synth FREQ -rate R -secs S OUT.wav      write a −1 dBFS test tone
//
// Convert writes OUT in IN's format unless -bits/-float say otherwise, and
// prints to stderr the time spent in the converter alone, in ns per input
// sample per channel. Measure fits a·sin + b·cos + c at FREQ to channel 0
// over the middle 80 % of the file (the ends carry the filters' response to
// the abrupt start and end of a test tone) and prints the tone's peak level
// in dBFS and what is left besides it (THD+N) relative to the tone, in dB.
// Synth writes a mono 32-bit float sine computed in float64 (sox's synth is
// limited to about −139 dB THD+N at 44.1 kHz, too close to what is measured).
//
// docs/architecture.md shows where this package sits in stemmaster and
// what it may import.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"time"

	"stemmaster/audio"
	_ "stemmaster/audio/wav"
	"stemmaster/dsp/resample"
	"stemmaster/internal/audiotest"
)

func main() {
	bits := flag.Int("bits", 0, "output bit depth (default: the input's)")
	float := flag.Bool("float", false, "write IEEE float samples (with -bits 32 or 64)")
	measure := flag.Float64("measure", 0, "fit a sine at this frequency (Hz) in the one FILE given")
	synth := flag.Float64("synth", 0, "write a −1 dBFS sine of this frequency (Hz) to the one FILE given")
	synthRate := flag.Int("rate", 48000, "sample rate for -synth")
	synthSecs := flag.Float64("secs", 10, "length in seconds for -synth")
	flag.Parse()
	var err error
	switch {
	case *synth > 0 && flag.NArg() == 1:
		err = writeTone(flag.Arg(0), *synth, *synthRate, *synthSecs)
	case *measure > 0 && flag.NArg() == 1:
		err = measureTone(flag.Arg(0), *measure)
	case *measure == 0 && flag.NArg() == 3:
		var rate int
		rate, err = strconv.Atoi(flag.Arg(2))
		if err == nil {
			err = convert(flag.Arg(0), flag.Arg(1), rate, *bits, *float)
		}
	default:
		flag.Usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "resample:", err)
		os.Exit(1)
	}
}

func convert(in, out string, rate, bits int, float bool) error {
	src, err := audio.Open(in)
	if err != nil {
		return err
	}
	defer src.Close()
	info := src.Info()
	f := info.Format
	rs, err := resample.New(f.SampleRate, rate, f.Channels)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	f.SampleRate = rate
	if bits > 0 {
		f.BitDepth = bits
		f.SampleFormat = audio.Int
	}
	if float {
		f.SampleFormat = audio.Float
	}
	dst, err := audio.Create(out, "wav", f)
	if err != nil {
		return err
	}
	defer dst.Abort()

	blk := audio.NewBuffer(f.Channels, 4096)
	var res *audio.Buffer
	var dspTime time.Duration
	var frames int64
	for {
		blk.SetFrames(blk.Cap())
		n, err := src.Read(blk)
		if n > 0 {
			blk.SetFrames(n)
			t0 := time.Now()
			res = rs.Process(res, blk)
			dspTime += time.Since(t0)
			frames += int64(n)
			if err := dst.Write(res); err != nil {
				return err
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
	}
	t0 := time.Now()
	res = rs.Flush(res)
	dspTime += time.Since(t0)
	if err := dst.Write(res); err != nil {
		return err
	}
	if err := dst.Close(); err != nil {
		return err
	}
	if frames > 0 {
		fmt.Fprintf(os.Stderr, "resample: %d → %d Hz, %d taps/phase, converter alone %.1f ns/sample/ch\n",
			info.Format.SampleRate, rate, rs.TapsPerPhase(),
			float64(dspTime.Nanoseconds())/float64(frames*int64(f.Channels)))
	}
	return nil
}

func writeTone(path string, freq float64, rate int, secs float64) error {
	w, err := audio.Create(path, "wav", audio.Format{SampleRate: rate, Channels: 1, BitDepth: 32, SampleFormat: audio.Float})
	if err != nil {
		return err
	}
	defer w.Abort()
	n := int(secs * float64(rate))
	blk := audio.NewBuffer(1, 4096)
	amp := math.Pow(10, -1.0/20)
	for off := 0; off < n; off += 4096 {
		blk.SetFrames(min(4096, n-off))
		for i := range blk.Data[0] {
			blk.Data[0][i] = float32(amp * math.Sin(2*math.Pi*freq*float64(off+i)/float64(rate)))
		}
		if err := w.Write(blk); err != nil {
			return err
		}
	}
	return w.Close()
}

func measureTone(path string, freq float64) error {
	src, err := audio.Open(path)
	if err != nil {
		return err
	}
	defer src.Close()
	info := src.Info()
	var x []float32
	blk := audio.NewBuffer(info.Format.Channels, 4096)
	for {
		blk.SetFrames(blk.Cap())
		n, err := src.Read(blk)
		x = append(x, blk.Data[0][:n]...)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
	}
	if len(x) < 100 {
		return fmt.Errorf("%s: too short to measure", path)
	}
	from, to := len(x)/10, len(x)-len(x)/10
	w := 2 * math.Pi * freq / float64(info.Format.SampleRate)
	amp, _, resid := audiotest.FitSine(x, w, from, to)
	fmt.Printf("tone_dbfs=%.1f thdn_db=%.1f\n", 20*math.Log10(amp), 20*math.Log10(resid/(amp/math.Sqrt2)))
	return nil
}
