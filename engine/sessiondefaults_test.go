package engine

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"stemmaster"
	"stemmaster/dsp/biquad"
	"stemmaster/dsp/dyneq"
	"stemmaster/dsp/limiter"
	"stemmaster/dsp/multiband"
	"stemmaster/dsp/saturate"
	"stemmaster/internal/doccheck"
)

// TestSessionDocDefaults holds the default column of docs/session.md to
// the code: every figure and every name in code spans a default cell
// states, in order, is what the code gives a field left out, from the
// session types' accessors or the processor the engine builds with it.
// A cell that states no figure nor name ("none", "— (required)", "the
// preset's") says the field has no value of its own. Each row that states
// one has its entry in sessionDefaults, and each entry its row.
func TestSessionDocDefaults(t *testing.T) {
	t.Parallel()
	code := sessionDefaults()
	seen := map[string]bool{}
	for _, tb := range doccheck.Tables(doccheck.Read(t, "../docs/session.md")) {
		def := slices.Index(tb.Header, "default")
		if len(tb.Header) == 0 || tb.Header[0] != "field" || def < 0 {
			continue
		}
		for _, row := range tb.Rows {
			field := doccheck.CodeSpans(row[0])[0]
			doc := defaultValues(row[def])
			want, ok := code[field]
			switch {
			case len(doc) == 0 && !ok:
				continue
			case !ok:
				t.Errorf("docs/session.md gives %s the default %q: add what the code gives it to sessionDefaults", field, row[def])
				continue
			}
			seen[field] = true
			if !slices.Equal(doc, want) {
				t.Errorf("docs/session.md gives %s the default %q (%q); the code gives %q", field, row[def], doc, want)
			}
		}
	}
	for field := range code {
		if !seen[field] {
			t.Errorf("sessionDefaults holds %s, which no row of docs/session.md gives a default", field)
		}
	}
}

// defaultFigure is a figure or a name in code spans in a default cell.
var defaultFigure = regexp.MustCompile("`([^`]+)`|[−-]?[0-9]+(?:\\.[0-9]+)?")

// defaultValues lists the figures (as strconv formats them) and the
// names in code spans of a default cell, in order.
func defaultValues(cell string) []string {
	var out []string
	for _, m := range defaultFigure.FindAllStringSubmatch(cell, -1) {
		if m[1] != "" {
			out = append(out, m[1])
			continue
		}
		x, _ := strconv.ParseFloat(strings.ReplaceAll(m[0], "−", "-"), 64)
		out = append(out, num(x))
	}
	return out
}

func num(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// sessionDefaults is what the code gives each field a session leaves out,
// keyed by the first field of its row, each figure and name in the order
// the cell states them. A figure of 0 is the field's zero value, passed
// to the processor as it is.
func sessionDefaults() map[string][]string {
	var (
		comp  stemmaster.CompressorParams
		lim   = limiterParams(stemmaster.Master{}, 0)
		out   = stemmaster.DefaultOutput
		stem  = (&stemmaster.Session{Stems: []stemmaster.StemSpec{{File: "a.wav"}}}).WithDefaults()
		noTgt = stemmaster.Master{Target: &stemmaster.NoTarget, Limiter: &stemmaster.LimiterParams{}}
		dith  = func(bits int) string {
			if (stemmaster.Output{Format: stemmaster.FormatWAV, BitDepth: bits}).Dithered() {
				return stemmaster.DitherTPDF
			}
			return stemmaster.DitherNone
		}
		bare, _ = stemmaster.ParseTarget("-20")
		// A stem's width left out runs no width stage, as 1 does.
		width = func() string {
			none, _ := appendMultibandWidth(nil, nil, nil, 48000)
			one, _ := appendMultibandWidth(nil, nil, new(1.0), 48000)
			if len(none) == 0 && len(one) == 0 {
				return num(1)
			}
			return "a width stage"
		}
	)
	ceiling, _ := noTgt.Ceiling()
	zero := []string{num(0)}
	and24 := "24" // the bit depths that take the 16-bit output's dither
	if dith(24) != dith(16) {
		and24 = "24: " + dith(24)
	}
	sampleFormat := "int"
	if out.IsFloat() {
		sampleFormat = "float"
	}
	// The doc gives 0.7071 for 1/√2.
	q4 := func(b stemmaster.EQBand) string { return num(math.Round(b.DefaultQ()*1e4) / 1e4) }
	d := map[string][]string{
		"stems[].gain_db":                               zero,
		"stems[].pan":                                   zero,
		"stems[].polarity":                              {string(stem.Stems[0].Polarity)},
		"stems[].offset_samples":                        zero,
		"stems[].eq[].gain_db":                          zero,
		"stems[].eq[].q":                                {q4(stemmaster.EQBand{Type: stemmaster.EQPeak}), stemmaster.EQPeak, q4(stemmaster.EQBand{Type: stemmaster.EQLowShelf})},
		"stems[].eq[].slope":                            {num(biquad.DefaultSlope)},
		"stems[].compressor.attack_ms":                  {num(comp.Attack())},
		"stems[].compressor.release_ms":                 {num(comp.Release())},
		"stems[].compressor.knee_db":                    zero,
		"stems[].compressor.makeup_db":                  zero,
		"stems[].compressor.sidechain_hpf_hz":           zero,
		"master.rumble_filter_hz":                       {num(DefaultMaster().RumbleFilterHz)},
		"master.target":                                 {stemmaster.DefaultTargetPreset},
		"master.gain_db":                                zero,
		"master.limiter.ceiling_dbtp":                   {num(ceiling), "target: " + stemmaster.NoTarget.Preset},
		"master.limiter.lookahead_ms":                   {num(lim.LookaheadMS)},
		"master.limiter.release_ms":                     {num(lim.ReleaseMS)},
		"master.limiter.warn_gain_reduction_db":         {num(stemmaster.LimiterParams{}.WarnGR())},
		"master.target.preset":                          {stemmaster.Master{}.EffectiveTarget().Preset},
		"master.target.true_peak_dbtp":                  {num(bare.TruePeakDBTP)},
		"outputs":                                       {strconv.Itoa(out.BitDepth)},
		"versions":                                      {fmt.Sprintf("%v", stem.Versions)},
		"outputs[].sample_format":                       {sampleFormat},
		"outputs[].sample_rate":                         {strconv.Itoa(out.SampleRate)},
		"outputs[].dither":                              {dith(16), "16", and24, dith(32), "32"},
		"versions[]":                                    {string(stemmaster.VersionMain)},
		"stems[].eq[].channel":                          {stemmaster.ChannelStereo},
		"stems[].compressor.channel":                    {stemmaster.ChannelStereo},
		"stems[].dynamic_eq[].q":                        {num(dyneq.DefaultQ)},
		"stems[].dynamic_eq[].attack_ms":                {num(dyneq.DefaultAttackMS)},
		"stems[].dynamic_eq[].release_ms":               {num(dyneq.DefaultReleaseMS)},
		"stems[].dynamic_eq[].channel":                  {stemmaster.ChannelStereo},
		"stems[].multiband.bands[].threshold_db":        zero,
		"stems[].multiband.bands[].ratio":               zero,
		"stems[].multiband.bands[].knee_db":             zero,
		"stems[].multiband.bands[].attack_ms":           {num(multiband.DefaultAttackMS)},
		"stems[].multiband.bands[].release_ms":          {num(multiband.DefaultReleaseMS)},
		"stems[].multiband.bands[].makeup_db":           zero,
		"stems[].multiband.bands[].expand_threshold_db": zero,
		"stems[].multiband.bands[].expand_ratio":        zero,
		"stems[].multiband.bands[].range_db":            {num(multiband.DefaultRangeDB)},
		"stems[].multiband.bands[].width":               {num(stemmaster.MultibandBand{}.BandWidth())},
		"stems[].width":                                 {width()},
		"master.saturation.output_db":                   zero,
		"master.saturation.character":                   {saturate.CharacterSoft},
		"master.limiter.character":                      {limiter.CharacterTransparent},
	}
	for _, r := range stemmaster.Roles {
		d["master.limiter.stem_aware."+string(r)] = []string{num(stemmaster.StemAwareParams{}.Weight(r))}
	}
	return d
}
