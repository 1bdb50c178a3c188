// Package dsptest holds what the dsp packages' tests and benchmarks share:
// a benchmark loop that reports wall and CPU nanoseconds per sample and
// channel (on a shared, loaded machine the CPU time measures a processor
// better than the wall time), the additivity check of a
// dsp.Sidechained processor, the check that a quiet fast path changes no
// output bit, and the check that a misuse panics.
//
// docs/architecture.md shows where the dsp packages sit in stemmaster.
package dsptest

import (
	"errors"
	"fmt"
	"math"
	"strings"
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

// SidechainSum runs each of stems through its own processor from newProc,
// keyed by the stems' sum (ProcessSidechain), and the sum through another
// (Process), in blocks of block frames; it returns the largest difference
// between the sum of the processed stems and the processed sum, which a
// dsp.Sidechained processor keeps at rounding level. The stems must have
// equal shapes; they are not modified.
func SidechainSum(newProc func() dsp.Sidechained, stems []*audio.Buffer, block int) float64 {
	frames, channels := stems[0].Frames(), stems[0].Channels()
	sum := audio.NewBuffer(channels, frames)
	dsp.SumInto(sum, stems, frames)
	outs := make([]*audio.Buffer, len(stems))
	for k, s := range stems {
		outs[k] = s.Clone()
	}
	key := sum.Clone()
	procs := make([]dsp.Sidechained, len(stems))
	for k := range procs {
		procs[k] = newProc()
	}
	whole := newProc()
	view := func(b *audio.Buffer, at, end int) *audio.Buffer {
		v := &audio.Buffer{Data: make([][]float32, channels)}
		for c := range v.Data {
			v.Data[c] = b.Data[c][at:end]
		}
		return v
	}
	for at := 0; at < frames; at += block {
		end := min(at+block, frames)
		k := view(key, at, end)
		for i, p := range procs {
			p.ProcessSidechain(view(outs[i], at, end), k)
		}
		whole.Process(view(sum, at, end))
	}
	worst := 0.0
	for c := range sum.Data {
		for i, want := range sum.Data[c] {
			var got float64
			for _, o := range outs {
				got += float64(o.Data[c][i])
			}
			worst = max(worst, math.Abs(got-float64(want)))
		}
	}
	return worst
}

// ProcessBlocks runs p over x in place in blocks of block frames (the last
// one shorter), each passed as a view into x; after, when set, is called
// after each block.
func ProcessBlocks(p dsp.Processor, x *audio.Buffer, block int, after func()) {
	for at := 0; at < x.Frames(); at += block {
		b := &audio.Buffer{Data: make([][]float32, x.Channels())}
		for c := range b.Data {
			b.Data[c] = x.Data[c][at:min(at+block, x.Frames())]
		}
		p.Process(b)
		if after != nil {
			after()
		}
	}
}

// CheckParamError reports err unless it is nil for param "" or a
// *dsp.ParamError naming param.
func CheckParamError(t testing.TB, err error, param string) {
	t.Helper()
	var pe *dsp.ParamError
	switch {
	case param == "" && err != nil:
		t.Errorf("unexpected %v", err)
	case param != "" && (!errors.As(err, &pe) || pe.Param != param):
		t.Errorf("error %v, want a *dsp.ParamError about %s", err, param)
	}
}

// CheckNoAllocation reports an allocation in p.Process over x (after a
// first call that may warm up).
func CheckNoAllocation(t testing.TB, p dsp.Processor, x *audio.Buffer) {
	t.Helper()
	if a := testing.AllocsPerRun(20, func() { p.Process(x) }); a != 0 {
		t.Errorf("%g allocations per block", a)
	}
}

// CheckSameBits fails t at the first sample where got differs from want
// (equal shapes); against names the reference in the message. It is
// audiotest.SameSamples for this package, which cannot import audiotest:
// audiotest imports dsp/fir, whose tests import this package.
func CheckSameBits(t testing.TB, got, want *audio.Buffer, against string) {
	t.Helper()
	for c := range want.Data {
		for i, w := range want.Data[c] {
			if g := got.Data[c][i]; g != w {
				t.Fatalf("channel %d frame %d: %v, want %v (%s)", c, i, g, w, against)
			}
		}
	}
}

// CheckBlockInvariance runs x through a new processor from newProc for
// each block size, and fails t unless every output is the same bits as the
// first size's.
func CheckBlockInvariance(t testing.TB, newProc func() dsp.Processor, x *audio.Buffer, blocks ...int) {
	t.Helper()
	var ref *audio.Buffer
	for _, block := range blocks {
		y := x.Clone()
		ProcessBlocks(newProc(), y, block, nil)
		if ref == nil {
			ref = y
			continue
		}
		CheckSameBits(t, y, ref, fmt.Sprintf("blocks of %d against %d", block, blocks[0]))
	}
}

// CheckNoAllocationSidechain is CheckNoAllocation for ProcessSidechain
// keyed by key.
func CheckNoAllocationSidechain(t testing.TB, p dsp.Sidechained, x, key *audio.Buffer) {
	t.Helper()
	if a := testing.AllocsPerRun(20, func() { p.ProcessSidechain(x, key) }); a != 0 {
		t.Errorf("%g allocations per keyed block", a)
	}
}

// CheckOffsets fails t for every field of the struct typ whose offset as
// Go lays it out (got, from unsafe.Offsetof) is not where an assembly
// kernel reads it (want); fields names them, separated by spaces.
func CheckOffsets(t testing.TB, typ, fields string, got []uintptr, want ...uintptr) {
	t.Helper()
	names := strings.Fields(fields)
	if len(names) != len(got) || len(got) != len(want) {
		t.Fatalf("CheckOffsets of %s: %d names, %d offsets, %d wanted", typ, len(names), len(got), len(want))
	}
	for i, name := range names {
		if got[i] != want[i] {
			t.Errorf("%s.%s at offset %d, the assembly reads %d", typ, name, got[i], want[i])
		}
	}
}
