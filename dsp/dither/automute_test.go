package dither

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/internal/audiotest"
)

// hold48k is DefaultAutoMute (10 ms) at 48 kHz, in frames.
const hold48k = 480

// processBlocks runs src (cloned) through d in consecutive blocks of the
// given sizes (the last one repeated until the end).
func processBlocks(d *Ditherer, src *audio.Buffer, sizes []int) *audio.Buffer {
	out := src.Clone()
	for off, k := 0, 0; off < out.Frames(); k++ {
		end := min(off+sizes[min(k, len(sizes)-1)], out.Frames())
		d.Process(audiotest.View(out, off, end))
		off = end
	}
	return out
}

// setHold sets the prepared d's auto-mute hold to frames (0: off) and
// restarts the silence count as Reset does, without touching the noise:
// the tests compare with dither that is never muted, and hold a few
// frames where the default's 480 would make long inputs.
func setHold(d *Ditherer, frames int) {
	d.hold, d.zeroRun = frames, frames
}

// withMute returns a prepared 16-bit, 48 kHz ditherer with the auto-mute
// hold set to frames (< 0: left at the default).
func withMute(t testing.TB, seed uint64, shaping bool, channels, frames int) *Ditherer {
	t.Helper()
	d := prepared(t, 16, seed, shaping, 48000, channels)
	if frames >= 0 {
		setHold(d, frames)
	}
	return d
}

func TestAutoMuteHold(t *testing.T) {
	t.Parallel()
	// Expected holds: 10 ms × rate, rounded.
	for _, tc := range []struct {
		rate float64
		want int
	}{{44100, 441}, {48000, hold48k}, {96000, 960}} {
		d, err := New(16, 1, false)
		if err != nil {
			t.Fatal(err)
		}
		d.Prepare(dsp.Spec{SampleRate: tc.rate, MaxBlockSize: 512, Channels: 2})
		if d.hold != tc.want {
			t.Errorf("%g Hz: hold of %d frames, want %d", tc.rate, d.hold, tc.want)
		}
	}
}

// zeros returns a channels × frames buffer of digital silence.
func zeros(channels, frames int) *audio.Buffer { return audiotest.Silence(channels, frames) }

// checkZero fails unless out is +0.0 on every channel over [from, to).
func checkZero(t *testing.T, out *audio.Buffer, from, to int) {
	t.Helper()
	for c, ch := range out.Data {
		for i := from; i < to; i++ {
			if ch[i] != 0 || math.Signbit(float64(ch[i])) {
				t.Fatalf("channel %d frame %d = %g, want exact +0 (muted %d…%d)", c, i, ch[i], from, to)
			}
		}
	}
}

// nonZero counts the non-zero samples of out over [from, to).
func nonZero(out *audio.Buffer, from, to int) int {
	n := 0
	for _, ch := range out.Data {
		for _, v := range ch[from:to] {
			if v != 0 {
				n++
			}
		}
	}
	return n
}

// Digital silence comes out as exact zeros: leading silence from frame 0,
// silence after the music once the hold has passed. During the hold the
// silence is still dithered: TPDF dither on a zero input gives a non-zero
// code with probability ¼ (|d| > ½ LSB), so the 479 held frames on two
// channels show hundreds of non-zero samples, and auto-mute off shows them
// all through (the check can fail).
func TestSilenceMutes(t *testing.T) {
	t.Parallel()
	const lead, music, tail = 3 * hold48k, 5000, 3 * hold48k
	const minNoisy = 100 // of 2 × 479 held samples, ¼ expected non-zero: 240 ± 13
	src := audiotest.Concat(zeros(2, lead), audiotest.GaussianNoise(3, 2, music, -40), zeros(2, tail))
	tailStart := lead + music
	for _, shaping := range []bool{false, true} {
		out := quantise(withMute(t, 21, shaping, 2, -1), src)
		checkZero(t, out, 0, lead)
		if n := nonZero(out, tailStart, tailStart+hold48k-1); n < minNoisy {
			t.Errorf("shaping=%v: only %d non-zero samples during the hold", shaping, n)
		}
		checkZero(t, out, tailStart+hold48k-1, src.Frames())

		off := quantise(withMute(t, 21, shaping, 2, 0), src)
		if n := nonZero(off, 0, lead); n < minNoisy {
			t.Errorf("shaping=%v, auto-mute off: leading silence has only %d non-zero samples", shaping, n)
		}
	}
}

// −0.0 is digital silence too, and comes out as +0.
func TestNegativeZeroMutes(t *testing.T) {
	t.Parallel()
	src := zeros(2, 2*hold48k)
	for c := range src.Data {
		for i := range src.Data[c] {
			src.Data[c][i] = float32(math.Copysign(0, -1))
		}
	}
	checkZero(t, quantise(withMute(t, 1, true, 2, -1), src), 0, src.Frames())
}

// Flat dither has no state but the PCG stream, which advances one draw per
// frame whether muted or not: outside the muted frames the output equals
// auto-mute-off output bit for bit. The cases place digital-zero gaps in
// the music: shorter than the hold (dithered throughout), exactly the hold
// (only its last frame muted), longer, and silent on one channel only
// (never muted: silence means every channel).
func TestMuteOnlyWhereSilent(t *testing.T) {
	t.Parallel()
	const music = 3000
	tests := []struct {
		name     string
		gap      int
		oneCh    bool // the gap is silent on channel 0 only
		wantMute int  // muted frames expected: gap − hold + 1 when gap ≥ hold
	}{
		{"gap of 1 frame", 1, false, 0},
		{"gap one short of the hold", hold48k - 1, false, 0},
		{"gap of exactly the hold", hold48k, false, 1},
		{"gap of 3 holds", 3 * hold48k, false, 2*hold48k + 1},
		{"one channel silent for 3 holds", 3 * hold48k, true, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gap := zeros(2, tc.gap)
			if tc.oneCh {
				gap = audiotest.GaussianNoise(9, 2, tc.gap, -40)
				clear(gap.Data[0])
			}
			src := audiotest.Concat(audiotest.GaussianNoise(7, 2, music, -40), gap, audiotest.GaussianNoise(8, 2, music, -40))
			on := quantise(withMute(t, 4, false, 2, -1), src)
			off := quantise(withMute(t, 4, false, 2, 0), src)
			muted := 0
			for i := range src.Frames() {
				if on.Data[0][i] == off.Data[0][i] && on.Data[1][i] == off.Data[1][i] {
					continue
				}
				if i < music+hold48k-1 || i >= music+tc.gap {
					t.Fatalf("frame %d differs from unmuted dither outside a muted stretch", i)
				}
				muted++
			}
			// Muted frames whose unmuted dither happened to round to 0 on
			// both channels (probability (¾)² each) do not differ: count
			// exact zeros over the expected stretch instead.
			from := music + hold48k - 1
			if tc.wantMute > 0 {
				checkZero(t, on, from, from+tc.wantMute)
			}
			if muted > tc.wantMute {
				t.Errorf("%d frames muted, want %d", muted, tc.wantMute)
			}
			if tc.wantMute == 0 && muted != 0 {
				t.Errorf("%d frames muted in a gap that must be dithered", muted)
			}
		})
	}
}

// The first sample after a muted silence starts from a clean shaping loop:
// the output after the silence does not depend on the music before it.
// Without the reset the shaped error history (up to 1.5 LSB on 9 taps)
// would carry over.
func TestShapingRestartsCleanAfterSilence(t *testing.T) {
	t.Parallel()
	const music, gap = 4000, 2 * hold48k
	after := audiotest.GaussianNoise(12, 2, music, -40)
	a := audiotest.Concat(audiotest.GaussianNoise(10, 2, music, -40), zeros(2, gap), after)
	b := audiotest.Concat(audiotest.GaussianNoise(11, 2, music, -20), zeros(2, gap), after)
	for _, mute := range []int{-1, 0} {
		oa := quantise(withMute(t, 6, true, 2, mute), a)
		ob := quantise(withMute(t, 6, true, 2, mute), b)
		same := true
		for c := range oa.Data {
			for i := music + gap; i < a.Frames(); i++ {
				same = same && oa.Data[c][i] == ob.Data[c][i]
			}
		}
		if mute != 0 && !same {
			t.Error("auto-mute on: the output after the silence depends on the music before it")
		}
		if mute == 0 && same {
			t.Error("auto-mute off: the output after the silence is independent of the past; the test is blind")
		}
	}
}

// A −100 dBFS sine (a third of an LSB, never exactly zero but at frame 0,
// phase 0) is dithered exactly as without auto-mute from frame 1 on; frame
// 0 is leading silence. TestDitherRemovesTruncationHarmonics runs with the
// default auto-mute on.
func TestQuietSineStillDithered(t *testing.T) {
	t.Parallel()
	src := audiotest.Sine(48000, 1, 48000, 1000, -100, 0)
	on := quantise(withMute(t, 42, false, 1, -1), src)
	off := quantise(withMute(t, 42, false, 1, 0), src)
	if on.Data[0][0] != 0 {
		t.Errorf("frame 0 (an exact zero) = %g, want muted", on.Data[0][0])
	}
	for i := 1; i < src.Frames(); i++ {
		if on.Data[0][i] != off.Data[0][i] {
			t.Fatalf("frame %d: %g with auto-mute, %g without", i, on.Data[0][i], off.Data[0][i])
		}
	}
	if n := nonZero(on, 0, src.Frames()); n < src.Frames()/10 {
		t.Errorf("only %d of %d samples non-zero: the sine is being muted", n, src.Frames())
	}
}

// The mute decision and the noise are carried across blocks: random block
// sizes (1 frame to 2 holds, so holds and gaps straddle block edges) give
// output bit-identical to one block.
func TestAutoMuteBlockIndependence(t *testing.T) {
	t.Parallel()
	src := audiotest.Concat(
		zeros(2, hold48k+17),
		audiotest.GaussianNoise(1, 2, 2000, -40),
		zeros(2, hold48k-1), // dithered gap
		audiotest.GaussianNoise(2, 2, 1500, -60),
		zeros(2, 3*hold48k+5), // muted gap
		audiotest.Sine(48000, 2, 3000, 440, -100, 0),
		zeros(2, 2*hold48k), // tail
	)
	rng := rand.New(rand.NewPCG(99, 1))
	for _, shaping := range []bool{false, true} {
		for _, mute := range []int{-1, 0, 7} {
			whole := processBlocks(withMute(t, 13, shaping, 2, mute), src, []int{src.Frames()})
			for trial := range 5 {
				sizes := make([]int, 0, 64)
				for n := 0; n < src.Frames(); {
					k := 1 + rng.IntN(2*hold48k)
					if rng.IntN(4) == 0 {
						k = 1 + rng.IntN(3)
					}
					sizes = append(sizes, k)
					n += k
				}
				got := processBlocks(withMute(t, 13, shaping, 2, mute), src, sizes)
				audiotest.SameSamples(t, got, whole, fmt.Sprintf("shaping=%v mute=%d trial %d: one block", shaping, mute, trial))
			}
		}
	}
}

func TestProcessMutingDoesNotAllocate(t *testing.T) {
	d := withMute(t, 1, true, 2, 64)
	src := audiotest.Concat(audiotest.WhiteNoise(1, 2, 200, -6), zeros(2, 200), audiotest.WhiteNoise(2, 2, 112, -6))
	buf := src.Clone()
	if a := testing.AllocsPerRun(100, func() {
		copy(buf.Data[0], src.Data[0])
		copy(buf.Data[1], src.Data[1])
		d.Process(buf)
	}); a != 0 {
		t.Errorf("Process allocates %.1f times per block", a)
	}
}
