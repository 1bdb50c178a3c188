package server

import (
	"net/http"
	"runtime"
	"strings"
	"testing"
)

// A suggestion on stems longer than the server's analysis budget decodes
// only a centred excerpt of them: what the request allocates follows the
// budget, not the uploads, and the response says which part it analysed.
// Not parallel: it measures the process's allocations around one request.
func TestSuggestMemoryIsBounded(t *testing.T) {
	const stemS, budgetFrames = 30, 3 * 6 * 48000 // three stems, 6 s each
	b := setupWith(t, func(c *Config) {
		c.Limits = Limits{MaxFileBytes: 10 << 20, MaxTotalBytes: 40 << 20, MaxFiles: 4}
		c.SuggestFrames = budgetFrames
	})
	c := b.newProject(t)
	files := map[string][]byte{"vox.wav": wavBytes(t, stemS*48000, 440), "bass.wav": wavBytes(t, stemS*48000, 60),
		"keys.wav": wavBytes(t, stemS*48000, 1000)}
	c.upload("stems", files, []string{"vox.wav", "bass.wav", "keys.wav"}, http.StatusCreated, nil)
	b.waitPreviews(t, c.id)
	var res suggestResponse
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	c.do("POST", c.p("/suggest"), nil, "", http.StatusOK, &res)
	runtime.ReadMemStats(&after)
	alloc := float64(after.TotalAlloc-before.TotalAlloc) / (1 << 20)
	// The budget is 18 stem-seconds (6.9 MB of float32 stereo), and the
	// suggest's work on them allocates 48–58 MB under -race (eight runs
	// on a loaded machine; TotalAlloc also counts what the process's other
	// goroutines allocate meanwhile). The bound leaves 38 % over the most
	// seen. The whole song read past the budget (90 stem-seconds, 135 MB)
	// crosses it, and so does, under -race, a strip rendered into a new
	// buffer for each of its measuring passes (75 MB, 84 under -race);
	// the excerpt doubled (66 MB) does not: what the request allocates
	// beside its audio is about 36 MB.
	t.Logf("suggest allocated %.0f MB", alloc)
	if alloc > 80 {
		t.Errorf("suggest allocated %.0f MB on 3 × %d s stems with an 18 stem-second budget", alloc, stemS)
	}
	e := res.Excerpt
	if e == nil {
		t.Fatal("no excerpt reported for stems over the budget")
	}
	if e.LengthS*3*48000 > budgetFrames || e.LengthS < 5.9 || e.SongS != stemS ||
		e.StartS < (stemS-e.LengthS)/2-0.1 || e.StartS > (stemS-e.LengthS)/2 || !strings.Contains(e.Message, "middle of the song") {
		t.Errorf("excerpt %+v: want 6 s centred in %d s", e, stemS)
	}
	if len(res.Decisions) == 0 {
		t.Error("no decisions on the excerpt")
	}
}

// A budget too small for even a few seconds a track is refused with the
// limit named, never answered from a sliver of the song; a song within
// the budget is analysed whole (excerpt null).
func TestSuggestBudget(t *testing.T) {
	t.Parallel()
	b := setupWith(t, func(c *Config) {
		c.Limits = Limits{MaxFileBytes: 4 << 20, MaxTotalBytes: 8 << 20, MaxFiles: 4}
		c.SuggestFrames = 3 * 48000
	})
	c := b.newDrumsProject(t, 48000) // 1 s: within the budget
	var whole suggestResponse
	c.do("POST", c.p("/suggest"), nil, "", http.StatusOK, &whole)
	if whole.Excerpt != nil {
		t.Errorf("excerpt %+v on a song within the budget", whole.Excerpt)
	}
	c2 := b.newDrumsProject(t, 48000*10)
	var e struct {
		Error struct{ Code, Message string }
	}
	c2.do("POST", c2.p("/suggest"), nil, "", http.StatusUnprocessableEntity, &e)
	if e.Error.Code != "over_budget" || !strings.Contains(e.Error.Message, "(3 track-seconds at 48 kHz)") {
		t.Errorf("refusal %+v: want over_budget naming the budget", e)
	}
}
