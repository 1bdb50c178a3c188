-- What a revision's outputs take in the blob store, so that the storage of
-- every project one address created is counted in the database
-- (ClientBytes). Revisions published before this count 0 until swept.
ALTER TABLE revisions ADD COLUMN bytes {{int64}} NOT NULL DEFAULT 0
