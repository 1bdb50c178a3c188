-- stemmaster metadata, SQLite dialect. Times are Unix milliseconds.
CREATE TABLE projects (
    id          TEXT PRIMARY KEY,
    token_hash  BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    session     BLOB,
    check_job   TEXT NOT NULL DEFAULT '',
    check_json  BLOB,
    render_job  TEXT NOT NULL DEFAULT '',
    report_json BLOB
);
CREATE INDEX projects_expires_at ON projects (expires_at);

CREATE TABLE files (
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    size       INTEGER NOT NULL,
    blob_key   TEXT NOT NULL,
    info_json  BLOB,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (project_id, kind, name)
);

CREATE TABLE jobs (
    id         TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    state      TEXT NOT NULL,
    progress   REAL NOT NULL DEFAULT 0,
    stage      TEXT NOT NULL DEFAULT '',
    error      TEXT NOT NULL DEFAULT '',
    attempt    INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX jobs_project ON jobs (project_id, created_at);

CREATE TABLE outputs (
    project_id   TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    job_id       TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    size         INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    blob_key     TEXT NOT NULL,
    figures_json BLOB,
    PRIMARY KEY (job_id, name)
);
CREATE INDEX outputs_project ON outputs (project_id);
