package service

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"

	"stemmaster/store"
)

// The song title is a blob beside the project's files (it goes when the
// project goes), not a session field: a title change must not make a new
// revision's session differ.

// titleKey is the title's blob key.
func titleKey(projectID string) string { return store.ProjectPrefix(projectID) + "title.json" }

type titleDoc struct {
	Title string `json:"title"`
}

// Title reads the project's stored title, "" for none.
func (ps *Projects) Title(ctx context.Context, projectID string) (string, error) {
	rc, err := ps.Blobs.Open(ctx, titleKey(projectID))
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	defer rc.Close()
	var b titleDoc
	if err := json.NewDecoder(io.LimitReader(rc, 4096)).Decode(&b); err != nil {
		return "", err
	}
	return b.Title, nil
}

// SetTitle stores the project's title; "" removes it.
func (ps *Projects) SetTitle(ctx context.Context, projectID, title string) error {
	if title == "" {
		return ps.Blobs.Delete(ctx, titleKey(projectID))
	}
	js, _ := json.Marshal(titleDoc{Title: title})
	_, err := ps.Blobs.Put(ctx, titleKey(projectID), "application/json", strings.NewReader(string(js)))
	return ps.wroteUnder(ctx, projectID, err)
}
