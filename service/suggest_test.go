package service

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"stemmaster/audio"
	"stemmaster/internal/audiotest"
	"stemmaster/jobs"
	"stemmaster/store"
	"stemmaster/store/storetest"
)

// The suggestion's check is the project's: made once for the files of a
// generation (in full, the stems' true peaks with it), stored with no
// trace of the suggestion's directory, read back by the next suggestion
// without a check of its own, and never stored for files since replaced
// (that check alone leaves the true peaks out).
func TestSuggestCheckIsKept(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, meta, _ := storetest.Open(t)
	ps := &Projects{Meta: meta}
	now := time.Now().UTC()
	p := &store.Project{ID: NewID(), TokenHash: []byte{1}, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := ps.Create(ctx, p, false, store.FileLimits{}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// One second of two noises, and their sum as the mix: a delivery the
	// check reads at once.
	a, bb := audiotest.PinkNoise(1, 2, 48000, -12), audiotest.PinkNoise(2, 2, 48000, -12)
	put := func(kind, name string, b *audio.Buffer) string {
		t.Helper()
		if err := meta.PutFile(ctx, &store.File{ProjectID: p.ID, Kind: kind, Name: name, Size: 1, BlobKey: NewID(), CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		sub := filepath.Join(dir, kind)
		if err := os.MkdirAll(sub, 0o700); err != nil {
			t.Fatal(err)
		}
		return audiotest.WriteWAV(t, sub, name, b, 48000, 24)
	}
	stems := []string{put(store.KindStem, "a.wav", a), put(store.KindStem, "bb.wav", bb)}
	mix := put(store.KindMix, "mix.wav", audiotest.Add(a.Clone(), bb))
	p, _ = meta.Project(ctx, p.ID)
	rep, err := ps.SuggestCheck(ctx, p, stems, mix, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Stems) != 2 {
		t.Fatalf("the check reports %d stems, want 2", len(rep.Stems))
	}
	for _, s := range rep.Stems {
		// Noise with its sample peak at -12 dBFS: its true peak is at
		// or a little over it.
		if tp := float64(s.TruePeakDBTP); math.IsNaN(tp) || tp < -12.05 || tp > -10 {
			t.Errorf("%s: true peak %v dBTP, want it measured (the stored check is the full one)", s.File, tp)
		}
	}
	kept, _ := meta.Project(ctx, p.ID)
	if kept.Check == nil || kept.CheckGen != p.FilesGen {
		t.Fatalf("the project's check after the suggestion: %q of generation %d, want its check of %d", kept.Check, kept.CheckGen, p.FilesGen)
	}
	if strings.Contains(string(kept.Check), dir) {
		t.Errorf("the kept check names the suggestion's directory: %s", kept.Check)
	}
	// The next suggestion reads it: no file is opened.
	again, err := ps.SuggestCheck(ctx, kept, []string{filepath.Join(dir, "gone.wav")}, "", dir)
	if err != nil || len(again.Stems) != 2 {
		t.Fatalf("the next suggestion's check: %+v, %v; want the kept one", again, err)
	}
	// A suggestion that read the project (unchecked) before an upload
	// checks the files it has, and the project keeps none of it.
	put(store.KindStem, "ccc.wav", a)
	stale, err := ps.SuggestCheck(ctx, p, stems, mix, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stale.Stems {
		if !math.IsNaN(float64(s.TruePeakDBTP)) {
			t.Errorf("%s: true peak %v measured by a check that cannot be stored, want none", s.File, s.TruePeakDBTP)
		}
	}
	if now, _ := meta.Project(ctx, p.ID); now.Check != nil {
		t.Errorf("a check of replaced files was kept: %s", now.Check)
	}
}

// The project's check does not depend on who made it: the one the
// suggestion stores equals, field by field, the one a check job stores of
// the same files (each names them as the user uploaded them).
func TestSuggestCheckIsTheCheckJobs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, nil)
	b.runner.Checker = StemChecker{}
	ps := &Projects{Meta: b.meta}
	now := time.Now().UTC()
	// A mix a little louder than the stems' sum, with a stem in opposite
	// polarity: findings with figures, and the stems' true peaks.
	a, bb := audiotest.PinkNoise(3, 2, 48000, -9), audiotest.Sine(48000, 2, 48000, 220, -14, 0)
	sum := audiotest.Add(a.Clone(), bb)
	audiotest.Scale(sum, 1.5)
	inv := bb.Clone()
	audiotest.Scale(inv, -1)
	files := []struct {
		kind, name string
		buf        *audio.Buffer
	}{{store.KindStem, "noise.wav", a}, {store.KindStem, "tone.wav", inv}, {store.KindMix, "mix.wav", sum}}
	src := t.TempDir()
	var stems []string
	var mix string
	dir := t.TempDir()
	for _, id := range []string{"job", "suggest"} {
		if err := ps.Create(ctx, &store.Project{ID: id, TokenHash: []byte(id), CreatedAt: now, ExpiresAt: now.Add(time.Hour)}, false, store.FileLimits{}); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			path := filepath.Join(src, f.name)
			if _, err := os.Stat(path); err != nil {
				audiotest.WriteWAV(t, src, f.name, f.buf, 48000, 24)
			}
			key := store.UploadKey(id, f.kind, NewID(), f.name)
			if _, err := b.blobs.PutFile(ctx, key, "audio/wav", path); err != nil {
				t.Fatal(err)
			}
			if err := b.meta.PutFile(ctx, &store.File{ProjectID: id, Kind: f.kind, Name: f.name, Size: 1, BlobKey: key, CreatedAt: now}); err != nil {
				t.Fatal(err)
			}
			if id == "suggest" {
				// The suggestion's copies, as the server lays them out.
				sub := filepath.Join(dir, f.kind)
				if err := os.MkdirAll(sub, 0o700); err != nil {
					t.Fatal(err)
				}
				if f.kind == store.KindMix {
					mix = audiotest.WriteWAV(t, sub, f.name, f.buf, 48000, 24)
				} else {
					stems = append(stems, audiotest.WriteWAV(t, sub, f.name, f.buf, 48000, 24))
				}
			}
		}
	}
	if err := b.meta.CreateJob(ctx, &store.Job{ID: "c1", ProjectID: "job", Kind: store.JobCheck, State: store.StateQueued, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := b.runner.Check(ctx, jobs.CheckArgs{ProjectID: "job", JobID: "c1"}, 1, 3); err != nil {
		t.Fatal(err)
	}
	p, err := b.meta.Project(ctx, "suggest")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ps.SuggestCheck(ctx, p, stems, mix, dir); err != nil {
		t.Fatal(err)
	}
	var reps [2]map[string]any
	for i, id := range []string{"job", "suggest"} {
		p, err := b.meta.Project(ctx, id)
		if err != nil || p.Check == nil {
			t.Fatalf("project %s: check %s, %v; want one stored", id, p.Check, err)
		}
		if err := json.Unmarshal(p.Check, &reps[i]); err != nil {
			t.Fatal(err)
		}
	}
	job, sug := reps[0], reps[1]
	if len(job) < 3 {
		t.Fatalf("the check job's report has %d fields: %v", len(job), job)
	}
	for k, v := range job {
		if !reflect.DeepEqual(sug[k], v) {
			t.Errorf("%s: the suggestion stored\n\t%v\nthe check job\n\t%v", k, sug[k], v)
		}
	}
	for k := range sug {
		if _, ok := job[k]; !ok {
			t.Errorf("%s: only in the suggestion's check: %v", k, sug[k])
		}
	}
	// The figure this is about: both hold the stems' true peaks.
	for _, s := range decodeCheck(mustCheck(t, b.meta, "suggest")).Stems {
		if math.IsNaN(float64(s.TruePeakDBTP)) {
			t.Errorf("%s: no true peak in the stored check", s.File)
		}
	}
}

func mustCheck(t *testing.T, meta store.Metadata, id string) []byte {
	t.Helper()
	p, err := meta.Project(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p.Check
}
