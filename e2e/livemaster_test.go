package e2e

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/dsp"
	"stemmaster/dsp/dynamics"
)

// liveNode is one Web Audio node of the live player's graph as the page
// describes it (livemaster.js liveGraph): its type and main parameters
// ("type", "filter", "freq", "q", "gain", "threshold", "ratio",
// "oversample", "curve_points") and a worklet's options ("options").
type liveNode map[string]any

// num is a parameter's value, NaN when the node has none.
func (n liveNode) num(k string) float64 {
	if v, ok := n[k].(float64); ok {
		return v
	}
	return math.NaN()
}

// opt is a worklet option's value, NaN when absent.
func (n liveNode) opt(k string) float64 {
	o, _ := n["options"].(map[string]any)
	return liveNode(o).num(k)
}

type liveLink struct {
	Kind  string     `json:"kind"`
	Nodes []liveNode `json:"nodes"`
}

func kinds(links []liveLink) []string {
	var k []string
	for _, l := range links {
		k = append(k, l.Kind)
	}
	return k
}

// find returns the nodes of the link of kind k with type typ.
func find(links []liveLink, k, typ string) []liveNode {
	var out []liveNode
	for _, l := range links {
		if l.Kind != k {
			continue
		}
		for _, n := range l.Nodes {
			if n["type"] == typ {
				out = append(out, n)
			}
		}
	}
	return out
}

// engineCompressorDB is the energy change (dB) package dynamics makes on
// 1 s of a -10 dBFS sine at f Hz, the second half measured, with the
// live check's compressor (4:1 over -20 dBFS, attack 1 ms, release 50 ms,
// its detector high-passed at hpf Hz, 0 for none).
func engineCompressorDB(t *testing.T, f, hpf float64) float64 {
	t.Helper()
	const n = 48000
	b := audio.NewBuffer(2, n)
	for c := range b.Data {
		for i := range b.Data[c] {
			b.Data[c][i] = float32(math.Pow(10, -10.0/20) * math.Sin(2*math.Pi*f*float64(i)/48000))
		}
	}
	in := b.Clone()
	p := dynamics.CompressorParams{ThresholdDB: -20, Ratio: 4, AttackMS: 1, ReleaseMS: 50, SidechainHPFHz: hpf}
	if err := p.Validate(48000); err != nil {
		t.Fatal(err)
	}
	c := dynamics.NewCompressor(p)
	c.Prepare(dsp.Spec{SampleRate: 48000, MaxBlockSize: n, Channels: 2})
	c.Process(b)
	e := func(x *audio.Buffer) (s float64) {
		for _, ch := range x.Data {
			for _, v := range ch[n/2:] {
				s += float64(v) * float64(v)
			}
		}
		return s
	}
	return 10 * math.Log10(e(b)/e(in))
}

// TestLiveMaster runs livemaster.mjs: every master and strip processor set
// through the page reaches the session, the live player plays the master
// section (and the strips' expander and ranges) with the parameters set,
// out-of-bounds values are named at their fields, a reload keeps them, the
// render's chain figures on the page are report.json's, and offline the
// live approximations hold level within the stated tolerances.
func TestLiveMaster(t *testing.T) {
	var s struct {
		MasterSession json.RawMessage `json:"master_session"`
		MasterGraph   []liveLink      `json:"master_graph"`
		MasterAhead   *float64        `json:"master_ahead"`
		MasterTarget  struct {
			Before *float64 `json:"before"`
			Params struct {
				GainDB  float64            `json:"gain_db"`
				Target  float64            `json:"target_lufs"`
				Limiter map[string]float64 `json:"limiter"`
			} `json:"params"`
		} `json:"master_target"`
		MasterNote    string     `json:"master_live_note"`
		MasterGR      string     `json:"master_gr"`
		MeasuringText string     `json:"measuring_text"`
		LandedText    string     `json:"landed_text"`
		MasterAudible bool       `json:"master_audible"`
		MixerAudible  bool       `json:"mixer_audible"`
		ABNoMaster    bool       `json:"ab_has_no_master"`
		GainGlides    bool       `json:"gain_glides"`
		StripGraph    []liveLink `json:"strip_graph"`
		MixerMaster   struct {
			Off int      `json:"off"`
			On  []string `json:"on"`
		} `json:"mixer_master"`
		StripSession json.RawMessage `json:"strip_session"`
		BoundErrors  []struct {
			Field, Text string
		} `json:"bound_errors"`
		BoundCleared  bool               `json:"bound_errors_cleared"`
		NaNNote       int                `json:"nan_note"`
		Reloaded      map[string]any     `json:"reloaded"`
		Render        string             `json:"render"`
		RenderError   string             `json:"render_error"`
		Report        *stemmaster.Report `json:"report"`
		PageReport    pageChainFigures   `json:"page_report"`
		ScrollWidth   int                `json:"scroll_width"`
		StemTable360  [4]float64         `json:"stem_table_360"`
		Offline       map[string]float64 `json:"offline"`
		Fields        []pageField        `json:"fields"`
		FieldsSession json.RawMessage    `json:"fields_session"`
		Deliverables  []map[string]any   `json:"deliverables"`
	}
	runScript(t, "livemaster.mjs", "livemaster", &s)

	// The session holds every master processor as set on the page.
	var m struct {
		EQ []struct {
			Type, Channel string
			Slope         int
			GainDB        float64 `json:"gain_db"`
		}
		Compressor struct {
			Ratio          float64
			SidechainHPFHz float64 `json:"sidechain_hpf_hz"`
			Channel        string
		}
		Multiband struct {
			Bands []struct {
				ExpandRatio float64 `json:"expand_ratio"`
				RangeDB     float64 `json:"range_db"`
			}
		}
		Width      float64
		Saturation struct {
			DriveDB   float64 `json:"drive_db"`
			Character string
		}
		Limiter struct {
			CeilingDBTP float64 `json:"ceiling_dbtp"`
			ReleaseMS   float64 `json:"release_ms"`
			Character   string
			StemAware   map[string]float64 `json:"stem_aware"`
		}
	}
	if err := json.Unmarshal(s.MasterSession, &m); err != nil {
		t.Fatalf("master session %s: %v", s.MasterSession, err)
	}
	got := fmt.Sprintf("%+v", m)
	want := `{EQ:[{Type:peak Channel:mid Slope:0 GainDB:2} {Type:lr_high_pass Channel: Slope:24 GainDB:0}] Compressor:{Ratio:2 SidechainHPFHz:90 Channel:side} Multiband:{Bands:[{ExpandRatio:2 RangeDB:6} {ExpandRatio:0 RangeDB:40} {ExpandRatio:0 RangeDB:40}]} Width:1.5 Saturation:{DriveDB:6 Character:warm} Limiter:{CeilingDBTP:-1.5 ReleaseMS:100 Character:punchy StemAware:map[drums:3]}}`
	if got != want {
		t.Errorf("master in the session:\n got %s\nwant %s", got, want)
	}

	// The live master section: the engine's order, with the parameters set
	// (a band is one link of its sections; the gain is the limiter's).
	if want := []string{"eq:mid", "eq", "compressor:side", "multiband", "width", "saturation", "limiter"}; !slices.Equal(kinds(s.MasterGraph), want) {
		t.Errorf("live master section %q, want %q", kinds(s.MasterGraph), want)
	}
	if bq := find(s.MasterGraph, "eq:mid", "BiquadFilterNode"); len(bq) != 1 || bq[0]["filter"] != "peaking" || bq[0].num("freq") != 3000 || bq[0].num("gain") != 2 {
		t.Errorf("master EQ band on the mid: %+v, want one peaking 3000 Hz +2 dB", bq)
	}
	// LR 24 dB/oct: two Butterworth sections of Q 1/√2 (−3.01 dB as Web
	// Audio takes a pass filter's Q).
	if hp := find(s.MasterGraph, "eq", "BiquadFilterNode"); len(hp) != 2 || hp[0]["filter"] != "highpass" || !(math.Abs(hp[0].num("q")+3.0103) <= 0.001) || !(math.Abs(hp[1].num("q")+3.0103) <= 0.001) {
		t.Errorf("master LR high-pass 24 dB/oct: %+v, want two highpass sections of Q 0.7071", hp)
	}
	if c := find(s.MasterGraph, "compressor:side", "AudioWorkletNode"); len(c) != 1 || c[0].opt("ratio") != 2 || c[0].opt("threshold_db") != -20 || c[0].opt("sidechain_hpf_hz") != 90 {
		t.Errorf("master compressor on the side: %+v, want the worklet at 2:1 over -20 dB, its detector high-passed at 90 Hz", c)
	}
	if d := find(s.MasterGraph, "multiband", "AudioWorkletNode"); len(d) != 3 || d[0].opt("expand_ratio") != 2 || d[0].opt("range_db") != 6 || d[0].opt("expand_threshold_db") != -50 || d[0].opt("ratio") != 2 {
		t.Errorf("master multiband's dynamics: %+v, want three worklet bands, the first compressing 2:1 and expanding 1:2 below -50 dB within 6 dB", d)
	}
	if w := find(s.MasterGraph, "saturation", "WaveShaperNode"); len(w) != 1 || w[0]["oversample"] != "4x" || !(w[0].num("curve_points") >= 4096) {
		t.Errorf("master saturation: %+v, want a 4× oversampled wave shaper", w)
	}
	if hp := find(s.MasterGraph, "saturation", "BiquadFilterNode"); len(hp) != 1 || hp[0].num("freq") != 5 {
		t.Errorf("warm saturation's DC blocker: %+v, want a 5 Hz high-pass", hp)
	}
	if d := find(s.MasterGraph, "saturation", "GainNode"); len(d) != 2 || !(math.Abs(20*math.Log10(d[0].num("gain")*16)-6) <= 1e-4) {
		t.Errorf("saturation drive: %+v, want +6 dB (over the curve's span of 16)", d)
	}
	// Punchy: the engine's slow release 0.8 × 100 ms and 4 ms hold.
	if l := find(s.MasterGraph, "limiter", "AudioWorkletNode"); len(l) != 1 || l[0].opt("ceiling_db") != -1.5 || l[0].opt("release_ms") != 80 || l[0].opt("lookahead_ms") != 5 || l[0].opt("hold_ms") != 4 {
		t.Errorf("live limiter: %+v, want the worklet at -1.5 dB, 5 ms look-ahead, punchy: 80 ms release, 4 ms hold", l)
	}
	// The gain takes the stem sum at the mixer to the target (streaming).
	tg := s.MasterTarget
	if tg.Before == nil || tg.Params.Target != -14 || math.Abs(tg.Params.GainDB-(-14-*tg.Before)) > 1e-9 {
		t.Errorf("live master gain %.2f dB for a sum at %v LUFS, want -14 − the sum", tg.Params.GainDB, tg.Before)
	}
	// The gain set: the estimate, or the analysis ahead's once it landed.
	gain := tg.Params.GainDB
	if s.MasterAhead != nil {
		gain = *s.MasterAhead
	}
	if l := find(s.MasterGraph, "limiter", "AudioWorkletNode"); len(l) != 1 || !(math.Abs(l[0].opt("gain_db")-gain) <= 1e-3) || l[0].opt("target_lufs") != -14 || l[0].opt("before_lufs") != *tg.Before {
		t.Errorf("live master gain %+v, want %.2f dB (the estimate %.2f, the analysis ahead %v), the target -14 and the sum %v LUFS it adapts from", l, gain, tg.Params.GainDB, s.MasterAhead, *tg.Before)
	}
	if !strings.Contains(s.MasterNote, "render is the reference") {
		t.Errorf("the master's live note %q does not say the render is the reference", s.MasterNote)
	}
	if !s.MasterAudible || !s.MixerAudible {
		t.Errorf("through the live master section the stems are heard on the Master step %v, from the mixer %v; want both", s.MasterAudible, s.MixerAudible)
	}
	if s.MasterGR == "" {
		t.Error("no live limiter reading beside the master's play button while it plays")
	}
	t.Logf("playing while the analysis ahead runs: %q; once it lands: %q", s.MeasuringText, s.LandedText)
	// Played before the analysis ahead lands: the level is said to be
	// still measured, then to rest on the analysis.
	if s.MeasuringText == "" || s.LandedText == "" {
		t.Errorf("playing while the analysis ahead runs reads %q, once it lands %q: want it to say the song is being measured, then that it was analysed ahead", s.MeasuringText, s.LandedText)
	}
	if !s.GainGlides {
		t.Error("a new master gain or width builds the live master section again (or a new limiter hold does not)")
	}
	if !s.ABNoMaster {
		t.Error("the A/B player's stems play through the master section; its before is the plain sum")
	}
	if s.MixerMaster.Off != 0 || !slices.Contains(s.MixerMaster.On, "limiter") {
		t.Errorf("the mixer's master section: %d links unticked, %q ticked; want none, then the chain", s.MixerMaster.Off, s.MixerMaster.On)
	}

	// A strip: the de-esser and dynamic EQ hold their ranges; the
	// multiband band expands.
	if want := []string{"eq:side", "compressor", "de_esser", "dynamic_eq", "multiband"}; !slices.Equal(kinds(s.StripGraph), want) {
		t.Errorf("live strip %q, want %q", kinds(s.StripGraph), want)
	}
	if d := find(s.StripGraph, "de_esser", "AudioWorkletNode"); len(d) != 1 || d[0].opt("max_cut_db") != 4 || d[0].opt("ratio") != 100 {
		t.Errorf("live de-esser: %+v, want ratio 100 cut at most 4 dB", d)
	}
	if d := find(s.StripGraph, "dynamic_eq", "AudioWorkletNode"); len(d) != 1 || d[0].opt("max_cut_db") != 3 {
		t.Errorf("live dynamic EQ: %+v, want its cut held to 3 dB", d)
	}
	if d := find(s.StripGraph, "multiband", "AudioWorkletNode"); len(d) != 3 || d[0].opt("expand_ratio") != 3 {
		t.Errorf("live strip multiband: %+v, want three worklet bands, the first expanding at 1:3", d)
	}
	if !strings.Contains(string(s.StripSession), `"range_db":4`) || !strings.Contains(string(s.StripSession), `"expand_ratio":3`) {
		t.Errorf("stems[0] in the session: %s", s.StripSession)
	}

	// Every number field offers the session's range at the stems' rate.
	checkFieldBounds(t, s.FieldsSession, s.Fields, 48000)
	checkDeliverables(t, s.FieldsSession, s.Deliverables, 48000)

	// Beyond the bounds: each named at its field, as typed (not clamped).
	wantErr := map[string]string{"master.compressor.ratio": "150 is above 100", "master.saturation.drive_db": "30 is outside 0", "master.limiter.ceiling_dbtp": "-25 is below -20"}
	for _, e := range s.BoundErrors {
		if w, ok := wantErr[e.Field]; ok && strings.Contains(e.Text, w) {
			delete(wantErr, e.Field)
		}
	}
	if len(wantErr) > 0 || !s.BoundCleared {
		t.Errorf("errors shown %+v; missing %v; cleared once fixed: %v", s.BoundErrors, wantErr, s.BoundCleared)
	}
	if s.NaNNote != 1 {
		t.Errorf("%d notes for a release that is not a number, want 1", s.NaNNote)
	}

	// A reload shows every value again.
	wantReload := map[string]any{"band_channel": "mid", "band_gain": "2", "hp_type": "lr_high_pass", "hp_slope": "24", "comp_ratio": "2", "comp_channel": "side", "comp_hpf": "90",
		"mb_on": true, "mb_range": "6", "width": "1.5", "sat_drive": "6", "sat_character": "warm", "lim_ceiling": "-1.5", "lim_release": "100",
		"lim_character": "punchy", "lim_aware": true, "lim_drums": "3", "deess_range": "4", "deess_on": true, "strip_eq_channel": "side"}
	for k, w := range wantReload {
		if s.Reloaded[k] != w {
			t.Errorf("after a reload %s = %v, want %v", k, s.Reloaded[k], w)
		}
	}

	// The render's chain figures: the page shows report.json's.
	if s.Render != "done" {
		t.Fatalf("render ended %q (%s)", s.Render, s.RenderError)
	}
	checkChainFigures(t, s.Report, s.PageReport, true)
	if w := s.StemTable360; w[0] > w[1]+0.5 || w[1] > 360 || w[2] > 360 {
		t.Errorf("at 360 px the stems' table ends at %.0f px, the results at %.0f px, the page is %.0f px wide: want them within 360 px", w[0], w[1], w[2])
	}
	t.Logf("at 360 px: the stems' table ends at %.0f px, the results at %.0f px, the page is %.0f px wide; %.0f px scroll inside the table's box", s.StemTable360[0], s.StemTable360[1], s.StemTable360[2], s.StemTable360[3])
	if s.ScrollWidth > 390 {
		t.Errorf("the results are %d px wide on a 390 px screen", s.ScrollWidth)
	}

	// Offline, on noise: the approximations against their closed forms.
	t.Logf("offline figures: %v", s.Offline)
	for _, c := range []struct {
		key       string
		want, tol float64
	}{
		{"master_neutral_db", 0, 0.1}, // a master section that does nothing
		{"gain_6_db", 6, 0.01},
		{"match_flat3_db", 3, 0.02},       // the FIR's 85 ms delay shifts the noise measured
		{"match_shelf_error_db", 0, 0.05}, // the gain to the target
		// tanh at 0 dB drive on a quiet signal is the 4× oversampling
		// alone: white noise loses what lies above its filters' band.
		{"soft_db", 0, 0.1},
		// The curves' small-signal gains against tanh's (the same
		// oversampling): 1.5x − 0.5x³ and tanh(x + 0.25) − tanh(0.25).
		{"cubic_vs_soft_db", 20 * math.Log10(1.5), 0.01},
		{"warm_vs_soft_db", 20 * math.Log10(1-math.Pow(math.Tanh(0.25), 2)), 0.01},
		{"limiter_under_db", 0, 0.01},
		// 4:1 over -20 dBFS on a -10 dBFS sine (attack 1 ms, release
		// 50 ms) as package dynamics compresses it: every sample's level
		// through the curve and smoothed, so under the static curve's
		// -7.5 dB (-7.11 at 1 kHz, -7.05 at 30 Hz).
		{"compressor_curve_db", engineCompressorDB(t, 1000, 0), 0.05},
		{"compressor_hpf_db", 0, 0.05},                             // a 30 Hz sine under a 200 Hz detector high-pass
		{"compressor_30hz_db", engineCompressorDB(t, 30, 0), 0.05}, // and without it
		{"expander_range_db", -6, 0.3},                             // 20 dB of expansion held to 6
		{"deesser_range_db", 10 * math.Log10(0.25+0.75*math.Pow(10, -6.0/10)), 0.3},
	} {
		if d, ok := s.Offline[c.key]; !ok || math.Abs(d-c.want) > c.tol {
			t.Errorf("offline %s = %.3f dB (measured %v), want %.3f ± %g", c.key, d, ok, c.want, c.tol)
		}
	}
	// The pass filters against their analytic magnitudes at 48 kHz, the
	// bilinear transform's (the corner prewarped): Butterworth of order n
	// is -3.01 dB at the corner and -10·log10(1 + (1/r)^(2n)) an octave
	// below, r the warped ratio tan(π·500/fs) / tan(π·1000/fs);
	// Linkwitz-Riley is the Butterworth of half the order squared (-6.02 dB
	// at the corner).
	r := math.Tan(math.Pi*500/48000) / math.Tan(math.Pi*1000/48000)
	bw := func(n int) float64 { return -10 * math.Log10(1+math.Pow(1/r, 2*float64(n))) }
	for _, c := range []struct {
		band       string
		fc, octave float64
	}{
		{"high_pass6", -3.0103, bw(1)}, {"high_pass12", -3.0103, bw(2)}, {"high_pass24", -3.0103, bw(4)}, {"high_pass48", -3.0103, bw(8)},
		{"lr_high_pass12", -6.0206, 2 * bw(1)}, {"lr_high_pass24", -6.0206, 2 * bw(2)}, {"lr_high_pass48", -6.0206, 2 * bw(4)},
	} {
		fc, fok := s.Offline[c.band+"_fc_db"]
		oc, ook := s.Offline[c.band+"_octave_db"]
		if !fok || !ook || math.Abs(fc-c.fc) > 0.01 || math.Abs(oc-c.octave) > 0.01 {
			t.Errorf("live %s: %.3f dB at the corner, %.3f an octave below; want %.3f and %.3f", c.band, fc, oc, c.fc, c.octave)
		}
	}
	if p := s.Offline["limiter_peak_dbfs"]; p > -1+1e-4 {
		t.Errorf("the live limiter passes %.4f dBFS with its ceiling at -1 (noise driven +12 dB)", p)
	}
	if s.Offline["width0_side_max"] > 1e-6 {
		t.Errorf("width 0 leaves a side of %g", s.Offline["width0_side_max"])
	}
}
