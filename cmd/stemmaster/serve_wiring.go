package main

import (
	"context"

	"stemmaster/internal/demosong"
)

// demoRate is the sample rate of the demo project's stems.
const demoRate = 48000

// demoStems writes the demo song's stems as 24-bit WAV files for "Try the
// demo".
func demoStems(ctx context.Context, dir string) ([]string, error) {
	return demosong.WriteStemsContext(ctx, dir, demoRate)
}
