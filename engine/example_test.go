package engine_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"stemmaster"
	"stemmaster/audio"
	_ "stemmaster/audio/wav" // registers the WAV codec
	"stemmaster/engine"
	"stemmaster/internal/audiotest"
)

// Render two stems to the Apple Music target with a CD-quality deliverable
// beside the 24-bit master. A session built in code is the session file of
// docs/session.md: what it leaves out takes its default.
func Example() {
	dir, err := os.MkdirTemp("", "engine-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	stem := func(name string, channels int, freq, peakDBFS float64) {
		f := audio.Format{SampleRate: 48000, Channels: channels, BitDepth: 24, SampleFormat: audio.Int}
		if err := audiotest.Write(filepath.Join(dir, name), "wav", f, audiotest.Sine(48000, channels, 3*48000, freq, peakDBFS, 0)); err != nil {
			log.Fatal(err)
		}
	}
	stem("bass.wav", 1, 55, -12)
	stem("keys.wav", 2, 440, -18)

	apple, _ := stemmaster.TargetPreset("apple")
	session := &stemmaster.Session{
		Dir: dir,
		Stems: []stemmaster.StemSpec{
			{File: "bass.wav", EQ: []stemmaster.EQBand{{Type: stemmaster.EQHighPass, FreqHz: 30}}},
			{File: "keys.wav", GainDB: -2, Pan: 0.2},
		},
		Master: stemmaster.Master{Target: &apple},
		Outputs: []stemmaster.Output{
			{Format: "wav", BitDepth: 24},
			{Format: "wav", BitDepth: 16, SampleRate: 44100, Suffix: "cd"},
		},
	}
	out := filepath.Join(dir, "out")
	if err := os.Mkdir(out, 0o755); err != nil {
		log.Fatal(err)
	}
	rep, err := engine.Render(context.Background(), session, engine.Options{OutDir: out})
	if err != nil {
		log.Fatal(err)
	}
	for _, o := range rep.Outputs {
		fmt.Printf("%s: %d Hz, %d-bit, %.1f LUFS, true peak under %.0f dBTP: %v\n",
			o.File, o.SampleRate, o.BitDepth, o.IntegratedLUFS, rep.CeilingDBTP, o.TruePeakDBTP <= rep.CeilingDBTP)
	}
	// Output:
	// main.wav: 48000 Hz, 24-bit, -16.0 LUFS, true peak under -1 dBTP: true
	// main-cd.wav: 44100 Hz, 16-bit, -16.0 LUFS, true peak under -1 dBTP: true
}
