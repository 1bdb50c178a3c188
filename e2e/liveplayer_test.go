package e2e

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"stemmaster/audio"
	"stemmaster/internal/audiotest"
	"stemmaster/loudness"
)

// liveState is what the live master reported last (workletmaster.js Master).
type liveState struct {
	GainDB    float64 `json:"gain_db"`
	ChainLU   float64 `json:"chain_lu"`
	LimiterLU float64 `json:"limiter_lu"`
	Blocks    int     `json:"blocks"`
}

func (s liveState) String() string {
	return fmt.Sprintf("gain %.2f dB: chain %+.2f LU, limiter %+.2f LU over %d blocks", s.GainDB, s.ChainLU, s.LimiterLU, s.Blocks)
}

// aheadFigures is the page's analysis ahead (livemaster.js analyseAhead)
// as it returns it, or as the master's parameters carry it.
type aheadFigures struct {
	GainDB    float64  `json:"gain_db"`
	LevelLUFS *float64 `json:"level_lufs"`
	ChainLU   *float64 `json:"chain_lu"`
	LimiterLU float64  `json:"limiter_lu"`
	Seconds   float64  `json:"seconds"`
	Whole     bool     `json:"whole"`
	Passes    int      `json:"passes"`
	MS        float64  `json:"ms"`
}

// glitchSeen is what the Master step said of underruns heard while
// playing, and whether "play lighter" took the light path.
type glitchSeen struct {
	Events    int
	Text      string
	Light     bool
	TextAfter string `json:"text_after"`
}

// readF32 reads interleaved stereo float32 samples (liveplayer.mjs's
// save) as a buffer.
func readF32(t *testing.T, path string) *audio.Buffer {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The samples are big (11 MiB a song): they go with the test.
	t.Cleanup(func() { os.Remove(path) })
	n := len(raw) / 8
	b := audio.NewBuffer(2, n)
	for i := 0; i < n; i++ {
		b.Data[0][i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[8*i:]))
		b.Data[1][i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[8*i+4:]))
	}
	return b
}

// TestLivePlayer runs liveplayer.mjs and holds the live player to the
// render: the demo song with a master chain that adds loudness, played
// offline through the player's whole graph, lands within 1 LU of the
// render's master (the gain held at its estimate before the chain would
// not), and its true peak by the 16× reference at the ceiling; the
// limiter alone keeps noise and a 17 kHz tone driven over its ceiling
// under it; settings moved on a playing chain glide in place with no
// discontinuity, a new topology crossfades, while a fader step shows as
// the click it is; versions switch live on main's gain; the light path
// leaves out the strips' dynamics and says so.
func TestLivePlayer(t *testing.T) {
	var s struct {
		Render       string   `json:"render"`
		RenderError  string   `json:"render_error"`
		RenderLUFS   *float64 `json:"render_lufs"`
		RenderGainDB *float64 `json:"render_gain_db"`
		BeforeLUFS   *float64 `json:"before_lufs"`
		// Analysis is the page's analysis ahead: its gain once the Master
		// step opened (nothing played), then its figures for the song at
		// -14 and -8 LUFS and by excerpts.
		Analysis struct {
			BeforePlay           *float64 `json:"before_play"`
			Song, Loud, Excerpts *aheadFigures
		} `json:"analysis"`
		Song struct {
			Ahead, Live, Own, Held, Loud string
			LoudAhead                    string        `json:"loud_ahead"`
			AheadState                   liveState     `json:"ahead_state"`
			AheadParams                  *aheadFigures `json:"ahead_params"`
			LoudAheadState               liveState     `json:"loud_ahead_state"`
			LoudAheadParams              *aheadFigures `json:"loud_ahead_params"`
			State                        liveState     `json:"state"`
			OwnState                     liveState     `json:"own_state"`
			LoudState                    liveState     `json:"loud_state"`
			RenderModel                  *float64      `json:"render_model"`
			EstimateDB                   float64       `json:"estimate_db"`
			CeilingDB                    float64       `json:"ceiling_db"`
		} `json:"song"`
		Limiter struct{ Noise, Tone string }
		Moves   struct {
			InPlace              bool    `json:"in_place"`
			Rebuilt              bool    `json:"rebuilt"`
			SteadyJ              float64 `json:"steady"`
			SteadyAfterJ         float64 `json:"steady_after"`
			SteadyAfter2J        float64 `json:"steady_after2"`
			Move, Topology, Step float64
		} `json:"moves"`
		MainText  string `json:"main_text"`
		MixerText string `json:"mixer_text"`
		Versions  *struct {
			Lead, Bass float64
			Adapt      any
			Text       string
		} `json:"versions"`
		ACappellaBass *float64 `json:"a_cappella_bass"`
		StandIns      struct {
			Worklets bool
			InPlace  bool `json:"in_place"`
			Finite   bool
			Kinds    []string
			LevelDB  float64 `json:"level_db"`
		} `json:"stand_ins"`
		MainAgain     bool        `json:"main_again"`
		StemAwareText string      `json:"stem_aware_text"`
		Glitch        *glitchSeen `json:"glitch"`
		GlitchLag     *glitchSeen `json:"glitch_lag"`
		Load          struct {
			Speed              float64
			Links              int
			Full, Light, After []string
			Text               string
			TextAfter          string `json:"text_after"`
			Hidden             bool
		} `json:"load"`
		Load8 struct {
			Speed float64
			Links int
		} `json:"load8"`
	}
	runScript(t, "liveplayer.mjs", "liveplayer", &s)
	if s.Render != "done" || s.RenderLUFS == nil || s.RenderGainDB == nil || s.BeforeLUFS == nil {
		t.Fatalf("render %q (%s): %v LUFS, gain %v dB; stem sum %v LUFS", s.Render, s.RenderError, s.RenderLUFS, s.RenderGainDB, s.BeforeLUFS)
	}

	// A first listen: the page analyses the whole song through the live
	// graph before it plays, and the song lands within 0.3 LU of the
	// render from its first block, as it does driven into the limiter
	// (a target of -8 LUFS, where no render is: the target is the
	// reference), the gain holding at the analysis's.
	const tolAheadLU = 0.3
	if s.Analysis.BeforePlay == nil {
		t.Error("the Master step opened: no analysis ahead before anything played")
	}
	if s.Analysis.Song == nil || s.Analysis.Loud == nil || s.Song.AheadParams == nil || s.Song.LoudAheadParams == nil {
		t.Fatalf("no analysis ahead: %+v / %+v; in the master's parameters %+v / %+v", s.Analysis.Song, s.Analysis.Loud, s.Song.AheadParams, s.Song.LoudAheadParams)
	}
	for _, c := range []struct {
		what, path  string
		want        float64
		fig, params *aheadFigures
		state       liveState
		mustLimitLU float64
	}{
		{"target -14 LUFS, against the render", s.Song.Ahead, *s.RenderLUFS, s.Analysis.Song, s.Song.AheadParams, s.Song.AheadState, 0},
		{"target -8 LUFS", s.Song.LoudAhead, -8, s.Analysis.Loud, s.Song.LoudAheadParams, s.Song.LoudAheadState, -0.3},
	} {
		got := loudness.Measure(readF32(t, c.path), 48000, loudness.Options{})
		t.Logf("%s: first listen analysed ahead %.2f LUFS against %.2f (%+.2f LU); analysis %+v; the live master %s", c.what, got.IntegratedLUFS, c.want, got.IntegratedLUFS-c.want, *c.fig, c.state)
		if d := got.IntegratedLUFS - c.want; math.Abs(d) > tolAheadLU {
			t.Errorf("%s: the first listen analysed ahead plays %.2f LUFS, %+.2f LU from %.2f; want within %g", c.what, got.IntegratedLUFS, d, c.want, tolAheadLU)
		}
		if !c.fig.Whole || c.fig.Passes < 1 || math.Abs(c.params.GainDB-c.fig.GainDB) > 1e-3 || math.Abs(c.state.GainDB-c.fig.GainDB) > 0.01 {
			t.Errorf("%s: the analysis (whole %v, %d passes) found %.3f dB; the master's parameters carry %.3f dB and it played %.3f dB", c.what, c.fig.Whole, c.fig.Passes, c.fig.GainDB, c.params.GainDB, c.state.GainDB)
		}
		if c.mustLimitLU < 0 && !(c.fig.LimiterLU < c.mustLimitLU) {
			t.Errorf("%s: the limiter takes %+.2f LU in the analysis; the check needs it acting (< %g)", c.what, c.fig.LimiterLU, c.mustLimitLU)
		}
	}

	// The live chain adds what the engine's does: the analysis's gain at
	// -14 LUFS (the limiter taking next to nothing in either) within
	// 0.3 dB of the render's. The compressor once held each peak for its
	// gain's run and compressed 0.7 LU more than the engine here.
	if d := s.Analysis.Song.GainDB - *s.RenderGainDB; math.Abs(d) > tolAheadLU || math.Abs(s.Analysis.Song.LimiterLU) > 0.1 {
		t.Errorf("the live chain needs %.2f dB to reach the target, the render %.2f dB (%+.2f; the live limiter %+.2f LU): the live chain does not add what the render's does",
			s.Analysis.Song.GainDB, *s.RenderGainDB, d, s.Analysis.Song.LimiterLU)
	}

	// By excerpts (eight of 3 s, as a song longer than the analysis's
	// budget is analysed), the gain lands within 0.3 dB of the whole
	// song's.
	if e := s.Analysis.Excerpts; e == nil || e.Whole || math.Abs(e.Seconds-24) > 0.01 || math.Abs(e.GainDB-s.Analysis.Song.GainDB) > tolAheadLU {
		t.Errorf("the analysis by excerpts: %+v; want 24 s, not whole, the gain within %g dB of the whole song's %.2f dB", s.Analysis.Excerpts, tolAheadLU, s.Analysis.Song.GainDB)
	} else {
		t.Logf("by excerpts: gain %.2f dB (the whole song's %.2f dB), %.0f ms", e.GainDB, s.Analysis.Song.GainDB, e.MS)
	}

	// Before the analysis lands: the live level within 1 LU of the
	// render's, from the
	// render's gain and by the meters alone, where the estimate before the
	// chain is off by more (the chain adds loudness: without that the
	// check would prove nothing).
	const tolLU = 1
	live := loudness.Measure(readF32(t, s.Song.Live), 48000, loudness.Options{})
	own := loudness.Measure(readF32(t, s.Song.Own), 48000, loudness.Options{})
	held := loudness.Measure(readF32(t, s.Song.Held), 48000, loudness.Options{})
	t.Logf("render %.2f LUFS (gain %.2f dB); live from the render's gain %.2f LUFS (%s); by its meters alone %.2f LUFS (%s); held at the estimate %.2f dB: %.2f LUFS",
		*s.RenderLUFS, *s.RenderGainDB, live.IntegratedLUFS, s.Song.State, own.IntegratedLUFS, s.Song.OwnState, s.Song.EstimateDB, held.IntegratedLUFS)
	if s.Song.RenderModel == nil || *s.Song.RenderModel != *s.RenderGainDB {
		t.Errorf("the live master starts from %v dB, want the render's %.2f dB (its settings are the render's)", s.Song.RenderModel, *s.RenderGainDB)
	}
	for _, c := range []struct {
		what string
		lufs float64
	}{{"from the render's gain", live.IntegratedLUFS}, {"by its meters alone", own.IntegratedLUFS}} {
		if d := c.lufs - *s.RenderLUFS; math.Abs(d) > tolLU {
			t.Errorf("the live player %s plays the song %.2f LU from the render (%.2f against %.2f LUFS), want within %g", c.what, d, c.lufs, *s.RenderLUFS, float64(tolLU))
		}
	}
	if d := held.IntegratedLUFS - *s.RenderLUFS; math.Abs(d) <= tolLU {
		t.Errorf("the gain held at its estimate plays within %.2f LU of the render: the chain does not add the loudness this check needs", d)
	}
	// Driven into the limiter (a target of −8 LUFS), the gain takes what
	// the limiter takes into account: the song lands within 1.5 LU of −8
	// (it reads −9.0: the sparse intro's 0.7 LU, as above, and the
	// limiter's share, which grows with the gain, found a little late;
	// left out, the limiter's 1.4 LU would put it 2.4 LU under).
	const tolLoudLU = 1.5
	loud := loudness.Measure(readF32(t, s.Song.Loud), 48000, loudness.Options{})
	t.Logf("target -8 LUFS: live %.2f LUFS (%s)", loud.IntegratedLUFS, s.Song.LoudState)
	if math.Abs(loud.IntegratedLUFS+8) > tolLoudLU || !(s.Song.LoudState.LimiterLU < -0.3) {
		t.Errorf("target -8 LUFS: the live player plays %.2f LUFS, its limiter taking %+.2f LU; want -8 ± %g, the limiter acting", loud.IntegratedLUFS, s.Song.LoudState.LimiterLU, float64(tolLoudLU))
	}
	if st := s.Song.OwnState; st.Blocks == 0 || !(st.ChainLU > 1) {
		t.Errorf("the live master reports %d blocks and a chain of %+.2f LU; want blocks and the chain's added loudness (> 1 LU)", st.Blocks, st.ChainLU)
	}

	// True peak by the 16× reference: at the ceiling, 0.1 dB of tolerance
	// (the reference sees between the 4× detector's points).
	tp := audiotest.NewTruePeak16x()
	for _, c := range []struct {
		what, path string
		ceiling    float64
	}{
		{"the song", s.Song.Live, s.Song.CeilingDB},
		{"the song at -8 LUFS", s.Song.Loud, s.Song.CeilingDB},
		{"the song analysed ahead", s.Song.Ahead, s.Song.CeilingDB},
		{"the song at -8 LUFS analysed ahead", s.Song.LoudAhead, s.Song.CeilingDB},
		{"white noise +12 dB", s.Limiter.Noise, -1},
		{"a 17 kHz tone +6 dB", s.Limiter.Tone, -1},
	} {
		b := readF32(t, c.path)
		peak, overs := tp.TruePeakDB(b, c.ceiling+0.1)
		t.Logf("%s: true peak %.3f dBTP (16×), %d frames over ceiling + 0.1 dB", c.what, peak, overs)
		if peak > c.ceiling+0.1 {
			t.Errorf("%s through the live limiter: true peak %.3f dBTP by the 16× reference, ceiling %.1f (+0.1)", c.what, peak, c.ceiling)
		}
	}

	// Moves: a move in place keeps the links and adds no discontinuity:
	// the largest second difference within 20 ms after it at most 5× the
	// steady signal's (it reads about 3.7×, most of it a dynamic EQ band on
	// the tone itself moving 60 → 80 Hz and reducing 3 → 6 dB more;
	// compressors let to step to a threshold 10 dB lower within a 2 ms
	// attack read about 15×); a new topology is built and crossfaded as
	// smoothly; a fader step of 6 dB, the click a rebuild without a crossfade makes, reads
	// about 2000× and must read over 100×.
	m := s.Moves
	t.Logf("second differences: steady %.2e, after the moves %.2e / %.2e; move %.2e, new topology %.2e, fader step %.2e", m.SteadyJ, m.SteadyAfterJ, m.SteadyAfter2J, m.Move, m.Topology, m.Step)
	if !m.InPlace || !m.Rebuilt {
		t.Errorf("moves kept the chain's links: %v (want true); a new band built a new chain: %v (want true)", m.InPlace, m.Rebuilt)
	}
	if ref := max(m.SteadyJ, m.SteadyAfterJ); !(m.Move <= 5*ref) {
		t.Errorf("settings moved on the playing chain: second difference %.2e against the steady %.2e", m.Move, ref)
	}
	if ref := max(m.SteadyAfterJ, m.SteadyAfter2J); !(m.Topology <= 5*ref) {
		t.Errorf("a band added to the playing chain: second difference %.2e against the steady %.2e", m.Topology, ref)
	}
	if !(m.Step > 100*m.SteadyAfter2J) {
		t.Errorf("a fader step reads %.2e against the steady %.2e: the measure would miss a click", m.Step, m.SteadyAfter2J)
	}

	// Without worklets the stand-ins play the chains and glide too.
	t.Logf("without worklets: %+v", s.StandIns)
	if si := s.StandIns; si.Worklets || !si.InPlace || !si.Finite || !(si.LevelDB > -40) ||
		!slices.Equal(si.Kinds, []string{"eq:mid", "compressor", "multiband", "compressor", "master"}) {
		t.Errorf("without worklets: %+v; want the stand-ins (eq:mid, compressor, multiband; compressor, gain and limiter), a move in place, sound", si)
	}

	// Versions, live.
	if !strings.HasPrefix(s.MainText, "live: gain ") || !strings.Contains(s.MainText, "to reach −14.0 LUFS (chain +") || !strings.Contains(s.MainText, "true-peak limiter") {
		t.Errorf("the Master step reads %q while it plays; want the gain to the target and the limiter", s.MainText)
	}
	if !strings.HasPrefix(s.MixerText, "live: gain ") || !strings.Contains(s.MixerText, "true-peak limiter") {
		t.Errorf("the mixer's transport reads %q while it plays with the master section; want what the live master does", s.MixerText)
	}
	if v := s.Versions; v == nil || v.Lead > 1e-4 || v.Bass < 0.5 || !strings.Contains(v.Text, "(main's)") {
		t.Errorf("instrumental played live: %+v; want the lead vocal out, the bass in, main's gain said", s.Versions)
	}
	if !strings.Contains(s.StemAwareText, "true-peak limiter ") || !strings.HasSuffix(s.StemAwareText, " dB (on the sum live; stem-aware in the render)") {
		t.Errorf("with the stem-aware limiter asked for, the Master step reads %q; want it to say the live limiter limits the sum", s.StemAwareText)
	}
	if s.ACappellaBass == nil || !s.MainAgain {
		t.Errorf("a cappella leaves the bass out: %v; main again adapts with the lead: %v", s.ACappellaBass, s.MainAgain)
	}

	// Underruns heard while playing (a processor no device keeps up with):
	// said with the count, the light path offered and taken (the note
	// then says why it plays lighter: the speed measured was enough); by the
	// browser's playback statistics and by the audio clock's lag alone.
	for _, g := range []struct {
		how  string
		seen *glitchSeen
	}{{"playback statistics", s.Glitch}, {"the audio clock's lag", s.GlitchLag}} {
		t.Logf("underruns by %s: %+v", g.how, g.seen)
		if g.seen == nil || g.seen.Events < 1 || !strings.Contains(g.seen.Text, "The sound broke up") || !strings.Contains(g.seen.Text, "play lighter") ||
			!g.seen.Light || !strings.HasPrefix(g.seen.TextAfter, "The sound broke up while playing: the strips play without their dynamics") {
			t.Errorf("underruns by %s: %+v; want them counted and said, \"play lighter\" offered and taking the light path", g.how, g.seen)
		}
	}

	// The load: measured (figures only: a wall-clock speed is no test),
	// and the light path.
	t.Logf("live graph: %d links render at %.1f× real time offline (machine shared)", s.Load.Links, s.Load.Speed)
	t.Logf("8 stems with every strip processor and the master section: %d links render at %.2f× real time offline (machine shared)", s.Load8.Links, s.Load8.Speed)
	if !(s.Load.Speed > 0) || s.Load.Links == 0 || !(s.Load8.Speed > 0) {
		t.Errorf("load not measured: %+v", s.Load)
	}
	dyn := func(k []string) bool {
		return slices.ContainsFunc(k, func(x string) bool {
			return strings.HasPrefix(x, "compressor") || x == "multiband" || x == "de_esser" || x == "dynamic_eq"
		})
	}
	if !dyn(s.Load.Full) || dyn(s.Load.Light) || !dyn(s.Load.After) || !strings.Contains(s.Load.Text, "1.2× real time") || !strings.Contains(s.Load.Text, "play them anyway") ||
		!strings.Contains(s.Load.TextAfter, "play lighter") || !s.Load.Hidden {
		t.Errorf("light path: full %q, light %q, after \"play them anyway\" %q; notes %q then %q; the note shown only below LOAD_LIGHT: %v",
			s.Load.Full, s.Load.Light, s.Load.After, s.Load.Text, s.Load.TextAfter, s.Load.Hidden)
	}
}
