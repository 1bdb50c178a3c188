package main

import (
	"fmt"
	"os"
	"path/filepath"

	"stemmaster"
	"stemmaster/engine"
	"stemmaster/report"
	"stemmaster/sessionfile"
)

// checkInputsKept refuses a render whose outputs — deliverables and
// report.json in outDir, the pictures and HTML page in reportDir, the
// profiles of prof — would replace one of its inputs (a stem, the mix, the
// session file): no input is ever modified, whatever the directories and
// names. An output name held by a directory is refused too, before
// anything is rendered, and so is a profile written over a deliverable.
func checkInputsKept(s *stemmaster.Session, sessionFile, outDir, reportDir string, prof *profileFlags) error {
	inputs := []string{sessionFile, s.Mix}
	for _, st := range s.Stems {
		inputs = append(inputs, s.Path(st.File))
	}
	if s.Mix != "" {
		inputs[1] = s.Path(s.Mix)
	}
	targets := renderTargets(s, outDir, reportDir)
	if err := prof.keep(append(inputs, targets...)); err != nil {
		return err
	}
	for _, t := range targets {
		if fi, err := os.Lstat(t); err == nil && fi.IsDir() {
			// The render would write everything, then fail to rename over
			// it: the deliverables renamed before it would stand without
			// their report.
			return fmt.Errorf("the output %s is a directory: move it away or choose another output directory", t)
		}
		if i := sessionfile.MixAmongStems(t, inputs); i >= 0 {
			return fmt.Errorf("the output %s would overwrite the input %s: choose another output directory", t, inputs[i])
		}
	}
	return nil
}

// renderTargets are the files a render of s writes: every deliverable and
// report.json in outDir, and with reportDir the HTML page and pictures.
func renderTargets(s *stemmaster.Session, outDir, reportDir string) []string {
	full := s.WithDefaults()
	var targets []string
	for _, v := range full.Versions {
		for _, o := range full.Outputs {
			targets = append(targets, filepath.Join(outDir, o.FileName(v)))
		}
	}
	targets = append(targets, filepath.Join(outDir, engine.ReportFile))
	if reportDir != "" {
		for _, name := range append([]string{report.HTMLName}, report.PictureNames()...) {
			targets = append(targets, filepath.Join(reportDir, name))
		}
	}
	return targets
}

// keepsInputs refuses to write out when it is one of inputs (the same
// file, by any path or link): assist's session file must never replace a
// stem, the mix or a reference it reads.
func keepsInputs(out string, inputs []string) error {
	// The mix's own test: the first input that is out's file, if out exists.
	if i := sessionfile.MixAmongStems(out, inputs); i >= 0 {
		return fmt.Errorf("the session file %s would overwrite the input %s: choose another -o", out, inputs[i])
	}
	return nil
}
