// Package dsptest holds what the dsp packages' tests and benchmarks share:
// a benchmark loop that reports wall and CPU nanoseconds per sample and
// channel (on a shared, loaded machine the CPU time measures a processor
// better than the wall time).
package dsptest

import (
	"testing"

	"stemmaster/audio"
	"stemmaster/dsp"
)

// BenchProcess runs p over a copy of src once per iteration and reports
// ns/sample/ch (wall) and cpu-ns/sample/ch (user + system time of the
// process, 0 where the system does not say).
func BenchProcess(b *testing.B, p dsp.Processor, src *audio.Buffer) {
	b.Helper()
	buf := src.Clone()
	cpu0 := CPUTime()
	for b.Loop() {
		for c := range buf.Data {
			copy(buf.Data[c], src.Data[c])
		}
		p.Process(buf)
	}
	ReportPerSample(b, cpu0, src.Frames()*src.Channels())
}

// ReportPerSample reports the benchmark's wall and CPU time per sample,
// samples being how many one iteration processes (frames × channels), and
// cpu0 the CPUTime when the loop started.
func ReportPerSample(b *testing.B, cpu0 int64, samples int) {
	n := float64(b.N) * float64(samples)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/sample/ch")
	b.ReportMetric(float64(CPUTime()-cpu0)/n, "cpu-ns/sample/ch")
}
