-- Exactly-once publication: every job gets a generation from its project's
-- counter when created, and a render is published only over an older one. The
-- stem set has a generation too, bumped by every upload and deletion, so a
-- check of files since replaced is never stored. Jobs count their attempts
-- themselves (across crashes), and renders replaced by a newer one wait in
-- sweep until their blobs are deleted.
ALTER TABLE projects ADD COLUMN job_seq {{int64}} NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN render_gen {{int64}} NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN files_gen {{int64}} NOT NULL DEFAULT 0;
ALTER TABLE projects ADD COLUMN check_gen {{int64}} NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN gen {{int64}} NOT NULL DEFAULT 0;
CREATE INDEX jobs_state ON jobs (state);
CREATE TABLE sweep (
    project_id TEXT NOT NULL,
    job_id     TEXT NOT NULL,
    created_at {{int64}} NOT NULL,
    PRIMARY KEY (project_id, job_id)
);
ALTER TABLE files ADD COLUMN original_name TEXT NOT NULL DEFAULT '';
