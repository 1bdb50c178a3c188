package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/internal/atomicfile"
	"stemmaster/internal/testkit"
)

// dirBytes reads every file of dir.
func dirBytes(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = b
	}
	return files
}

// TestFailedRenderKeepsPrevious: a render that fails or is cancelled after
// some deliverables are finished, into a directory holding a previous good
// render, leaves that render byte-identical — every file, report.json
// still describing them, no temporary file: the failed render's finished
// files must not be renamed over the old ones (the old main.wav would be
// lost while the old report still listed it).
func TestFailedRenderKeepsPrevious(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	versionStems(t, dir)
	session := func() *stemmaster.Session {
		return deliverySession(dir, stemmaster.VersionMain, stemmaster.VersionInstrumental)
	}
	tests := []struct {
		name string
		// fail sets up the failure and returns a function undoing the setup
		// and the error the render must give.
		fail func(opt *Options, cancel context.CancelFunc) (undo func(), want error)
	}{
		{"disk full on the last deliverable", func(opt *Options, _ context.CancelFunc) (func(), error) {
			opt.createSink = func(path, container string, f audio.Format) (sink, error) {
				w, err := createFileSink(path, container, f)
				if err != nil || !strings.HasSuffix(path, "instrumental-cd.wav") {
					return w, err
				}
				return &fullDisk{sink: w, left: 100000}, nil
			}
			return func() {}, syscall.ENOSPC
		}},
		{"cancelled once main.wav is written", func(opt *Options, cancel context.CancelFunc) (func(), error) {
			opt.Progress = func(stage string, f float64) {
				if stage == "main.wav" && f == WrittenProgress {
					cancel()
				}
			}
			return func() {}, context.Canceled
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			if _, err := Render(context.Background(), session(), Options{OutDir: out, SkipCheck: true}); err != nil {
				t.Fatal(err)
			}
			before := dirBytes(t, out)
			if len(before) != 5 { // 2 versions × 2 outputs + report.json
				t.Fatalf("the good render wrote %d files", len(before))
			}

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			// A changed gain makes every output of the failing render
			// differ from the good one.
			s := session()
			s.Master.GainDB = -3
			s.Master.Target = &stemmaster.NoTarget
			opt := Options{OutDir: out, SkipCheck: true, Workers: 1}
			undo, want := tc.fail(&opt, cancel)
			_, err := Render(ctx, s, opt)
			undo()
			if !errors.Is(err, want) {
				t.Fatalf("error %v; want %v", err, want)
			}

			after := dirBytes(t, out)
			for name, b := range before {
				if !bytes.Equal(after[name], b) {
					t.Errorf("%s of the previous render was changed or removed", name)
				}
			}
			for name := range after {
				if _, ok := before[name]; !ok {
					t.Errorf("the failed render left %s behind", name)
				}
			}
			var rep stemmaster.Report
			if err := json.Unmarshal(after[ReportFile], &rep); err != nil {
				t.Fatal(err)
			}
			for _, o := range rep.Outputs {
				if b, ok := after[o.File]; !ok || int64(len(b)) != o.Bytes {
					t.Errorf("report.json lists %s (%d bytes); the directory holds %d bytes (present %v)", o.File, o.Bytes, len(b), ok)
				}
			}
		})
	}
}

// TestRemoveStaleTemps: a render removes the temporary files a killed
// render left — exactly ".<final name>.<digits>.tmp" — and nothing else.
// Holding the directory's lock it removes those of every deliverable name
// and report.json at once, however young (kill -9 and run again); without
// the lock only this session's outputs' and report.json's older than
// StaleAge.
func TestRemoveStaleTemps(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	versionStems(t, dir)
	old := time.Now().Add(-2 * StaleAge)
	tests := []struct {
		name                     string
		age                      time.Time
		staysLocked, staysUnlock bool
	}{
		{".main.wav.123456789.tmp", old, false, false},
		{".report.json.42.tmp", old, false, false},
		{".main.wav.987.tmp", time.Now(), false, true},     // young: without the lock a render may still write it
		{".main-cd.wav.1.tmp", old, false, true},           // a deliverable, not of this session
		{".tv-hires.flac.17.tmp", time.Now(), false, true}, // a deliverable, not of this session, young
		{".notes.txt.1.tmp", old, true, true},              // not ours
		{".main.wav.x1.tmp", old, true, true},              // not atomicfile.TempName's digits
		{".main.wav..tmp", old, true, true},                // no digits
		{"main.wav.5.tmp", old, true, true},                // no leading dot
		{".main.wav.5.tmp.bak", old, true, true},           // another suffix
		{".stemmaster-probe-123", old, true, true},         // not an output's
		{".report.json.7.tmp.partial", old, true, true},    // another suffix
		{".karaoke.wav.3.tmp", old, true, true},            // not a version's name
		{".main-a b.wav.3.tmp", time.Now(), true, true},    // not a suffix's characters
	}
	s := &stemmaster.Session{Dir: dir, Stems: []stemmaster.StemSpec{{File: "vox.wav"}, {File: "keys.wav"}}}
	for _, locked := range []bool{true, false} {
		out := t.TempDir()
		for _, tc := range tests {
			p := filepath.Join(out, tc.name)
			if err := os.WriteFile(p, []byte("left behind"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(p, tc.age, tc.age); err != nil {
				t.Fatal(err)
			}
		}
		if locked {
			if _, err := Render(context.Background(), s, Options{OutDir: out, SkipCheck: true}); err != nil {
				t.Fatal(err)
			}
		} else {
			r := &renderer{s: s.WithDefaults(), opt: Options{OutDir: out}}
			r.removeStale(time.Now(), false)
		}
		for _, tc := range tests {
			_, err := os.Stat(filepath.Join(out, tc.name))
			want := tc.staysUnlock
			if locked {
				want = tc.staysLocked
			}
			if stays := err == nil; stays != want {
				t.Errorf("locked %v: %s: present %v after the render, want %v", locked, tc.name, stays, want)
			}
		}
	}
}

// TestStaleDeliverablesWarn: a render into a directory where an earlier
// render of a larger session left deliverables (a 16-bit output and an
// instrumental it no longer asks for) warns naming them, on every render
// until they are gone, and leaves them; a stem named like a deliverable
// (main-vocals.wav) is an input, not stale.
func TestStaleDeliverablesWarn(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	versionStems(t, dir)
	out := t.TempDir()
	big := deliverySession(dir, stemmaster.VersionMain, stemmaster.VersionInstrumental)
	if _, err := Render(context.Background(), big, Options{OutDir: out, SkipCheck: true}); err != nil {
		t.Fatal(err)
	}
	small := &stemmaster.Session{Dir: dir, Stems: big.Stems, Outputs: []stemmaster.Output{{Format: "wav", BitDepth: 24}}}
	const want = "also holds instrumental-cd.wav, instrumental.wav, main-cd.wav, named as deliverables"
	for range 2 {
		rep, err := Render(context.Background(), small, Options{OutDir: out, SkipCheck: true})
		if err != nil {
			t.Fatal(err)
		}
		if w := strings.Join(rep.Warnings, "\n"); !strings.Contains(w, want) {
			t.Errorf("warnings %q lack %q", w, want)
		}
	}
	testkit.DirHolds(t, out, "instrumental-cd.wav", "instrumental.wav", "main-cd.wav", "main.wav", ReportFile)
	if err := os.Rename(filepath.Join(dir, "vox.wav"), filepath.Join(dir, "main-vocals.wav")); err != nil {
		t.Fatal(err)
	}
	inDir := &stemmaster.Session{Dir: dir, Stems: []stemmaster.StemSpec{{File: "main-vocals.wav"}}, Outputs: small.Outputs}
	rep, err := Render(context.Background(), inDir, Options{OutDir: dir, SkipCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Warnings) != 0 {
		t.Errorf("a stem named like a deliverable was warned of: %q", rep.Warnings)
	}
}

// TestCommittedWhileOutHeld: Options.Committed runs once the render's
// files are under their final names and before the render lets go of
// OutDir, so what a caller writes there (the CLI's report) cannot land
// beside another render's masters.
func TestCommittedWhileOutHeld(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	versionStems(t, dir)
	out := t.TempDir()
	calls := 0
	var lockErr, statErr error
	opt := Options{OutDir: out, SkipCheck: true, Committed: func(rep *stemmaster.Report) {
		calls++
		unlock, err := atomicfile.LockDir(out)
		if err == nil {
			unlock()
		}
		lockErr = err
		_, statErr = os.Stat(filepath.Join(out, "main.wav"))
	}}
	if _, err := Render(context.Background(), deliverySession(dir, stemmaster.VersionMain), opt); err != nil {
		t.Fatal(err)
	}
	if calls != 1 || !errors.Is(lockErr, atomicfile.ErrLocked) || statErr != nil {
		t.Errorf("Committed called %d times; locking OutDir in it gave %v (want %v); main.wav: %v", calls, lockErr, atomicfile.ErrLocked, statErr)
	}
	unlock, err := atomicfile.LockDir(out)
	if err != nil {
		t.Fatalf("OutDir after Render: %v, want it free", err)
	}
	unlock()
}
