package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"stemmaster"
	"stemmaster/analysis"
	"stemmaster/audio"
	"stemmaster/engine"
	"stemmaster/internal/atomicfile"
	"stemmaster/report"
	"stemmaster/sessionfile"
)

// masterFlags are the options of `stemmaster master`.
type masterFlags struct {
	session  string
	target   string
	ceiling  float64
	mix      string
	stereo   bool
	resample bool
	outDir   string
	asJSON   bool
	report   string
	noCheck  bool
	prof     *profileFlags
}

func newMasterCmd() *cobra.Command {
	var f masterFlags
	cmd := newCommand("master", nil, func(cmd *cobra.Command, args []string) error {
		return runMaster(cmd, f, args)
	})
	fl := cmd.Flags()
	fl.StringVarP(&f.session, "session", "s", "", "session file (YAML or JSON)")
	fl.StringVar(&f.target, "target", "", "loudness target: a preset ("+stemmaster.PresetNames()+", none) or LUFS")
	fl.Float64Var(&f.ceiling, "ceiling", 0, "true-peak ceiling in dBTP (overrides the target's)")
	fl.StringVar(&f.mix, "mix", "", "reference mix, for the stem checks")
	fl.BoolVar(&f.stereo, "stereo", false, "master a single stereo file")
	fl.BoolVar(&f.resample, "resample", false, "convert stems at another sample rate to the song's (resample: true on every stem)")
	fl.StringVarP(&f.outDir, "out", "o", "master", "output directory (created when missing)")
	fl.BoolVar(&f.asJSON, "json", false, "print report.json on stdout")
	fl.StringVar(&f.report, "report", "", "also write the pictures and an HTML report into this directory")
	fl.BoolVar(&f.noCheck, "no-check", false, "skip the stem checks (the report then has no findings)")
	f.prof = &profileFlags{}
	f.prof.add(cmd)
	return cmd
}

// buildSession turns the flags and arguments into a session.
func buildSession(cmd *cobra.Command, f masterFlags, args []string) (*stemmaster.Session, error) {
	var s *stemmaster.Session
	switch {
	case f.session != "" && len(args) > 0:
		return nil, usageError(errors.New("give the stems in the session file or on the command line, not both"))
	case f.session != "":
		var err error
		if s, err = sessionfile.Load(f.session); err != nil {
			return nil, inputError(err)
		}
	case len(args) == 0:
		return nil, usageError(errors.New("no stems: give stem files or a session (-s)"))
	case f.stereo && len(args) != 1:
		return nil, usageError(fmt.Errorf("--stereo masters one file; got %d", len(args)))
	default:
		if err := stemArgs(args); err != nil {
			return nil, err
		}
		s = &stemmaster.Session{Master: engine.DefaultMaster()}
		for _, a := range args {
			s.Stems = append(s.Stems, stemmaster.StemSpec{File: a})
		}
		if f.stereo {
			s.Stems[0].Role = stemmaster.RoleOther
		}
	}
	if f.stereo && len(s.Stems) != 1 {
		return nil, usageError(fmt.Errorf("--stereo masters one file; the session has %d stems", len(s.Stems)))
	}
	if f.resample {
		for i := range s.Stems {
			s.Stems[i].Resample = true
		}
	}
	if cmd.Flags().Changed("target") {
		t, err := stemmaster.ParseTarget(f.target)
		if err != nil {
			return nil, usageError(err)
		}
		s.Master.Target = &t
	}
	if cmd.Flags().Changed("ceiling") {
		if !(f.ceiling <= 0 && f.ceiling >= -20) { // also catches NaN
			return nil, usageError(fmt.Errorf("--ceiling %g: the ceiling must lie between -20 and 0 dBTP", f.ceiling))
		}
		l := stemmaster.LimiterParams{}
		if s.Master.Limiter != nil {
			l = *s.Master.Limiter
		}
		c := f.ceiling
		l.CeilingDBTP = &c
		s.Master.Limiter = &l
	}
	if f.mix != "" {
		abs, err := filepath.Abs(f.mix)
		if err != nil {
			return nil, inputError(err)
		}
		s.Mix = abs
	}
	if err := errors.Join(s.Validate(), sessionfile.CheckFiles(s)); err != nil {
		if f.session == "" {
			err = asTyped(err, args, f.mix)
		}
		return nil, inputError(err)
	}
	return s, nil
}

// asTyped names the files of a session built from the command line as
// they were typed ("drums.wav does not exist", "--mix mix.wav does not
// exist"), not by the fields of a session the user never wrote
// ("stems[1].file: …", the mix's absolute path).
func asTyped(err error, stems []string, mix string) error {
	return eachJoined(err, func(err error) error {
		se, ok := err.(*stemmaster.SessionError)
		if !ok {
			return err
		}
		typed := *se
		if se.Field == "mix" {
			typed.Value = "--mix " + mix
		} else if n, ok := stemFileIndex(se.Field); ok && n < len(stems) {
			typed.Value = stems[n]
		} else {
			return err
		}
		typed.Field = ""
		return &typed
	})
}

// eachJoined applies fn to each error errors.Join joined into err (to
// err itself when it joins none) and joins the results in their order.
func eachJoined(err error, fn func(error) error) error {
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return fn(err)
	}
	errs := j.Unwrap()
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = eachJoined(e, fn)
	}
	return errors.Join(out...)
}

// stemFileIndex is i of the field "stems[i].file".
func stemFileIndex(field string) (int, bool) {
	rest, ok := strings.CutPrefix(field, "stems[")
	if !ok {
		return 0, false
	}
	rest, ok = strings.CutSuffix(rest, "].file")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil && n >= 0
}

func runMaster(cmd *cobra.Command, f masterFlags, args []string) error {
	s, err := buildSession(cmd, f, args)
	if err != nil {
		return err
	}
	stderr := cmd.ErrOrStderr()
	if f.outDir == "" {
		return usageError(errors.New("-o is empty: name the output directory"))
	}
	if err := checkInputsKept(s, f.session, f.outDir, f.report, f.prof); err != nil {
		return usageError(err)
	}
	if err := otherRendersOutput(f.report, f.outDir); err != nil {
		return inputError(err)
	}
	// The directories made here are taken away again if the run fails
	// before the render delivers: a typo in -o, or stems the render then
	// refuses, must not leave an empty tree behind.
	rendered := false
	undoOut, err := makeDirs(f.outDir)
	if err != nil {
		return inputError(outDirError(f.outDir, !cmd.Flags().Changed("out"), err))
	}
	undoReport := func() {}
	defer func() {
		if !rendered {
			undoReport()
			undoOut()
		}
	}()
	if f.report != "" {
		// Made before the render, so that a report directory that cannot
		// be made stops the run before it renders rather than after.
		if undoReport, err = makeDirs(f.report); err != nil {
			return inputError(fmt.Errorf("report directory: %w", err))
		}
		if err := atomicfile.CheckDir(f.report, "report directory"); err != nil {
			return inputError(err)
		}
		// One writer of the pictures at a time, as of the masters (the
		// engine holds -o; a report directory that is -o is held there).
		if ri, oi := statOrNil(f.report), statOrNil(f.outDir); ri != nil && (oi == nil || !os.SameFile(ri, oi)) {
			unlock, err := atomicfile.LockDir(f.report)
			if errors.Is(err, atomicfile.ErrLocked) {
				return inputError(fmt.Errorf("report directory %s is in use by another render: wait for it to end, or choose another --report", f.report))
			}
			if err == nil {
				defer unlock()
			}
		}
	}
	ctx, stop := interruptible(cmd.Context())
	defer stop()

	stopProf, err := f.prof.start()
	if err != nil {
		return err
	}
	opt := engine.Options{OutDir: f.outDir, SkipCheck: f.noCheck}
	// Found while the render holds -o, and put in report.json: a batch
	// reading --json must see them, not only a human reading stderr.
	opt.CommitWarnings = func() []string {
		var ws []string
		for _, p := range staleReports(f.outDir, f.report) {
			ws = append(ws, fmt.Sprintf("%s is an earlier render's report, not of the masters now in %s: write it again (--report %s) or remove it", p, f.outDir, filepath.Dir(p)))
		}
		return ws
	}
	var reportErr error
	if f.report != "" {
		// Written while the engine still holds -o: a report directory that
		// is -o or lies inside it must not receive this render's pictures
		// after another render has put its masters there.
		opt.Committed = func(rep *stemmaster.Report) { reportErr = writeReport(f.report, rep, report.Write) }
	}
	rep, err := renderCLI(ctx, stderr, s, opt, f.asJSON)
	if perr := stopProf(); perr != nil && err == nil {
		return perr
	}
	if err != nil {
		return renderError(atSessionLines(s, err))
	}
	rendered = true
	if reportErr != nil {
		// The masters are delivered; the report directory is as it was,
		// and goes again if this run made it.
		undoReport()
		return inputError(fmt.Errorf("masters written to %s, but no report written: %w", f.outDir, reportErr))
	}
	rs := analysis.Resolve(rep.Findings, s, false)
	printFindings(stderr, rs)
	if f.asJSON {
		if err := printJSON(cmd.OutOrStdout(), rep); err != nil {
			return err
		}
	} else {
		// stdout is kept for --json; human text goes to stderr.
		printSummary(stderr, rep, f.outDir)
		printAdvice(stderr, "Advice", rep.Advice)
	}
	if len(rep.Outputs) == 0 {
		// Every version asked for was empty (the warnings above say why):
		// the run delivered no master, which a script must not read as
		// success.
		return inputError(fmt.Errorf("no master written to %s: every version of the session is empty (see the warnings above)", f.outDir))
	}
	return deliveryErrors(rs, f.outDir)
}

// deliveryErrors is the exit status of a render whose stem check found
// error-severity problems the session does not correct (analysis.Resolve,
// the rule the page's render gate reads): exit 1. The masters are still
// written, but the run must not look clean to a script. An error the
// session corrects (offset_samples, polarity, gain_db, swap_channels,
// resample as the finding names them) does not count. With --no-check the
// report has no findings and this is nil.
func deliveryErrors(rs []analysis.Resolution, dir string) error {
	n := analysis.Blocking(rs)
	if n == 0 {
		return nil
	}
	return inputError(fmt.Errorf("masters written to %s, but the delivery has %d error(s) the session does not correct (above): fix them, or correct them in the session", dir, n))
}

// atSessionLines puts, before each error of err about a stem or mix file
// (an *audio.FileError: not audio, cut short, unreadable), the session
// file's line and field that name the file, as the session's own errors
// read: "session.yaml:4: stems[2].file: …". An album's session names
// files by relative paths, and the line is where to fix it. Errors are
// left as they are for a session built from the command line. Stems at
// different sample rates are the session's, not one line's: the error is
// led by the session file alone, so that in an album's loop it says which
// song's drums.wav is at another rate.
func atSessionLines(s *stemmaster.Session, err error) error {
	if s.Name == "" {
		return err
	}
	var rm *engine.RateMismatchError
	if errors.As(err, &rm) {
		return fmt.Errorf("%s: %w", s.Name, err)
	}
	return eachJoined(err, func(err error) error {
		var fe *audio.FileError
		if !errors.As(err, &fe) {
			return err
		}
		field := ""
		for i, st := range s.Stems {
			if s.Path(st.File) == fe.Path {
				field = fmt.Sprintf("stems[%d].file", i)
				break
			}
		}
		if field == "" && s.Mix != "" && s.Path(s.Mix) == fe.Path {
			field = "mix"
		}
		if field == "" {
			return err
		}
		return fmt.Errorf("%s:%d: %s: %w", s.Name, s.FieldLine(field), field, err)
	})
}

// makeDirs makes dir and its missing parents, as os.MkdirAll does, and
// returns undo, which removes the directories it made, deepest first, as
// long as they are empty (a directory something was written into stays).
func makeDirs(dir string) (undo func(), err error) {
	var made []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); !errors.Is(err, fs.ErrNotExist) {
			break
		}
		made = append(made, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return func() {}, err
	}
	return func() {
		for _, d := range made {
			os.Remove(d)
		}
	}, nil
}

// outDirError is the error of an output directory that cannot be made:
// it names the directory, and says when it is the default, made in the
// current directory (stems on a read-only disk, `master -s session.yaml`
// run beside them), that -o chooses another.
func outDirError(dir string, byDefault bool, err error) error {
	if fi, serr := os.Stat(dir); serr == nil && !fi.IsDir() {
		what := sessionfile.NotAFile(fi)
		if what == "" {
			what = "a file"
		}
		return fmt.Errorf("output directory %s is %s, not a directory; choose another with -o", dir, what)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	if byDefault {
		return fmt.Errorf("output directory %s (the default, in the current directory) cannot be made: %v; choose one with -o", dir, err)
	}
	return fmt.Errorf("output directory %s cannot be made: %v", dir, err)
}

// statOrNil is os.Stat's FileInfo, or nil when path cannot be stat'ed.
func statOrNil(path string) os.FileInfo {
	fi, err := os.Stat(path)
	if err != nil {
		return nil
	}
	return fi
}
