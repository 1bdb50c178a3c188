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
// render into the same directory, when it cannot lock the directory,
// removes it as left behind by a killed render: every write refreshes a
// file's time, so a render still running keeps its files younger (but for
// a file finished and waiting for the other versions longer than this).
const StaleAge = time.Minute

// removeStale removes, from the output directory, the temporary files that
// a render killed before it could clean up (kill -9, a power cut, the OOM
// killer) left behind: exactly the names audio.Create and writeTemp give
// them, "." + final name + "." + digits + ".tmp". Holding the directory's
// lock (locked), no other render can be writing there, so every such file
// of a deliverable's name or report.json goes at once, whatever session
// left it (a render killed and started again at once left hundreds of
// megabytes beside the new masters until a run a minute later).
// Without the lock only this session's, last modified more than StaleAge
// before now, go. Errors are ignored: a file that cannot be removed is
// only clutter.
func (r *renderer) removeStale(now time.Time, locked bool) {
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
		if !e.Type().IsRegular() {
			continue
		}
		if locked {
			if !atomicfile.IsTemp(e.Name(), "") || !deliverableName(tempFinal(e.Name())) && !isTempOf(e.Name(), names) {
				continue
			}
		} else {
			if !isTempOf(e.Name(), names) {
				continue
			}
			fi, err := e.Info()
			if err != nil || now.Sub(fi.ModTime()) < StaleAge {
				continue
			}
		}
		os.Remove(filepath.Join(r.opt.OutDir, e.Name()))
	}
}

// tempFinal is the final name of the temporary file name
// ("." + final + "." + digits + ".tmp", atomicfile.IsTemp).
func tempFinal(name string) string {
	rest := strings.TrimSuffix(name[1:], ".tmp")
	return rest[:strings.LastIndexByte(rest, '.')]
}

// isTempOf reports whether name is a temporary file of one of the final
// names (atomicfile.IsTemp).
func isTempOf(name string, finals []string) bool {
	return slices.ContainsFunc(finals, func(f string) bool { return atomicfile.IsTemp(name, f) })
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

// staleOutputs names the files in the output directory that are named as
// deliverables (<version>[-<suffix>].wav or .flac) but that this render
// does not write: an earlier render's, when that session had more outputs
// or versions. A directory delivered as it is would hand them over as if
// current. They are not removed (the directory is the user's, and an input
// may carry such a name: inputs are left out); the warning says so. "" when
// there are none.
func (r *renderer) staleOutputs(rep *stemmaster.Report) string {
	ents, err := os.ReadDir(r.opt.OutDir)
	if err != nil {
		return ""
	}
	now := make(map[string]bool, len(rep.Outputs))
	for _, o := range rep.Outputs {
		now[o.File] = true
	}
	var stale []string
	for _, e := range ents {
		name := e.Name()
		if now[name] || !e.Type().IsRegular() || !deliverableName(name) {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		if _, input := r.stamped(fi); input {
			continue
		}
		stale = append(stale, name)
	}
	if len(stale) == 0 {
		return ""
	}
	return fmt.Sprintf("%s also holds %s, named as deliverables but not written by this render (an earlier render's?): remove them before delivering the directory",
		r.opt.OutDir, strings.Join(stale, ", "))
}

// deliverableName reports whether name is what a deliverable is called:
// a version, an optional suffix, .wav, .flac or .aiff.
func deliverableName(name string) bool {
	var base string
	ok := false
	for _, f := range []string{stemmaster.FormatWAV, stemmaster.FormatFLAC, stemmaster.FormatAIFF} {
		if base, ok = strings.CutSuffix(name, "."+f); ok {
			break
		}
	}
	if !ok {
		return false
	}
	v, suffix, _ := strings.Cut(base, "-")
	return stemmaster.Version(v).Valid() && !strings.ContainsFunc(suffix, func(c rune) bool {
		return !(c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')
	})
}
