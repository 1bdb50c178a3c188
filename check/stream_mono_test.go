package check

import (
	"context"
	"math"
	"slices"
	"testing"

	"stemmaster/internal/audiotest"
)

// TestMonoInPlace: the in-place mono gives mono's bits, in the first
// channel.
func TestMonoInPlace(t *testing.T) {
	for _, nch := range []int{1, 2, 3} {
		chs := make([][]float32, nch)
		for c := range chs {
			chs[c] = make([]float32, 1000)
			for i := range chs[c] {
				chs[c][i] = float32(math.Sin(float64(i*(c+1))*0.37) * 0.7)
			}
		}
		want := append([]float32(nil), mono(chs)...)
		got := monoInPlace(chs)
		if &got[0] != &chs[0][0] {
			t.Fatalf("%d channels: not written over the first channel", nch)
		}
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%d channels, frame %d: %g, mono gives %g", nch, i, got[i], want[i])
			}
		}
	}
}

// TestJointReads: the joint fits' excerpts made from kept chunks are the
// excerpts read directly, bit for bit, wherever they start and end (before
// the file, across chunks, past its end), for a WAV read by seeking, a
// stem at another rate converted from its start, one with a DC taken off
// and one that failed part-way, and with chunks let go and read again.
func TestJointReads(t *testing.T) {
	const rate, frames = 48000, 5*jointChunkFrames + 1234
	dir := t.TempDir()
	stereo := audiotest.PinkNoise(3, 2, frames, -6)
	for i := range stereo.Data[1] {
		stereo.Data[1][i] += 0.01 // a DC, taken off
	}
	wav := FileSource(audiotest.WriteWAV(t, dir, "keys.wav", stereo, rate, 24))
	mono := memSource("bass.wav", audiotest.WhiteNoise(4, 1, frames*441/480, -12), pcm24(44100, 1))
	c := &checker{ctx: context.Background(), rate: rate}
	dcSum := []float64{0, 0}
	for ch, x := range stereo.Data {
		for _, v := range x {
			dcSum[ch] += float64(v)
		}
	}
	ins := []*input{
		{Source: wav, st: &levelStats{frames: frames, dcSum: dcSum}},
		{Source: mono, st: &levelStats{frames: frames, dcSum: []float64{0}}, resampled: true},
		{Source: wav, st: &levelStats{frames: frames, dcSum: dcSum}, partial: true},
	}
	if ins[0].means() == nil {
		t.Fatal("the stereo stem has no DC to take off")
	}
	j := newJointReads()
	j.limit = 3 * 2 * jointChunkFrames * 8 // three stereo chunks
	spans := [][2]int64{
		{-500, 2000}, {-jointChunkFrames - 10, 20}, {0, jointChunkFrames}, {jointChunkFrames - 7, 3 * jointChunkFrames},
		{123, 96064}, {frames - 1000, 5000}, {frames + 10, 100}, {123, 96064}, {2*jointChunkFrames + 5, 40000},
	}
	for _, in := range ins {
		for _, sp := range spans {
			got, err := j.excerpt(c, in, sp[0], int(sp[1]))
			if err != nil {
				t.Fatal(err)
			}
			x, err := c.alignExcerpt(in, sp[0], int(sp[1]))
			if err != nil {
				t.Fatal(err)
			}
			want := float64s(x)
			if sp == [2]int64{123, 96064} && !slices.ContainsFunc(want[0], func(v float64) bool { return v != 0 }) {
				t.Fatalf("%s: silence where the file plays", in.Name)
			}
			if len(got) != len(want) {
				t.Fatalf("%s from %d: %d channels, want %d", in.Name, sp[0], len(got), len(want))
			}
			for ch := range want {
				if !slices.Equal(got[ch], want[ch]) {
					t.Fatalf("%s (partial %v), %d frames from %d, channel %d: not the excerpt read directly", in.Name, in.partial, sp[1], sp[0], ch)
				}
			}
		}
	}
	kept := 0
	for e := j.lru.Front(); e != nil; e = e.Next() {
		kept += len(e.Value.(*jointChunk).ch) * jointChunkFrames * 8
	}
	if kept != j.bytes || kept > j.limit || j.lru.Len() != len(j.byKey) || j.lru.Len() < 3 {
		t.Errorf("%d chunks kept (%d indexed), %d bytes (%d counted): want three or more, at most %d bytes", j.lru.Len(), len(j.byKey), kept, j.bytes, j.limit)
	}
}
