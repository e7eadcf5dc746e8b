-- Cached per-thread event stream so the UI can render history without
-- re-parsing the rollout file. AUTOINCREMENT keeps ids monotonic even after
-- deletes, which the incremental sync cursor relies on.
CREATE TABLE thread_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    thread_id  TEXT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL CHECK (seq >= 0),
    kind       TEXT NOT NULL CHECK (kind IN ('user_message', 'agent_message', 'tool_call', 'tool_result', 'error')),
    payload    TEXT NOT NULL CHECK (json_valid(payload)),
    created_at INTEGER NOT NULL DEFAULT (CAST(strftime('%s', 'now') AS INTEGER))
);

-- Each event has a fixed position within its thread.
CREATE UNIQUE INDEX thread_events_thread_seq_idx ON thread_events (thread_id, seq);
