package main

import (
	"context"
	"encoding/json"

	"stemmaster/check"
	"stemmaster/internal/demosong"
)

// engineChecker runs the stem checks for the service (jobs.Checker).
type engineChecker struct{}

// Check checks the delivery with package check; see jobs.Checker.
func (engineChecker) Check(ctx context.Context, stems []string, mix string) ([]byte, error) {
	rep, err := check.Run(ctx, check.FileSources(stems), check.MixSource(mix), check.Options{})
	if err != nil {
		return nil, err
	}
	return json.Marshal(rep)
}

// demoRate is the sample rate of the demo project's stems.
const demoRate = 48000

// demoStems writes the demo song's stems as 24-bit WAV files for "Try the
// demo".
func demoStems(ctx context.Context, dir string) ([]string, error) {
	return demosong.WriteStemsContext(ctx, dir, demoRate)
}
