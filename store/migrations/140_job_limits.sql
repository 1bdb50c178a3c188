-- Bounded jobs: a job records the client that asked for it (the per-client
-- bound on active jobs) and a key naming its inputs (a request for the same
-- inputs returns the queued or running job rather than making a new one).
ALTER TABLE jobs ADD COLUMN client TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN request_key TEXT NOT NULL DEFAULT '';
CREATE INDEX jobs_client ON jobs (client, state);
CREATE INDEX jobs_project_gen ON jobs (project_id, gen);
