-- Logs moved to a separate rotating file next to the database; the tables
-- only grew. Drop the child table first so no FK work is needed.
DROP TABLE logs;
DROP TABLE log_spans;
