-- Data-only: threads archived before 0009 have no archived_at. Use the last
-- update time as the best available approximation.
UPDATE threads
SET archived_at = updated_at
WHERE archived = 1 AND archived_at IS NULL;
