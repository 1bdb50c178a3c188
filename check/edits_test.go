package check

import (
	"math"
	"regexp"
	"strconv"
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
// cancels it only outside the edit) is no gain finding. Without the search
// for edits, a check reads "5 dB hot" and "a stem is probably missing", or
// "hot" and a lossy codec, or an unnamed click, and the exchanged channels
// "a stem is probably missing".
//
// The song rotated so that its loudest passage (where the joint fit reads
// the lags) comes after the edit: the stem is in step up to the edit for
// most of its length all the same, and reads so, not as offset by the bar
// (an error), hot and missing a stem (the misreading a bar cut at 150 s
// of a 240 s song invites). A stem a bar late over its whole length is
// offset, not edited. A stem whose opening plays a bar late is a bar cut
// where it comes back in step, not "inserted".
// Every bound is found within 0.1 s (probes of a quarter second would put
// them up to 0.25 s off). A stem with its polarity inverted over a
// passage has the polarity_inverted finding over that passage, not its
// channels exchanged there.
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
		// rotate: the whole delivery starts that many seconds into
		// francium, its opening moved to its end (francium's loudest
		// passage, at 7.5 s, then lies at 7.5 s − rotate + 45 s, and the
		// instruments' silence from 38 s at 38 s − rotate)
		rotate int
		// offset: the edit is an offset of the whole stem, reported as
		// such (offset samples late) with no edit
		offset int
		// also: more words the message says
		also string
	}{
		{name: "two bars played a bar late", start: 20, move: "late",
			text: "instruments.wav is in step with the mix except from ",
			edit: func(b *audio.Buffer) *audio.Buffer { return audiotest.Shifted(b, at, at+2*bar, bar) }},
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
		{name: "the polarity inverted from 20 s to 26 s", start: 20, inverted: true,
			text: "instruments.wav has its polarity inverted against the mix from ",
			edit: func(b *audio.Buffer) *audio.Buffer {
				out := b.Clone()
				for _, ch := range out.Data {
					for i := 20 * rate; i < 26*rate; i++ {
						ch[i] = -ch[i]
					}
				}
				return out
			}},
		{name: "a bar of silence inserted", start: 20, move: "late",
			text: "instruments.wav is in step with the mix up to ",
			edit: func(b *audio.Buffer) *audio.Buffer {
				out := audiotest.Shifted(b, at, b.Frames(), bar)
				for _, ch := range out.Data {
					clear(ch[at : at+bar])
				}
				return out
			}},
		{name: "the opening played a bar late", start: 10, also: "a bar or more cut out of it there, or its opening moved",
			text: "instruments.wav plays the mix's music 96000 samples (2.00 s) late from its start to ",
			edit: func(b *audio.Buffer) *audio.Buffer { return audiotest.Shifted(b, 0, 10*rate, bar) }},
		{name: "a bar cut at 25 s, the loudest passage after it", start: 25, move: "early", rotate: 10,
			text: "instruments.wav is in step with the mix up to ",
			edit: func(b *audio.Buffer) *audio.Buffer { return cutSpan(b, 25*rate, bar) }},
		{name: "a bar inserted at 24 s, the loudest passage after it", start: 24, move: "late", rotate: 10,
			text: "instruments.wav is in step with the mix up to ",
			edit: func(b *audio.Buffer) *audio.Buffer { return audiotest.Shifted(b, 24*rate, b.Frames(), bar) }},
		{name: "the whole stem a bar late", offset: bar, rotate: 10,
			edit: func(b *audio.Buffer) *audio.Buffer { return delayed(b, bar) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			set := fs
			if tc.rotate > 0 {
				set = fs.rotated(tc.rotate * rate)
			}
			msg, onStem := set.checkWith(t, stem, tc.edit, nil)
			inverted, offset := false, false
			for _, f := range onStem {
				switch {
				case f.Code == stemmaster.CodePolarityInverted && tc.inverted:
					inverted = true
					if strings.Contains(f.Message, " only") && strings.Contains(f.Fix, "set polarity") {
						t.Errorf("a passage's polarity flip names the session's polarity: %s", f.Fix)
					}
				case f.Code == stemmaster.CodeOffset && tc.offset != 0:
					offset = f.Value != nil && *f.Value == float64(tc.offset)
					if !offset {
						t.Errorf("offset %s, want %d", fmtValue(f.Value), tc.offset)
					}
				case f.Severity != stemmaster.SeverityInfo:
					t.Errorf("unexpected %s on the edited stem: %s", f.Code, f.Message)
				}
			}
			if inverted != tc.inverted {
				t.Errorf("polarity_inverted on %s: %v, want %v", stem, inverted, tc.inverted)
			}
			if tc.offset != 0 {
				if !offset {
					t.Errorf("no offset of %d samples on %s", tc.offset, stem)
				}
				if strings.Contains(msg, "an edit") {
					t.Errorf("an offset stem reads as an edit: %s", msg)
				}
				return
			}
			rest, m := editSaid(t, msg, tc.text, regexp.MustCompile(`^([0-9.]+) s`), tc.start)
			if move := "96000 samples (2.00 s) " + tc.move; tc.move != "" && !strings.Contains(rest, move) {
				t.Errorf("the edit's move is not %q: %s", move, rest)
			}
			if !strings.Contains(rest, tc.also) {
				t.Errorf("the edit is not %q: %s", tc.also, rest)
			}
			// francium's instruments play on both sides of every edit
			// here: the bound is found to editResolutionSeconds, within
			// the stem's pause between two notes
			if s, _ := strconv.ParseFloat(m[1], 64); math.Abs(s-tc.start) > 0.1 {
				t.Errorf("the edit starts at %.2f s, want %.2f s ± 0.1 s", s, tc.start)
			}
		})
	}
}

// TestQuietStemFlippedOverAPassage: a stem quiet in the mix with its
// polarity inverted over a passage correlates with the mix there at a
// fraction of the share a loud one does (francium's drums 0.08–0.14, its
// backing vocals 0.06–0.37), its own correlation inverted: the passage has
// the polarity_inverted finding, not none (the drums read nothing before)
// nor its channels exchanged (the backing vocals read both before). The
// drums are silent from 15 s to 30 s, so their flip may start anywhere in
// that silence.
func TestQuietStemFlippedOverAPassage(t *testing.T) {
	t.Parallel()
	fs := franciumFiles(t)
	rate := fs.rate
	tests := []struct {
		stem             string
		from, to         int     // the passage flipped, seconds
		startLo, startHi float64 // where the finding may say it starts
	}{
		{stem: "backing_vocals.wav", from: 8, to: 14, startLo: 7.9, startHi: 8.1},
		{stem: "drums.wav", from: 30, to: 36, startLo: 14.9, startHi: 30.1},
	}
	re := regexp.MustCompile(`polarity inverted against the mix from ([0-9.]+) s to ([0-9.]+) s of the mix only`)
	for _, tc := range tests {
		t.Run(tc.stem, func(t *testing.T) {
			t.Parallel()
			flip := func(b *audio.Buffer) *audio.Buffer {
				out := b.Clone()
				for _, ch := range out.Data {
					for i := tc.from * rate; i < tc.to*rate; i++ {
						ch[i] = -ch[i]
					}
				}
				return out
			}
			msg, onStem := fs.checkWith(t, tc.stem, flip, nil)
			var m []string
			for _, f := range onStem {
				if f.Code == stemmaster.CodePolarityInverted {
					m = re.FindStringSubmatch(f.Message)
				}
			}
			if m == nil {
				t.Fatalf("no polarity_inverted over a passage on %s: %s", tc.stem, describe(onStem))
			}
			from, _ := strconv.ParseFloat(m[1], 64)
			to, _ := strconv.ParseFloat(m[2], 64)
			if from < tc.startLo || from > tc.startHi || math.Abs(to-float64(tc.to)) > 0.1 {
				t.Errorf("the flip reads from %.2f s to %.2f s, want from %.1f–%.1f s to %d s ± 0.1 s", from, to, tc.startLo, tc.startHi, tc.to)
			}
			if strings.Contains(msg, "channels exchanged") {
				t.Errorf("the flip reads as channels exchanged: %s", msg)
			}
		})
	}
}
