package wav_test

import (
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"

	"stemmaster/audio"
	_ "stemmaster/audio/wav" // registers the "wav" codec
)

// Write a 24-bit WAV file atomically, then stream it back block by block.
func Example() {
	dir, err := os.MkdirTemp("", "wav-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "tone.wav")

	format := audio.Format{SampleRate: 48000, Channels: 2, BitDepth: 24, SampleFormat: audio.Int}
	w, err := audio.Create(path, "wav", format)
	if err != nil {
		log.Fatal(err)
	}
	block := audio.NewBuffer(2, 4800)
	for i := range block.Data[0] {
		block.Data[0][i], block.Data[1][i] = 0.5, -0.25
	}
	for range 10 { // one second
		if err := w.Write(block); err != nil {
			w.Abort()
			log.Fatal(err)
		}
	}
	if err := w.Close(); err != nil { // patches the header, renames into place
		log.Fatal(err)
	}

	f, err := audio.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	info := f.Info()
	fmt.Println(info.Container, info.Format, info.Frames, "frames")
	buf := audio.NewBuffer(info.Format.Channels, 4096)
	var peak float32
	for {
		n, err := f.Read(buf)
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		buf.SetFrames(n)
		peak = max(peak, buf.Peak())
		buf.SetFrames(buf.Cap())
	}
	fmt.Println("peak", peak)
	// Output:
	// wav 48000 Hz, 2 ch, 24-bit int 48000 frames
	// peak 0.5
}
