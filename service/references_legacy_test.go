package service

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"stemmaster/audio"
	"stemmaster/store"
)

// putLegacyReference writes a reference the way earlier versions kept it:
// its audio, then its record.
func putLegacyReference(t *testing.T, b *testBundle, pid, name string, weight float64, audio string) {
	t.Helper()
	ctx := context.Background()
	if _, err := b.blobs.Put(ctx, legacyReferenceKey(pid, name, legacyAudioName), "application/octet-stream", strings.NewReader(audio)); err != nil {
		t.Fatal(err)
	}
	rec := fmt.Sprintf(`{"name":%q,"size":%d,"container":"wav","sample_rate":44100,"channels":2,"bit_depth":16,"weight":%g}`, name, len(audio), weight)
	if _, err := b.blobs.Put(ctx, legacyReferenceKey(pid, name, legacyInfoName), "application/json", strings.NewReader(rec)); err != nil {
		t.Fatal(err)
	}
}

func sortedKeys(t *testing.T, b *testBundle, prefix string) []string {
	t.Helper()
	keys, err := b.blobs.Keys(context.Background(), prefix)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	return keys
}

// TestAdoptLegacyReferences: a project's two references kept as blobs are
// listed after adoption with their names, weights and formats, their
// audio where it was and their records gone; adopting again changes
// nothing; a reference over the project's limits, or under a name a newer
// upload holds, keeps its blobs and is logged.
func TestAdoptLegacyReferences(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	var logs bytes.Buffer
	b.runner.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	b.project(t, "r1") // project "p"
	ctx := context.Background()
	ps := &Projects{Meta: b.meta, Blobs: b.blobs}
	putLegacyReference(t, b, "p", "a.wav", 2.5, "aaaa")
	putLegacyReference(t, b, "p", "b.wav", 0.5, "bb")
	lim := ReferenceLimits{MaxReferences: 4, MaxTotalBytes: 1 << 20}

	// Two processes at once: each reference is recorded once.
	var wg sync.WaitGroup
	counts := make([]int, 2)
	for i := range counts {
		r := &Runner{Meta: b.meta, Blobs: b.blobs, Logger: b.runner.Logger}
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := r.AdoptLegacyReferences(ctx, lim)
			if err != nil {
				t.Error(err)
			}
			counts[i] = n
		}()
	}
	wg.Wait()
	if counts[0]+counts[1] != 2 {
		t.Fatalf("adopted %v, want 2 in all", counts)
	}
	want := []Reference{
		{FileInfo: FileInfo{Name: "a.wav", Size: 4, Container: "wav", Summary: audio.Summary{SampleRate: 44100, Channels: 2, BitDepth: 16}}, Weight: 2.5, BlobKey: legacyReferenceKey("p", "a.wav", legacyAudioName)},
		{FileInfo: FileInfo{Name: "b.wav", Size: 2, Container: "wav", Summary: audio.Summary{SampleRate: 44100, Channels: 2, BitDepth: 16}}, Weight: 0.5, BlobKey: legacyReferenceKey("p", "b.wav", legacyAudioName)},
	}
	check := func(when string) {
		t.Helper()
		got, err := ps.References(ctx, "p")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s: references %+v, want %+v", when, got, want)
		}
		wantKeys := []string{want[0].BlobKey, want[1].BlobKey}
		if keys := sortedKeys(t, b, store.ProjectPrefix("p")+legacyReferenceDir+"/"); !slices.Equal(keys, wantKeys) {
			t.Fatalf("%s: legacy blobs %v, want the audio only %v", when, keys, wantKeys)
		}
	}
	check("after adoption")
	n, err := b.runner.AdoptLegacyReferences(ctx, lim)
	if err != nil || n != 0 {
		t.Fatalf("second adoption: %d, %v", n, err)
	}
	check("after a second adoption")

	// The adopted reference is an ordinary one: deleting it takes its audio.
	if err := ps.DeleteReference(ctx, "p", "b.wav"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.blobs.ModTime(ctx, want[1].BlobKey); err == nil {
		t.Fatal("deleted reference's audio is still there")
	}
	want = want[:1]

	// Over the count (one more fits in two), and shadowed by an upload.
	putLegacyReference(t, b, "p", "c.wav", 1, "c")
	putLegacyReference(t, b, "p", "d.wav", 1, "d")
	if err := ps.RecordReference(ctx, "p", &FileInfo{Name: "e.wav", Size: 1}, 3, strings.NewReader("e"), lim); err != nil {
		t.Fatal(err)
	}
	putLegacyReference(t, b, "p", "e.wav", 1, "old e")
	before := sortedKeys(t, b, store.ProjectPrefix("p")+legacyReferenceDir+"/")
	logs.Reset()
	n, err = b.runner.AdoptLegacyReferences(ctx, ReferenceLimits{MaxReferences: 3})
	if err != nil || n != 1 {
		t.Fatalf("adoption at the limit: %d, %v; want c.wav", n, err)
	}
	got, err := ps.References(ctx, "p")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[1].Name != "c.wav" || got[2].Name != "e.wav" || got[2].Weight != 3 || strings.Contains(got[2].BlobKey, legacyReferenceDir+"/") {
		t.Fatalf("references %+v: want a, c adopted, the upload e kept", got)
	}
	after := sortedKeys(t, b, store.ProjectPrefix("p")+legacyReferenceDir+"/")
	cInfo := legacyReferenceKey("p", "c.wav", legacyInfoName)
	if !slices.Equal(after, slices.DeleteFunc(before, func(k string) bool { return k == cInfo })) {
		t.Fatalf("legacy blobs %v, want %v less c's record", after, before)
	}
	for _, w := range []string{"project=p reference=d.wav", "project=p reference=e.wav"} {
		if !strings.Contains(logs.String(), w) {
			t.Errorf("log %q does not name %s", logs.String(), w)
		}
	}
}

// TestCleanOrphansReferences: reference audio no row names (an upload cut
// off before its row) goes once old enough; a recorded reference's audio,
// an adopted one's, and legacy blobs adoption has not taken stay.
func TestCleanOrphansReferences(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	b.project(t, "r1")
	ctx := context.Background()
	ps := &Projects{Meta: b.meta, Blobs: b.blobs}
	if err := ps.RecordReference(ctx, "p", &FileInfo{Name: "kept.wav", Size: 1}, 1, strings.NewReader("k"), ReferenceLimits{}); err != nil {
		t.Fatal(err)
	}
	putLegacyReference(t, b, "p", "adopted.wav", 1, "a")
	if n, err := b.runner.AdoptLegacyReferences(ctx, ReferenceLimits{}); err != nil || n != 1 {
		t.Fatalf("adoption: %d, %v", n, err)
	}
	putLegacyReference(t, b, "p", "unseen.wav", 1, "u")
	leaked := store.UploadKey("p", KindReference, NewID()[:16], "leaked.wav")
	if _, err := b.blobs.Put(ctx, leaked, "application/octet-stream", strings.NewReader("l")); err != nil {
		t.Fatal(err)
	}
	keep := sortedKeys(t, b, store.ProjectPrefix("p"))
	keep = slices.DeleteFunc(keep, func(k string) bool { return k == leaked })

	if n, err := b.runner.CleanOrphans(ctx, time.Hour); err != nil || n != 0 {
		t.Fatalf("with a grace of an hour: %d deleted, %v; want none", n, err)
	}
	n, err := b.runner.CleanOrphans(ctx, time.Nanosecond)
	if err != nil || n != 1 {
		t.Fatalf("%d deleted, %v; want the leaked audio", n, err)
	}
	if keys := sortedKeys(t, b, store.ProjectPrefix("p")); !slices.Equal(keys, keep) {
		t.Fatalf("after sweep: %v, want %v", keys, keep)
	}
	refs, err := ps.References(ctx, "p")
	if err != nil || len(refs) != 2 {
		t.Fatalf("references %+v, %v", refs, err)
	}
}
