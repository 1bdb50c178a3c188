package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"stemmaster"
	"stemmaster/engine"
	"stemmaster/internal/atomicfile"
	"stemmaster/report"
)

// reportStage is the name of the folder, inside the report directory,
// where writeReport draws a report before it publishes it: a temporary
// name of atomicfile's form (".report.<digits>.tmp").
const reportStage = "report"

// writeReport writes the pictures and report.html of rep into dir as one
// set, with write (report.Write). Everything is drawn first in a folder of
// its own inside dir, so report.html embeds this render's pictures alone,
// never one an earlier report left in dir (a de-esser picture of another
// session, shown as this one's), and a write that fails (a full disk)
// leaves dir as it was: no pictures of this render beside the HTML of an
// earlier one. The set is then renamed into dir, report.html last, and
// the pictures of report.PictureNames this render does not draw are
// removed: they described another render. The caller holds dir (the
// render's lock on -o, or the report directory's own), so a stage folder
// left by a render killed outright (kill -9) is removed first.
func writeReport(dir string, rep *stemmaster.Report, write func(string, *stemmaster.Report) error) error {
	if ents, err := os.ReadDir(dir); err == nil {
		for _, e := range ents {
			if e.IsDir() && atomicfile.IsTemp(e.Name(), reportStage) {
				os.RemoveAll(filepath.Join(dir, e.Name()))
			}
		}
	}
	stage, err := os.MkdirTemp(dir, "."+reportStage+".*.tmp")
	if err != nil {
		return fmt.Errorf("report %s: %w", dir, err)
	}
	defer os.RemoveAll(stage)
	if err := write(stage, rep); err != nil {
		// report's errors name the stage's files; the engineer knows dir.
		return errors.New(strings.ReplaceAll(err.Error(), stage, dir))
	}
	ents, err := os.ReadDir(stage)
	if err != nil {
		return fmt.Errorf("report %s: %w", dir, err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	// report.html last: once it is there, the pictures it shows are too.
	slices.SortStableFunc(names, func(a, b string) int {
		if a == report.HTMLName {
			return 1
		}
		if b == report.HTMLName {
			return -1
		}
		return 0
	})
	for _, n := range names {
		if err := os.Rename(filepath.Join(stage, n), filepath.Join(dir, n)); err != nil {
			return fmt.Errorf("report %s: %w", dir, err)
		}
	}
	for _, n := range report.PictureNames() {
		if !slices.Contains(names, n) {
			os.Remove(filepath.Join(dir, n))
		}
	}
	return atomicfile.SyncDir(dir)
}

// staleReports names the HTML reports an earlier render left in outDir or
// a folder directly in it (--report out, --report out/report) that this
// render did not write again (reportDir, "" without --report): an
// engineer re-rendering after changing one gain, without --report, found
// the previous figures and pictures beside the new masters, and nothing
// said they were not these masters'.
func staleReports(outDir, reportDir string) []string {
	dirs := []string{outDir}
	if ents, err := os.ReadDir(outDir); err == nil {
		for _, e := range ents {
			if e.IsDir() {
				dirs = append(dirs, filepath.Join(outDir, e.Name()))
			}
		}
	}
	written := statOrNil(reportDir)
	var stale []string
	for _, d := range dirs {
		if fi := statOrNil(d); written != nil && fi != nil && os.SameFile(fi, written) {
			continue
		}
		if fi, err := os.Lstat(filepath.Join(d, report.HTMLName)); err == nil && fi.Mode().IsRegular() {
			stale = append(stale, filepath.Join(d, report.HTMLName))
		}
	}
	return stale
}

// otherRendersOutput refuses a report directory that is another render's
// output directory, or a folder directly in one (it, or its parent, holds
// report.json), other than this render's -o: the pictures and report.html
// would sit beside masters they do not describe, which only the next
// render into that directory would have warned of.
func otherRendersOutput(reportDir, outDir string) error {
	if reportDir == "" {
		return nil
	}
	oi := statOrNil(outDir)
	for _, d := range []string{reportDir, filepath.Dir(filepath.Clean(reportDir))} {
		if di := statOrNil(d); di != nil && oi != nil && os.SameFile(di, oi) {
			return nil // -o, or a folder directly in it
		}
		if fi, err := os.Lstat(filepath.Join(d, engine.ReportFile)); err == nil && fi.Mode().IsRegular() {
			return fmt.Errorf("report directory %s: %s holds another render's masters (%s), which the report would not describe: choose another --report, or render into %s with -o", reportDir, d, engine.ReportFile, d)
		}
	}
	return nil
}
