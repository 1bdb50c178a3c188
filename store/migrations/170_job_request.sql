-- The id of the request that asked for a job, so that the worker's log
-- lines of the job, and those of a job queued again after its insert was
-- lost, name the request the front end's log filed it under.
ALTER TABLE jobs ADD COLUMN request_id TEXT NOT NULL DEFAULT '';
