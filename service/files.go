package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"stemmaster/internal/faultpoint"
	"stemmaster/store"
)

// StreamKey is where the live mixer's preview of the blob at src lives:
// beside it, so that it goes with the project's (or the render's) files.
func StreamKey(src string) string { return src + ".preview" }

// RecordFile stores an upload checked by the caller (f names it; its
// BlobKey is a key of its own, so the file it may replace stays whole
// until the database switches to this one) and records it within the
// limits, atomically: concurrent uploads never take a project over them.
// Recording moves the project's files generation on and drops its check,
// which was of the files before. The files it replaces are deleted, and a
// project that had only its mix now masters its stems. The store's
// *store.QuotaError and *store.NameConflictError come back as they are.
// recorded, when not nil, is called as soon as the store counts the file.
func (ps *Projects) RecordFile(ctx context.Context, f *store.File, src io.Reader, lim store.FileLimits, recorded func()) error {
	before, err := ps.Files(ctx, f.ProjectID)
	if err != nil {
		return err
	}
	if _, err := ps.Blobs.Put(ctx, f.BlobKey, "application/octet-stream", src); err != nil {
		return err
	}
	faultpoint.Hit("upload-stored")
	replaced, err := ps.Meta.PutFileWithin(ctx, f, lim)
	if err != nil {
		ps.deleteOwnBlob(context.WithoutCancel(ctx), f.ProjectID, f.BlobKey)
		ps.pruneGone(ctx, f.ProjectID, err)
		return err
	}
	if recorded != nil {
		recorded()
	}
	faultpoint.Hit("upload-recorded")
	for _, old := range replaced {
		if old.BlobKey != f.BlobKey {
			ps.deleteOwnBlob(ctx, f.ProjectID, old.BlobKey)
		}
	}
	if f.Kind == store.KindStem && before.Stems() == nil {
		return ps.LeaveStereo(ctx, f.ProjectID)
	}
	return nil
}

// DeleteFile deletes an uploaded file: its record, then its blobs.
// store.ErrNotFound when the project has no such file.
func (ps *Projects) DeleteFile(ctx context.Context, projectID, kind, name string) error {
	files, err := ps.Files(ctx, projectID)
	if err != nil {
		return err
	}
	for _, f := range files {
		if f.Kind == kind && f.Name == name {
			if err := ps.Meta.DeleteFile(ctx, projectID, kind, name); err != nil {
				return err
			}
			ps.deleteOwnBlob(ctx, projectID, f.BlobKey)
			return nil
		}
	}
	return store.ErrNotFound
}

// pruneGone deletes what is left under the prefix of a project whose
// record was refused because the project is gone (projectGone): the
// folders the refused upload recreated.
func (ps *Projects) pruneGone(ctx context.Context, projectID string, err error) {
	if errors.Is(err, store.ErrNotFound) {
		ps.pruneIfGone(ctx, projectID)
	}
}

// wroteUnder is what a writer that stores a blob under the project's
// prefix and records nothing (the title, the parked stem session, a stream
// preview) does once it has written, err being the write's: nothing in
// the database refuses it when the project is gone, so it looks, and a
// project gone meanwhile loses what is left under its prefix, the write
// and the folders it recreated with it; the writer is then told
// store.ErrNotFound.
func (ps *Projects) wroteUnder(ctx context.Context, projectID string, err error) error {
	if ps.pruneIfGone(ctx, projectID) {
		return fmt.Errorf("service: project %s is gone: %w", projectID, store.ErrNotFound)
	}
	return err
}

// pruneIfGone deletes what is left under the prefix of a project that is
// gone (projectGone), and reports whether it is.
func (ps *Projects) pruneIfGone(ctx context.Context, projectID string) bool {
	if !projectGone(ctx, ps.Meta, projectID) {
		return false
	}
	if derr := ps.Blobs.DeletePrefix(context.WithoutCancel(ctx), store.ProjectPrefix(projectID)); derr != nil {
		ps.log().Warn("delete the blobs of a deleted project", "project", projectID, "error", derr)
	}
	return true
}

// deleteOwnBlob deletes a blob of the project and its stream preview;
// keys outside the project's prefix (the shared demo stems) are never
// deleted through one project.
func (ps *Projects) deleteOwnBlob(ctx context.Context, projectID, key string) {
	if !strings.HasPrefix(key, store.ProjectPrefix(projectID)) {
		return
	}
	if err := ps.Blobs.Delete(ctx, key); err != nil {
		ps.log().Warn("delete blob", "project", projectID, "key", key, "error", err)
	}
	if err := ps.Blobs.DeletePrefix(ctx, StreamKey(key)); err != nil {
		ps.log().Warn("delete blob", "project", projectID, "key", StreamKey(key), "error", err)
	}
}
