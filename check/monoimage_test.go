package check

import (
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/audio"
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
	// The fold-down written to both channels of a stereo file is the same
	// lost image (not "a stem is probably missing").
	twice := audio.NewBuffer(2, folded.Frames())
	copy(twice.Data[0], folded.Data[0])
	copy(twice.Data[1], folded.Data[0])
	for _, tc := range []struct {
		name string
		stem *audio.Buffer
		text string
	}{
		{"folded down", folded, "keys.wav is mono, but in the mix it plays in stereo"},
		{"folded down, stored as stereo", twice, "keys.wav is mono (its two channels hold one signal), but in the mix it plays in stereo"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			stems := memSet(names, bufs, rate)
			stems[keys] = memSource(names[keys], tc.stem, pcm24(rate, tc.stem.Channels()))
			rep := run(t, stems, mixOf(bufs...))
			assertFindings(t, rep, []want{{code: stemmaster.CodeSumMismatch, file: "mix.wav", text: tc.text}})
			// Its layout's info finding agrees: the mono export is the fault.
			for _, f := range rep.Findings {
				if f.File == names[keys] && (strings.Contains(f.Message, "fine") || strings.Contains(f.Fix, "fine")) {
					t.Errorf("%s calls the mono export fine beside the lost stereo image: %s (%s)", f.Code, f.Message, f.Fix)
				}
			}
		})
	}
	t.Run("placed mono, drums missing", func(t *testing.T) {
		t.Parallel()
		in := append([]*audio.Buffer{}, bufs...)
		in[keys] = centred(folded)
		mix := mixOf(in...)
		stems := memSet(names, bufs, rate)
		stems[keys] = memSource(names[keys], folded, pcm24(rate, 1))
		rep := run(t, stems[1:], mix)
		assertFindings(t, rep, []want{{code: stemmaster.CodeSumMismatch, file: "mix.wav", text: "a stem is probably missing"}})
	})
}

// TestMonoStemSummedAsMasterPlacesIt: a mono stem is summed at the −3 dB
// centre of the constant-power pan law, as the engine renders it
// (dsp.PanGains(0) = √½ per channel). A mix made that way nulls with no
// finding. Summed at unity, a mono stem would pass a mix whose mono vocal
// is 3 dB louder than master renders it, and its gain_db fixes would be
// 3 dB off.
func TestMonoStemSummedAsMasterPlacesIt(t *testing.T) {
	t.Parallel()
	const rate = testRate
	names, bufs := shortSong()
	mono := foldedDown(bufs[0])
	bufs[0] = mono
	// The mix as master places the mono stem.
	mix := mixOf(append([]*audio.Buffer{centred(mono)}, bufs[1:]...)...)
	stems := memSet(names, bufs, rate)
	rep := run(t, stems, mix)
	assertFindings(t, rep, []want{{code: stemmaster.CodeChannelMismatch, file: names[0], text: "−3 dB"}})
	// 24-bit stems and mix null to their quantisation, far below −100 dB.
	const nullDB = -100
	if rep.Mix == nil || !(float64(rep.Mix.NullResidualDB) < nullDB) {
		t.Errorf("mix report %+v: the stems as delivered should null below %d dB", rep.Mix, nullDB)
	}
}
