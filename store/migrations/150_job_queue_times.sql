-- When the current attempt of a job started (0: never claimed): the time a job
-- takes, started_at to its last update, estimates how long a client over a
-- bound waits (Retry-After).
ALTER TABLE jobs ADD COLUMN started_at {{int64}} NOT NULL DEFAULT 0;
-- The queue ahead of a job (by state and creation) and the latest done
-- jobs of a kind, read for that estimate.
CREATE INDEX jobs_state_created ON jobs (state, created_at);
CREATE INDEX jobs_kind_state ON jobs (kind, state, updated_at);
-- The jobs pruned from a project, so that their ids answer "pruned" (410)
-- rather than "unknown" (404). A project keeps the newest few.
CREATE TABLE pruned_jobs (
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    kind       TEXT NOT NULL,
    gen        {{int64}} NOT NULL,
    pruned_at  {{int64}} NOT NULL,
    PRIMARY KEY (project_id, id)
);
