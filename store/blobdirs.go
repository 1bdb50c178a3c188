package store

import (
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// A local bucket keeps each key's folders as directories, and fileblob
// leaves them behind, empty, when the last object in them goes. Every
// upload, render attempt and project has folders of its own, so a service
// deleting projects at its retention would keep a dozen empty directories
// (an inode and a block each) per project ever created, and every listing
// of projects/ would walk them. Deletions therefore remove the folders they
// empty.

// keepDepth is how many folders of a key are never removed by deleting one
// object: "projects/<id>/<kind>" are shared by concurrent writers of a
// project (a new upload creates its own folder inside <kind>), while the
// folders below belong to one upload or one render attempt.
const keepDepth = 3

// pruneAfterDelete removes the folders of key, from its own upward, that
// deleting it left empty, keeping its first keepDepth folders.
func (b *Blobs) pruneAfterDelete(key string) {
	dir, ok := localFile(b.folders, key)
	if !ok {
		return
	}
	folders := strings.Count(key, "/")
	for i := folders; i > keepDepth; i-- {
		dir = filepath.Dir(dir)
		// Remove fails on a folder that is not empty: that is where
		// another object still lives, so the climb stops there.
		if os.Remove(dir) != nil {
			return
		}
	}
}

// pruneUnder removes every empty folder under the folder prefix ("a/b/")
// names, and that folder itself when it ends up empty: what deleting
// everything under prefix leaves.
func (b *Blobs) pruneUnder(prefix string) {
	if !strings.HasSuffix(prefix, "/") || path.Clean(prefix) == "." {
		return
	}
	root, ok := localFile(b.folders, strings.TrimSuffix(prefix, "/"))
	if !ok {
		return
	}
	var dirs []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			dirs = append(dirs, p)
		}
		return nil
	})
	// Deepest first: a folder is empty only once its subfolders are gone.
	for i := len(dirs) - 1; i >= 0; i-- {
		os.Remove(dirs[i])
	}
}

// fileURLDir is the directory a file:// bucket URL names; "" for others.
func fileURLDir(bucketURL string) string {
	u, err := url.Parse(bucketURL)
	if err != nil || u.Scheme != "file" || u.Path == "" {
		return ""
	}
	return filepath.FromSlash(u.Path)
}
