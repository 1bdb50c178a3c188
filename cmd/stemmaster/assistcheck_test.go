package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"testing"

	"stemmaster"
	"stemmaster/analysis"
	"stemmaster/assist"
	"stemmaster/audio"
	"stemmaster/internal/audiotest"
	"stemmaster/internal/demosong"
)

// lateDrums writes demosong.LateDelivery with the drums late in dir.
func lateDrums(t *testing.T, dir string, lag int, half bool) (stems []string, mix string) {
	t.Helper()
	ss, m := demosong.LateDelivery(48000, "drums.wav", lag, half)
	for _, s := range ss {
		stems = append(stems, audiotest.WriteWAV(t, dir, s.Name, s.Buf, 48000, 24))
	}
	return stems, audiotest.WriteWAV(t, dir, "mix.wav", m, 48000, 24)
}

// The offset of a late stem is one fact with one measurement: `check
// --json` names it (its fix, read through analysis.Resolve) and `assist`
// proposes that offset_samples, for a lag of one frame, of 100, of 4800,
// and for one between two whole frames, where two measurements could
// round apart. (The server's suggest reads the same check:
// server.TestSuggestOffsetIsTheCheck.)
func TestAssistOffsetIsTheCheck(t *testing.T) {
	t.Parallel()
	for _, tc := range demosong.LateCases {
		t.Run(tc.String(), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			stems, mix := lateDrums(t, dir, tc.Lag, tc.Half)
			_, stdout, stderr := runCLI(append([]string{"check", "--json", "--mix", mix}, stems...)...)
			var rep stemmaster.CheckReport
			if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
				t.Fatalf("check --json: %v\n%s", err, stderr)
			}
			code, stdout, stderr := runCLI(append([]string{"assist", "--json", "--budget-s", "0", "--mix", mix, "-o", filepath.Join(dir, "s.yaml")}, stems...)...)
			if code != exitOK {
				t.Fatalf("assist: exit %d: %s", code, stderr)
			}
			var p assist.Proposal
			if err := json.Unmarshal([]byte(stdout), &p); err != nil {
				t.Fatalf("assist --json: %v", err)
			}
			for _, st := range p.Session.Stems {
				var checked int64
				for _, r := range analysis.Resolve(rep.Findings, p.Session, false) {
					if c := r.Correction; c != nil && c.Field == "offset_samples" && c.File == filepath.Base(st.File) {
						checked = int64(c.Value)
					}
				}
				undone := checked == 0
				if filepath.Base(st.File) == "drums.wav" {
					undone = tc.Undoes(checked)
				}
				t.Logf("%s: check %d, assist %d", st.File, checked, st.OffsetSamples)
				if st.OffsetSamples != checked || !undone {
					t.Errorf("%s: assist proposes offset_samples %d, the check names %d, which does not undo the drums' lag (%v)", st.File, st.OffsetSamples, checked, tc)
				}
			}
		})
	}
}

// The balance move by norms is one figure: the advice of `check` (which
// `master` and the server print) quotes the level and the move `assist`
// makes (the server's suggest runs the same check and proposal), on the
// deliveries where two measures of a family would differ most: drums that
// play only the first 1.2 s of 4 (loud against the whole sum, whose gate
// takes in the instruments alone) beside a silent lead vocal (no part of
// the balance), and a family of two stems 6 dB hot that play together (a
// double-tracked backing vocal: summed as they play, 2.3 dB louder than
// the power sum of each stem's loudness says).
func TestAdviceMoveIsTheAssistant(t *testing.T) {
	t.Parallel()
	const rate, n, on = 48000, 4 * 48000, 48000 * 12 / 10
	for _, tc := range []struct {
		name, family, words string // the family out of range, and how the advice and the proposal name it
		stems               []audiotest.NamedBuffer
	}{
		{"a lead vocal in part of the song", "lead vocal", "the lead vocal is", []audiotest.NamedBuffer{
			{Name: "lead_vocal.wav", Buf: audiotest.Concat(audiotest.PinkNoise(1, 2, on, -6), audiotest.Silence(2, n-on))},
			{Name: "drums.wav", Buf: audiotest.Silence(2, n)},
			{Name: "instruments.wav", Buf: audiotest.PinkNoise(2, 2, n, -20)},
		}},
		{"a double-tracked backing vocal 6 dB hot", "backing vocals", "the backing vocals are", audiotest.HotDouble(n)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep, p := adviceAndProposal(t, tc.stems)
			// The advice's figure, its move in words and as data.
			var level, advised string
			var detail, detailLevel *float64
			for i, r := range rep.Advice.Reasons {
				if m := regexp.MustCompile(`^` + tc.words + ` ([+-]?[0-9.]+) LU against .* would move it ([+-][0-9.]+) dB`).FindStringSubmatch(r); m != nil {
					level, advised = m[1], m[2]
					detail, detailLevel = rep.Advice.Details[i].GainDB, rep.Advice.Details[i].RelativeLU
				}
			}
			var sits, moved []string
			for _, d := range p.Decisions {
				if m := regexp.MustCompile(`^the ` + tc.family + ` sits? ([+-]?[0-9.]+) LU against .* modern norms give (it|them): ([+-][0-9.]+) dB`).FindStringSubmatch(d.Reason); m != nil && d.Kind == "balance" {
					sits, moved = append(sits, m[1]), append(moved, m[3])
				}
			}
			t.Logf("advice %s LU, %s dB; assistant %v LU, %v dB; advice: %q", level, advised, sits, moved, rep.Advice.Reasons)
			if advised == "" || len(moved) == 0 {
				t.Fatalf("the advice quotes a move of %q dB for the %s, the assistant makes %q", advised, tc.family, moved)
			}
			for i := range moved {
				if moved[i] != advised || sits[i] != level {
					t.Errorf("the advice: the %s at %s LU, moved %s dB; the assistant: at %s LU, moved %s dB", tc.family, level, advised, sits[i], moved[i])
				}
			}
			if detail == nil || fmt.Sprintf("%+.1f", *detail) != advised || detailLevel == nil || fmt.Sprintf("%.1f", *detailLevel) != level {
				t.Errorf("the advice's detail: the %s at %v LU, moved %v dB; its words %s LU, %s dB", tc.family, detailLevel, detail, level, advised)
			}
		})
	}
}

// Where the advice and the assistant read a family's balance two ways,
// the assistant says which is which: the check's advice reads the whole
// song by the modern norms, the proposal its excerpt under --budget-s and
// the norms of the family it reads from the sum's tone. On a delivery
// whose sum is bass-heavy, and one whose lead vocal is loud only in the
// middle of the song that a budget keeps, every family the advice quotes
// is either quoted alike by the proposal or its balance reason gives the
// advice's figures, word for word, with why they differ.
func TestAdviceQuoteWhichIsWhich(t *testing.T) {
	t.Parallel()
	const rate = 48000
	for _, tc := range []struct {
		name   string
		stems  []audiotest.NamedBuffer
		args   []string
		family assist.Family
		why    string
	}{
		{"a bass-heavy sum", []audiotest.NamedBuffer{
			{Name: "bass.wav", Buf: subBass(rate, 6*rate)},
			{Name: "drums.wav", Buf: audiotest.PinkNoise(3, 2, 6*rate, -12)},
			{Name: "instruments.wav", Buf: audiotest.PinkNoise(4, 2, 6*rate, -12)},
			{Name: "lead_vocal.wav", Buf: audiotest.PinkNoise(5, 2, 6*rate, -36)},
		}, []string{"--budget-s", "0"}, assist.FamilyBassHeavy, "it quotes the modern norms, the proposal the bass_heavy ones"},
		{"a lead vocal loud in the middle only", []audiotest.NamedBuffer{
			{Name: "drums.wav", Buf: audiotest.PinkNoise(3, 2, 30*rate, -12)},
			{Name: "instruments.wav", Buf: audiotest.Concat(audiotest.PinkNoise(4, 2, 10*rate, -40), audiotest.PinkNoise(5, 2, 10*rate, -6), audiotest.PinkNoise(6, 2, 10*rate, -40))},
			{Name: "lead_vocal.wav", Buf: audiotest.PinkNoise(7, 2, 30*rate, -20)},
		}, []string{"--budget-s", "30", "--family", "modern"}, assist.FamilyModern, "it reads the whole song, the proposal 10.0 s of it from 10.0 s on"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep, p := adviceAndProposal(t, tc.stems, tc.args...)
			if p.Family != tc.family {
				t.Fatalf("the proposal reads %s, want %s: %s", p.Family, tc.family, p.FamilyReason)
			}
			differ := 0
			for _, d := range rep.Advice.Details {
				if d.Kind != stemmaster.ReasonFamily || d.GainDB == nil || d.RelativeLU == nil {
					continue
				}
				var why string
				for _, dec := range p.Decisions {
					if dec.Kind == "balance" && dec.File == string(d.Role)+".wav" {
						why = dec.Reason
					}
				}
				m := regexp.MustCompile(`sits? ([+-]?[0-9.]+) LU against .* norms give (it|them): ([+-][0-9.]+) dB`).FindStringSubmatch(why)
				if m == nil {
					t.Errorf("the %s: no balance by norms in the proposal: %q", d.Role, why)
					continue
				}
				advice := fmt.Sprintf("%.1f LU and %+.1f dB", *d.RelativeLU, *d.GainDB)
				t.Logf("the %s: the advice %s; the proposal %s LU and %s dB: %s", d.Role, advice, m[1], m[3], why)
				if m[1]+" LU and "+m[3]+" dB" == advice {
					continue
				}
				differ++
				if !regexp.MustCompile(`the check's advice says ` + regexp.QuoteMeta(advice) + `: .*` + regexp.QuoteMeta(tc.why)).MatchString(why) {
					t.Errorf("the %s: the advice says %s, the proposal otherwise, and its reason does not give the advice's figures and why (%q): %q", d.Role, advice, tc.why, why)
				}
			}
			if differ == 0 {
				t.Errorf("no family the advice quotes reads otherwise in the proposal: the delivery does not try what it is for (%q)", rep.Advice.Reasons)
			}
		})
	}
}

// subBass is a bass holding the sub-bass's third-octave bands (a line in
// each from 25 to 63 Hz), which the sum's broad tone reads as a
// bass-heavy tilt where one line is a boom.
func subBass(rate, n int) *audio.Buffer {
	b := audiotest.Silence(2, n)
	for _, f := range []float64{25, 31.5, 40, 50, 63} {
		audiotest.Add(b, audiotest.Sine(float64(rate), 2, n, f, -12, 0))
	}
	return b
}

// adviceAndProposal writes the stems as 24-bit WAVs and runs `check
// --json` and `assist --json` (with args) on them: the advice and the
// proposal the musician gets for one delivery.
func adviceAndProposal(t *testing.T, named []audiotest.NamedBuffer, args ...string) (stemmaster.CheckReport, assist.Proposal) {
	t.Helper()
	dir := t.TempDir()
	var stems []string
	for _, s := range named {
		stems = append(stems, audiotest.WriteWAV(t, dir, s.Name, s.Buf, 48000, 24))
	}
	_, stdout, stderr := runCLI(append([]string{"check", "--json"}, stems...)...)
	var rep stemmaster.CheckReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || rep.Advice == nil {
		t.Fatalf("check --json: %v\n%s", err, stderr)
	}
	code, stdout, stderr := runCLI(append(append([]string{"assist", "--json", "-o", filepath.Join(dir, "s.yaml")}, args...), stems...)...)
	if code != exitOK {
		t.Fatalf("assist: exit %d: %s", code, stderr)
	}
	var p assist.Proposal
	if err := json.Unmarshal([]byte(stdout), &p); err != nil {
		t.Fatalf("assist --json: %v", err)
	}
	return rep, p
}
