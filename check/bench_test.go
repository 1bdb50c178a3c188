package check

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"stemmaster/audio"
	"stemmaster/internal/audiotest"
)

// benchSet is eight stereo stems of 20 s: the five of a generated song and
// three more of another, named so that their roles are inferred (drums,
// bass, keys, vocals and fx families, two of them with several stems), and
// their mix.
var benchSet = sync.OnceValues(func() ([]string, []*audio.Buffer) {
	names, stems := song(testRate, 20, 11)
	_, more := song(testRate, 20, 12)
	names = append(names, "perc.wav", "pad.wav", "bvox.wav")
	stems = append(stems, more[0], more[2], more[3])
	return names, stems
})

// BenchmarkRun times a check's main pass and findings on the benchmark
// set, read from memory: as master runs it beside a render (no stem true
// peaks, no mix, every stem of one family as the bench job's stems are),
// and as `stemmaster check` runs it with the mix.
func BenchmarkRun(b *testing.B) {
	names, stems := benchSet()
	plain := make([]string, len(names))
	for i := range names {
		plain[i] = fmt.Sprintf("s%d.wav", i)
	}
	mix := mixOf(stems...)
	cases := []struct {
		name  string
		names []string
		mix   *Source
		opt   Options
	}{
		{"master", plain, nil, Options{NoStemTruePeak: true}},
		{"master-taken", plain, nil, Options{NoStemTruePeak: true}},
		{"families", names, nil, Options{NoStemTruePeak: true}},
		{"check-with-mix", names, mix, Options{}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			srcs := memSet(tc.names, stems, testRate)
			if tc.name == "master-taken" {
				for i := range srcs {
					srcs[i].Open = func() (audio.Reader, error) {
						return &takenReader{BufferReader: audiotest.NewReader(stems[i], testRate)}, nil
					}
				}
			}
			b.SetBytes(int64(len(stems) * stems[0].Frames() * 2 * 4))
			c0 := cpuTime()
			for b.Loop() {
				if _, err := Run(context.Background(), srcs, tc.mix, tc.opt); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
		})
	}
}

// takenReader hands its blocks over as a render's tee does (BlockTaker),
// copying them from memory.
type takenReader struct {
	*audiotest.BufferReader
	pos int
}

func (r *takenReader) Read(dst *audio.Buffer) (int, error) {
	n, err := r.BufferReader.Read(dst)
	r.pos += n
	return n, err
}

func (r *takenReader) TakeBlock(dst *audio.Buffer) bool {
	if r.Buf.Frames()-r.pos < dst.Frames() {
		return false
	}
	_, err := r.Read(dst)
	return err == nil
}

// cpuTime is the process's user and system time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkFrancium times `stemmaster check --mix` on the francium stems
// and their mix, read from the files (skipped without them): a profile of
// it (-cpuprofile) shows where a real delivery's check spends its time.
func BenchmarkFrancium(b *testing.B) {
	dir := audiotest.FranciumDir(b)
	var paths []string
	for _, n := range audiotest.FranciumStems {
		paths = append(paths, filepath.Join(dir, n))
	}
	srcs, mix := FileSources(paths), MixSource(filepath.Join(dir, "mix.wav"))
	c0 := cpuTime()
	for b.Loop() {
		if _, err := Run(context.Background(), srcs, mix, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
}
