package saturate

import (
	"testing"

	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/internal/dsptest"
	"stemmaster/internal/audiotest"
)

// TestKeyGroup: saturating stems as a group, the key analysed once, gives
// every stem the same bits as saturating each keyed by the sum, for every
// character.
func TestKeyGroup(t *testing.T) {
	stems := []*audio.Buffer{audiotest.PinkNoise(1, 2, 3000, -3), audiotest.Sine(rate, 2, 3000, 110, -2, 0), audiotest.WhiteNoise(2, 2, 3000, -8)}
	for _, char := range []string{CharacterSoft, CharacterWarm, CharacterCubic} {
		dsptest.CheckKeyGroup(t, func() dsp.KeyGroup {
			s := New(Params{DriveDB: 12, OutputDB: -3, Character: char})
			s.Prepare(dsp.Spec{SampleRate: rate, MaxBlockSize: 700, Channels: 2})
			return s
		}, stems, 700)
	}
}
