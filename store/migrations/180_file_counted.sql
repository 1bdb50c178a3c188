-- The bytes a file counts for against its project's limits: the larger
-- of its size and the stream preview made from it (16-bit stereo at the
-- file's rate), so that a small file that decodes to a large preview (a
-- compressed silence) cannot take more of the store than its limits
-- allow. 0 counts as the size (files recorded before).
ALTER TABLE files ADD COLUMN counted {{int64}} NOT NULL DEFAULT 0;
