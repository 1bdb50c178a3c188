package dsptest

import (
	"testing"

	"stemmaster/audio"
	"stemmaster/dsp"
)

// QuietBursts scales every second run of period frames of x (the second,
// the fourth, …) by gain in place, so a signal crosses a processor's
// thresholds back and forth.
func QuietBursts(x *audio.Buffer, period int, gain float32) {
	for _, ch := range x.Data {
		for i := range ch {
			if i/period%2 == 1 {
				ch[i] *= gain
			}
		}
	}
}

// CheckFastPathExact runs fast and full, both prepared, over copies of x
// in blocks of block frames and reports any output bit in which fast (with
// its quiet fast path) differs from full (with the fast path switched off).
func CheckFastPathExact(t testing.TB, fast, full dsp.Processor, x *audio.Buffer, block int) {
	t.Helper()
	a, b := x.Clone(), x.Clone()
	ProcessBlocks(fast, a, block, nil)
	ProcessBlocks(full, b, block, nil)
	CheckSameBits(t, a, b, "the full path")
}
