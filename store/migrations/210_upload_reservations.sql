-- Uploads in flight: a file being spooled by a front end, not yet
-- recorded, counts against its project's places and size and its client's
-- storage from its first byte, in every front end at once (inflight.go).
-- A row lives until its upload is recorded (the record deletes it) or
-- ends, or, its front end gone, until its lease runs out (expires_at, on
-- the database's clock).
CREATE TABLE upload_reservations (
    id         TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    bytes      {{int64}} NOT NULL DEFAULT 0,
    expires_at {{int64}} NOT NULL
);
CREATE INDEX upload_reservations_project ON upload_reservations (project_id);
CREATE INDEX upload_reservations_expires ON upload_reservations (expires_at);
