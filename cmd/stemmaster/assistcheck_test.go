package main

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"testing"

	"stemmaster"
	"stemmaster/analysis"
	"stemmaster/assist"
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
// `master` and the server print) quotes the move `assist` makes, on a
// delivery where the two references differ most — drums that play only
// the first 1.2 s of 4 (loud against the measured sum, whose gate takes in
// the instruments alone) and a silent lead vocal (no part of the balance).
func TestAdviceMoveIsTheAssistant(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const rate, n, on = 48000, 4 * 48000, 48000 * 12 / 10
	drums := audiotest.Concat(audiotest.PinkNoise(1, 2, on, -6), audiotest.Silence(2, n-on))
	stems := []string{
		audiotest.WriteWAV(t, dir, "drums.wav", drums, rate, 24),
		audiotest.WriteWAV(t, dir, "lead_vocal.wav", audiotest.Silence(2, n), rate, 24),
		audiotest.WriteWAV(t, dir, "instruments.wav", audiotest.PinkNoise(2, 2, n, -14), rate, 24),
	}
	_, stdout, stderr := runCLI(append([]string{"check", "--json"}, stems...)...)
	var rep stemmaster.CheckReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || rep.Advice == nil {
		t.Fatalf("check --json: %v\n%s", err, stderr)
	}
	advised := ""
	for _, r := range rep.Advice.Reasons {
		if m := regexp.MustCompile(`^the drums .* would move it ([+-][0-9.]+) dB`).FindStringSubmatch(r); m != nil {
			advised = m[1]
		}
	}
	code, stdout, stderr := runCLI(append([]string{"assist", "--json", "-o", filepath.Join(dir, "s.yaml")}, stems...)...)
	if code != exitOK {
		t.Fatalf("assist: exit %d: %s", code, stderr)
	}
	var p assist.Proposal
	if err := json.Unmarshal([]byte(stdout), &p); err != nil {
		t.Fatalf("assist --json: %v", err)
	}
	moved := ""
	for _, d := range p.Decisions {
		if m := regexp.MustCompile(`^the drums sit .* for modern: ([+-][0-9.]+) dB`).FindStringSubmatch(d.Reason); m != nil && d.Kind == "balance" {
			moved = m[1]
		}
	}
	t.Logf("advice %s dB, assistant %s dB; advice: %q", advised, moved, rep.Advice.Reasons)
	if advised == "" || moved == "" || advised != moved {
		t.Errorf("the advice quotes a move of %q dB for the drums, the assistant makes %q dB", advised, moved)
	}
}
