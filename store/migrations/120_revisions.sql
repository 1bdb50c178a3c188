-- Revisions: every published render of a project, numbered from 1, with
-- the session it rendered, its report, its outputs and the client's note.
-- Their files stay under the render's job prefix until the project goes.
CREATE TABLE revisions (
    project_id   TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    number       INTEGER NOT NULL,
    job_id       TEXT NOT NULL,
    created_at   {{int64}} NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    session      {{bytes}},
    report_json  {{bytes}},
    outputs_json {{bytes}},
    PRIMARY KEY (project_id, number)
);
CREATE UNIQUE INDEX revisions_job ON revisions (job_id);
