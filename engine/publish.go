package engine

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"stemmaster"
	"stemmaster/internal/atomicfile"
)

// abortPending removes the temporary files of a render that failed; no
// file under a final name was touched.
func (r *renderer) abortPending() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, w := range r.pending {
		w.Abort()
	}
	r.pending = nil
}

// commit delivers a successful render: report.json is written and synced
// under its temporary name, then every deliverable is renamed to its final
// name (in the order of their paths) and report.json last, so the report
// in the directory never lists a file of another render. Should a rename
// fail (nothing but a vanished directory makes it), the files not yet
// renamed are removed.
func (r *renderer) commit(rep *stemmaster.Report) error {
	tmp, err := writeTemp(filepath.Join(r.opt.OutDir, ReportFile), rep)
	if err != nil {
		r.abortPending()
		return err
	}
	r.mu.Lock()
	pending := r.pending
	r.pending = nil
	r.mu.Unlock()
	slices.SortFunc(pending, func(a, b sink) int { return strings.Compare(a.TempPath(), b.TempPath()) })
	for i, w := range pending {
		if err := w.Commit(); err != nil {
			for _, rest := range pending[i+1:] {
				rest.Abort()
			}
			os.Remove(tmp)
			return err
		}
	}
	path := filepath.Join(r.opt.OutDir, ReportFile)
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("report %s: %w", path, err)
	}
	// The deliverables and the report are renamed; make the renames durable.
	return atomicfile.SyncDir(r.opt.OutDir)
}

// StaleAge is how old a temporary file of a render must be before a later
// render into the same directory removes it as left behind by a killed
// render: every write refreshes a file's time, so a render still running
// keeps its files younger (but for a file finished and waiting for the
// other versions longer than this).
const StaleAge = time.Minute

// removeStale removes, from the output directory, the temporary files that
// a render killed before it could clean up (kill -9, a power cut) left
// behind for this session's outputs and report.json: exactly the names
// audio.Create and writeTemp give them, "." + final name + "." + digits +
// ".tmp", and only those last modified more than StaleAge before now.
// Errors are ignored: a file that cannot be removed is only clutter.
func (r *renderer) removeStale(now time.Time) {
	names := []string{ReportFile}
	for _, v := range r.s.Versions {
		for _, o := range r.s.Outputs {
			names = append(names, o.FileName(v))
		}
	}
	ents, err := os.ReadDir(r.opt.OutDir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if !e.Type().IsRegular() || !isTempOf(e.Name(), names) {
			continue
		}
		fi, err := e.Info()
		if err != nil || now.Sub(fi.ModTime()) < StaleAge {
			continue
		}
		os.Remove(filepath.Join(r.opt.OutDir, e.Name()))
	}
}

// isTempOf reports whether name is a temporary file of one of the final
// names: "." + final + "." + digits + ".tmp" (os.CreateTemp replaces the
// pattern's * with decimal digits).
func isTempOf(name string, finals []string) bool {
	for _, f := range finals {
		rest, ok := strings.CutPrefix(name, "."+f+".")
		if !ok {
			continue
		}
		digits, ok := strings.CutSuffix(rest, ".tmp")
		if !ok || digits == "" {
			continue
		}
		if strings.Trim(digits, "0123456789") == "" {
			return true
		}
	}
	return false
}

// writeTemp writes the report for path under a temporary name in its
// directory, synced, and returns that name; commit renames it.
func writeTemp(path string, rep *stemmaster.Report) (string, error) {
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return "", fmt.Errorf("report: %w", err)
	}
	tmp, err := atomicfile.Create(path)
	if err != nil {
		return "", fmt.Errorf("report: %w", err)
	}
	if _, err = tmp.Write(append(js, '\n')); err == nil {
		err = tmp.Finish()
	}
	if err != nil {
		tmp.Abort()
		return "", fmt.Errorf("report %s: %w", path, err)
	}
	return tmp.TempPath(), nil
}
