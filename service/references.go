package service

import (
	"context"
	"encoding/json"
	"io"

	"stemmaster/store"
)

// Reference tracks are kept apart from the project's files — they never
// enter the stem sum, the check, the render or the quote — but within its
// limits: each is a record in the store (store.ReferenceTrack), recorded
// in the transaction that checks the project's reference count and the
// total size of its files and references together, so that stems, the mix
// and references share the project's size limit in every process at
// once. The audio is a blob of its own under the project's prefix
// (deleted with it), written before the record: a reference appears
// complete or not at all, and one it replaces stays whole until the
// record switches.

// Reference is a reference track: its format and its weight in the blend.
type Reference struct {
	FileInfo
	Weight float64 `json:"weight"`
	// BlobKey is where its audio lives.
	BlobKey string `json:"-"`
}

// KindReference is the kind of a reference track among the project's
// blobs and uploads.
const KindReference = store.KindReference

// ReferenceLimits bound a project's references: their number, and the
// total size of the project's files and references together.
type ReferenceLimits struct {
	MaxReferences int
	MaxTotalBytes int64
	// Client bounds what every project of the project's client, and of
	// its network, stores together (store.FileLimits.ClientLimits).
	Client store.ClientLimits
	// Reservation names the upload in flight that recording the
	// reference ends (InFlight.ID; "" for none).
	Reservation string
}

func referenceOf(r store.ReferenceTrack) Reference {
	var fi FileInfo
	json.Unmarshal(r.Info, &fi)
	fi.Name, fi.Size = r.Name, r.Size
	return Reference{FileInfo: fi, Weight: r.Weight, BlobKey: r.BlobKey}
}

// References lists the project's references by name.
func (ps *Projects) References(ctx context.Context, projectID string) ([]Reference, error) {
	rs, err := ps.Meta.ReferenceTracks(ctx, projectID)
	if err != nil {
		return nil, err
	}
	out := make([]Reference, 0, len(rs))
	for _, r := range rs {
		out = append(out, referenceOf(r))
	}
	return out, nil
}

// Reference reads one reference (store.ErrNotFound when none).
func (ps *Projects) Reference(ctx context.Context, projectID, name string) (*Reference, error) {
	refs, err := ps.References(ctx, projectID)
	if err != nil {
		return nil, err
	}
	for i := range refs {
		if refs[i].Name == name {
			return &refs[i], nil
		}
	}
	return nil, store.ErrNotFound
}

// RecordReference stores a reference track checked by the caller (info
// names it) with its weight: its audio from src under a key of its own,
// then its record within lim, atomically with the project's files (a
// *store.ReferenceCountError or *store.QuotaError when a limit would be
// exceeded; the audio is deleted again). The reference of the same name it
// replaces is deleted.
func (ps *Projects) RecordReference(ctx context.Context, projectID string, info *FileInfo, weight float64, src io.Reader, lim ReferenceLimits) error {
	key := store.UploadKey(projectID, KindReference, NewID()[:16], info.Name)
	if _, err := ps.Blobs.Put(ctx, key, "application/octet-stream", src); err != nil {
		return err
	}
	r := &store.ReferenceTrack{ProjectID: projectID, Name: info.Name, Size: info.Size, BlobKey: key,
		Info: EncodeFileInfo(info), Weight: weight, CreatedAt: ps.Meta.Now(), Reservation: lim.Reservation}
	replaced, err := ps.Meta.PutReferenceWithin(ctx, r, lim.MaxReferences, lim.MaxTotalBytes, lim.Client)
	if err != nil {
		ps.deleteOwnBlob(context.WithoutCancel(ctx), projectID, key)
		ps.pruneGone(ctx, projectID, err)
		return err
	}
	if replaced != nil && replaced.BlobKey != key {
		ps.deleteOwnBlob(ctx, projectID, replaced.BlobKey)
	}
	return nil
}

// SetReferenceWeight changes a reference's weight and returns it
// (store.ErrNotFound when there is no such reference).
func (ps *Projects) SetReferenceWeight(ctx context.Context, projectID, name string, weight float64) (*Reference, error) {
	if err := ps.Meta.SetReferenceWeight(ctx, projectID, name, weight); err != nil {
		return nil, err
	}
	return ps.Reference(ctx, projectID, name)
}

// DeleteReference removes a reference: its record, then its audio (the
// project's deletion takes the audio if that fails).
func (ps *Projects) DeleteReference(ctx context.Context, projectID, name string) error {
	r, err := ps.Meta.DeleteReferenceTrack(ctx, projectID, name)
	if err != nil {
		return err
	}
	ps.deleteOwnBlob(ctx, projectID, r.BlobKey)
	return nil
}
