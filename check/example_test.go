package check_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"stemmaster/audio"
	_ "stemmaster/audio/wav" // registers the WAV codec
	"stemmaster/check"
	"stemmaster/internal/audiotest"
)

// Check a delivery of three stems: one was exported at 16 bits, one is
// silent. Every problem is a finding with its code, severity and fix
// (docs/checks.md); the advice says which service the delivery calls for.
func Example() {
	dir, err := os.MkdirTemp("", "check-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	const n = 2 * 48000
	stems := []string{filepath.Join(dir, "drums.wav"), filepath.Join(dir, "bass.wav"), filepath.Join(dir, "vox.wav")}
	for i, b := range []*audio.Buffer{audiotest.WhiteNoise(1, 2, n, -12), audiotest.WhiteNoise(2, 2, n, -12), audio.NewBuffer(2, n)} {
		bits := 24
		if i == 1 {
			bits = 16
		}
		f := audio.Format{SampleRate: 48000, Channels: 2, BitDepth: bits, SampleFormat: audio.Int}
		if err := audiotest.Write(stems[i], "wav", f, b); err != nil {
			log.Fatal(err)
		}
	}

	rep, err := check.Run(context.Background(), check.FileSources(stems), nil, check.Options{})
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range rep.Findings {
		fmt.Printf("%s %s %s\n", f.Severity, f.Code, f.File)
	}
	fmt.Println("errors:", rep.HasErrors())
	// Output:
	// warning bit_depth_low bass.wav
	// warning silent vox.wav
	// errors: false
}
