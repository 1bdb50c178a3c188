-- Reference tracks: records beside the files, never part of the stem set
-- (an upload of one does not move files_gen), but in the same transactions
-- as the files' quota, so a project's files and references share its total
-- size limit in every process at once.
CREATE TABLE reference_tracks (
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    size       {{int64}} NOT NULL,
    blob_key   TEXT NOT NULL,
    info_json  {{bytes}},
    weight     {{float64}} NOT NULL,
    created_at {{int64}} NOT NULL,
    PRIMARY KEY (project_id, name)
);
