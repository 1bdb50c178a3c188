-- What a render's outputs are estimated to take, counted against its
-- client's and network's storage while it is queued or running (beside
-- their uploads in flight), so that renders queued first and uploads
-- after them cannot together pass the bound. Once published, its outputs
-- count instead. 0 for a check, and for a render queued before this.
ALTER TABLE jobs ADD COLUMN output_bytes {{int64}} NOT NULL DEFAULT 0
