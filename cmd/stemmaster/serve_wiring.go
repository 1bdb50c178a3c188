package main

import (
	"context"
	"path/filepath"

	"stemmaster/audio"
	"stemmaster/internal/demosong"
)

// demoRate is the sample rate of the demo project's stems.
const demoRate = 48000

// demoStems writes the demo song's stems as 24-bit WAV files for "Try the
// demo".
func demoStems(ctx context.Context, dir string) ([]string, error) {
	var paths []string
	for _, st := range demosong.Stems(demoRate) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		path := filepath.Join(dir, st.Name)
		w, err := audio.Create(path, "wav", audio.Format{SampleRate: demoRate, Channels: st.Buf.Channels(), BitDepth: 24, SampleFormat: audio.Int})
		if err != nil {
			return nil, err
		}
		if err := w.Write(st.Buf); err != nil {
			w.Abort()
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}
