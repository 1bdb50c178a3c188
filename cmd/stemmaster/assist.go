package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"stemmaster"
	"stemmaster/assist"
	"stemmaster/check"
	"stemmaster/engine"
	"stemmaster/internal/atomicfile"
	"stemmaster/server"
	"stemmaster/sessionfile"
)

type assistFlags struct {
	mix         string
	refs        []string
	weights     []float64
	family      string
	target      string
	amount      float64
	matchAmount float64
	smoothing   float64
	out         string
	asJSON      bool
	budgetS     float64
}

func newAssistCmd() *cobra.Command {
	var f assistFlags
	cmd := newCommand("assist", cobra.MinimumNArgs(1), func(cmd *cobra.Command, args []string) error { return runAssist(cmd, f, args) })
	fl := cmd.Flags()
	fl.StringVar(&f.mix, "mix", "", "the client's mix: its balance is kept")
	fl.StringArrayVar(&f.refs, "reference", nil, "reference track to match (repeatable)")
	fl.Float64SliceVar(&f.weights, "reference-weight", nil, "weight of each reference, in order")
	fl.StringVar(&f.family, "family", "auto", "style family: bass_heavy, modern, acoustic or auto")
	fl.StringVar(&f.target, "target", "", "loudness target: a preset ("+stemmaster.PresetNames()+", none) or LUFS")
	fl.Float64Var(&f.amount, "amount", 1, "how strongly to apply every decision, 0 … 1")
	fl.Float64Var(&f.matchAmount, "match-amount", -1, "how strongly to match the references, 0 … 1")
	fl.Float64Var(&f.smoothing, "smoothing", 1.0/3, "smoothing of the matched spectra, in octaves (1/3 … 3)")
	fl.StringVarP(&f.out, "out", "o", "", "write the session here (default: stdout, unless --json)")
	fl.BoolVar(&f.asJSON, "json", false, "print the proposal (decisions, analysis, session) as JSON on stdout")
	fl.Float64Var(&f.budgetS, "budget-s", server.DefaultSuggestFrames/48000,
		"analyse at most this many track-seconds at 48 kHz (about 34 bytes a frame), as the server's /suggest does: a longer song is proposed from a centred excerpt; 0 reads every file whole")
	// --help prints each flag's default as DefValue spells it: these say
	// what the default is, where the value behind it reads "-1", "[]"
	// and "0.3333333333333333".
	for name, def := range map[string]string{"reference-weight": "1", "match-amount": "--amount", "smoothing": "1/3"} {
		fl.Lookup(name).DefValue = def
	}
	return cmd
}

func runAssist(cmd *cobra.Command, f assistFlags, args []string) error {
	fam, err := assist.ParseFamily(f.family)
	if err != nil {
		return usageError(err)
	}
	if !(f.amount >= 0 && f.amount <= 1) {
		return usageError(fmt.Errorf("--amount %g is outside 0 … 1", f.amount))
	}
	if cmd.Flags().Changed("match-amount") && !(f.matchAmount >= 0 && f.matchAmount <= 1) {
		return usageError(fmt.Errorf("--match-amount %g is outside 0 … 1", f.matchAmount))
	}
	if !(f.smoothing >= 1.0/3-1e-9 && f.smoothing <= 3) {
		return usageError(fmt.Errorf("--smoothing %g is outside 1/3 … 3 octaves", f.smoothing))
	}
	if !(f.budgetS >= 0) || math.IsInf(f.budgetS, 0) {
		return usageError(fmt.Errorf("--budget-s %g is not a number of seconds ≥ 0", f.budgetS))
	}
	if len(f.weights) > len(f.refs) {
		return usageError(fmt.Errorf("%d reference weights for %d references", len(f.weights), len(f.refs)))
	}
	if f.asJSON && f.out == "" {
		return usageError(errors.New("--json prints the proposal on stdout: give -o for the session file"))
	}
	opt := assist.Options{Family: fam, Amount: f.amount, Smoothing: f.smoothing}
	if cmd.Flags().Changed("match-amount") {
		opt.MatchAmount = &f.matchAmount
	}
	if f.target != "" {
		t, err := stemmaster.ParseTarget(f.target)
		if err != nil {
			return usageError(err)
		}
		opt.Target = &t
	}
	outDir := "."
	if f.out != "" {
		outDir = filepath.Dir(f.out)
	}
	if err := stemArgs(args); err != nil {
		return err
	}
	inputs := append(append([]string{f.mix}, f.refs...), args...)
	if err := filesOnly(inputs); err != nil {
		return err
	}
	if f.out != "" {
		if err := keepsInputs(f.out, inputs); err != nil {
			return inputError(err)
		}
		if err := sessionOutWritable(f.out); err != nil {
			return inputError(err)
		}
	}
	tracks, excerpt, err := readAssistInputs(inputs, len(f.refs), f.budgetS)
	if err != nil {
		return err
	}
	if f.mix != "" {
		opt.Mix = tracks[0]
		opt.Mix.Name = sessionPath(outDir, f.mix)
	}
	for i, r := range f.refs {
		w := 1.0
		if i < len(f.weights) {
			w = f.weights[i]
			if !(w > 0) {
				return usageError(fmt.Errorf("--reference-weight %g for %s is not positive", w, r))
			}
		}
		opt.References = append(opt.References, assist.Reference{Track: tracks[1+i], Weight: w})
	}
	var stems []*assist.Track
	for i, a := range args {
		t := tracks[1+len(f.refs)+i]
		t.Name = sessionPath(outDir, a)
		stems = append(stems, t)
	}
	if len(stems) == 1 {
		stems[0].Role = stemmaster.RoleOther // stereo mastering
	}
	if excerpt != nil {
		fmt.Fprintf(cmd.ErrOrStderr(), "the proposal rests on %.1f s from the middle of the song (%.1f s, from %.1f s on): assist analyses at most %g track-seconds at 48 kHz (--budget-s)\n",
			excerpt.LengthS, excerpt.SongS, excerpt.StartS, f.budgetS)
	}
	// The stems' offsets, polarities and conversions are the check's
	// (assist.Options.Check): it reads the whole files, as `check` does,
	// whatever excerpt the proposal rests on.
	srcs := check.FileSources(args)
	for i := range srcs {
		if srcs[i].Name != filepath.Base(args[i]) {
			srcs[i].Name = stems[i].Name // two stems of one base name: named as the session names them
		}
		srcs[i].Role = stems[i].Role
	}
	if opt.Check, err = check.Run(cmd.Context(), srcs, check.MixSource(f.mix), check.Options{NoStemTruePeak: true}); err != nil {
		return inputError(err)
	}
	opt.Excerpt = excerpt
	p, err := assist.Propose(stems, opt)
	if err != nil {
		return inputError(err)
	}
	if opt.Mix != nil {
		p.Session.Mix = opt.Mix.Name
	}
	y := p.YAML()
	// The file must read back as the session it describes.
	if _, err := sessionfile.Parse(y, "proposal"); err != nil {
		return fmt.Errorf("internal error: the proposed session does not parse: %w", err)
	}
	printDecisions(cmd.ErrOrStderr(), p)
	if f.out != "" {
		undo, err := makeDirs(outDir)
		if err != nil {
			return inputError(fmt.Errorf("output directory: %w", err))
		}
		if err := writeFileAtomic(f.out, y); err != nil {
			// A full disk: the error names the temporary file, which is
			// gone; the engineer knows the session file. The folders made
			// for it go too.
			undo()
			return inputError(fmt.Errorf("session file %s not written: %w", f.out, err))
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "session written to %s\n", f.out)
	} else {
		cmd.OutOrStdout().Write(y)
	}
	if f.asJSON {
		enc := json.NewEncoder(cmd.OutOrStdout())
		enc.SetIndent("", "  ")
		return enc.Encode(p)
	}
	return nil
}

// readAssistInputs reads the files assist analyses — inputs is the mix
// ("" for none), the nrefs references, then the stems — within budgetS
// track-seconds at 48 kHz (0: every file whole), as assist.Plan sizes
// them; a file whose header does not give its length is counted, as far
// as the longest song the engine renders (assist.SpanOf). The mix's place in the result is nil without a mix. excerpt is
// the song's window when the budget cut it.
func readAssistInputs(inputs []string, nrefs int, budgetS float64) (tracks []*assist.Track, excerpt *assist.Excerpt, err error) {
	spans := make([]assist.Span, len(inputs))
	lengthS := math.Inf(1)
	if budgetS > 0 {
		for i, p := range inputs {
			if p == "" {
				continue
			}
			if spans[i], err = assist.SpanOf(p, i == 0 || i > nrefs, engine.DefaultMaxDurationS); err != nil {
				return nil, nil, inputError(err)
			}
		}
		lengthS, excerpt = assist.Plan(spans, budgetS*48000)
		if lengthS < server.MinSuggestExcerptS {
			return nil, nil, usageError(fmt.Errorf("%d files at their rates leave %.1f s each of --budget-s %g (track-seconds at 48 kHz), under the %d s a proposal needs: raise --budget-s (0 reads every file whole) or remove references",
				len(spans), lengthS, budgetS, server.MinSuggestExcerptS))
		}
	}
	tracks = make([]*assist.Track, len(inputs))
	for i, p := range inputs {
		if p == "" {
			continue
		}
		if tracks[i], err = assist.ReadPlanned(p, spans[i], lengthS, excerpt); err != nil {
			return nil, nil, inputError(err)
		}
	}
	return tracks, excerpt, nil
}

// sessionOutWritable fails before the analysis (a minute and more on
// long songs) when the session file could not be written at out: out is a
// directory, or the nearest existing directory it would be written under
// (the missing ones are made after the analysis) is not one or is not
// writable.
func sessionOutWritable(out string) error {
	if fi, err := os.Stat(out); err == nil && fi.IsDir() {
		return fmt.Errorf("-o %s is a directory: name the session file to write", out)
	}
	dir := filepath.Dir(out)
	for {
		_, err := os.Lstat(dir)
		if !errors.Is(err, fs.ErrNotExist) {
			break
		}
		up := filepath.Dir(dir)
		if up == dir {
			break
		}
		dir = up
	}
	return atomicfile.CheckDir(dir, "output directory")
}

// sessionPath names a file as the session at outDir should: relative to
// outDir when the file is under it or beside it (under outDir's parent:
// "../drums.wav", "../stems/drums.wav"), so that the folder of a song
// moves, or goes to another machine, with its session; absolute when it
// lies further off, where a relative path would follow the session into
// a folder that does not hold the file. The session resolves relative
// names against its own directory (Session.Path), from any working
// directory.
func sessionPath(outDir, file string) string {
	abs, err := filepath.Abs(file)
	if err != nil {
		return file
	}
	dir, err := filepath.Abs(outDir)
	if err != nil {
		return abs
	}
	rel, err := filepath.Rel(dir, abs)
	if err != nil { // another volume
		return abs
	}
	up := ".." + string(filepath.Separator)
	if below := strings.TrimPrefix(rel, up); below != ".." && !strings.HasPrefix(below, up) {
		return rel
	}
	return abs
}

// printDecisions writes the decisions as a table on stderr.
func printDecisions(w io.Writer, p *assist.Proposal) {
	fmt.Fprintf(w, "family %s (%s)\n", p.Family, p.FamilyReason)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "WHERE\tAMOUNT\tSETS\tWHY")
	for _, d := range p.Decisions {
		fmt.Fprintf(tw, "%s\t%g\t%s\t%s\n", d.Path, d.Amount, d.Value, d.Reason)
	}
	tw.Flush()
}
