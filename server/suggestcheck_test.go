package server

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/analysis"
	"stemmaster/audio"
	"stemmaster/check"
	"stemmaster/internal/audiotest"
	"stemmaster/internal/demosong"
)

// The server's suggest proposes the offset the check names (read through
// analysis.Resolve), not one of its own: before any check of the project
// it checks the uploads itself. For a stem one frame, 100 and 4800 late,
// and between two whole frames. (The CLI: TestAssistOffsetIsTheCheck.)
func TestSuggestOffsetIsTheCheck(t *testing.T) {
	t.Parallel()
	for _, tc := range demosong.LateCases {
		t.Run(tc.String(), func(t *testing.T) {
			t.Parallel()
			// Five files of 8 s; one server each, as a server proposes
			// for one project at a time.
			c := setupWith(t, func(c *Config) {
				c.Limits.MaxFileBytes, c.Limits.MaxTotalBytes, c.Limits.MaxFiles = 3<<20, 15<<20, 8
				c.Limits.MaxClientBytes = 0
			}).newProject(t)
			stems, mix := demosong.LateDelivery(48000, "drums.wav", tc.Lag, tc.Half)
			// The first chorus (12–20 s), where every stem plays: the
			// whole song under -race takes minutes.
			chorus := func(b *audio.Buffer) *audio.Buffer {
				return &audio.Buffer{Data: [][]float32{b.Data[0][12*48000 : 20*48000], b.Data[1][12*48000 : 20*48000]}}
			}
			mix = chorus(mix)
			for i := range stems {
				stems[i].Buf = chorus(stems[i].Buf)
			}
			dir := t.TempDir()
			files := map[string][]byte{}
			var order, paths []string
			for _, s := range stems {
				paths = append(paths, audiotest.WriteWAV(t, dir, s.Name, s.Buf, 48000, 24))
				files[s.Name] = wavOf(t, s.Buf)
				order = append(order, s.Name)
			}
			mixPath := audiotest.WriteWAV(t, dir, "mix.wav", mix, 48000, 24)
			c.upload("stems", files, order, http.StatusCreated, nil)
			c.upload("mix", map[string][]byte{"mix.wav": wavOf(t, mix)}, []string{"mix.wav"}, http.StatusCreated, nil)
			rep, err := check.Run(context.Background(), check.FileSources(paths), check.MixSource(mixPath), check.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var res suggestResponse
			c.do("POST", c.p("/suggest"), nil, "", http.StatusOK, &res)
			var sess stemmaster.Session
			if err := json.Unmarshal(res.Session, &sess); err != nil {
				t.Fatal(err)
			}
			for _, st := range sess.Stems {
				var checked int64
				for _, r := range analysis.Resolve(rep.Findings, &sess, false) {
					if c := r.Correction; c != nil && c.Field == "offset_samples" && c.File == st.File {
						checked = int64(c.Value)
					}
				}
				undone := checked == 0
				if st.File == "drums.wav" {
					undone = tc.Undoes(checked)
				}
				if st.OffsetSamples != checked || !undone {
					t.Errorf("%s: suggest proposes offset_samples %d, the check names %d, which does not undo the drums' lag (%v)", st.File, st.OffsetSamples, checked, tc)
				}
			}
			// The suggestion's check is the project's now: the checklist
			// shows the findings the proposal read, named by the files'
			// names (no server path), with the stems' true peaks: the full
			// check a check job stores (service.Projects.SuggestCheck).
			var view ProjectView
			c.do("GET", c.p(""), nil, "", http.StatusOK, &view)
			var kept stemmaster.CheckReport
			if err := json.Unmarshal(view.Check, &kept); err != nil {
				t.Fatalf("the project's check after suggest: %v (%s)", err, view.Check)
			}
			got, _ := json.Marshal(kept.Findings)
			wantF, _ := json.Marshal(rep.Findings)
			if string(got) != string(wantF) {
				t.Errorf("the project keeps the findings\n%s\nthe check of the files names\n%s", got, wantF)
			}
			if strings.Contains(string(view.Check), "suggest-") {
				t.Errorf("the kept check names the suggestion's working directory: %s", view.Check)
			}
			// The figures as the report's JSON writes them, by file name.
			var full stemmaster.CheckReport
			doc, _ := json.Marshal(rep)
			if err := json.Unmarshal(doc, &full); err != nil {
				t.Fatal(err)
			}
			wantTP := map[string]float64{}
			for _, st := range full.Stems {
				wantTP[filepath.Base(st.File)] = float64(st.TruePeakDBTP)
			}
			if len(kept.Stems) != len(wantTP) {
				t.Fatalf("the project's check reports %d stems, the check of the files %d", len(kept.Stems), len(wantTP))
			}
			for _, st := range kept.Stems {
				if tp, want := float64(st.TruePeakDBTP), wantTP[st.File]; math.IsNaN(tp) || tp != want {
					t.Errorf("%s: the project's check holds the stem's true peak %v, the check of the files %v", st.File, tp, want)
				}
			}
		})
	}
}

// The page's advice and the suggestion move a family by one figure: a
// backing vocal double-tracked 6 dB hot (audiotest.HotDouble), with no
// mix, is checked by the suggestion, which keeps that check; the advice
// the project then shows gives the move (details[].gain_db, and in its
// words) the suggestion makes on both takes. (The CLI:
// TestAdviceMoveIsTheAssistant.)
func TestSuggestMoveIsTheAdvice(t *testing.T) {
	t.Parallel()
	c := setupWith(t, func(c *Config) {
		c.Limits.MaxFileBytes, c.Limits.MaxTotalBytes, c.Limits.MaxFiles = 2<<20, 8<<20, 8
		c.Limits.MaxClientBytes = 0
	}).newProject(t)
	files := map[string][]byte{}
	var order []string
	for _, s := range audiotest.HotDouble(4 * 48000) {
		files[s.Name] = wavOf(t, s.Buf)
		order = append(order, s.Name)
	}
	c.upload("stems", files, order, http.StatusCreated, nil)
	var res suggestResponse
	c.do("POST", c.p("/suggest?family=modern"), nil, "", http.StatusOK, &res)
	var view struct {
		Advice stemmaster.Advice `json:"advice"`
	}
	c.do("GET", c.p(""), nil, "", http.StatusOK, &view)
	advised := ""
	for i, d := range view.Advice.Details {
		if d.Kind == stemmaster.ReasonFamily && d.Role == stemmaster.RoleBackingVocals && d.GainDB != nil {
			advised = fmt.Sprintf("%+.1f", *d.GainDB)
			if !strings.Contains(view.Advice.Reasons[i], "would move it "+advised+" dB") {
				t.Errorf("the advice's words %q, its detail %s dB", view.Advice.Reasons[i], advised)
			}
		}
	}
	var moved []string
	for _, d := range res.Decisions {
		if m := regexp.MustCompile(`^the backing vocals sit .* give them: ([+-][0-9.]+) dB`).FindStringSubmatch(d.Reason); m != nil && d.Kind == "balance" {
			moved = append(moved, m[1])
		}
	}
	if advised == "" || len(moved) != 2 || moved[0] != advised || moved[1] != advised {
		t.Errorf("the advice moves the backing vocals %q dB (%q), the suggestion %q", advised, view.Advice.Reasons, moved)
	}
}
