-- Spans group log lines of one operation.
ALTER TABLE log_entries ADD COLUMN span TEXT;
