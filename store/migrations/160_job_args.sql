-- What a render job was asked with, so that a job whose queue insert was
-- lost is queued again as the client asked it: the check errors mastered
-- anyway (a JSON array, '' for none) and the revision's note.
ALTER TABLE jobs ADD COLUMN confirmed TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN note TEXT NOT NULL DEFAULT '';
