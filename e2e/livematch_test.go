package e2e

import (
	"math"
	"os"
	"testing"
)

// TestLiveMatchesRender runs livematch.mjs (STEMMASTER_E2E_LONG=1: a
// render a processor, about three minutes): for each processor alone the
// live graph's loudness on the demo song, at no gain, within 0.3 LU of
// the render's (the render's limiter, at 0 dBTP, taking under 0.5 dB);
// the live player approximates each processor, and a level it gets wrong
// reads as the processor adding or taking loudness it does not.
func TestLiveMatchesRender(t *testing.T) {
	if os.Getenv("STEMMASTER_E2E_LONG") == "" {
		t.Skip("set STEMMASTER_E2E_LONG=1 to compare the live player with a render for every processor")
	}
	var s struct {
		Rows []struct {
			Name            string   `json:"name"`
			Settings        string   `json:"settings"`
			Render          string   `json:"render"`
			RenderLUFS      *float64 `json:"render_lufs"`
			RenderLimiterDB *float64 `json:"render_limiter_db"`
			LiveLUFS        *float64 `json:"live_lufs"`
		} `json:"rows"`
	}
	runScript(t, "livematch.mjs", "livematch", &s)
	const tolLU = 0.3
	if len(s.Rows) != 17 {
		t.Fatalf("%d settings compared, want 17", len(s.Rows))
	}
	for _, r := range s.Rows {
		if r.Render != "done" || r.RenderLUFS == nil || r.LiveLUFS == nil {
			t.Errorf("%s: render %s, %v LUFS; live %v LUFS", r.Name, r.Render, r.RenderLUFS, r.LiveLUFS)
			continue
		}
		d, lim := *r.LiveLUFS-*r.RenderLUFS, 0.0
		if r.RenderLimiterDB != nil {
			lim = *r.RenderLimiterDB
		}
		t.Logf("%-24s render %7.2f LUFS, live %7.2f LUFS (%+.2f LU); the render's limiter up to %.2f dB", r.Name, *r.RenderLUFS, *r.LiveLUFS, d, lim)
		if lim > 0.5 {
			continue // the render's limiter moved its level: no comparison
		}
		if math.Abs(d) > tolLU {
			t.Errorf("%s (%s): the live player plays %+.2f LU from the render (%.2f against %.2f LUFS), want within %g", r.Name, r.Settings, d, *r.LiveLUFS, *r.RenderLUFS, tolLU)
		}
	}
}
