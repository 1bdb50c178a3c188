package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"stemmaster/store"
)

// Before references were database rows, each was two blobs under
// projects/ID/references/NAME/: the audio ("audio") and a JSON record of
// its format and weight ("info.json") whose presence was the reference's
// existence. Nothing lists those any more, so AdoptLegacyReferences turns
// each into a row pointing at its audio, where it stays: the row's key is
// the old audio key, and deleting the reference later deletes that blob.

// legacyReferenceDir is the folder of a project's references kept the
// earlier way (references are kept under KindReference, "reference").
const legacyReferenceDir = "references"

const (
	legacyInfoName  = "info.json"
	legacyAudioName = "audio"
)

func legacyReferenceKey(projectID, name, leaf string) string {
	return store.ProjectPrefix(projectID) + legacyReferenceDir + "/" + name + "/" + leaf
}

// legacyReference is the earlier record: the file's format and its weight.
type legacyReference struct {
	FileInfo
	Weight float64 `json:"weight"`
}

// AdoptLegacyReferences records every reference kept the earlier way that
// has no row yet, within lim (through the same transaction as an upload,
// so that the project's reference count and total size hold), and then
// deletes its record blob, never its audio. A reference over the limits,
// or whose name a newer upload took, keeps both blobs and is logged. It is
// idempotent and safe in several processes at once: the row's primary key
// keeps the first adoption, and a record whose row already points at its
// audio is only deleted. It returns how many references it recorded.
func (r *Runner) AdoptLegacyReferences(ctx context.Context, lim ReferenceLimits) (int, error) {
	var infos []string
	audio := map[string]store.ObjectInfo{}
	err := r.Blobs.Walk(ctx, "projects/", func(o store.ObjectInfo) error {
		parts := strings.SplitN(o.Key, "/", 4) // projects/ID/references/NAME/leaf
		if len(parts) < 4 || parts[2] != legacyReferenceDir {
			return nil
		}
		switch {
		case strings.HasSuffix(o.Key, "/"+legacyInfoName):
			infos = append(infos, o.Key)
		case strings.HasSuffix(o.Key, "/"+legacyAudioName):
			audio[o.Key] = o
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, k := range infos {
		parts := strings.SplitN(k, "/", 4)
		pid, name := parts[1], strings.TrimSuffix(parts[3], "/"+legacyInfoName)
		adopted, err := r.adoptLegacyReference(ctx, pid, name, audio, lim)
		if err != nil {
			if ctx.Err() != nil {
				return n, ctx.Err()
			}
			// The blobs stay as they are; the next start tries again.
			r.Log().Warn("legacy reference not adopted", "project", pid, "reference", name, "error", err)
			continue
		}
		if adopted {
			n++
			r.Log().Info("legacy reference adopted", "project", pid, "reference", name)
		}
	}
	return n, nil
}

// adoptLegacyReference records one legacy reference and deletes its record
// blob; false when it recorded nothing.
func (r *Runner) adoptLegacyReference(ctx context.Context, pid, name string, audio map[string]store.ObjectInfo, lim ReferenceLimits) (bool, error) {
	infoKey, audioKey := legacyReferenceKey(pid, name, legacyInfoName), legacyReferenceKey(pid, name, legacyAudioName)
	li, err := r.readLegacyReference(ctx, infoKey)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil // another process adopted it meanwhile
	}
	if err != nil {
		return false, err
	}
	a, ok := audio[audioKey]
	if !ok {
		return false, fmt.Errorf("its audio %s is missing", audioKey)
	}
	weight := li.Weight
	if weight <= 0 {
		weight = 1 // the upload's default when none was given
	}
	fi := li.FileInfo
	fi.Name, fi.Size = name, a.Size
	row := &store.ReferenceTrack{ProjectID: pid, Name: name, Size: a.Size, BlobKey: audioKey,
		Info: EncodeFileInfo(&fi), Weight: weight, CreatedAt: a.ModTime.UTC()}
	existing, err := r.Meta.AdoptReferenceWithin(ctx, row, lim.MaxReferences, lim.MaxTotalBytes)
	var ce *store.ReferenceCountError
	var qe *store.QuotaError
	switch {
	case errors.Is(err, store.ErrNotFound):
		return false, nil // the project is gone; CleanOrphans takes its blobs
	case errors.As(err, &ce) || errors.As(err, &qe):
		// The user's audio is kept: they may delete references to make room.
		r.Log().Warn("legacy reference over the project's limits: kept as blobs, not listed", "project", pid, "reference", name, "error", err)
		return false, nil
	case err != nil:
		return false, err
	case existing != nil && existing.BlobKey != audioKey:
		// A reference uploaded since under the same name wins; the older
		// one's blobs stay for an operator to decide.
		r.Log().Warn("legacy reference shadowed by a newer one of the same name: kept as blobs", "project", pid, "reference", name)
		return false, nil
	}
	if existing == nil {
		// The audio may have gone between the listing and the row (the
		// reference adopted and deleted by a user meanwhile): a row without
		// audio is taken back.
		if _, err := r.Blobs.ModTime(ctx, audioKey); errors.Is(err, store.ErrNotFound) {
			r.forgetAdopted(ctx, pid, name, audioKey)
			return false, nil
		}
	}
	if err := r.Blobs.Delete(ctx, infoKey); err != nil {
		return false, err
	}
	return existing == nil, nil
}

// forgetAdopted deletes the row adoption made for name, if it still points
// at audioKey.
func (r *Runner) forgetAdopted(ctx context.Context, pid, name, audioKey string) {
	rows, err := r.Meta.ReferenceTracks(ctx, pid)
	if err != nil {
		r.Log().Warn("legacy reference", "project", pid, "reference", name, "error", err)
		return
	}
	for _, row := range rows {
		if row.Name == name && row.BlobKey == audioKey {
			if _, err := r.Meta.DeleteReferenceTrack(ctx, pid, name); err != nil && !errors.Is(err, store.ErrNotFound) {
				r.Log().Warn("legacy reference", "project", pid, "reference", name, "error", err)
			}
		}
	}
}

func (r *Runner) readLegacyReference(ctx context.Context, key string) (*legacyReference, error) {
	rc, err := r.Blobs.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var li legacyReference
	if err := json.NewDecoder(io.LimitReader(rc, 1<<16)).Decode(&li); err != nil {
		return nil, fmt.Errorf("record %s: %w", key, err)
	}
	return &li, nil
}
