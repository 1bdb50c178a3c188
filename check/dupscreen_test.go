package check

import (
	"context"
	"math"
	"sync/atomic"
	"testing"

	"stemmaster"
	"stemmaster/analysis"
	"stemmaster/audio"
	"stemmaster/internal/audiotest"
	"stemmaster/internal/testkit"
)

// TestDuplicateScreen: without a mix, stems that are not copies of one
// another are ruled out by the screen alone (each file read once), and a
// copy makes the check read the stems again and decide on the whole Gram:
// a copy a little above DuplicateDB is found with the null of the Gram
// summed block by block over every frame, one a little below is not, for
// stereo and mono stems and stems of different lengths.
func TestDuplicateScreen(t *testing.T) {
	t.Parallel()
	names, stems := song(testRate, 3, 5)
	// A stem of its own beside a near-copy: another's samples at another
	// level with noise nullDB below them.
	nearCopy := func(of *audio.Buffer, gain, nullDB float64, seed uint64) *audio.Buffer {
		out := of.Clone()
		noise := audiotest.GaussianNoise(seed, of.Channels(), of.Frames(), 0)
		var e, en float64
		for c := range out.Data {
			for i, v := range of.Data[c] {
				e += float64(v) * float64(v)
				en += float64(noise.Data[c][i]) * float64(noise.Data[c][i])
			}
		}
		k := math.Sqrt(e / en * math.Pow(10, nullDB/10))
		for c := range out.Data {
			for i, v := range of.Data[c] {
				out.Data[c][i] = float32(gain * (float64(v) + k*float64(noise.Data[c][i])))
			}
		}
		return out
	}
	mono := foldedDown(cutTo(stems[2], stems[2].Frames()-5000))
	cases := []struct {
		name  string
		extra *audio.Buffer
		of    int // the stem it copies; -1: none
		found bool
	}{
		{"no copies", nil, -1, false},
		{"a copy 3 dB down", nearCopy(stems[1], 0.7, -200, 1), 1, true},
		{"nulls to -43 dB", nearCopy(stems[0], -1.2, -43, 2), 0, true},
		{"nulls to -37 dB", nearCopy(stems[0], 1, -37, 3), 0, false},
		{"mono, nulls to -45 dB, shorter", nearCopy(mono, 0.5, -45, 4), -2, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			bufs := append([]*audio.Buffer(nil), stems...)
			ns := append([]string(nil), names...)
			if tc.of == -2 {
				bufs = append(bufs, mono)
				ns = append(ns, "mono.wav")
			}
			if tc.extra != nil {
				bufs = append(bufs, tc.extra)
				ns = append(ns, "extra.wav")
			}
			var opens atomic.Int32
			srcs := memSet(ns, bufs, testRate)
			for i := range srcs {
				open := srcs[i].Open
				srcs[i].Open = func() (audio.Reader, error) { opens.Add(1); return open() }
			}
			rep, err := Run(context.Background(), srcs, nil, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var dup *stemmaster.Finding
			for i, f := range rep.Findings {
				if f.Code == stemmaster.CodeDuplicate {
					dup = &rep.Findings[i]
				}
			}
			if (dup != nil) != tc.found {
				t.Fatalf("duplicate finding %+v, want found=%v", dup, tc.found)
			}
			if tc.extra == nil && int(opens.Load()) != len(bufs) {
				t.Errorf("%d opens of %d stems: the screen did not rule out stems that are not alike", opens.Load(), len(bufs))
			}
			if dup == nil {
				return
			}
			if int(opens.Load()) != 2*len(bufs) {
				t.Errorf("%d opens of %d stems: a copy should make the check read the stems again", opens.Load(), len(bufs))
			}
			// The null of the whole Gram, summed as the main pass sums it.
			a := len(bufs) - 2
			if tc.of >= 0 {
				a = tc.of
			}
			b := len(bufs) - 1
			rho := blockGram(bufs).Correlation(a, b)
			want := math.Round(10*math.Log10(max(1-rho*rho, 1e-30))*100) / 100
			if dup.File != "extra.wav" || dup.Value == nil || *dup.Value != want {
				t.Errorf("finding %+v (value %v), want extra.wav with %v", dup, fmtValue(dup.Value), want)
			}
		})
	}
}

// blockGram sums the Gram of bufs (each channel of the stereo sum, then
// the channels together) block by block over the longest, as the check's
// main pass does.
func blockGram(bufs []*audio.Buffer) *analysis.Gram {
	ins := make([]*input, len(bufs))
	frames := 0
	for k, b := range bufs {
		ins[k] = &input{info: audio.Info{Format: audio.Format{Channels: b.Channels()}}, sign: [2]float64{1, 1}}
		frames = max(frames, b.Frames())
	}
	sm := newSummer(ins, 2, false)
	gs := newGrams(len(bufs), 2)
	blocks := make([][][]float32, len(bufs))
	for pos := 0; pos < frames; pos += BlockFrames {
		n := min(BlockFrames, frames-pos)
		for k, b := range bufs {
			blocks[k] = make([][]float32, b.Channels())
			for c := range blocks[k] {
				blocks[k][c] = make([]float32, n)
				if pos < b.Frames() {
					copy(blocks[k][c], b.Data[c][pos:min(pos+n, b.Frames())])
				}
			}
		}
		sm.Load(blocks, n, nil)
		sm.addGrams(gs, 0, n)
	}
	return sumGrams(gs)
}

// TestSameFileTwiceIsNoDuplicate: a session may list one file twice (a
// dry and a processed strip); the check called it "identical to itself
// … probably meant to be a different track". A copy under another name
// is still a duplicate.
func TestSameFileTwiceIsNoDuplicate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a := audiotest.WriteWAV(t, dir, "vox.wav", audiotest.PinkNoise(3, 2, 48000, -20), 48000, 24)
	b := audiotest.WriteWAV(t, dir, "keys.wav", audiotest.Sine(48000, 2, 48000, 330, -20, 0), 48000, 24)
	copyOfA := testkit.WriteFile(t, dir, "vox copy.wav", testkit.ReadFile(t, a))
	for _, tc := range []struct {
		paths []string
		dup   bool
	}{{[]string{a, b, a}, false}, {[]string{a, b, copyOfA}, true}} {
		rep, err := Run(context.Background(), FileSources(tc.paths), nil, Options{})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, f := range rep.Findings {
			found = found || f.Code == stemmaster.CodeDuplicate
		}
		if found != tc.dup {
			t.Errorf("%v: duplicate finding %v, want %v (%v)", tc.paths, found, tc.dup, rep.Findings)
		}
	}
}
