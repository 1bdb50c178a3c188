package service

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"stemmaster/audio"
	"stemmaster/store"
	"stemmaster/store/storetest"
)

// TestProjectReads: the title, the references and the stream previews a
// handler reads back are what it stored, and what is not there is
// store.ErrNotFound (or "" for the title), never another error.
func TestProjectReads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, meta, blobs := storetest.Open(t)
	ps := &Projects{Meta: meta, Blobs: blobs, Queue: &fakeQueue{}}
	now := time.Now().UTC()
	p := &store.Project{ID: NewID(), TokenHash: []byte{1}, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := ps.Create(ctx, p, false, store.FileLimits{}); err != nil {
		t.Fatal(err)
	}
	if got, err := ps.Project(ctx, p.ID); err != nil || got.ID != p.ID {
		t.Fatalf("Project = %v, %v", got, err)
	}

	if title, err := ps.Title(ctx, p.ID); err != nil || title != "" {
		t.Fatalf("no title: %q, %v", title, err)
	}
	if err := ps.SetTitle(ctx, p.ID, "My Song"); err != nil {
		t.Fatal(err)
	}
	if title, err := ps.Title(ctx, p.ID); err != nil || title != "My Song" {
		t.Fatalf("title: %q, %v", title, err)
	}
	if err := ps.SetTitle(ctx, p.ID, ""); err != nil {
		t.Fatal(err)
	}
	if title, err := ps.Title(ctx, p.ID); err != nil || title != "" {
		t.Fatalf("removed title: %q, %v", title, err)
	}

	if _, err := ps.Output(ctx, p.ID, "main.wav", store.OutputAudio); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Output before any render: %v, want not found", err)
	}
	if _, err := ps.RevisionOutput(ctx, p.ID, 1, "main.wav"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RevisionOutput before any render: %v, want not found", err)
	}

	if refs, err := ps.References(ctx, p.ID); err != nil || len(refs) != 0 {
		t.Fatalf("no references yet: %v, %v", refs, err)
	}
	info := &FileInfo{Name: "ref.wav", Size: 4, Summary: audio.Summary{SampleRate: 48000, Channels: 2}}
	lim := ReferenceLimits{MaxReferences: 4, MaxTotalBytes: 1 << 20}
	if err := ps.RecordReference(ctx, p.ID, info, 1, strings.NewReader("RIFF"), lim); err != nil {
		t.Fatal(err)
	}
	if got, err := ps.SetReferenceWeight(ctx, p.ID, "ref.wav", 2); err != nil || got.Weight != 2 || got.Name != "ref.wav" || got.SampleRate != 48000 {
		t.Fatalf("SetReferenceWeight = %+v, %v", got, err)
	}
	got, err := ps.Reference(ctx, p.ID, "ref.wav")
	if err != nil || got.Weight != 2 || got.Size != 4 {
		t.Fatalf("Reference = %+v, %v", got, err)
	}
	if rc, err := blobs.Open(ctx, got.BlobKey); err != nil {
		t.Fatalf("the reference's audio: %v", err)
	} else {
		b, _ := io.ReadAll(rc)
		rc.Close()
		if string(b) != "RIFF" {
			t.Errorf("the reference's audio reads %q", b)
		}
	}
	// A replacement writes its own audio and deletes the one it replaces.
	if err := ps.RecordReference(ctx, p.ID, info, 1, strings.NewReader("RIFX"), lim); err != nil {
		t.Fatal(err)
	}
	if _, err := blobs.Open(ctx, got.BlobKey); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the replaced reference's audio: %v, want deleted", err)
	}
	if _, err := ps.SetReferenceWeight(ctx, p.ID, "none.wav", 2); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("weight of no reference: %v, want not found", err)
	}
	if err := ps.DeleteReference(ctx, p.ID, "ref.wav"); err != nil {
		t.Fatal(err)
	}
	if _, err := ps.Reference(ctx, p.ID, "ref.wav"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted reference: %v, want not found", err)
	}

	src := store.ProjectPrefix(p.ID) + "song.wav"
	if _, err := ps.OpenPreviewInfo(ctx, src); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("no preview yet: %v, want not found", err)
	}
	if err := ps.PutPreview(ctx, src, strings.NewReader("0123456789"), []byte(`{"frames":2}`)); err != nil {
		t.Fatal(err)
	}
	read := func(rc io.ReadCloser, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if got := read(ps.OpenPreviewInfo(ctx, src)); got != `{"frames":2}` {
		t.Errorf("preview info %q", got)
	}
	if got := read(ps.OpenPreviewPCM(ctx, src, 0, -1)); got != "0123456789" {
		t.Errorf("whole preview %q", got)
	}
	if got := read(ps.OpenPreviewPCM(ctx, src, 2, 4)); got != "2345" {
		t.Errorf("preview range %q", got)
	}
}
