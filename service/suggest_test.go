package service

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"stemmaster/audio"
	"stemmaster/internal/audiotest"
	"stemmaster/store"
	"stemmaster/store/storetest"
)

// The suggestion's check is the project's: made once for the files of a
// generation (without the stems' true peaks), stored with no trace of the
// suggestion's directory, read back by the next suggestion without a
// check of its own, and never stored for files since replaced.
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
		if !math.IsNaN(float64(s.TruePeakDBTP)) {
			t.Errorf("%s: true peak %v measured, want none (NoStemTruePeak)", s.File, s.TruePeakDBTP)
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
	if _, err := ps.SuggestCheck(ctx, p, stems, mix, dir); err != nil {
		t.Fatal(err)
	}
	if now, _ := meta.Project(ctx, p.ID); now.Check != nil {
		t.Errorf("a check of replaced files was kept: %s", now.Check)
	}
}
