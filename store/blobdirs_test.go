package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"stemmaster/internal/testkit"
)

// TestDeletionsRemoveEmptyFolders: deleting a local bucket's objects
// removes the folders they leave empty (an upload's, an attempt's, a whole
// project's) and keeps the folders other objects and writers still use.
func TestDeletionsRemoveEmptyFolders(t *testing.T) {
	t.Parallel()
	for _, how := range []string{"path", "url"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dir := filepath.Join(t.TempDir(), "blobs")
			url := dir
			if how == "url" {
				url = "file://" + filepath.ToSlash(dir) + "?create_dir=1&no_tmp_dir=1&metadata=skip"
			}
			b, err := OpenBlobs(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			put := func(key string) {
				t.Helper()
				if _, err := b.Put(ctx, key, "audio/wav", strings.NewReader("RIFF")); err != nil {
					t.Fatal(err)
				}
			}
			old := UploadKey("p1", KindStem, "u1", "drums.wav")
			put(old)
			put(old + ".preview/seg0")
			put(UploadKey("p1", KindStem, "u2", "bass.wav"))
			put(AttemptPrefix("p1", "j1", 1) + "main.wav")
			put(AttemptPrefix("p1", "j2", 1) + "main.wav")
			put(UploadKey("p2", KindStem, "u3", "vox.wav"))
			proj := filepath.Join(dir, "projects", "p1")

			// A replaced upload: its object, then its previews.
			if err := b.Delete(ctx, old); err != nil {
				t.Fatal(err)
			}
			if err := b.DeletePrefix(ctx, old+".preview"); err != nil {
				t.Fatal(err)
			}
			testkit.DirHolds(t, filepath.Join(proj, KindStem), "u2")

			// A swept render.
			if err := b.DeletePrefix(ctx, JobPrefix("p1", "j1")); err != nil {
				t.Fatal(err)
			}
			testkit.DirHolds(t, filepath.Join(proj, "jobs"), "j2")

			// The last object of a kind keeps the kind's folder, which
			// concurrent uploads of the project write into.
			if err := b.Delete(ctx, UploadKey("p1", KindStem, "u2", "bass.wav")); err != nil {
				t.Fatal(err)
			}
			testkit.DirHolds(t, filepath.Join(proj, KindStem))

			// A deleted project leaves nothing; the others stay.
			if err := b.DeletePrefix(ctx, ProjectPrefix("p1")); err != nil {
				t.Fatal(err)
			}
			testkit.DirHolds(t, filepath.Join(dir, "projects"), "p2")
			testkit.DirHolds(t, filepath.Join(dir, "projects", "p2", KindStem, "u3"), "vox.wav")
		})
	}
}

// TestProjectOfKey: the project a key is under, by the keys the writers
// make, and none for a key outside every project's prefix.
func TestProjectOfKey(t *testing.T) {
	t.Parallel()
	for key, want := range map[string]string{
		UploadKey("p1", KindStem, "u", "bass.wav"): "p1",
		ProjectPrefix("p2") + "title.json":         "p2",
		JobPrefix("p3", "j") + "main.wav":          "p3",
		"demo/stems/bass.flac":                     "",
		"projects/":                                "",
		"projects/p4":                              "",
	} {
		if got := ProjectOfKey(key); got != want {
			t.Errorf("ProjectOfKey(%q) = %q, want %q", key, got, want)
		}
	}
}
