package e2e

import (
	"fmt"
	"path"
	"strings"
	"testing"

	"stemmaster"
)

// pageChainFigures is what the results page shows of them.
type pageChainFigures struct {
	Attribution string     `json:"attribution"`
	Limiter     string     `json:"limiter"`
	Correlation string     `json:"correlation"`
	Meter       float64    `json:"meter"`
	Stems       [][]string `json:"stems"`
	StemHead    []string   `json:"stemHead"`
	StemNote    string     `json:"stemNote"`
	Pictures    []string   `json:"pictures"`
}

// num formats x as the page and the CLI do (the page writes a true minus),
// rounded from the JSON's hundredths (stemmaster.Level.Round).
func num(x stemmaster.Level, digits int) string {
	return strings.ReplaceAll(fmt.Sprintf("%.*f", digits, x.Round(digits)), "-", "−")
}

// checkChainFigures holds every chain figure on the page to report.json's,
// at the CLI's precision (GR in hundredths of a dB, shares in whole %),
// for the plain limiter as for the stem-aware one.
// With deEssed, a stem's de-esser curve and its picture must be there.
func checkChainFigures(t *testing.T, rep *stemmaster.Report, page pageChainFigures, deEssed bool) {
	t.Helper()
	if rep == nil || rep.Master.Limiter == nil || rep.Master.Correlation == nil {
		t.Fatalf("report without the limiter's or the correlation's figures: %+v", rep)
	}
	lim := rep.Master.Limiter
	if lim.Attribution == "" || page.Attribution != lim.Attribution || !strings.Contains(lim.Attribution, "caused") {
		t.Errorf("page attribution %q, report.json %q", page.Attribution, lim.Attribution)
	}
	if want := fmt.Sprintf("up to %s dB, mean %s dB, active %s %% of the time", num(lim.MaxDB, 1), num(lim.MeanDB, 2), num(100*lim.ActiveShare, 0)); page.Limiter != want {
		t.Errorf("page limiter %q, want %q", page.Limiter, want)
	}
	c := rep.Master.Correlation
	// The figures, as the CLI and report.html say them, and nothing more.
	if want := num(c.Overall, 2) + " overall, " + num(c.MinWindow, 2) + " lowest over 100 ms"; strings.TrimSpace(page.Correlation) != want || page.Meter != float64(c.Overall) {
		t.Errorf("page correlation %q (meter %v), want %q (%v)", page.Correlation, page.Meter, want, c.Overall)
	}
	// The stems' table, by its columns: under the plain limiter every stem
	// took the master's reduction, said once, and the rows are the stems'
	// own processors only.
	col := map[string]int{}
	for j, h := range page.StemHead {
		col[h] = j
	}
	rows := map[string][]string{}
	for _, r := range page.Stems {
		rows[r[0]] = r[1:]
	}
	if !lim.StemAware {
		if _, ok := col["limiter mean"]; ok || !strings.Contains(page.StemNote, "acts on the sum") || !strings.Contains(page.StemNote, "caused by") {
			t.Errorf("plain limiter: the stems' columns %q, its line %q; want the master's reduction said once, not per stem", page.StemHead, page.StemNote)
		}
	}
	deessed := false
	for _, st := range rep.Stems {
		if st.Limiter == nil {
			continue
		}
		p := st.Processors
		own := p != nil && (p.DeEsserMaxGRDB != nil || len(p.DynamicEQMaxGRDB) > 0 || len(p.MultibandMaxGRDB) > 0)
		r, ok := rows[st.File]
		if !ok && (lim.StemAware || own) {
			t.Errorf("no row for %s on the page (%q %v)", st.File, page.StemHead, page.Stems)
			continue
		}
		if !ok {
			continue
		}
		if !own && !lim.StemAware {
			t.Errorf("plain limiter: a row for %s, which has no processor of its own: %v", st.File, r)
		}
		want := map[string]string{"stem": path.Base(st.File)}
		if lim.StemAware {
			want["caused"], want["limiter mean"], want["limiter max"] = num(100*st.Limiter.CausedShare, 0)+" %", num(st.Limiter.MeanDB, 2), num(st.Limiter.MaxDB, 2)
		}
		if p != nil && p.DeEsserMaxGRDB != nil {
			want["de-esser max"] = num(*p.DeEsserMaxGRDB, 2)
			deessed = deessed || len(p.DeEsserGRDB) > 0
		}
		for h, w := range want {
			if j, ok := col[h]; !ok || j >= len(r) || r[j] != w {
				t.Errorf("page row for %s: %q under %q, want %s %q", st.File, r, page.StemHead, h, w)
			}
		}
	}
	hasPic := false
	for _, p := range page.Pictures {
		hasPic = hasPic || p == "deesser.png"
	}
	if deEssed && (!deessed || !hasPic) {
		t.Errorf("de-esser curve in the report %v, its picture on the page %v (%v)", deessed, hasPic, page.Pictures)
	}
}
