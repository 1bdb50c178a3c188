-- stemmaster metadata, {{dialect}} dialect. Times are Unix milliseconds.
CREATE TABLE projects (
    id          TEXT PRIMARY KEY,
    token_hash  {{bytes}} NOT NULL,
    created_at  {{int64}} NOT NULL,
    expires_at  {{int64}} NOT NULL,
    session     {{bytes}},
    check_job   TEXT NOT NULL DEFAULT '',
    check_json  {{bytes}},
    render_job  TEXT NOT NULL DEFAULT '',
    report_json {{bytes}}
);
CREATE INDEX projects_expires_at ON projects (expires_at);

CREATE TABLE files (
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    size       {{int64}} NOT NULL,
    blob_key   TEXT NOT NULL,
    info_json  {{bytes}},
    created_at {{int64}} NOT NULL,
    PRIMARY KEY (project_id, kind, name)
);

CREATE TABLE jobs (
    id         TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    state      TEXT NOT NULL,
    progress   {{float64}} NOT NULL DEFAULT 0,
    stage      TEXT NOT NULL DEFAULT '',
    error      TEXT NOT NULL DEFAULT '',
    attempt    INTEGER NOT NULL DEFAULT 0,
    created_at {{int64}} NOT NULL,
    updated_at {{int64}} NOT NULL
);
CREATE INDEX jobs_project ON jobs (project_id, created_at);

CREATE TABLE outputs (
    project_id   TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    job_id       TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    size         {{int64}} NOT NULL,
    content_type TEXT NOT NULL,
    blob_key     TEXT NOT NULL,
    figures_json {{bytes}},
    PRIMARY KEY (job_id, name)
);
CREATE INDEX outputs_project ON outputs (project_id);
