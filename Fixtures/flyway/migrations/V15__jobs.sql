-- Background work queue (title generation, memory extraction, compaction).
CREATE TABLE jobs (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('title_generation', 'memory_extraction', 'rollout_compaction')),
    thread_id  TEXT REFERENCES threads (id) ON DELETE CASCADE,
    status     TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    attempts   INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    payload    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(payload)),
    run_after  INTEGER NOT NULL DEFAULT (CAST(strftime('%s', 'now') AS INTEGER)),
    created_at INTEGER NOT NULL DEFAULT (CAST(strftime('%s', 'now') AS INTEGER))
);

-- The worker only ever polls queued jobs that are due.
CREATE INDEX jobs_queued_run_after_idx ON jobs (run_after) WHERE status = 'queued';
