package assist

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"stemmaster"
)

// YAML writes the proposal as a session file: the session in the schema
// package sessionfile reads, each decision's amount and reason as a comment
// above the field it set ("# amount 1: …"), advice it does not act on in
// the header. Comments are all the engine ignores, so the
// file is an ordinary session: edit it, delete the comments, master it.
func (p *Proposal) YAML() []byte {
	var b bytes.Buffer
	by := map[string][]Decision{}
	for _, d := range p.Decisions {
		key := d.Path
		if i := strings.Index(key, "["); i >= 0 && strings.HasPrefix(key, "master.eq[") {
			key = "master.eq"
		}
		by[key] = append(by[key], d)
	}
	fmt.Fprintf(&b, "# Session proposed by `stemmaster assist` — family %s (%s), amount %s", p.Family, p.FamilyReason, stemmaster.FormatNumber(p.Amount))
	if len(p.References) > 0 {
		fmt.Fprintf(&b, ", match amount %s", stemmaster.FormatNumber(p.MatchAmount))
	}
	b.WriteString(".\n# Each decision carries its amount (0 = off, 1 = full) and reason in a comment above\n# the field it sets; edit freely, then: stemmaster master -s <this file> -o out\n")
	// Advice without a session field.
	var advice []Decision
	for _, d := range p.Decisions {
		if d.Value == "advice" {
			advice = append(advice, d)
		}
	}
	if len(advice) > 0 {
		b.WriteString("#\n# Advice (reported, not acted on):\n")
		for _, d := range advice {
			fmt.Fprintf(&b, "#   - %s\n", oneLine(d.Reason))
		}
	}
	s := p.Session
	b.WriteString("stems:\n")
	for i, st := range s.Stems {
		pre := fmt.Sprintf("stems[%d].", i)
		fmt.Fprintf(&b, "  - file: %s\n", quote(st.File))
		if st.Role != "" {
			fmt.Fprintf(&b, "    role: %s\n", st.Role)
		}
		for _, d := range by[fmt.Sprintf("stems[%d]", i)] {
			if d.Value != "advice" {
				comment(&b, "    ", d)
			}
		}
		for _, d := range by[pre+"eq"] {
			comment(&b, "    ", d)
		}
		if st.Resample {
			comments(&b, "    ", by[pre+"resample"])
			b.WriteString("    resample: true\n")
		}
		if st.OffsetSamples != 0 {
			comments(&b, "    ", by[pre+"offset_samples"])
			fmt.Fprintf(&b, "    offset_samples: %d\n", st.OffsetSamples)
		}
		if st.Polarity != "" && st.Polarity != stemmaster.PolarityNormal {
			comments(&b, "    ", by[pre+"polarity"])
			fmt.Fprintf(&b, "    polarity: %s\n", st.Polarity)
		}
		comments(&b, "    ", by[pre+"gain_db"])
		if st.GainDB != 0 {
			fmt.Fprintf(&b, "    gain_db: %s\n", stemmaster.FormatNumber(st.GainDB))
		}
		if len(st.EQ) > 0 {
			b.WriteString("    eq:\n")
			for j, band := range st.EQ {
				comments(&b, "      ", by[fmt.Sprintf("%seq[%d]", pre, j)])
				fmt.Fprintf(&b, "      - %s\n", eqFlow(band))
			}
		}
		comments(&b, "    ", by[pre+"compressor"])
		if st.Compressor != nil {
			fmt.Fprintf(&b, "    compressor: %s\n", compFlow(*st.Compressor))
		}
		comments(&b, "    ", by[pre+"de_esser"])
		if d := st.DeEsser; d != nil {
			fmt.Fprintf(&b, "    de_esser: {freq_hz: %s, threshold_db: %s, range_db: %s}\n", stemmaster.FormatNumber(d.FreqHz), stemmaster.FormatNumber(d.ThresholdDB), stemmaster.FormatNumber(d.RangeDB))
		}
		comments(&b, "    ", by[pre+"multiband"])
		if m := st.Multiband; m != nil {
			fmt.Fprintf(&b, "    multiband: %s\n", widthFlow(*m))
		}
		comments(&b, "    ", by[pre+"width"])
		if st.Width != nil {
			fmt.Fprintf(&b, "    width: %s\n", stemmaster.FormatNumber(*st.Width))
		}
	}
	if s.Mix != "" {
		fmt.Fprintf(&b, "mix: %s\n", quote(s.Mix))
	}
	b.WriteString("master:\n")
	if f := s.Master.RumbleFilterHz; f != 0 {
		fmt.Fprintf(&b, "  rumble_filter_hz: %s\n", stemmaster.FormatNumber(f))
	}
	comments(&b, "  ", by["master.match_eq"])
	if len(s.Master.MatchEQ) > 0 {
		b.WriteString("  match_eq:\n")
		for _, pt := range s.Master.MatchEQ {
			fmt.Fprintf(&b, "    - {freq_hz: %s, gain_db: %s}\n", stemmaster.FormatNumber(pt.FreqHz), stemmaster.FormatNumber(pt.GainDB))
		}
	}
	comments(&b, "  ", by["master.eq"])
	if len(s.Master.EQ) > 0 {
		b.WriteString("  eq:\n")
		for _, band := range s.Master.EQ {
			fmt.Fprintf(&b, "    - %s\n", eqFlow(band))
		}
	}
	comments(&b, "  ", by["master.compressor"])
	if c := s.Master.Compressor; c != nil {
		fmt.Fprintf(&b, "  compressor: %s\n", compFlow(*c))
	}
	comments(&b, "  ", by["master.multiband"])
	if m := s.Master.Multiband; m != nil {
		fmt.Fprintf(&b, "  multiband: %s\n", widthFlow(*m))
	}
	comments(&b, "  ", by["master.limiter"])
	if l := s.Master.Limiter; l != nil {
		var f flow
		if l.CeilingDBTP != nil {
			f.num("ceiling_dbtp", *l.CeilingDBTP)
		}
		f.opt("lookahead_ms", l.LookaheadMS)
		f.opt("release_ms", l.ReleaseMS)
		f.opt("warn_gain_reduction_db", l.WarnGainReductionDB)
		fmt.Fprintf(&b, "  limiter: %s\n", f)
	}
	comments(&b, "  ", by["master.target"])
	if t := s.Master.Target; t != nil {
		switch {
		case t.None:
			b.WriteString("  target: none\n")
		case t.Preset != "":
			fmt.Fprintf(&b, "  target: %s\n", t.Preset)
		default:
			fmt.Fprintf(&b, "  target: {integrated_lufs: %s, true_peak_dbtp: %s}\n", stemmaster.FormatNumber(t.IntegratedLUFS), stemmaster.FormatNumber(t.TruePeakDBTP))
		}
	}
	if s.Master.GainDB != 0 {
		fmt.Fprintf(&b, "  gain_db: %s\n", stemmaster.FormatNumber(s.Master.GainDB))
	}
	// Outputs and versions are the engine's defaults unless set.
	if len(s.Outputs) > 0 {
		b.WriteString("outputs:\n")
		for _, o := range s.Outputs {
			fmt.Fprintf(&b, "  - {format: %s, bit_depth: %d}\n", o.Format, o.BitDepth)
		}
	}
	if len(s.Versions) > 0 {
		vs := make([]string, len(s.Versions))
		for i, v := range s.Versions {
			vs[i] = string(v)
		}
		sort.Strings(vs)
		fmt.Fprintf(&b, "versions: [%s]\n", strings.Join(vs, ", "))
	}
	return b.Bytes()
}

func comments(b *bytes.Buffer, indent string, ds []Decision) {
	for _, d := range ds {
		comment(b, indent, d)
	}
}

func comment(b *bytes.Buffer, indent string, d Decision) {
	fmt.Fprintf(b, "%s# amount %s: %s", indent, stemmaster.FormatNumber(d.Amount), oneLine(d.Reason))
	if strings.HasPrefix(d.Value, "off") {
		fmt.Fprintf(b, " [%s]", d.Value)
	}
	b.WriteByte('\n')
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// flow builds a YAML flow mapping, {key: value, …}.
type flow []string

// num adds key: v.
func (f *flow) num(key string, v float64) { *f = append(*f, key+": "+stemmaster.FormatNumber(v)) }

// opt adds key: v unless v is 0, which the session reads as the field's
// default.
func (f *flow) opt(key string, v float64) {
	if v != 0 {
		f.num(key, v)
	}
}

func (f flow) String() string { return "{" + strings.Join(f, ", ") + "}" }

func eqFlow(e stemmaster.EQBand) string {
	f := flow{"type: " + e.Type}
	f.num("freq_hz", e.FreqHz)
	f.opt("gain_db", e.GainDB)
	f.opt("q", e.Q)
	if e.Slope != 0 {
		f = append(f, "slope: "+strconv.Itoa(e.Slope))
	}
	return f.String()
}

func compFlow(c stemmaster.CompressorParams) string {
	var f flow
	f.num("threshold_db", c.ThresholdDB)
	f.num("ratio", c.Ratio)
	f.opt("attack_ms", c.AttackMS)
	f.opt("release_ms", c.ReleaseMS)
	f.opt("knee_db", c.KneeDB)
	f.opt("makeup_db", c.MakeupDB)
	f.opt("sidechain_hpf_hz", c.SidechainHPFHz)
	return f.String()
}

// quote writes a file name as a YAML string that always reads back as a
// string (JSON quoting is valid YAML).
func quote(s string) string { return strconv.Quote(s) }

// widthFlow writes a multiband that does nothing but width.
func widthFlow(m stemmaster.MultibandParams) string {
	var xs, bs []string
	for _, f := range m.CrossoversHz {
		xs = append(xs, stemmaster.FormatNumber(f))
	}
	for _, band := range m.Bands {
		if band.Width != nil {
			bs = append(bs, "{width: "+stemmaster.FormatNumber(*band.Width)+"}")
		} else {
			bs = append(bs, "{}")
		}
	}
	return fmt.Sprintf("{crossovers_hz: [%s], bands: [%s]}", strings.Join(xs, ", "), strings.Join(bs, ", "))
}
