package check

import (
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/dsp"
)

// TestStereoPartDeliveredMono: the keys play in stereo in the mix (two
// detuned voices, one per channel) but the stem was exported folded down
// to mono. That is one fault with one fix — export it in stereo — not a
// fader error (the fit's +3 dB is the fold-down's and the pan law's) and
// not a missing stem. A stem really missing beside a mono stem placed as
// master places it is still a missing stem.
func TestStereoPartDeliveredMono(t *testing.T) {
	t.Parallel()
	const rate = testRate
	names, bufs := shortSong()
	const keys = 2
	folded := foldedDown(bufs[keys])
	t.Run("folded down", func(t *testing.T) {
		t.Parallel()
		stems := memSet(names, bufs, rate)
		stems[keys] = memSource(names[keys], folded, pcm24(rate, 1))
		mix := memSource("mix.wav", sumOf(bufs...), pcm24(rate, 2))
		rep := run(t, stems, &mix)
		assertFindings(t, rep, []want{{code: stemmaster.CodeSumMismatch, file: "mix.wav", text: "keys.wav is mono, but in the mix it plays in stereo"}})
	})
	t.Run("folded down, stored as stereo", func(t *testing.T) {
		// The fold-down written to both channels of a stereo file: the
		// same lost image (before, "a stem is probably missing").
		t.Parallel()
		twice := audio.NewBuffer(2, folded.Frames())
		copy(twice.Data[0], folded.Data[0])
		copy(twice.Data[1], folded.Data[0])
		stems := memSet(names, bufs, rate)
		stems[keys] = memSource(names[keys], twice, pcm24(rate, 2))
		mix := memSource("mix.wav", sumOf(bufs...), pcm24(rate, 2))
		rep := run(t, stems, &mix)
		assertFindings(t, rep, []want{{code: stemmaster.CodeSumMismatch, file: "mix.wav", text: "keys.wav is mono (its two channels hold one signal), but in the mix it plays in stereo"}})
	})
	t.Run("placed mono, drums missing", func(t *testing.T) {
		t.Parallel()
		gl, gr := dsp.PanGains(0)
		placed := audio.NewBuffer(2, folded.Frames())
		for i, v := range folded.Data[0] {
			placed.Data[0][i] = float32(gl * float64(v))
			placed.Data[1][i] = float32(gr * float64(v))
		}
		in := append([]*audio.Buffer{}, bufs...)
		in[keys] = placed
		mix := memSource("mix.wav", sumOf(in...), pcm24(rate, 2))
		stems := memSet(names, bufs, rate)
		stems[keys] = memSource(names[keys], folded, pcm24(rate, 1))
		rep := run(t, stems[1:], &mix)
		assertFindings(t, rep, []want{{code: stemmaster.CodeSumMismatch, file: "mix.wav", text: "a stem is probably missing"}})
	})
}
