package service

import (
	"context"
	"strings"
	"testing"
	"time"

	"stemmaster"
	"stemmaster/audio"
	"stemmaster/store"
	"stemmaster/store/storetest"
)

// sessionProject is a project with two one-minute stems, a.wav and b.wav.
func sessionProject(t *testing.T) (*Projects, Files) {
	t.Helper()
	_, meta, blobs := storetest.Open(t)
	ctx := context.Background()
	now := time.Now()
	if err := meta.CreateProject(ctx, &store.Project{ID: "p", TokenHash: []byte{1}, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	info := func(name string, frames int64) store.File {
		fi := &FileInfo{Name: name, Container: "wav", Summary: audio.Summary{SampleRate: 48000, Channels: 2, BitDepth: 24, Frames: frames}}
		return store.File{ProjectID: "p", Kind: store.KindStem, Name: name, Info: EncodeFileInfo(fi)}
	}
	files := Files{info("a.wav", 48000*60), info("b.wav", 48000*60)}
	ps := &Projects{Meta: meta, Blobs: blobs}
	return ps, files
}

// TestOffsetPastTheLongestSong: a session whose offset ends a stem past the
// longest song is refused when it is set, naming the offset; a worker took
// it and failed it as "short of disk space … try again later" (2e9 frames:
// 40 GB of scratch).
func TestOffsetPastTheLongestSong(t *testing.T) {
	t.Parallel()
	ps, files := sessionProject(t)
	ctx := context.Background()
	for _, c := range []struct {
		offset int64
		bad    bool
	}{{2_000_000_000, true}, {48000 * (MaxSongS - 59), true}, {48000 * (MaxSongS - 60), false}, {-2_000_000_000, false}} {
		s := &stemmaster.Session{Stems: []stemmaster.StemSpec{{File: "a.wav"}, {File: "b.wav", OffsetSamples: c.offset}}}
		err := ps.SaveSession(ctx, "p", s, files, "")
		ses := stemmaster.SessionErrors(err)
		switch {
		case c.bad && (len(ses) != 1 || ses[0].Field != "stems[1].offset_samples" || !strings.Contains(ses[0].Problem, "past the longest song")):
			t.Errorf("offset %d: %v, want an error on stems[1].offset_samples", c.offset, err)
		case !c.bad && err != nil:
			t.Errorf("offset %d: %v", c.offset, err)
		}
	}
}

// TestStemListedTwice: a session naming one uploaded file in two strips is
// refused when it is set, not answered as stored with both strips while
// the project keeps the first only (GET …/session and the render).
func TestStemListedTwice(t *testing.T) {
	t.Parallel()
	ps, files := sessionProject(t)
	s := &stemmaster.Session{Stems: []stemmaster.StemSpec{{File: "a.wav", GainDB: -3}, {File: "b.wav"}, {File: "a.wav", GainDB: 5}}}
	ses := stemmaster.SessionErrors(ps.SaveSession(context.Background(), "p", s, files, ""))
	if len(ses) != 1 || ses[0].Field != "stems[2].file" || ses[0].ErrKind() != stemmaster.ErrDuplicate || !strings.Contains(ses[0].Problem, "stems[0].file") {
		t.Errorf("%v, want one duplicate error on stems[2].file naming stems[0]", ses)
	}
	if err := ps.SaveSession(context.Background(), "p", &stemmaster.Session{Stems: []stemmaster.StemSpec{{File: "a.wav"}, {File: "b.wav"}}}, files, ""); err != nil {
		t.Errorf("distinct files: %v", err)
	}
}

// TestTooManyStemsOneError: a session of more stems than a session holds
// (3,801 in a 64 KiB body) is one too_many error, not one for each stem
// not uploaded and each listed twice besides (600 KB of errors).
func TestTooManyStemsOneError(t *testing.T) {
	t.Parallel()
	ps, files := sessionProject(t)
	s := &stemmaster.Session{}
	for range 3801 {
		s.Stems = append(s.Stems, stemmaster.StemSpec{File: "x.wav"})
	}
	ses := stemmaster.SessionErrors(ps.SaveSession(context.Background(), "p", s, files, ""))
	if len(ses) != 1 || ses[0].ErrKind() != stemmaster.ErrTooMany || ses[0].Field != "stems" {
		t.Errorf("%d errors (first %v), want the one too_many error on stems", len(ses), ses[0])
	}
}
