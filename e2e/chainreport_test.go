package e2e

import (
	"fmt"
	"path"
	"strings"
	"testing"
)

// reportFigures is the part of report.json the page's chain figures show.
type reportFigures struct {
	Master struct {
		Limiter *struct {
			MaxDB       float64 `json:"max_db"`
			MeanDB      float64 `json:"mean_db"`
			ActiveShare float64 `json:"active_share"`
			StemAware   bool    `json:"stem_aware"`
			Attribution string  `json:"attribution"`
		} `json:"limiter"`
		Correlation *struct {
			Overall   float64 `json:"overall"`
			MinWindow float64 `json:"min_window"`
		} `json:"correlation"`
	} `json:"master"`
	Stems []struct {
		File    string `json:"file"`
		Limiter *struct {
			CausedShare float64 `json:"caused_share"`
			MaxDB       float64 `json:"max_db"`
			MeanDB      float64 `json:"mean_db"`
		} `json:"limiter"`
		Processors *struct {
			DeEsserMaxGRDB   *float64  `json:"de_esser_max_gr_db"`
			DeEsserGRDB      []float64 `json:"de_esser_gr_db"`
			DynamicEQMaxGRDB []float64 `json:"dynamic_eq_max_gr_db"`
			MultibandMaxGRDB []float64 `json:"multiband_max_gr_db"`
		} `json:"processors"`
	} `json:"stems"`
}

// pageChainFigures is what the results page shows of them.
type pageChainFigures struct {
	Attribution string     `json:"attribution"`
	Limiter     string     `json:"limiter"`
	Correlation string     `json:"correlation"`
	Meter       float64    `json:"meter"`
	Stems       [][]string `json:"stems"`
	Pictures    []string   `json:"pictures"`
}

// num formats x as the page and the CLI do (the page writes a true minus).
func num(x float64, digits int) string {
	return strings.ReplaceAll(fmt.Sprintf("%.*f", digits, x), "-", "−")
}

// checkChainFigures holds every chain figure on the page to report.json's,
// at the CLI's precision (GR in hundredths of a dB, shares in whole %),
// for the plain limiter as for the stem-aware one.
// With deEssed, a stem's de-esser curve and its picture must be there.
func checkChainFigures(t *testing.T, rep *reportFigures, page pageChainFigures, deEssed bool) {
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
	if want := num(c.Overall, 2) + " overall, " + num(c.MinWindow, 2) + " lowest over 100 ms"; strings.TrimSpace(page.Correlation) != want || page.Meter != c.Overall {
		t.Errorf("page correlation %q (meter %v), want %q (%v)", page.Correlation, page.Meter, want, c.Overall)
	}
	rows := map[string][]string{}
	for _, r := range page.Stems {
		rows[r[0]] = r[1:]
	}
	deessed := false
	for _, st := range rep.Stems {
		if st.Limiter == nil {
			continue
		}
		r, ok := rows[st.File]
		if !ok || len(r) != 7 {
			t.Errorf("no row for %s on the page (%v)", st.File, page.Stems)
			continue
		}
		want := []string{path.Base(st.File), num(100*st.Limiter.CausedShare, 0) + " %", num(st.Limiter.MeanDB, 2), num(st.Limiter.MaxDB, 2)}
		if p := st.Processors; p != nil && p.DeEsserMaxGRDB != nil {
			want = append(want, num(*p.DeEsserMaxGRDB, 2))
			deessed = deessed || len(p.DeEsserGRDB) > 0
		} else {
			want = append(want, "—")
		}
		if got := strings.Join(r[:5], "|"); got != strings.Join(want, "|") {
			t.Errorf("page row for %s: %s, want %s", st.File, got, strings.Join(want, "|"))
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
