package check

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/audio"
)

// TestDriftAndEdit: a stem cut by a bar in another arrangement and then
// exported at a slightly wrong rate drifts and is a bar off after the
// cut. Both are reported: the drift on the stem, and the edit, measured
// along the drift's line, in the sum_mismatch naming the stem, where the
// edit starts and its move. Before, the drift was reported alone (the
// edit search waited for no drift). A cut early in the stem reads the same
// way, though most of the stem lies after it: before, it read as the
// stem's opening moved, 2 s early against the drift's line, with bounds
// up to 2 s off.
func TestDriftAndEdit(t *testing.T) {
	t.Parallel()
	fs := franciumFiles(t)
	rate := fs.rate
	bar := 2 * rate // 120 bpm, 4/4
	const stem = "instruments.wav"
	tests := []struct {
		name  string
		cutAt float64 // seconds
		speed float64 // the export's, against the session's
		// ppm is the drift's value (the finding's sign: positive when the
		// stem runs slow)
		ppm float64
	}{
		{name: "a bar cut at 20 s, 100 ppm fast", cutAt: 20, speed: 1.0001, ppm: -100},
		{name: "a bar cut at 28 s, 200 ppm slow", cutAt: 28, speed: 1 / 1.0002, ppm: 200},
		// most of the stem after the cut, the joint fit's window too
		{name: "a bar cut at 10 s, 100 ppm fast", cutAt: 10, speed: 1.0001, ppm: -100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			msg, onStem := fs.checkWith(t, stem, func(b *audio.Buffer) *audio.Buffer {
				s := stretched(cutSpan(b, int(tc.cutAt*float64(rate)), bar), tc.speed)
				out := audio.NewBuffer(s.Channels(), b.Frames())
				for c := range out.Data {
					copy(out.Data[c], s.Data[c])
				}
				return out
			}, nil)
			drift := false
			for _, f := range onStem {
				switch {
				case f.Code == stemmaster.CodeDrift:
					drift = true
					if f.Value == nil || math.Abs(*f.Value-tc.ppm) > 0.1*math.Abs(tc.ppm) {
						t.Errorf("drift %s ppm, want %.0f ± 10 %%", fmtValue(f.Value), tc.ppm)
					}
				case f.Severity != stemmaster.SeverityInfo:
					t.Errorf("unexpected %s on the edited stem: %s", f.Code, f.Message)
				}
			}
			if !drift {
				t.Errorf("no drift on %s", stem)
			}
			_, m := editSaid(t, msg, stem+", its drift corrected, is in step with the mix up to ",
				regexp.MustCompile(`^([0-9.]+) s of the mix, but from there to its end it plays the mix's music ([0-9]+) samples \([0-9.]+ m?s\) early`), tc.cutAt)
			if n, _ := strconv.Atoi(m[2]); absInt(n-bar) > 4 {
				t.Errorf("the edit moves %d samples, want %d ± 4", n, bar)
			}
		})
	}
}

// TestEditStretchesCoverTheSong: the edit search reads every part of a
// stem, whatever its length: any passage of EditMinPassageSeconds holds
// editRun whole stretches, in a 20 s stem as in a 20 min one, and a quiet
// part is passed over without breaking that elsewhere. Before, the search
// read at most 32 stretches, 7.5 s apart in a 240 s song, and a 2-bar
// passage fell between them.
func TestEditStretchesCoverTheSong(t *testing.T) {
	t.Parallel()
	const rate = 48000
	for _, seconds := range []float64{20, 45.3, 240, 1200} {
		frames := int64(seconds * rate)
		blocks := make([]float64, (frames+BlockFrames-1)/BlockFrames)
		for b := range blocks {
			blocks[b] = 1
		}
		// a quiet passage from 10 s to 14 s
		quietFrom, quietTo := int64(10*rate), int64(14*rate)
		for b := quietFrom / BlockFrames; b < quietTo/BlockFrames; b++ {
			blocks[b] = 0
		}
		in := &input{st: &levelStats{frames: frames, blockEnergy: blocks}}
		st := editStretches(in, rate)
		passage := int64(EditMinPassageSeconds * rate)
		for a := int64(0); a+passage <= frames; a += rate / 10 {
			if a+passage > quietFrom && a < quietTo+BlockFrames {
				continue
			}
			whole := 0
			for _, s := range st {
				if s.at >= a && s.at+int64(s.n) <= a+passage {
					whole++
				}
			}
			if whole < editRun {
				t.Errorf("%.0f s stem: the passage from %.1f s holds %d whole stretches, want %d or more", seconds, float64(a)/rate, whole, editRun)
				break
			}
		}
	}
}

// TestStemClippedWhereTheMixIsNot: a stem clipped on export while the mix
// was made from its unclipped track leaves a residual on its flattened
// peaks. The sum_mismatch says the stem was clipped on export, as its
// clipping finding does, not that master-bus processing was left on the
// mix (which it read before, beside the stem's clipping). A mix through a
// clipper still reads as master-bus processing.
func TestStemClippedWhereTheMixIsNot(t *testing.T) {
	t.Parallel()
	fs := franciumFiles(t)
	clip := func(b *audio.Buffer, share float64) *audio.Buffer {
		out := b.Clone()
		var pk float32
		for _, ch := range b.Data {
			for _, v := range ch {
				pk = max(pk, float32(math.Abs(float64(v))))
			}
		}
		lvl := float32(share) * pk
		for _, ch := range out.Data {
			for i, v := range ch {
				ch[i] = min(max(v, -lvl), lvl)
			}
		}
		return out
	}
	tests := []struct {
		name  string
		stem  string  // the stem clipped ("" for none)
		share float64 // the clip level, as a share of its peak
		mix   bool    // the mix clipped instead, at share of its peak
		text  string  // in the sum_mismatch
	}{
		{name: "the drums clipped 6 dB under their peak", stem: "drums.wav", share: 0.5,
			text: "drums.wav was clipped on export, and the mix was made from the unclipped tracks"},
		{name: "the lead vocal clipped 4 dB under its peak", stem: "lead_vocal.wav", share: 0.6,
			text: "lead_vocal.wav was clipped on export, and the mix was made from the unclipped tracks"},
		{name: "the lead vocal clipped 10 dB under its peak", stem: "lead_vocal.wav", share: 0.3,
			text: "lead_vocal.wav was clipped on export, and the mix was made from the unclipped tracks"},
		{name: "the mix through a clipper", mix: true, share: 0.5,
			text: "master-bus processing"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clipIt := func(b *audio.Buffer) *audio.Buffer { return clip(b, tc.share) }
			var clipMix func(*audio.Buffer) *audio.Buffer
			if tc.mix {
				clipMix = clipIt
			}
			msg, onStem := fs.checkWith(t, tc.stem, clipIt, clipMix)
			clipped := slices.ContainsFunc(onStem, func(f stemmaster.Finding) bool { return f.Code == stemmaster.CodeClipping })
			if tc.stem != "" && !clipped {
				t.Errorf("no clipping finding on %s", tc.stem)
			}
			// What the clip took off is no fader error.
			if i := slices.IndexFunc(onStem, func(f stemmaster.Finding) bool { return f.Code == stemmaster.CodeGainMismatch }); i >= 0 {
				t.Errorf("gain_mismatch on the clipped stem: %s", onStem[i].Message)
			}
			if !strings.Contains(msg, tc.text) {
				t.Errorf("sum_mismatch %q does not say %q", msg, tc.text)
			}
			if tc.stem != "" && strings.Contains(msg, "master-bus processing —") {
				t.Errorf("sum_mismatch reads master-bus processing: %q", msg)
			}
		})
	}
}

// TestCopyInPlaceOfAStem: a stem delivered as a copy of another stem, or
// of the mix, is left out of the comparison, and what the others lack is
// the part it was meant to hold: the sum_mismatch says so, not "a dropout
// in lead_vocal.wav" (where the missing fx happen to lie) nor "a stem is
// probably missing" with no name, which it read before.
func TestCopyInPlaceOfAStem(t *testing.T) {
	t.Parallel()
	fs := franciumFiles(t)
	tests := []struct {
		name, stem, from string // the stem replaced by a copy of from
		text             string
	}{
		{name: "the drums exported again as the fx", stem: "fx.wav", from: "drums.wav",
			text: "fx.wav holds the same audio as drums.wav (its duplicate finding) and is left out of the comparison: what the stems lack is probably the part one of the two was meant to hold"},
		{name: "the mix exported as the instruments", stem: "instruments.wav", from: "mix.wav",
			text: "instruments.wav is a copy of the mix (its duplicate finding), left out of the comparison: what the other stems lack is probably the part instruments.wav was meant to hold"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			msg, onStem := fs.checkWith(t, tc.stem, func(*audio.Buffer) *audio.Buffer { return fs.stems[tc.from].Clone() }, nil)
			if !slices.ContainsFunc(onStem, func(f stemmaster.Finding) bool { return f.Code == stemmaster.CodeDuplicate }) {
				t.Errorf("no duplicate finding on %s: %s", tc.stem, describe(onStem))
			}
			if !strings.Contains(msg, tc.text) {
				t.Errorf("sum_mismatch %q does not say %q", msg, tc.text)
			}
		})
	}
}
