package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"stemmaster/audio"
	"stemmaster/internal/audiotest"
	"stemmaster/internal/testkit"
)

// delivery is one set of files a musician sends.
type delivery struct {
	Name  string   `json:"name"`
	Stems []string `json:"stems"`
	Mix   string   `json:"mix"`
}

// checklistDeliveries writes the deliveries of TestChecklistFaces under
// dir: the francium stems and mix (8 s) with the drums 1000 samples late
// and the fx bounced at 16 bits; the francium stems whole, with no mix
// (balanced: stereo mastering of their sum); the francium mix alone (a stereo
// master), and cut short; a broken delivery, generated, of stems with no mix (one
// silent, one shorter, one cut short of the length its header says); and
// one file alone, uploaded as a stem.
func checklistDeliveries(t *testing.T, dir string) []delivery {
	francium := audiotest.FranciumDir(t)
	var ds []delivery
	stemsDir := testkit.Mkdir(t, dir, "stems")
	d := delivery{Name: "stems"}
	// The whole stems: their first 8 s alone are not balanced.
	sum := delivery{Name: "sum"}
	for _, name := range stems {
		sum.Stems = append(sum.Stems, filepath.Join(francium, name))
	}
	for _, name := range append(append([]string{}, stems...), "mix.wav") {
		b, info := audiotest.ReadFile(t, filepath.Join(francium, name))
		b.SetFrames(min(b.Frames(), 8*info.Format.SampleRate))
		f := info.Format
		switch name {
		case "drums.wav":
			b = audiotest.Concat(audio.NewBuffer(b.Channels(), 1000), b)
			b.SetFrames(8 * f.SampleRate)
		case "fx.wav":
			f.BitDepth = 16
		}
		p := filepath.Join(stemsDir, name)
		audiotest.WriteFile(t, p, "wav", f, b)
		if name == "mix.wav" {
			d.Mix = p
		} else {
			d.Stems = append(d.Stems, p)
		}
	}
	ds = append(ds, d, delivery{Name: "mix", Mix: d.Mix}, sum)
	// The mix alone, cut short of the length its header says: an error of
	// the one file mastered, ✗ on both faces (the page's mix mastered
	// alone once marked it !).
	data := testkit.ReadFile(t, d.Mix)
	cut := testkit.WriteFile(t, testkit.Mkdir(t, dir, "cut"), "mix.wav", data[:len(data)*3/4])
	ds = append(ds, delivery{Name: "mix-cut", Mix: cut})

	broken := testkit.Mkdir(t, dir, "broken")
	keys := audiotest.WriteWAV(t, broken, "keys.wav", audiotest.Sine(48000, 2, 4*48000, 440, -12, 0), 48000, 24)
	pad := audiotest.WriteWAV(t, broken, "pad.wav", audiotest.Silence(2, 4*48000), 48000, 24)
	lead := audiotest.WriteWAV(t, broken, "lead.wav", audiotest.Sine(48000, 2, 3*48000, 660, -12, 0), 48000, 24)
	bass := audiotest.WriteWAV(t, broken, "bass.wav", audiotest.Sine(48000, 2, 4*48000, 110, -12, 0), 48000, 24)
	// Cut short: the header says 4 s, the file holds 3 s.
	if err := os.Truncate(bass, 44+3*48000*6); err != nil {
		t.Fatal(err)
	}
	ds = append(ds, delivery{Name: "broken", Stems: []string{keys, pad, lead, bass}})

	one := testkit.Mkdir(t, dir, "one")
	ds = append(ds, delivery{Name: "one", Stems: []string{audiotest.WriteWAV(t, one, "song.wav", audiotest.Sine(48000, 2, 4*48000, 440, -12, 0), 48000, 24)}})
	return ds
}

// cliChecklist runs `stemmaster check` on a delivery and returns its
// checklist as the page's is read (the glyph, the line, the count of
// findings under it) and its advice's headline.
func cliChecklist(t *testing.T, bin string, d delivery) ([]string, string) {
	args := []string{"check"}
	files := d.Stems
	if len(d.Stems) == 0 {
		files = []string{d.Mix} // the mix alone is checked as the one file
	} else if d.Mix != "" {
		args = append(args, "--mix", d.Mix)
	}
	cmd := exec.Command(bin, append(args, files...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if _, exit := err.(*exec.ExitError); !exit {
			t.Fatal(err)
		}
	}
	out := stderr.String()
	_, checks, ok := strings.Cut(out, "\nChecks\n")
	if !ok {
		t.Fatalf("%s: no checklist in\n%s", d.Name, out)
	}
	var lines []string
	findings := 0
	flush := func() {
		if len(lines) > 0 {
			lines[len(lines)-1] += fmt.Sprintf(" [%d]", findings)
		}
		findings = 0
	}
	for _, l := range strings.Split(checks, "\n") {
		switch {
		case strings.HasPrefix(l, "        "): // a finding's fix
		case strings.HasPrefix(l, "      "):
			findings++
		case strings.HasPrefix(l, "  "):
			flush()
			lines = append(lines, strings.TrimPrefix(l, "  "))
		default:
			flush()
			_, advice, _ := strings.Cut(out, "\nAdvice: ")
			advice, _, _ = strings.Cut(advice, "\n")
			return lines, advice
		}
	}
	flush()
	return lines, ""
}

// TestChecklistFaces: for the same delivery the page's checklist and the
// CLI's are the same lines — each mark, each line's words, the number of
// findings under it — and the same advice, for stems with faults and
// their mix, the mix alone, a broken delivery without a mix and one file;
// a musician's first try on a 390 px phone: the step tabs stay on one row
// while an upload shows its share, nothing scrolls sideways, and the
// Master step's gate stands while a line is ✗, naming the files to export
// again.
func TestChecklistFaces(t *testing.T) {
	_, _, bin := browserEnv(t)
	dir := t.TempDir()
	ds := checklistDeliveries(t, dir)
	js, err := json.Marshal(ds)
	if err != nil {
		t.Fatal(err)
	}
	list := testkit.WriteFile(t, dir, "deliveries.json", js)
	var s struct {
		ServerErrors []string `json:"serverErrors"`
		Narrow       struct {
			TabRows     int `json:"tabRows"`
			ScrollWidth int `json:"scrollWidth"`
		} `json:"narrow"`
		Deliveries map[string]struct {
			Lines               []string `json:"lines"`
			Advice              string   `json:"advice"`
			Reasons             []string `json:"reasons"`
			MasterSum           string   `json:"masterSum"`
			SendingTab          string   `json:"sendingTab"`
			TabRowsWhileSending int      `json:"tabRowsWhileSending"`
			TabRows             int      `json:"tabRows"`
			ScrollWidth         int      `json:"scrollWidth"`
			Streams             int      `json:"streams"`
			Gate                struct {
				Shown        bool
				Items        int
				Anyway       string
				AnywayButton bool `json:"anywayButton"`
			} `json:"gate"`
		} `json:"deliveries"`
	}
	runScript(t, "checklist.mjs", "checklist", &s, list)
	if s.Narrow.TabRows != 1 || s.Narrow.ScrollWidth > 320 {
		t.Errorf("at 320 px, an upload's share shown, the step tabs take %d rows and the page is %d px wide; want one row, 320 px", s.Narrow.TabRows, s.Narrow.ScrollWidth)
	}
	if len(s.ServerErrors) > 0 {
		t.Errorf("the server answered %q: the page tells the musician the service is out of reach", s.ServerErrors)
	}
	for _, d := range ds {
		page, ok := s.Deliveries[d.Name]
		if !ok {
			t.Errorf("%s: the page was not tried", d.Name)
			continue
		}
		cli, advice := cliChecklist(t, bin, d)
		if !slices.Equal(page.Lines, cli) {
			t.Errorf("%s: the page's checklist\n  %s\nthe CLI's\n  %s", d.Name, strings.Join(page.Lines, "\n  "), strings.Join(cli, "\n  "))
		}
		if !strings.EqualFold(page.Advice, "Advice: "+advice) || advice == "" {
			t.Errorf("%s: the page's advice reads %q, the CLI's %q", d.Name, page.Advice, advice)
		}
		if !regexp.MustCompile(`^1 Upload · \d+ %$`).MatchString(page.SendingTab) || page.TabRowsWhileSending != 1 || page.TabRows != 1 {
			t.Errorf("%s: at 390 px the step tabs take %d rows while the Upload tab reads %q, %d after; want one row", d.Name, page.TabRowsWhileSending, page.SendingTab, page.TabRows)
		}
		if page.ScrollWidth > 390 {
			t.Errorf("%s: the checked page is %d px wide on a 390 px screen", d.Name, page.ScrollWidth)
		}
		if page.Streams != 200 {
			t.Errorf("%s: the Master step's previews answered %d, want 200 (every file plays, a file cut short what it holds)", d.Name, page.Streams)
		}
		// The Master step's gate stands exactly while a line is ✗.
		if broken := slices.ContainsFunc(page.Lines, func(l string) bool { return strings.HasPrefix(l, "✗ ") }); page.Gate.Shown != broken || broken && page.Gate.Items == 0 {
			t.Errorf("%s: the Master step's gate shown %v with %d findings; the checklist has a ✗ line: %v", d.Name, page.Gate.Shown, page.Gate.Items, broken)
		}
	}
	// What cannot be corrected is exported again, named: the mix cut
	// short, a stem cut short (the late drums are corrected by Apply). A
	// file cut short cannot be rendered as it is: no "master anyway".
	for name, want := range map[string]string{"mix-cut": "Export mix.wav again (see the guide): the master cannot be made from mix.wav as it is.",
		"broken": "Export bass.wav again (see the guide): the master cannot be made from bass.wav as it is.", "stems": ""} {
		if g := s.Deliveries[name].Gate; want == "" && g.Anyway != "" || !strings.Contains(g.Anyway, want) || g.AnywayButton {
			t.Errorf("%s: the gate says %q (master anyway offered: %v); want %q and no master anyway", name, g.Anyway, g.AnywayButton, want)
		}
	}
	// Balanced stems and no mix, stereo mastering advised: the page offers
	// to master the stems as they are (what the server prices and
	// renders), not to upload a mix the musician may not have.
	if sd := s.Deliveries["sum"]; !strings.Contains(strings.ToLower(sd.Advice), "stereo mastering") || sd.MasterSum != "Master the stems as they are" {
		t.Errorf("sum: advice %q, button %q; want stereo mastering and \"Master the stems as they are\"", sd.Advice, sd.MasterSum)
	}
	// The late drums with the mix: the mix is balanced and its advice says
	// to master it as it is, not to fix the stems' error first as well.
	if r := strings.Join(s.Deliveries["stems"].Reasons, "\n"); strings.Contains(strings.ToLower(s.Deliveries["stems"].Advice), "stereo mastering") &&
		(!strings.Contains(r, "master the mix as it is") || strings.Contains(r, "in the export first")) {
		t.Errorf("stems: the advice to master the mix reads %q", r)
	}
	// The mix alone, cut short, is told to fix the file, not that it would
	// not match the mix it is.
	if r := s.Deliveries["mix-cut"].Reasons; len(r) == 0 || !strings.HasPrefix(r[0], "fix the 1 error in the file first") {
		t.Errorf("mix-cut: the advice's reasons %q; want the file's error first", r)
	}
	// The deliveries are what they are meant to be: the late drums break a
	// rule, the mix alone and the one file have rules not needed, the
	// broken delivery's checks against a mix are not checked.
	for name, want := range map[string]string{"stems": "✗ Same start (time-zero) [1]", "mix": "– 9 checks between files or against a mix — not needed: one file [0]",
		"one":     "– 9 checks between files or against a mix — not needed: one file [0]",
		"mix-cut": "✗ Every file whole (as long as its header says) [1]", "broken": "– Stems sum to the mix — not checked: no reference mix [0]"} {
		if !slices.Contains(s.Deliveries[name].Lines, want) {
			t.Errorf("%s: the page's checklist lacks %q:\n  %s", name, want, strings.Join(s.Deliveries[name].Lines, "\n  "))
		}
	}
}
