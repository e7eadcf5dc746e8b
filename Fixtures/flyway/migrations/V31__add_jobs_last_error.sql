-- Keep the last failure message so the jobs panel can show why it retried.
ALTER TABLE jobs ADD COLUMN last_error TEXT;
