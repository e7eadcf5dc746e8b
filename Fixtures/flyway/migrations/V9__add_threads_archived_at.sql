-- When a thread was archived, for "recently archived" and auto-purge.
ALTER TABLE threads ADD COLUMN archived_at INTEGER;
