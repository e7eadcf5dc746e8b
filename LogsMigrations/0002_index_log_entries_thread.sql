-- Per-thread log views in the UI.
CREATE INDEX log_entries_thread_idx ON log_entries (thread_id, ts) WHERE thread_id IS NOT NULL;
