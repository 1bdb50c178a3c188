package check

import (
	"regexp"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/internal/audiotest"
)

// TestEditInOneStem: a stem from another arrangement of the song — a
// passage moved by a bar, a bar cut and the rest moved up, a bar inserted
// and the rest moved on — is in step with the mix up to the edit and a
// bar off after it; one with its channels exchanged over part of the song
// is as the mix has it elsewhere. The one sum_mismatch names the stem,
// where the edit starts and the move; the stem's fitted gain (the fit
// cancels it only outside the edit) is no gain finding. Before the edits
// were searched, the check read "5 dB hot" and "a stem is probably
// missing", or "hot" and a lossy codec, or an unnamed click, and the
// exchanged channels "a stem is probably missing".
func TestEditInOneStem(t *testing.T) {
	t.Parallel()
	fs := franciumFiles(t)
	rate := fs.rate
	bar := 2 * rate // 120 bpm, 4/4
	at := 20 * rate
	const stem = "instruments.wav"
	cutBar := func(b *audio.Buffer) *audio.Buffer { return cutSpan(b, at, bar) }
	tests := []struct {
		name string
		edit func(b *audio.Buffer) *audio.Buffer
		// the message's words and the edit's start in the mix, seconds
		text  string
		start float64
		// inverted: the stem's polarity is inverted too, which is
		// reported (and no exchanged channels read into it)
		inverted bool
		// move: the edit's direction the message names ("" for none)
		move string
	}{
		{name: "two bars played a bar late", start: 20, move: "late",
			text: "instruments.wav is in step with the mix except from ",
			edit: func(b *audio.Buffer) *audio.Buffer {
				out := b.Clone()
				for c := range out.Data {
					copy(out.Data[c][at:at+2*bar], b.Data[c][at-bar:at+bar])
				}
				return out
			}},
		{name: "a bar cut", start: 20, move: "early",
			text: "instruments.wav is in step with the mix up to ",
			edit: cutBar},
		{name: "channels exchanged from 15 s to 30 s", start: 15,
			text: "instruments.wav has its left and right channels exchanged against the mix from ",
			edit: func(b *audio.Buffer) *audio.Buffer {
				out := b.Clone()
				copy(out.Data[0][15*rate:30*rate], b.Data[1][15*rate:30*rate])
				copy(out.Data[1][15*rate:30*rate], b.Data[0][15*rate:30*rate])
				return out
			}},
		{name: "a bar cut, the polarity inverted", start: 20, inverted: true, move: "early",
			text: "instruments.wav is in step with the mix up to ",
			edit: func(b *audio.Buffer) *audio.Buffer {
				out := cutBar(b)
				audiotest.Scale(out, -1)
				return out
			}},
		{name: "a bar of silence inserted", start: 20, move: "late",
			text: "instruments.wav is in step with the mix up to ",
			edit: func(b *audio.Buffer) *audio.Buffer {
				out := audio.NewBuffer(b.Channels(), b.Frames())
				for c := range out.Data {
					copy(out.Data[c], b.Data[c][:at])
					copy(out.Data[c][at+bar:], b.Data[c][at:])
				}
				return out
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			msg, onStem := fs.checkWith(t, stem, tc.edit, nil)
			inverted := false
			for _, f := range onStem {
				switch {
				case f.Code == stemmaster.CodePolarityInverted && tc.inverted:
					inverted = true
				case f.Severity != stemmaster.SeverityInfo:
					t.Errorf("unexpected %s on the edited stem: %s", f.Code, f.Message)
				}
			}
			if inverted != tc.inverted {
				t.Errorf("polarity_inverted on %s: %v, want %v", stem, inverted, tc.inverted)
			}
			rest, _ := editSaid(t, msg, tc.text, regexp.MustCompile(`^([0-9.]+) s`), tc.start)
			if move := "96000 samples (2000.0 ms) " + tc.move; tc.move != "" && !strings.Contains(rest, move) {
				t.Errorf("the edit's move is not %q: %s", move, rest)
			}
		})
	}
}
