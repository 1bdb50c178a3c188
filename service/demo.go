package service

import (
	"context"
	"os"
	"path/filepath"
	"sync"

	"stemmaster/audio"
	"stemmaster/store"
)

// Create records a new project. With demo it starts with the demo song's
// stems (records pointing at one shared stored set, no copy); a project
// whose demo could not be given is deleted again.
func (ps *Projects) Create(ctx context.Context, p *store.Project, demo bool, lim store.FileLimits) error {
	if err := ps.Meta.CreateProject(ctx, p); err != nil {
		return err
	}
	if demo {
		if err := ps.loadDemo(ctx, p.ID, lim); err != nil {
			ps.Delete(context.WithoutCancel(ctx), p.ID)
			return err
		}
	}
	return nil
}

// demoSet is the demo song's stems, stored once in the blob store under
// DemoPrefix and shared by every demo project (a project's records point
// at them; deleting a project never deletes them).
type demoSet struct {
	mu    sync.Mutex
	files []store.File // ProjectID empty
}

// DemoPrefix is the key prefix of the shared demo stems.
const DemoPrefix = "demo/v1/"

// demoFiles returns the shared demo stems, writing them on first use.
func (ps *Projects) demoFiles(ctx context.Context) ([]store.File, error) {
	d := &ps.demo
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.files != nil {
		return d.files, nil
	}
	dir, err := os.MkdirTemp(ps.TempDir, "demo-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	paths, err := ps.Demo(ctx, dir)
	if err != nil {
		return nil, err
	}
	var files []store.File
	for _, path := range paths {
		ai, err := audio.Stat(path)
		if err != nil {
			return nil, err
		}
		st, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		name := filepath.Base(path)
		info := FileInfo{Name: name, Size: st.Size(), Container: ai.Container, Summary: ai.Format.Summary(ai.Frames)}
		key := DemoPrefix + name
		// Another process may have stored the same stems: they are the
		// same bytes (the demo song is synthesised deterministically).
		if mod, err := ps.Blobs.ModTime(ctx, key); err != nil || mod.IsZero() {
			if _, err := ps.Blobs.PutFile(ctx, key, "application/octet-stream", path); err != nil {
				return nil, err
			}
		}
		files = append(files, store.File{Kind: store.KindStem, Name: name, OriginalName: name, Size: st.Size(), BlobKey: key, Info: EncodeFileInfo(&info)})
	}
	d.files = files
	return files, nil
}

// loadDemo gives a project the demo song's stems: records pointing at the
// shared stored set, no copy.
func (ps *Projects) loadDemo(ctx context.Context, projectID string, lim store.FileLimits) error {
	files, err := ps.demoFiles(ctx)
	if err != nil {
		return err
	}
	for _, f := range files {
		f.ProjectID, f.CreatedAt = projectID, ps.Meta.Now()
		if _, err := ps.Meta.PutFileWithin(ctx, &f, lim); err != nil {
			return err
		}
	}
	return nil
}
