package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	_ "stemmaster/audio/aiff"
	"stemmaster/dsp/resample"
	"stemmaster/internal/audiotest"
)

// producerStems writes a producer's export from a DAW into dir: eight
// stems of the francium song at 44.1 kHz/24-bit, seconds long, the kick
// and the bass mono, the backing vocals 3 s shorter, the lead vocal an
// AIFF named as a bounce ("Vox Lead_bounce.aif"), and a reference track
// (the song's mix) in ref/. It returns the stems' paths.
func producerStems(t *testing.T, dir string, seconds float64) []string {
	francium := audiotest.FranciumDir(t)
	read := func(name string) *audio.Buffer {
		b, info := audiotest.ReadFile(t, filepath.Join(francium, name))
		b.SetFrames(min(b.Frames(), int(seconds*float64(info.Format.SampleRate))))
		rs, err := resample.New(info.Format.SampleRate, 44100, b.Channels())
		if err != nil {
			t.Fatal(err)
		}
		return audiotest.Concat(rs.Process(nil, b).Clone(), rs.Flush(nil).Clone())
	}
	mono := func(b *audio.Buffer) *audio.Buffer {
		m := audio.NewBuffer(1, b.Frames())
		for i := range m.Data[0] {
			m.Data[0][i] = 0.5 * (b.Data[0][i] + b.Data[1][i])
		}
		return m
	}
	drums, instruments := read("drums.wav"), read("instruments.wav")
	short := read("backing_vocals.wav")
	short.SetFrames(short.Frames() - 3*44100)
	room := drums.Clone()
	audiotest.Scale(room, 0.25)
	stems := []struct {
		name string
		b    *audio.Buffer
	}{
		{"01 Kick.wav", mono(drums)}, {"02 Snare.wav", drums}, {"03 Bass.wav", mono(instruments)}, {"04 Keys.wav", instruments},
		{"05 FX.wav", read("fx.wav")}, {"Vox Lead_bounce.aif", read("lead_vocal.wav")}, {"07 BVs.wav", short}, {"08 Room.wav", room},
	}
	var paths []string
	for _, s := range stems {
		p := filepath.Join(dir, s.name)
		container := "wav"
		if strings.HasSuffix(s.name, ".aif") {
			container = "aiff"
		}
		audiotest.WriteFile(t, p, container, audio.Format{SampleRate: 44100, Channels: s.b.Channels(), BitDepth: 24, SampleFormat: audio.Int}, s.b)
		paths = append(paths, p)
	}
	os.MkdirAll(filepath.Join(dir, "ref"), 0o755)
	ref := read("mix.wav")
	audiotest.WriteFile(t, filepath.Join(dir, "ref", "ref.wav"), "wav", audio.Format{SampleRate: 44100, Channels: 2, BitDepth: 24, SampleFormat: audio.Int}, ref)
	return paths
}

// TestProducerDelivery is a producer's eight stems from a DAW taken
// through the page with no help: upload, the check and its advice, the
// assistant with a reference, a stem's gain and EQ, master, results. At
// each step axe-core finds no serious or critical violation, and what the
// page shows is what the CLI says: the checklist's marks are check's, the
// results' figures report.json's as the CLI prints them.
func TestProducerDelivery(t *testing.T) {
	root, _, bin := browserEnv(t)
	if _, err := os.Stat(filepath.Join(root, "e2e", "node_modules", "axe-core")); err != nil {
		t.Skip("axe-core is not installed: run npm install in e2e/ (scripts/test.sh does)")
	}
	dir := t.TempDir()
	paths := producerStems(t, dir, 10)
	var s struct {
		Axe        []string `json:"axe"`
		Rules      []struct{ Text, Mark string }
		Status     string                       `json:"status"`
		Links      []string                     `json:"links"`
		AdviceGoes struct{ View, Focus string } `json:"adviceGoes"`
		Wheres     []string                     `json:"wheres"`
		Strip      struct {
			Gain  float64 `json:"gain"`
			Bands int     `json:"bands"`
		} `json:"strip"`
		Figures    [][]string      `json:"figures"`
		RevButtons []string        `json:"revButtons"`
		Report     json.RawMessage `json:"report"`
		Rounded    []string        `json:"rounded"`
		NextDay    []any           `json:"nextDay"`
		MixerBelow float64         `json:"mixerBelow"`
	}
	runScript(t, "producer.mjs", "producer", &s, dir)
	if len(s.Axe) > 0 {
		t.Errorf("axe-core's serious and critical violations, by step:\n%s", strings.Join(s.Axe, "\n"))
	}

	// The checklist is the CLI's, mark for mark.
	check := exec.Command(bin, append([]string{"check", "--json"}, paths...)...)
	cj, _ := check.Output() // exit 1 is a finding of error severity
	var cli struct {
		Checklist []struct{ Text, Mark string } `json:"checklist"`
	}
	if err := json.Unmarshal(cj, &cli); err != nil || len(cli.Checklist) == 0 {
		t.Fatalf("check --json: %v\n%s", err, cj)
	}
	if len(cli.Checklist) != len(s.Rules) {
		t.Errorf("the page lists %d rules, the CLI %d", len(s.Rules), len(cli.Checklist))
	}
	for i := range min(len(cli.Checklist), len(s.Rules)) {
		if c, p := cli.Checklist[i], s.Rules[i]; c.Text != p.Text || c.Mark != p.Mark {
			t.Errorf("rule %d: page %q %s, CLI %q %s", i, p.Text, p.Mark, c.Text, c.Mark)
		}
	}
	// The status line says the advice whole: "… while mastering:." read as
	// a sentence cut off.
	if !strings.HasPrefix(s.Status, "Check done. Advice:") || strings.Contains(s.Status, ":.") {
		t.Errorf("status after the check: %q", s.Status)
	}
	// A mono stem "is fine": its guide link does not offer a fix.
	for _, l := range s.Links {
		if strings.Contains(l, "channel mismatch") && strings.Contains(l, "fix") {
			t.Errorf("a finding that needs no fix links to the guide as %q", l)
		}
	}
	if !slices.ContainsFunc(s.Links, func(l string) bool { return strings.HasPrefix(l, "how to fix the export: length mismatch") }) {
		t.Errorf("guide links %q: want the shorter stem's to say how to fix the export", s.Links)
	}
	// The advice that names a stem to move takes the musician to the
	// assistant.
	if s.AdviceGoes.View != "mix" || s.AdviceGoes.Focus != "run-suggest" {
		t.Errorf("the advice's button led to view %q, focus on %q; want the balance and the assistant's Suggest", s.AdviceGoes.View, s.AdviceGoes.Focus)
	}
	if !slices.Contains(s.Wheres, "03 Bass.wav · gain") || slices.ContainsFunc(s.Wheres, func(w string) bool {
		return strings.ContainsAny(w, "[]") || strings.Contains(w, "master.") || strings.Contains(w, "_db")
	}) {
		t.Errorf("the assistant's decisions are placed at %q: want the stems' files and the controls' names", s.Wheres)
	}
	if s.MixerBelow > 400 {
		t.Errorf("after Use this session the strips start %.0f px below the button: the used decisions stand between", s.MixerBelow)
	}
	if s.Strip.Gain != 2 || s.Strip.Bands == 0 {
		t.Errorf("saved session after the strip's changes: gain %v, %d EQ bands", s.Strip.Gain, s.Strip.Bands)
	}

	// The results' figures are report.json's, rounded as the CLI prints
	// them (stemmaster.Level.Round).
	var rep stemmaster.Report
	if err := json.Unmarshal(s.Report, &rep); err != nil || len(rep.Outputs) == 0 {
		t.Fatalf("report.json: %v %s", err, s.Report)
	}
	shown := func(l stemmaster.Level) string {
		return strings.Replace(fmt.Sprintf("%.1f", l.Round(1)), "-", "−", 1)
	}
	for _, o := range rep.Outputs {
		for _, row := range s.Figures {
			if len(row) == 4 && row[0] == "after: "+o.File {
				if want := []string{row[0], shown(o.IntegratedLUFS), shown(o.TruePeakDBTP), shown(o.LoudnessRangeLU)}; !slices.Equal(row, want) {
					t.Errorf("results row %q, report.json as the CLI prints it %q", row, want)
				}
			}
		}
	}
	// The rounding itself, on figures that sit on a half: the page's and
	// the CLI's agree (toFixed(1) of 3.55 read 3.5, the CLI 3.6).
	for i, v := range []float64{3.55, -12.55, 1.45, 2.35, -0.04, 0.05} {
		if want := shown(stemmaster.Level(v)); i >= len(s.Rounded) || s.Rounded[i] != want {
			t.Errorf("the page shows %v as %q, the CLI as %q", v, s.Rounded, want)
		}
	}
	// Back the next day at the site's address, the mastered project opens
	// on its results, not on "1 Upload" as if the work were gone.
	if len(s.NextDay) != 2 || s.NextDay[0] != "results" || s.NextDay[1] != true {
		t.Errorf("the next day the project opened on %v (view, in the address); want its results", s.NextDay)
	}
	for _, b := range s.RevButtons {
		if !strings.HasPrefix(b, "its files: revision") && !strings.HasPrefix(b, "showing its files: revision") {
			t.Errorf("a revision's files button is named %q: its name starts with what it shows", b)
		}
	}
}
