package service

import (
	"bytes"
	"context"
	"errors"
	"io"

	"stemmaster"
	"stemmaster/store"
)

// A project switched to stereo mastering keeps its stems' strips (gains,
// EQ, compressors, the fixes applied, the versions) aside, so that going
// back to stem mastering finds them as they were instead of every stem at
// unity. They are a blob beside the project's files, like the title: they
// go with the project.

// parkedKey is the blob of a project's parked stem session.
func parkedKey(projectID string) string { return store.ProjectPrefix(projectID) + "stems-session.json" }

// ParkStems keeps s, a stem-mastering session, aside.
func (ps *Projects) ParkStems(ctx context.Context, projectID string, s *stemmaster.Session) error {
	_, err := ps.Blobs.Put(ctx, parkedKey(projectID), "application/json", bytes.NewReader(encodeSession(s)))
	return ps.wroteUnder(ctx, projectID, err)
}

// UnparkStems returns the session ParkStems kept and forgets it; nil when
// there is none (or it no longer reads).
func (ps *Projects) UnparkStems(ctx context.Context, projectID string) (*stemmaster.Session, error) {
	rc, err := ps.Blobs.Open(ctx, parkedKey(projectID))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	doc, err := io.ReadAll(io.LimitReader(rc, 1<<20))
	rc.Close()
	if err != nil {
		return nil, err
	}
	if err := ps.Blobs.Delete(ctx, parkedKey(projectID)); err != nil {
		return nil, err
	}
	s, err := decodeSession(doc)
	if err != nil {
		return nil, nil // written by another version of the schema: start afresh
	}
	return s, nil
}
