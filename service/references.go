package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"stemmaster/store"
)

// Reference tracks are kept apart from the project's files — they never
// enter the stem sum, the check, the render or the quote — as two blobs
// each under the project's prefix (deleted with it): the audio, then a
// small record of its format and weight whose presence is the reference's
// existence. Each write is a whole object, so a reference appears
// complete or not at all.

// Reference is a reference track: its format and its weight in the blend.
type Reference struct {
	FileInfo
	Weight float64 `json:"weight"`
}

// ReferencePrefix is where a project's references live.
func ReferencePrefix(projectID string) string {
	return store.ProjectPrefix(projectID) + "references/"
}

// ReferenceAudioKey is the blob key of a reference's audio.
func ReferenceAudioKey(projectID, name string) string {
	return ReferencePrefix(projectID) + name + "/audio"
}

func referenceInfoKey(projectID, name string) string {
	return ReferencePrefix(projectID) + name + "/info.json"
}

// References lists the project's references by name.
func (ps *Projects) References(ctx context.Context, projectID string) ([]Reference, error) {
	keys, err := ps.Blobs.Keys(ctx, ReferencePrefix(projectID))
	if err != nil {
		return nil, err
	}
	out := []Reference{}
	for _, k := range keys {
		if !strings.HasSuffix(k, "/info.json") {
			continue
		}
		ri, err := ps.readReference(ctx, k)
		if errors.Is(err, store.ErrNotFound) {
			continue // deleted meanwhile
		}
		if err != nil {
			return nil, err
		}
		out = append(out, *ri)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Reference reads one reference's record (store.ErrNotFound when none).
func (ps *Projects) Reference(ctx context.Context, projectID, name string) (*Reference, error) {
	return ps.readReference(ctx, referenceInfoKey(projectID, name))
}

func (ps *Projects) readReference(ctx context.Context, key string) (*Reference, error) {
	rc, err := ps.Blobs.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var ri Reference
	if err := json.NewDecoder(io.LimitReader(rc, 1<<16)).Decode(&ri); err != nil {
		return nil, fmt.Errorf("reference record %s: %w", key, err)
	}
	return &ri, nil
}

// SaveReference writes a reference's record: after its audio, it makes
// the reference exist; later, it changes its weight.
func (ps *Projects) SaveReference(ctx context.Context, projectID string, ri *Reference) error {
	raw, err := json.Marshal(ri)
	if err != nil {
		return err
	}
	_, err = ps.Blobs.Put(ctx, referenceInfoKey(projectID, ri.Name), "application/json", strings.NewReader(string(raw)))
	return err
}

// PutReferenceAudio stores a reference's audio (before its record).
func (ps *Projects) PutReferenceAudio(ctx context.Context, projectID, name string, audio io.Reader) error {
	_, err := ps.Blobs.Put(ctx, ReferenceAudioKey(projectID, name), "application/octet-stream", audio)
	return err
}

// DeleteReference removes a reference: the record first, so that without
// it the reference no longer exists even if deleting its audio fails (the
// project's deletion takes it).
func (ps *Projects) DeleteReference(ctx context.Context, projectID, name string) error {
	for _, k := range []string{referenceInfoKey(projectID, name), ReferenceAudioKey(projectID, name)} {
		if err := ps.Blobs.Delete(ctx, k); err != nil {
			return err
		}
	}
	return nil
}
