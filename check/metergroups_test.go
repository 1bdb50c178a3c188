package check

import (
	"context"
	"math"
	"testing"

	"stemmaster/audio"
	"stemmaster/internal/audiotest"
	"stemmaster/loudness"
)

// TestGroupedStemMeters: the stems' meters run in groups (here four, then
// two; a mono stem alone); every stem's integrated loudness and true peak
// are the bits of a meter of its own fed the same blocks, for stems of
// different lengths (groups whose streams end apart) and in float, so the
// file holds exactly the samples the reference meters.
func TestGroupedStemMeters(t *testing.T) {
	t.Parallel()
	const rate = 48000
	n := 3 * rate
	lengths := []int{n, n, n - 1000, n, n - 12345, n, n - 777}
	channels := []int{2, 1, 2, 2, 2, 2, 2}
	var files []stemFile
	for i, l := range lengths {
		buf := audiotest.PinkNoise(uint64(11+i), channels[i], l, -6-float64(i))
		files = append(files, stemFile{name: string(rune('a'+i)) + ".wav", buf: buf,
			format: audio.Format{SampleRate: rate, Channels: channels[i], BitDepth: 32, SampleFormat: audio.Float}})
	}
	paths := writeFiles(t, t.TempDir(), files)
	rep, err := Run(context.Background(), FileSources(paths), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Stems) != len(files) {
		t.Fatalf("%d stems in the report, want %d", len(rep.Stems), len(files))
	}
	for i, f := range files {
		m := loudness.NewMeter(rate, channels[i], loudness.Options{TruePeak: true})
		for off := 0; off < lengths[i]; off += BlockFrames {
			m.Process(audiotest.View(f.buf, off, min(off+BlockFrames, lengths[i])))
		}
		want := m.Result()
		got := rep.Stems[i]
		if math.Float64bits(float64(got.IntegratedLUFS)) != math.Float64bits(want.IntegratedLUFS) ||
			math.Float64bits(float64(got.TruePeakDBTP)) != math.Float64bits(want.TruePeakDBTP) {
			t.Errorf("%s: integrated %v, true peak %v; alone %v, %v", got.File, got.IntegratedLUFS, got.TruePeakDBTP, want.IntegratedLUFS, want.TruePeakDBTP)
		}
	}
}
